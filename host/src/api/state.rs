//! What every handler can reach.

use crate::auth::cache::PrincipalCache;
use crate::auth::limiter::FailureLimiter;
use crate::logs::ConnectionLogs;
use crate::registry::Registry;
use crate::service::Services;
use crate::store::Store;
use crate::telemetry::Metrics;
use axum::extract::FromRef;
use std::sync::Arc;

/// The shared state of the API.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The installed connectors.
    pub registry: Arc<Registry>,
    /// The connection log files.
    pub logs: ConnectionLogs,
    /// Failed authentications per client address.
    pub auth_failures: Arc<FailureLimiter>,
    /// Recently authenticated tokens.
    pub principals: Arc<PrincipalCache>,
    /// The largest component an install accepts, in bytes.
    pub component_limit: usize,
    /// The job runs of this server.
    pub jobs: Arc<crate::jobs::Jobs>,
    /// The server's OAuth settings.
    pub oauth: Arc<crate::service::oauth::OAuthSettings>,
    /// The server's Prometheus metrics.
    pub metrics: Metrics,
}

impl AppState {
    /// What the services below the API work with.
    pub fn services(&self) -> Services {
        Services {
            store: self.store.clone(),
            registry: self.registry.clone(),
            logs: self.logs.clone(),
            files: self.jobs.files().clone(),
            principals: self.principals.clone(),
            oauth: self.oauth.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Store {
        state.store.clone()
    }
}

impl FromRef<AppState> for Arc<Registry> {
    fn from_ref(state: &AppState) -> Arc<Registry> {
        state.registry.clone()
    }
}

impl FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.metrics.clone()
    }
}

impl FromRef<AppState> for ConnectionLogs {
    fn from_ref(state: &AppState) -> ConnectionLogs {
        state.logs.clone()
    }
}
