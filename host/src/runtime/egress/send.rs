//! The guarded sender: resolves the host once, drops the addresses the
//! operator's rules refuse, connects to a checked address (so a second DNS
//! answer cannot swap the target), speaks TLS and HTTP/1.1, and hands back a
//! response body that keeps the call's byte budget and the request's
//! deadline. Modelled on wasmtime-wasi-http's `default_send_request`, which
//! connects by host name and so cannot enforce an address policy.

use super::hooks::{Budget, Network};
use super::origin::{Origin, Scheme};
use super::pool::{Key, Pool};
use crate::connector::model::LogLevel;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::client::conn::http1::SendRequest;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};
use std::time::Instant;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Sleep, sleep_until, timeout_at};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// What a log line says of a request: method, origin and path, never the
/// query string.
pub(crate) struct Target(String);

impl Target {
    /// The target of `request`.
    pub(crate) fn of<B>(request: &http::Request<B>) -> Self {
        let uri = request.uri();
        let origin = Origin::of_uri(uri).map(|o| o.to_string()).unwrap_or_else(|| "(no origin)".into());
        Self(format!("{} {origin}{}", request.method(), uri.path()))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One request on its way.
pub(crate) struct Sender {
    pub(crate) net: Arc<Network>,
    pub(crate) pool: Arc<Pool>,
    pub(crate) budget: Arc<Budget>,
    pub(crate) origin: Origin,
    pub(crate) target: Target,
}

type Sent = (http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>);

impl Sender {
    /// Sends `request` within the request's timeout and the call's
    /// deadline, whichever ends first; logs how it went.
    pub(crate) async fn send(
        self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<Sent, Error> {
        let start = Instant::now();
        let mut deadline = (start + self.net.limits.request_timeout).min(self.budget.deadline);
        if let Some(timeout) = options.and_then(|o| o.connect_timeout.or(o.first_byte_timeout)) {
            deadline = deadline.min(start + timeout);
        }
        match self.exchange(request, deadline.into(), start).await {
            Ok(sent) => Ok(sent),
            Err((error, why)) => {
                let line = if matches!(error, Error::DestinationIpProhibited) {
                    format!("egress refused: {}: {why}", self.target)
                } else {
                    format!("egress: {} failed after {} ms: {why}", self.target, start.elapsed().as_millis())
                };
                self.budget.log(LogLevel::Error, line);
                Err(error)
            }
        }
    }

    async fn exchange(
        &self,
        mut request: http::Request<WasiBody>,
        deadline: tokio::time::Instant,
        start: Instant,
    ) -> Result<Sent, (Error, String)> {
        let permit = timeout_at(deadline, self.budget.in_flight.clone().acquire_owned())
            .await
            .map_err(|_| {
                let max = self.net.limits.max_concurrent;
                (Error::ConnectionLimitReached, format!("waited for one of the call's {max} concurrent requests"))
            })?
            .map_err(|_| (Error::ConnectionLimitReached, "the call is over".to_string()))?;
        let addrs = timeout_at(deadline, self.resolve())
            .await
            .map_err(|_| (Error::DnsTimeout, "DNS lookup timed out".into()))??;
        let rules = &self.net.rules;
        let mut refused = None;
        let checked: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|addr| match rules.refusal(*addr) {
                Some(why) => {
                    refused
                        .get_or_insert_with(|| format!("{} resolves to {}, which {why}", self.origin.host, addr.ip()));
                    false
                }
                None => true,
            })
            .collect();
        if checked.is_empty() {
            let why = refused.unwrap_or_else(|| format!("{} has no address", self.origin.host));
            return Err((Error::DestinationIpProhibited, why));
        }
        let kept = self.pool.take(&self.origin, &checked);
        let reused = kept.is_some();
        let (mut key, mut sender) = match kept {
            Some(kept) => kept,
            None => self.open(&checked, deadline).await?,
        };
        // The request line carries only the path and query; the Host header
        // names the origin.
        let path = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        *request.uri_mut() =
            http::Uri::try_from(path).map_err(|_| (Error::HttpRequestUriInvalid, "bad path".into()))?;
        let late = || (Error::ConnectionReadTimeout, "no response within the request's time".to_string());
        let failed = |e: hyper::Error| (Error::HttpProtocolError, e.to_string());
        let response = match timeout_at(deadline, sender.try_send_request(request)).await.map_err(|_| late())? {
            Ok(response) => response,
            Err(mut error) => match error.take_message() {
                // A kept connection the server closed meanwhile: the request
                // was not sent; it goes on a new connection.
                Some(request) if reused => {
                    (key, sender) = self.open(&checked, deadline).await?;
                    timeout_at(deadline, sender.send_request(request)).await.map_err(|_| late())?.map_err(failed)?
                }
                _ => return Err(failed(error.into_error())),
            },
        };
        let status = response.status();
        let max = self.net.limits.max_response_bytes;
        let declared =
            response.headers().get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n.saturating_add(self.budget.bytes.load(Ordering::Relaxed)) > max) {
            let why = format!("its body would pass the call's {max} response bytes (--egress-max-response-mib)");
            return Err((Error::HttpResponseBodySize(Some(max)), why));
        }
        let record =
            Record { target: Target(self.target.0.clone()), status: status.as_u16(), start, bytes: 0, failure: None };
        let (head, incoming) = response.into_parts();
        let body = Budgeted {
            budget: self.budget.clone(),
            deadline: Box::pin(sleep_until(deadline)),
            record,
            _permit: permit,
            done: false,
            incoming,
            max,
            keep: Some((self.pool.clone(), key, sender)),
        };
        let response = http::Response::from_parts(head, http_body_util::BodyExt::boxed_unsync(body));
        // The connection is driven by a task of its own (see `open`).
        Ok((response, Box::new(async { Ok(()) })))
    }

    /// A new connection to the first of `addrs` that answers (TLS for
    /// `https`), driven by a task of its own until its last sender is
    /// dropped or the server closes it; its key and sender.
    async fn open(
        &self,
        addrs: &[SocketAddr],
        deadline: tokio::time::Instant,
    ) -> Result<(Key, SendRequest<WasiBody>), (Error, String)> {
        let timed_out =
            |what: &str| (Error::ConnectionTimeout, format!("{what} did not finish within the request's time"));
        let stream = timeout_at(deadline, connect(addrs)).await.map_err(|_| timed_out("connecting"))??;
        let addr = stream.peer_addr().map_err(|e| (Error::ConnectionTerminated, format!("connecting: {e}")))?;
        let io: Box<dyn Stream> = match self.origin.scheme {
            Scheme::Http => Box::new(stream),
            Scheme::Https => {
                let name = server_name(&self.origin).map_err(|why| (Error::TlsProtocolError, why))?;
                let tls = tokio_rustls::TlsConnector::from(self.net.tls.clone());
                let stream = timeout_at(deadline, tls.connect(name, stream))
                    .await
                    .map_err(|_| timed_out("the TLS handshake"))?
                    .map_err(|e| (Error::TlsCertificateError, format!("TLS: {e}")))?;
                Box::new(stream)
            }
        };
        let (sender, conn) = timeout_at(deadline, hyper::client::conn::http1::handshake(TokioIo::new(io)))
            .await
            .map_err(|_| timed_out("the HTTP handshake"))?
            .map_err(|e| (Error::HttpProtocolError, format!("HTTP handshake: {e}")))?;
        // Ends when the server closes the connection, when a response's body
        // is dropped unread (hyper closes it then), or when the last sender
        // is dropped: at the end of a request whose connection is not kept,
        // or when the pool lets it go.
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok((Key::new(&self.origin, addr), sender))
    }

    /// The addresses of the origin's host: an IP address as it is, a name
    /// from the operator's fixed answers, else from DNS, once.
    async fn resolve(&self) -> Result<Vec<SocketAddr>, (Error, String)> {
        let host = self.origin.bare_host();
        let port = self.origin.port;
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let fixed: Vec<SocketAddr> = self
            .net
            .limits
            .resolve
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(host))
            .map(|(_, ip)| SocketAddr::new(*ip, port))
            .collect();
        if !fixed.is_empty() {
            return Ok(fixed);
        }
        let found = tokio::net::lookup_host((host, port)).await.map_err(|e| {
            (Error::DnsError { rcode: Some("address not available".into()), info_code: None }, format!("DNS: {e}"))
        })?;
        Ok(found.collect())
    }
}

