//! Mock web services for the connectors that reach out (WIT 0.3.0): each
//! is an axum server on `127.0.0.1`, port 0, started per test, serving
//! deterministic data on the real API's paths and in its shapes.
//!
//! - [`quickbooks`]: Intuit's Accounting API (company info, queries).
//! - [`salesforce`]: the Salesforce REST API (limits, sobjects, describe,
//!   queries paged by `nextRecordsUrl`).
//! - [`oauth`]: an OAuth 2.0 provider (authorization code with PKCE,
//!   refresh with rotation, client credentials) whose access tokens the
//!   QuickBooks and Salesforce mocks accept when started with its
//!   [`oauth::Provider::validator`].
//! - [`origin`]: a plain origin (`/ok`, `/big`, `/drip`, `/redirect`,
//!   `/slow`) for hostile-egress tests.
//!
//! Every mock records the requests it receives ([`Mock::requests`]) and
//! has [`Knobs`] a test switches at run time: throttle, slow headers, an
//! oversized or malformed body, a dripped body, a redirect elsewhere.

pub mod oauth;
pub mod origin;
pub mod quickbooks;
pub mod salesforce;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a mock's API answers when something is wrong, in its own shape.
pub trait Api: Send + Sync + 'static {
    /// The bearer token the API accepts; `None`: it asks for none.
    fn token(&self) -> Option<&str>;
    /// Whether a request with bearer token `bearer` (`None`: no
    /// `Authorization: Bearer`) may pass: by default, when it is
    /// [`Api::token`] or the API asks for none.
    fn authorized(&self, bearer: Option<&str>) -> bool {
        self.token().is_none_or(|token| bearer == Some(token))
    }
    /// The answer to a missing or wrong token.
    fn unauthorized(&self) -> Response;
    /// The answer when the throttle knob is on.
    fn throttled(&self) -> Response;
}

/// Says whether an access token is valid now (shared by an API mock with
/// the [`oauth`] provider that issues its tokens).
pub type Validator = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// One request a mock received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Whether it carried an `Authorization` header (its value is not kept).
    pub authorization: bool,
    /// Its headers, `Authorization` left out.
    pub headers: Vec<(String, String)>,
}

impl Received {
    /// The value of header `name` (any case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The decoded value of query parameter `name`, if sent.
    pub fn param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        form_urlencoded::parse(query.as_bytes()).find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
    }
}

/// What a test switches on a running mock. All off by default.
#[derive(Debug, Default)]
pub struct Knobs {
    throttle: AtomicBool,
    slow_ms: AtomicU64,
    oversized: AtomicBool,
    malformed: AtomicBool,
    drip_ms: AtomicU64,
    redirect_to: Mutex<Option<String>>,
}

/// How much an oversized answer streams: 80 MiB, past the host's default
/// 16 MiB per call.
pub const OVERSIZED_BYTES: u64 = 80 << 20;

impl Knobs {
    /// Answers every request as throttled: the API's 429 (or its own
    /// throttling answer) with `Retry-After: 7`.
    pub fn throttle(&self, on: bool) {
        self.throttle.store(on, Ordering::SeqCst);
    }

    /// Holds every answer's headers back for `delay` (zero: not at all).
    pub fn slow(&self, delay: Duration) {
        self.slow_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Streams [`OVERSIZED_BYTES`] of JSON-looking bytes instead of the
    /// answer, with no `Content-Length`.
    pub fn oversized(&self, on: bool) {
        self.oversized.store(on, Ordering::SeqCst);
    }

    /// Answers 200 with a body that is not JSON (the start of the answer, cut).
    pub fn malformed(&self, on: bool) {
        self.malformed.store(on, Ordering::SeqCst);
    }

    /// Sends every answer's body one byte at a time, `pause` after each
    /// (`None`: all at once).
    pub fn drip(&self, pause: Option<Duration>) {
        self.drip_ms.store(pause.map_or(0, |p| p.as_millis().max(1) as u64), Ordering::SeqCst);
    }

    /// Answers every request with `302 Found` to `to` plus the request's
    /// path and query (`None`: no redirect).
    pub fn redirect(&self, to: Option<&str>) {
        *self.redirect_to.lock().unwrap_or_else(|e| e.into_inner()) = to.map(str::to_string);
    }
}

/// What a mock's handlers and its middleware share.
pub struct Shared<S> {
    /// The API's own state (its data, cursors).
    pub api: S,
    /// The knobs.
    pub knobs: Knobs,
    received: Mutex<Vec<Received>>,
}

/// A running mock; it stops when dropped.
pub struct Mock<S> {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared<S>>,
    task: tokio::task::JoinHandle<()>,
}

impl<S> Mock<S> {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its knobs.
    pub fn knobs(&self) -> &Knobs {
        &self.shared.knobs
    }

