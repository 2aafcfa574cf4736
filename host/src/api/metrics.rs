//! Prometheus metrics over HTTP: the layer that counts and times every
//! request by its route template, `GET /metrics` for admins (a token, as
//! every protected route; Prometheus sends it with `basic_auth`), and the
//! router of `--metrics-listen`, the same text on an address of its own
//! with no token (docs/deploy.md, "Metrics").

use super::auth::Require;
use super::error::ApiError;
use super::state::AppState;
use crate::auth::Principal;
use crate::telemetry::Metrics;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The Prometheus text format's content type.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The route label of a request that matched no route (one series for all
/// of them, whatever their paths).
const UNMATCHED: &str = "unmatched";

/// The protected route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
}

/// `GET /metrics` alone, with no token: what `--metrics-listen` serves.
pub fn listener_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(|State(state): State<AppState>| async move { render(&state) }))
        .with_state(state)
}

/// Counts and times the request under its method, route template and status.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(request.method());
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    metrics.http_request(method, route, response.status().as_u16(), start.elapsed());
    response
}

/// The method's label: the standard ones by name, any other as `other`
/// (a client may send any token as a method; labels stay bounded).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /metrics`: every series in the Prometheus text format (admins only).
#[utoipa::path(get, operation_id = "get_metrics", path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "The Prometheus text exposition format (0.0.4).",
            body = String, content_type = "text/plain"),
        (status = 403, body = crate::api::error::ErrorResponse),
    ))]
pub async fn metrics(principal: Principal, State(state): State<AppState>) -> Result<Response, ApiError> {
    principal.require_admin()?;
    Ok(render(&state))
}

/// The metrics text, with the database pool and the caches sampled now.
fn render(state: &AppState) -> Response {
    let pool = state.store.pool_status();
    state.metrics.db_pool(pool.open, pool.idle, pool.max);
    state.metrics.caches_fresh(state.store.caches_fresh());
    ([(header::CONTENT_TYPE, TEXT_FORMAT)], state.metrics.render()).into_response()
}
