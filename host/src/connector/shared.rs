//! Keeps a server's registry in step with the components stored in the
//! database, so every server on one database runs the same connectors
//! (docs/deploy.md). The database is the truth; each server keeps a local
//! copy of every component and its compiled code.

use super::registry::{Registry, RegistryError};
use super::signature::Signature;
use crate::runtime::Plugin;
use crate::store::{Store, StoreError, Stored, StoredComponent};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// How often a server loads what other servers installed or removed.
pub const REFRESH_PERIOD: Duration = Duration::from_secs(2);

/// Why the registry and the database could not be brought in step.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A component could not be read or removed locally.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// What the database row of an installed version holds.
pub fn row_of(plugin: &Plugin, signature: Option<&Signature>) -> StoredComponent {
    let id = plugin.id();
    StoredComponent {
        sha256: id.sha256.clone(),
        name: id.name.clone(),
        version: id.version.to_string(),
        signature: signature.map(Signature::to_text),
    }
}

/// At start: stores every local component the database lacks (the bundled
/// ones, or those installed into the data directory with no server), unless
/// it was removed through the API, then loads what other servers installed.
/// A local component whose name and version the database holds with other
/// bytes, or that was removed, is dropped locally.
pub async fn sync_at_start(registry: &Arc<Registry>, store: &Store) -> Result<(), SyncError> {
    let stored: HashSet<String> = store.stored_components().await?.into_iter().map(|c| c.sha256).collect();
    let removed: HashSet<String> = store.removed_components().await?.into_iter().collect();
    for plugin in registry.list() {
        if stored.contains(&plugin.id().sha256) {
            continue;
        }
        if removed.contains(&plugin.id().sha256) {
            let id = plugin.id().clone();
            tracing::info!(name = %id.name, version = %id.version, "left out a connector removed through the API");
            blocking(registry, move |r| r.remove(&id.name, &id.version).map(drop)).await?;
            continue;
        }
        let (bytes, signature) = blocking(registry, {
            let plugin = plugin.clone();
            move |r| r.stored(&plugin)
        })
        .await?;
        if let Stored::Conflict(sha) = store.store_component(&row_of(&plugin, signature.as_ref()), &bytes).await? {
            let id = plugin.id().clone();
            tracing::error!(name = %id.name, version = %id.version, local = %id.sha256, shared = %sha,
                "the database holds other bytes under this connector's name and version; using those");
            blocking(registry, move |r| r.remove(&id.name, &id.version).map(drop)).await?;
        }
    }
    follow(registry, store).await
}

/// Whether other servers can change the stored components while this one
/// runs: only on a shared database (PostgreSQL); one server owns an SQLite
/// file, so it has nothing to refresh after its start.
pub fn is_shared(store: &Store) -> bool {
    !store.is_sqlite()
}

/// Loads the components other servers stored since the last refresh and
/// drops those they removed, when the database is shared. One query when
/// nothing changed.
pub async fn refresh(registry: &Arc<Registry>, store: &Store) -> Result<(), SyncError> {
    if is_shared(store) { follow(registry, store).await } else { Ok(()) }
}

/// Makes the registry hold exactly the stored components. A stored
/// component that does not load or pass the policy is logged and skipped.
async fn follow(registry: &Arc<Registry>, store: &Store) -> Result<(), SyncError> {
    let stored = store.stored_components().await?;
    let local: HashSet<String> = registry.list().iter().map(|p| p.id().sha256.clone()).collect();
    for component in stored.iter().filter(|c| !local.contains(&c.sha256)) {
        let Some(bytes) = store.component_bytes(&component.sha256).await? else { continue };
        let signature = component.signature.as_deref().and_then(|t| Signature::parse(t).ok());
        let installed = blocking(registry, move |r| r.install(&bytes, signature.as_ref()).map(drop)).await;
        if let Err(error) = installed {
            // The error may quote the component (its `describe`, its panic text).
            let error = crate::logs::escape(&error.to_string()).into_owned();
            tracing::error!(%error, name = %component.name, version = %component.version, "a shared connector component was left out");
        }
    }
    let shared: HashSet<&str> = stored.iter().map(|c| c.sha256.as_str()).collect();
    for plugin in registry.list().into_iter().filter(|p| !shared.contains(p.id().sha256.as_str())) {
        let id = plugin.id().clone();
        tracing::info!(name = %id.name, version = %id.version, "removed connector (removed through another server)");
        blocking(registry, move |r| r.remove(&id.name, &id.version).map(drop)).await?;
    }
    Ok(())
}

/// Refreshes every `period` until the process ends, logging failures.
pub fn refresh_every(registry: Arc<Registry>, store: Store, period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = refresh(&registry, &store).await {
                tracing::warn!(%error, "refreshing the shared connector components failed");
            }
        }
    })
}

/// Runs `f` on the registry off the async threads (it reads files and
/// compiles).
async fn blocking<T: Send + 'static>(
    registry: &Arc<Registry>,
    f: impl FnOnce(&Registry) -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, RegistryError> {
    let registry = registry.clone();
    tokio::task::spawn_blocking(move || f(&registry)).await.unwrap_or_else(|e| {
        Err(RegistryError::Io { path: "(registry task)".into(), source: std::io::Error::other(e.to_string()) })
    })
}
