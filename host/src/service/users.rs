//! The rules of users and their tokens: a user's workspaces must exist, its
//! name is unique, an admin cannot demote themself, the last admin stays;
//! tokens are made (shown once) and revoked; every change to users or
//! tokens clears the cache of authenticated principals.

use super::{ServiceError, ServiceResult, Services, What};
use crate::auth::{Role, token};
use crate::store::{Store, TokenInfo, User};
use uuid::Uuid;

/// What a create or update asks for; `None` where not given.
#[derive(Debug, Default)]
pub struct Changes {
    /// The name (required on create).
    pub name: Option<String>,
    /// The role (required on create).
    pub role: Option<Role>,
    /// The granted workspaces, replaced.
    pub workspaces: Option<Vec<String>>,
}

/// What a new token is asked to be.
#[derive(Debug, Default)]
pub struct TokenRequest {
    /// Days until it expires; `None`: never.
    pub expires_in_days: Option<u32>,
    /// Whether the user's other tokens stop working.
    pub revoke_others: bool,
}

/// A token just made.
#[derive(Debug)]
pub struct IssuedToken {
    /// Its value: shown once, never again.
    pub token: String,
    /// Its id and dates.
    pub info: TokenInfo,
}

/// The user `id` (as the caller gave it), or [`ServiceError::NotFound`].
pub async fn find(store: &Store, id: &str) -> ServiceResult<User> {
    let not_found = || ServiceError::NotFound { what: What::User, id: id.to_string() };
    let uuid = Uuid::parse_str(id).map_err(|_| not_found())?;
    store.user(uuid).await?.ok_or_else(not_found)
}

/// Creates a user (a name and a role are required) with its first token.
pub async fn create(services: &Services, changes: Changes, token: TokenRequest) -> ServiceResult<(User, IssuedToken)> {
    let name = changes.name.ok_or_else(|| ServiceError::missing("name"))?;
    let role = changes.role.ok_or_else(|| ServiceError::missing("role"))?;
    let workspaces = changes.workspaces.unwrap_or_default();
    check_workspaces(&services.store, &workspaces).await?;
    let Some(user) = services.store.create_user(&name, role, &workspaces).await? else {
        return Err(ServiceError::NameTaken { what: What::User, name });
    };
    let token = issue(services, user.id, token).await?;
    Ok((user, token))
}

/// Changes the user `id` (as the caller gave it) on behalf of the user
/// `acting`; the user as written.
pub async fn update(services: &Services, acting: Uuid, id: &str, changes: Changes) -> ServiceResult<User> {
    let mut user = find(&services.store, id).await?;
    if user.id == acting && changes.role.is_some_and(|r| r != Role::Admin) {
        return Err(ServiceError::OwnRole);
    }
    if let Some(workspaces) = changes.workspaces {
        check_workspaces(&services.store, &workspaces).await?;
        user.workspaces = workspaces;
    }
    user.name = changes.name.unwrap_or(user.name);
    user.role = changes.role.unwrap_or(user.role);
    let updated = services.store.update_user(&user).await?;
    services.principals.clear();
    if !updated {
        return Err(ServiceError::NameTaken { what: What::User, name: user.name });
    }
    Ok(user)
}

/// Deletes the user `id` (as the caller gave it), never the last admin.
pub async fn delete(services: &Services, id: &str) -> ServiceResult<()> {
    let user = find(&services.store, id).await?;
    let deleted = services.store.delete_user(user.id).await?;
    services.principals.clear();
    if deleted { Ok(()) } else { Err(ServiceError::LastAdmin) }
}

/// Makes a token for the user `id` (as the caller gave it), revoking its
/// others if asked.
pub async fn generate_token(services: &Services, id: &str, request: TokenRequest) -> ServiceResult<IssuedToken> {
    let user = find(&services.store, id).await?;
    issue(services, user.id, request).await
}

/// Revokes the token `token_id` of the user `id` (both as the caller gave
/// them).
pub async fn revoke_token(services: &Services, id: &str, token_id: &str) -> ServiceResult<()> {
    let user = find(&services.store, id).await?;
    let missing = || ServiceError::NotFound { what: What::Token, id: token_id.to_string() };
    let token = Uuid::parse_str(token_id).map_err(|_| missing())?;
    let revoked = services.store.revoke_tokens(user.id, Some(token), None).await?;
    services.principals.clear();
    match revoked {
        0 => Err(missing()),
        _ => Ok(()),
    }
}

/// Fails unless every workspace in `ids` exists.
async fn check_workspaces(store: &Store, ids: &[String]) -> ServiceResult<()> {
    for id in ids {
        if store.workspace(id).await?.is_none() {
            return Err(ServiceError::rejected(
                "unknown_workspace",
                format!("Workspace `{id}` does not exist."),
                Some("workspaces".into()),
            ));
        }
    }
    Ok(())
}

/// Makes a token for `user` as `request` asks.
async fn issue(services: &Services, user: Uuid, request: TokenRequest) -> ServiceResult<IssuedToken> {
    let (token, hash) = token::generate();
    let expires_at = request.expires_in_days.map(|d| crate::store::now() + chrono::Duration::days(i64::from(d)));
    let info = services.store.add_token(user, &hash, expires_at).await?;
    if request.revoke_others {
        services.store.revoke_tokens(user, None, Some(info.id)).await?;
        services.principals.clear();
    }
    Ok(IssuedToken { token, info })
}