    /// Its API's state.
    pub fn api(&self) -> &S {
        &self.shared.api
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.received.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl<S> Drop for Mock<S> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `routes` (with state `api`) on `127.0.0.1:0` behind the knobs and
/// the request record.
pub async fn serve<S: Api>(api: S, routes: Router<Arc<Shared<S>>>) -> Mock<S> {
    let shared = Arc::new(Shared { api, knobs: Knobs::default(), received: Mutex::new(Vec::new()) });
    let app = routes.layer(axum::middleware::from_fn_with_state(shared.clone(), knobs::<S>)).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a mock binds");
    let addr = listener.local_addr().expect("the mock's address");
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the mock serves");
    });
    Mock { addr, shared, task }
}

/// The middleware every mock runs: records the request, then applies the
/// knobs and the token check around the API's handler.
async fn knobs<S: Api>(State(shared): State<Arc<Shared<S>>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let received = Received {
        method: request.method().to_string(),
        path: request.uri().path().to_string(),
        query: request.uri().query().map(str::to_string),
        authorization: headers.contains_key(header::AUTHORIZATION),
        headers: headers
            .iter()
            .filter(|(name, _)| *name != header::AUTHORIZATION)
            .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
    };
    shared.received.lock().unwrap_or_else(|e| e.into_inner()).push(received);
    let knobs = &shared.knobs;
    let slow = knobs.slow_ms.load(Ordering::SeqCst);
    if slow > 0 {
        tokio::time::sleep(Duration::from_millis(slow)).await;
    }
    let redirect = knobs.redirect_to.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(to) = redirect {
        let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
        return (StatusCode::FOUND, [(header::LOCATION, format!("{}{path}", to.trim_end_matches('/')))])
            .into_response();
    }
    if !shared.api.authorized(bearer(request.headers())) {
        return shared.api.unauthorized();
    }
    if knobs.throttle.load(Ordering::SeqCst) {
        return shared.api.throttled();
    }
    if knobs.oversized.load(Ordering::SeqCst) {
        return streamed(OVERSIZED_BYTES, None);
    }
    let response = next.run(request).await;
    if knobs.malformed.load(Ordering::SeqCst) {
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("the mock's own body");
        let cut = bytes.slice(..bytes.len() / 2);
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.status = StatusCode::OK;
        return Response::from_parts(parts, Body::from(cut));
    }
    let drip = knobs.drip_ms.load(Ordering::SeqCst);
    if drip > 0 {
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("the mock's own body");
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, dripped(bytes, Duration::from_millis(drip)));
    }
    response
}

/// The bearer token of `headers`, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

/// A JSON answer with `status`.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.to_string()).into_response()
}

/// A 200 whose body is `bytes` bytes of `{"pad":"xxx...`, streamed in 64
/// KiB chunks without a `Content-Length`; `pause` between chunks if given.
pub fn streamed(bytes: u64, pause: Option<Duration>) -> Response {
    const CHUNK: u64 = 64 << 10;
    let head = Bytes::from_static(b"{\"pad\":\"");
    let chunks = stream::unfold(0_u64, move |sent| {
        let head = head.clone();
        async move {
            if sent >= bytes {
                return None;
            }
            if let Some(pause) = pause.filter(|_| sent > 0) {
                tokio::time::sleep(pause).await;
            }
            let n = CHUNK.min(bytes - sent);
            let chunk = if sent == 0 {
                let mut first = head.to_vec();
                first.resize(n as usize, b'x');
                Bytes::from(first)
            } else {
                Bytes::from(vec![b'x'; n as usize])
            };
            Some((Ok::<_, std::io::Error>(chunk), sent + n))
        }
    });
    let mut response = Response::new(Body::from_stream(chunks));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `bytes` as a body sent one byte at a time, `pause` after each.
pub fn dripped(bytes: Bytes, pause: Duration) -> Body {
    let drops = stream::unfold(0_usize, move |at| {
        let bytes = bytes.clone();
        async move {
            if at >= bytes.len() {
                return None;
            }
            if at > 0 {
                tokio::time::sleep(pause).await;
            }
            Some((Ok::<_, std::io::Error>(bytes.slice(at..at + 1)), at + 1))
        }
    });
    Body::from_stream(drops)
}

/// The deterministic moment of row `i` of a mock's data: 2024-01-15
/// 10:30:00 UTC plus `i` hours and `i` minutes.
pub fn moment(i: u64) -> chrono::DateTime<chrono::Utc> {
    let start = chrono::DateTime::parse_from_rfc3339("2024-01-15T10:30:00Z").expect("a timestamp");
    start.with_timezone(&chrono::Utc) + chrono::Duration::minutes(61 * i as i64)
}

/// How the CSV destination writes a timestamp: UTC, six fraction digits.
pub fn csv_timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
