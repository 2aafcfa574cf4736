//! The service layer's ground, between the HTTP API and the store,
//! registry and runtime: the context every service takes ([`Services`]),
//! their error ([`ServiceError`]), the plugin a connection runs on, and the
//! rules of connections ([`connections`]), connectors ([`connectors`]),
//! users and their tokens ([`users`]), workspaces ([`workspaces`]) and
//! OAuth through the host ([`oauth`]). The
//! metadata cache ([`crate::metadata`]) and job runs ([`crate::jobs`])
//! build on it.

pub mod connections;
pub mod connectors;
mod error;
pub mod oauth;
pub mod users;
pub mod workspaces;

pub use error::{Rejection, ServiceError, ServiceResult, What};

use crate::auth::cache::PrincipalCache;
use crate::connections::Connection;
use crate::logs::ConnectionLogs;
use crate::registry::{Availability, Registry};
use crate::runtime::Plugin;
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use uuid::Uuid;

/// What services work with. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// The database.
    pub store: Store,
    /// The installed connectors.
    pub registry: Arc<Registry>,
    /// The connection log files.
    pub logs: ConnectionLogs,
    /// Each connection's own directory.
    pub files: ConnectionFiles,
    /// Recently authenticated tokens: cleared when users, their tokens or
    /// workspaces change.
    pub principals: Arc<PrincipalCache>,
    /// The server's OAuth settings.
    pub oauth: Arc<oauth::OAuthSettings>,
    /// The server's Prometheus metrics (job rows, bytes and runs).
    pub metrics: crate::telemetry::Metrics,
}

/// The directories connections own as job destinations, one per
/// connection, under one folder.
#[derive(Debug, Clone)]
pub struct ConnectionFiles(Arc<Path>);

impl ConnectionFiles {
    /// Connection directories under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self(Arc::from(root.into()))
    }

    /// The directory of connection `id`.
    pub fn dir(&self, id: Uuid) -> PathBuf {
        self.0.join(id.to_string())
    }

    /// Removes the directory of a deleted connection.
    pub async fn remove(&self, id: Uuid) {
        let dir = self.dir(id);
        if let Err(error) = tokio::fs::remove_dir_all(&dir).await
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(%error, dir = %dir.display(), "could not remove a deleted connection's files");
        }
    }
}

/// The plugin a connection is pinned to, keeping the log lines its
/// `logfile_verbosity` keeps: [`ServiceError::Loading`] while it loads after
/// a restart, [`ServiceError::Refused`] when it was refused.
pub fn plugin_for(registry: &Registry, c: &Connection) -> ServiceResult<Plugin> {
    let (name, version) = (&c.connector, &c.connector_version);
    match registry.availability(name, version) {
        Availability::Loaded(plugin) => Ok(plugin.keeping_logs(c.settings.logfile_verbosity.max_level())),
        Availability::Loading => Err(ServiceError::Loading(format!(
            "Connector {name} {version} of connection {} is still loading after a restart; try again in a moment.",
            c.id
        ))),
        Availability::Refused { reason, .. } => Err(ServiceError::Refused(format!(
            "Connector {name} {version} of connection {} was refused when this server loaded it ({reason}); \
             its connections cannot run until an admin installs a component that loads.",
            c.id
        ))),
        Availability::Missing => {
            Err(ServiceError::Internal(format!("connector {name} {version} of connection {} is not installed", c.id)))
        }
    }
}

/// Loads what other servers installed or removed since the last refresh.
pub async fn refresh_connectors(services: &Services) -> ServiceResult<()> {
    crate::registry::shared::refresh(&services.registry, &services.store)
        .await
        .map_err(|e| ServiceError::Internal(format!("refreshing connector components: {e}")))
}
