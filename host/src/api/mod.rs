//! The Connection Management API v2 under `/api.rsc/v2`: one router per
//! resource, merged here behind the authentication layer, with our error
//! shape for unknown routes (404) and methods (405).

pub mod auth;
pub mod bodies;
pub mod connections;
pub mod connectors;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod logs;
pub mod metadata;
pub mod openapi;
pub mod state;
pub mod users;
pub mod workspaces;

use axum::Router;
use error::ApiError;
use state::AppState;

/// The base path of every route.
pub const BASE: &str = "/api.rsc/v2";

/// Every route of the API, nested under [`BASE`].
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(workspaces::router())
        .merge(connections::router())
        .merge(metadata::router())
        .merge(logs::router())
        .merge(connectors::router())
        .merge(jobs::router())
        .merge(users::router())
        .merge(openapi::router())
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate));
    Router::new()
        .nest(BASE, api)
        .fallback(|| async { ApiError::not_found("route_not_found", "No such route.") })
        .with_state(state)
}
