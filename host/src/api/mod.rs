//! The Connection Management API v2 under `/api.rsc/v2`: one router per
//! resource, each declaring its routes once (utoipa-axum's `routes!` gives
//! the axum route and the OpenAPI operation together), merged here behind
//! the authentication layer, with our error shape for unknown routes (404)
//! and methods (405). `GET /openapi.json`, `GET /health`, `GET /ready` and
//! `GET /oauth/callback` (its single-use state authenticates it) are outside
//! the layer: public.

pub mod auth;
pub mod connections;
pub mod connectors;
pub mod error;
pub mod extract;
pub mod health;
pub mod jobs;
pub mod logs;
pub mod metadata;
pub mod metrics;
pub mod oauth;
pub mod openapi;
pub mod state;
pub mod users;
pub mod workspaces;

use axum::{Extension, Router};
use error::ApiError;
use state::AppState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The base path of every route.
pub const BASE: &str = "/api.rsc/v2";

/// The routes that need a token, the public ones, and the document of both
/// (relative to [`BASE`], its `servers` entry).
fn routers() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    let (protected, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(workspaces::router())
        .merge(connections::router())
        .merge(oauth::router())
        .merge(metadata::router())
        .merge(logs::router())
        .merge(connectors::router())
        .merge(jobs::router())
        .merge(users::router())
        .merge(metrics::router())
        .split_for_parts();
    let (public, public_doc) =
        openapi::router().merge(oauth::public_router()).merge(health::router()).split_for_parts();
    doc.merge(public_doc);
    openapi::complete(&mut doc);
    (protected, public, doc)
}

/// The OpenAPI document the server serves at `/api.rsc/v2/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    routers().2
}

/// Every route of the API, nested under [`BASE`].
pub fn router(state: AppState) -> Router {
    let (protected, public, doc) = routers();
    let not_allowed = || async { ApiError::MethodNotAllowed };
    let api = protected
        .method_not_allowed_fallback(not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        // Only the document's route carries the document: other requests
        // pay nothing for it.
        .merge(public.method_not_allowed_fallback(not_allowed).layer(Extension(openapi::Document::new(&doc))));
    Router::new()
        .nest(BASE, api)
        .fallback(|| async { ApiError::not_found("route_not_found", "No such route.") })
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), metrics::track))
        .with_state(state)
}