/// A connection the client can speak HTTP over.
trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// Connects to the first of `addrs` that answers.
async fn connect(addrs: &[SocketAddr]) -> Result<TcpStream, (Error, String)> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                // Requests are small and interactive.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last = Some(format!("connecting to {addr}: {e}")),
        }
    }
    Err((Error::ConnectionRefused, last.unwrap_or_else(|| "no address to connect to".into())))
}

/// The name the server's certificate must hold.
fn server_name(origin: &Origin) -> Result<rustls::pki_types::ServerName<'static>, String> {
    let host = origin.bare_host();
    match host.parse::<IpAddr>() {
        Ok(ip) => Ok(rustls::pki_types::ServerName::from(ip)),
        Err(_) => rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| format!("`{host}`: {e}")),
    }
}

/// How a request went, logged when its response body is done or dropped.
struct Record {
    target: Target,
    status: u16,
    start: Instant,
    bytes: u64,
    failure: Option<String>,
}

/// A response body that counts its bytes against the call's budget, ends
/// at the request's deadline whatever the server drips, and holds one of the
/// call's concurrent-request slots until it is done.
struct Budgeted {
    budget: Arc<Budget>,
    deadline: Pin<Box<Sleep>>,
    record: Record,
    _permit: OwnedSemaphorePermit,
    done: bool,
    incoming: hyper::body::Incoming,
    max: u64,
    /// The connection, kept in its pool once the body ends cleanly.
    keep: Option<(Arc<Pool>, Key, SendRequest<WasiBody>)>,
}

