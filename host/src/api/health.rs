//! `GET /health` (liveness) and `GET /ready` (readiness), public: load
//! balancers and orchestrators call them without a token, and they say
//! nothing a caller could misuse.

use super::error::ApiError;
use super::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The public routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(ready))
}

/// Whether the server answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// A ready server's checks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ready`.
    pub status: String,
    /// The database answers (its migrations ran when the server started).
    pub database: bool,
    /// The installed connectors are loaded.
    pub connectors: bool,
}

/// `GET /health`: 200 while the process serves requests.
#[utoipa::path(get, operation_id = "health", path = "/health", tag = "operations",
    responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// `GET /ready`: 200 when the database answers and the installed
/// connectors are loaded; otherwise 503 `not_ready` (with `Retry-After`)
/// saying which check fails.
#[utoipa::path(get, operation_id = "ready", path = "/ready", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = crate::api::error::ErrorResponse)))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    let database = match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: the database does not answer");
            false
        }
        Err(_) => false,
    };
    let connectors = !state.registry.is_starting();
    if database && connectors {
        return Ok(Json(Readiness { status: "ready".into(), database, connectors }));
    }
    let mut why = Vec::new();
    if !database {
        why.push("the database does not answer");
    }
    if !connectors {
        why.push("the installed connectors are still loading");
    }
    let message = format!("Not ready: {}.", why.join("; "));
    Err(ApiError::Unavailable { code: "not_ready", message, retry_after: Some(2) })
}
