//! A plain origin for hostile-egress tests (e.g. with the `Egress`
//! fixture): no token, and
//!
//! - `GET /ok` → 200 `ok`;
//! - `GET /big?mib=N` → 200 with N MiB (default 80) streamed, no `Content-Length`;
//! - `GET /drip?bytes=N&ms=M` → 200 with N bytes (default 64) sent one at a
//!   time, M ms apart (default 100);
//! - `GET /redirect?to=URL` → 302 to URL;
//! - `GET /slow?ms=N` → 200 `ok` after N ms (default 1000);
//! - `GET /echo` → 200 with the request's method, path, query and header
//!   names as JSON.
//!
//! The [`super::Knobs`] apply to every path as on the API mocks.

use super::{Api, Mock, Shared, dripped, json_response, serve, streamed};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// An origin that asks for no token and says so in plain text.
pub struct Origin;

impl Api for Origin {
    fn token(&self) -> Option<&str> {
        None
    }

    fn unauthorized(&self) -> Response {
        (StatusCode::UNAUTHORIZED, "unauthorized").into_response()
    }

    fn throttled(&self) -> Response {
        (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "7")], "slow down").into_response()
    }
}

/// Starts an origin.
pub async fn start() -> Mock<Origin> {
    let routes = Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/big", get(big))
        .route("/drip", get(drip))
        .route("/redirect", get(redirect))
        .route("/slow", get(slow))
        .route("/echo", get(echo));
    serve(Origin, routes).await
}

type St = State<Arc<Shared<Origin>>>;
type Params = Query<HashMap<String, String>>;

/// The number parameter `name`, or `default`.
fn number(params: &HashMap<String, String>, name: &str, default: u64) -> u64 {
    params.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn big(_: St, Query(params): Params) -> Response {
    streamed(number(&params, "mib", 80) << 20, None)
}

async fn drip(_: St, Query(params): Params) -> Response {
    let bytes = Bytes::from(vec![b'x'; number(&params, "bytes", 64) as usize]);
    let pause = Duration::from_millis(number(&params, "ms", 100));
    Response::new(dripped(bytes, pause))
}

async fn redirect(_: St, Query(params): Params) -> Response {
    match params.get("to") {
        Some(to) => (StatusCode::FOUND, [(header::LOCATION, to.clone())]).into_response(),
        None => (StatusCode::BAD_REQUEST, "no `to`").into_response(),
    }
}

async fn slow(_: St, Query(params): Params) -> &'static str {
    tokio::time::sleep(Duration::from_millis(number(&params, "ms", 1000))).await;
    "ok"
}

async fn echo(_: St, request: Request) -> Response {
    let headers: Vec<String> = request.headers().keys().map(ToString::to_string).collect();
    let body = json!({"method": request.method().as_str(), "path": request.uri().path(),
        "query": request.uri().query(), "headers": headers});
    json_response(StatusCode::OK, &body)
}
