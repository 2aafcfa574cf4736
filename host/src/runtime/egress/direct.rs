//! Requests the host sends itself on a connector's behalf (an OAuth token
//! endpoint), through the same guard as the connector's own: the operator's
//! denials and address rules, the checked address, TLS, the request
//! timeout, one allowed origin, and a small response cap.

use super::hooks::CallEgress;
use super::origin::Origin;
use super::{Grant, Network, Pool};
use crate::runtime::state::{LogLine, LogSource};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use std::sync::Arc;
use std::time::Instant;
use wasmtime_wasi_http::WasiHttpHooks;

/// The largest response body the host reads from a token endpoint.
const MAX_BODY: usize = 256 << 10;

/// A form POST the host sends.
pub struct FormPost {
    /// Where to.
    pub url: url::Url,
    /// The form fields (sent `application/x-www-form-urlencoded`).
    pub form: Vec<(String, String)>,
    /// HTTP Basic credentials (user, password), if any.
    pub basic: Option<(String, String)>,
}

/// What came back, and the egress log lines of the request.
pub struct Reply {
    /// The HTTP status, or why there is none.
    pub result: Result<(u16, Bytes), String>,
    /// The connection-log lines of the request (never a query, header or body).
    pub log: Vec<LogLine>,
}

/// Sends `post` to its URL's origin only, under the operator's rules.
pub(crate) async fn post(net: Arc<Network>, pool: Arc<Pool>, post: FormPost) -> Reply {
    let Some(origin) = Origin::of_uri(&post.url.as_str().parse().unwrap_or_default()) else {
        return Reply { result: Err(format!("`{}` has no origin", post.url)), log: Vec::new() };
    };
    let grant = Grant { origins: vec![origin], notes: Vec::new() };
    let deadline = Instant::now() + net.limits.request_timeout;
    let mut egress = CallEgress::new(net, pool, Arc::new(grant), deadline);
    let result = match request(&post) {
        Ok(request) => send(&mut egress, request).await,
        Err(e) => Err(e),
    };
    let log =
        egress.take_lines().into_iter().map(|(level, message)| LogLine { level, source: LogSource::Egress, message });
    Reply { result, log: log.collect() }
}

async fn send(
    egress: &mut CallEgress,
    request: http::Request<wasmtime_wasi_http::WasiBody>,
) -> Result<(u16, Bytes), String> {
    let sent = Box::into_pin(egress.send_request(request, None, Box::new(async { Ok(()) })));
    let (response, _) = sent.await.map_err(|e| format!("the request failed ({e})"))?;
    let status = response.status().as_u16();
    let body = Limited::new(response.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| format!("reading the response failed ({e})"))?
        .to_bytes();
    Ok((status, body))
}

fn request(post: &FormPost) -> Result<http::Request<wasmtime_wasi_http::WasiBody>, String> {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&post.form).finish();
    let host = match post.url.port() {
        Some(port) => format!("{}:{port}", post.url.host_str().unwrap_or_default()),
        None => post.url.host_str().unwrap_or_default().to_string(),
    };
    let mut builder = http::Request::post(post.url.as_str())
        .header(http::header::HOST, host)
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::USER_AGENT, concat!("syncport/", env!("CARGO_PKG_VERSION")));
    if let Some((user, password)) = &post.basic {
        // RFC 6749 2.3.1: each part form-encoded, then Basic.
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let pair = format!("{}:{}", enc(user), enc(password));
        let value = format!("Basic {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pair));
        builder = builder.header(http::header::AUTHORIZATION, value);
    }
    let body = Full::new(Bytes::from(body)).map_err(|never| match never {}).boxed_unsync();
    builder.body(body).map_err(|e| format!("building the request: {e}"))
}