impl Budgeted {
    fn fail(&mut self, error: Error, why: String) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        self.done = true;
        // A connection whose response was cut is not reused.
        self.keep = None;
        self.record.failure = Some(why);
        Poll::Ready(Some(Err(error)))
    }
}

impl Body for Budgeted {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        if self.done {
            return Poll::Ready(None);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return self.fail(Error::ConnectionReadTimeout, "the body did not end within the request's time".into());
        }
        match ready!(Pin::new(&mut self.incoming).poll_frame(cx)) {
            None => {
                self.done = true;
                if let Some((pool, key, sender)) = self.keep.take() {
                    pool.put(key, sender);
                }
                Poll::Ready(None)
            }
            Some(Err(e)) => self.fail(Error::HttpResponseIncomplete, format!("reading the body: {e}")),
            Some(Ok(frame)) => {
                let len = frame.data_ref().map_or(0, |d| d.len() as u64);
                self.record.bytes += len;
                let total = self.budget.bytes.fetch_add(len, Ordering::Relaxed).saturating_add(len);
                if total > self.max {
                    let max = self.max;
                    let why = format!("the call's responses passed {max} bytes (--egress-max-response-mib)");
                    return self.fail(Error::HttpResponseBodySize(Some(max)), why);
                }
                Poll::Ready(Some(Ok(frame)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}

impl Drop for Budgeted {
    fn drop(&mut self) {
        let r = &self.record;
        let ms = r.start.elapsed().as_millis();
        let (level, line) = match &r.failure {
            None => (LogLevel::Verbose, format!("egress: {} -> {}, {} bytes, {ms} ms", r.target, r.status, r.bytes)),
            Some(why) => (
                LogLevel::Error,
                format!("egress: {} -> {}, failed after {} bytes, {ms} ms: {why}", r.target, r.status, r.bytes),
            ),
        };
        self.budget.log(level, line);
    }
}
