//! The rules of workspaces: a new one's name defaults to its id and its id
//! is unique; only an empty workspace is deleted, never `default`, and
//! deleting one clears the cache of authenticated principals (their grants
//! changed).

use super::{ServiceError, ServiceResult, Services, What};
use crate::store::{Store, Workspace};

/// The workspace that always exists.
pub const DEFAULT: &str = "default";

/// A workspace to create.
#[derive(Debug)]
pub struct NewWorkspace {
    /// Its id, used in paths.
    pub id: String,
    /// Its name; `None` or blank: the id.
    pub name: Option<String>,
}

/// The workspace `id`, or [`ServiceError::NotFound`].
pub async fn find(store: &Store, id: &str) -> ServiceResult<Workspace> {
    store.workspace(id).await?.ok_or_else(|| not_found(id))
}

/// [`ServiceError::NotFound`] for the workspace `id`.
pub fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound { what: What::Workspace, id: id.to_string() }
}

/// Creates a workspace; the workspace as stored.
pub async fn create(services: &Services, new: NewWorkspace) -> ServiceResult<Workspace> {
    let NewWorkspace { id, name } = new;
    let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).unwrap_or_else(|| id.clone());
    if !services.store.create_workspace(&id, &name).await? {
        return Err(ServiceError::NameTaken { what: What::Workspace, name: id });
    }
    find(&services.store, &id).await
}

/// Deletes the workspace `id`, if it holds no connection and is not
/// [`DEFAULT`].
pub async fn delete(services: &Services, id: &str) -> ServiceResult<()> {
    if id == DEFAULT {
        return Err(ServiceError::DefaultWorkspace { workspace: id.to_string() });
    }
    if !services.store.delete_workspace(id).await? {
        return Err(ServiceError::WorkspaceNotEmpty { workspace: id.to_string() });
    }
    services.principals.clear();
    Ok(())
}
