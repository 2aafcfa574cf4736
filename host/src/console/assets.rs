//! The console's stylesheet, compiled into the binary (no CDN, nothing to
//! install at run time).

use super::Console;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// Where the stylesheet is served; its name changes with its content's
/// version, so browsers may keep it.
pub const STYLESHEET: &str = "/assets/console-1.css";

/// The stylesheet's route.
pub fn router() -> Router<Console> {
    Router::new().route(STYLESHEET, get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("assets/console.css"),
    )
}
