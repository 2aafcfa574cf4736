//! The transport of the component: the host's `wasi:http/outgoing-handler`
//! (WIT 0.3.0).

use super::transport::{Transport, TransportError, TransportErrorKind};
use super::{Method, Request, Response, Scheme};
use std::time::Duration;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{self as http, ErrorCode, Fields, OutgoingBody, OutgoingRequest};
use wasip2::io::streams::StreamError;

/// The most bytes read or written per stream call.
const CHUNK: u64 = 64 * 1024;

/// Sends through the host's `wasi:http/outgoing-handler`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WasiTransport;

impl Transport for WasiTransport {
    fn send(&self, request: &Request) -> Result<Response, TransportError> {
        let outgoing = outgoing(request)?;
        let body = outgoing.body().map_err(|()| other("the request body was taken"))?;
        let future = outgoing_handler::handle(outgoing, None).map_err(|e| classify(&e))?;
        write_body(&body, request.body_bytes())?;
        OutgoingBody::finish(body, None).map_err(|e| classify(&e))?;
        let incoming = loop {
            match future.get() {
                Some(Ok(Ok(response))) => break response,
                Some(Ok(Err(e))) => return Err(classify(&e)),
                Some(Err(())) => return Err(other("the response was taken twice")),
                None => future.subscribe().block(),
            }
        };
        let status = incoming.status();
        let headers = incoming
            .headers()
            .entries()
            .into_iter()
            .map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned()))
            .collect();
        let body = incoming.consume().map_err(|()| other("the response body was taken"))?;
        let bytes = read_body(&body)?;
        drop(body);
        Ok(Response::new(status, headers, bytes))
    }

    /// Blocks on a `wasi:clocks/monotonic-clock` timer: no busy loop.
    fn sleep(&self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        wasip2::clocks::monotonic_clock::subscribe_duration(nanos).block();
    }
}

/// The `outgoing-request` of `request`, body not yet written.
fn outgoing(request: &Request) -> Result<OutgoingRequest, TransportError> {
    let headers = Fields::new();
    for (name, value) in request.headers() {
        headers.append(name, value.as_bytes()).map_err(|_| other(&format!("the header `{name}` is not allowed")))?;
    }
    let outgoing = OutgoingRequest::new(headers);
    let method = match request.method() {
        Method::Get => http::Method::Get,
        Method::Post => http::Method::Post,
    };
    let scheme = match request.scheme() {
        Scheme::Http => http::Scheme::Http,
        Scheme::Https => http::Scheme::Https,
    };
    let invalid = |_| other("the URL is invalid");
    outgoing.set_method(&method).map_err(invalid)?;
    outgoing.set_scheme(Some(&scheme)).map_err(invalid)?;
    outgoing.set_authority(Some(request.authority())).map_err(invalid)?;
    outgoing.set_path_with_query(Some(&request.path_with_query())).map_err(invalid)?;
    Ok(outgoing)
}

/// Writes `bytes` to the request body, blocking while the host catches up.
fn write_body(body: &OutgoingBody, bytes: &[u8]) -> Result<(), TransportError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let stream = body.write().map_err(|()| other("the request body stream was taken"))?;
    for chunk in bytes.chunks(4096) {
        stream.blocking_write_and_flush(chunk).map_err(stream_error)?;
    }
    Ok(())
}

/// Reads the whole response body.
fn read_body(body: &http::IncomingBody) -> Result<Vec<u8>, TransportError> {
    let stream = body.stream().map_err(|()| other("the response body stream was taken"))?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(CHUNK) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return Ok(bytes),
            Err(e) => return Err(stream_error(e)),
        }
    }
}

/// A stream failure, as the `error-code` the host attached to it.
fn stream_error(error: StreamError) -> TransportError {
    match error {
        StreamError::Closed => other("the stream closed early"),
        StreamError::LastOperationFailed(e) => match http::http_error_code(&e) {
            Some(code) => classify(&code),
            None => from_text(&e.to_debug_string()),
        },
    }
}

/// A body failure the host reported as text only. (wasmtime 48 attaches no
/// `error-code` to a response body's stream error, so `http-error-code`
/// answers `none`; its text is stable, and names the limit the host cut the
/// body at.)
fn from_text(text: &str) -> TransportError {
    const KNOWN: &[(&str, TransportErrorKind, &str)] = &[
        ("HTTP response body size exceeds limit", TransportErrorKind::Limit, "HTTP-response-body-size"),
        ("connection read timeout", TransportErrorKind::Network, "connection-read-timeout"),
        ("incomplete HTTP response", TransportErrorKind::Network, "HTTP-response-incomplete"),
    ];
    match KNOWN.iter().find(|(start, _, _)| text.starts_with(start)) {
        Some((_, kind, code)) => TransportError::new(*kind, *code),
        // First line only, bounded: never a host backtrace or a long text.
        None => other(&text.lines().next().unwrap_or_default().chars().take(200).collect::<String>()),
    }
}

/// A failure without an `error-code`.
fn other(what: &str) -> TransportError {
    TransportError::new(TransportErrorKind::Other, what)
}

/// The class of a `wasi:http` `error-code`.
fn classify(code: &ErrorCode) -> TransportError {
    use ErrorCode as E;
    let kind = match code {
        E::HttpRequestDenied | E::DestinationIpProhibited => TransportErrorKind::Refused,
        E::ConnectionLimitReached | E::HttpResponseBodySize(_) => TransportErrorKind::Limit,
        E::DnsTimeout
        | E::DnsError(_)
        | E::DestinationNotFound
        | E::DestinationUnavailable
        | E::DestinationIpUnroutable
        | E::ConnectionRefused
        | E::ConnectionTerminated
        | E::ConnectionTimeout
        | E::ConnectionReadTimeout
        | E::ConnectionWriteTimeout
        | E::TlsProtocolError
        | E::TlsCertificateError
        | E::TlsAlertReceived(_)
        | E::HttpResponseTimeout => TransportErrorKind::Network,
        _ => TransportErrorKind::Other,
    };
    TransportError::new(kind, error_code_name(code))
}

/// The name WIT gives a `wasi:http` `error-code` case, e.g.
/// `HTTP-request-denied`: what messages show, so that users and tests can
/// tell the host's refusals apart.
pub fn error_code_name(code: &ErrorCode) -> &'static str {
    use ErrorCode as E;
    match code {
        E::DnsTimeout => "DNS-timeout",
        E::DnsError(_) => "DNS-error",
        E::DestinationNotFound => "destination-not-found",
        E::DestinationUnavailable => "destination-unavailable",
        E::DestinationIpProhibited => "destination-IP-prohibited",
        E::DestinationIpUnroutable => "destination-IP-unroutable",
        E::ConnectionRefused => "connection-refused",
        E::ConnectionTerminated => "connection-terminated",
        E::ConnectionTimeout => "connection-timeout",
        E::ConnectionReadTimeout => "connection-read-timeout",
        E::ConnectionWriteTimeout => "connection-write-timeout",
        E::ConnectionLimitReached => "connection-limit-reached",
        E::TlsProtocolError => "TLS-protocol-error",
        E::TlsCertificateError => "TLS-certificate-error",
        E::TlsAlertReceived(_) => "TLS-alert-received",
        E::HttpRequestDenied => "HTTP-request-denied",
        E::HttpRequestLengthRequired => "HTTP-request-length-required",
        E::HttpRequestBodySize(_) => "HTTP-request-body-size",
        E::HttpRequestMethodInvalid => "HTTP-request-method-invalid",
        E::HttpRequestUriInvalid => "HTTP-request-URI-invalid",
        E::HttpRequestUriTooLong => "HTTP-request-URI-too-long",
        E::HttpRequestHeaderSectionSize(_) => "HTTP-request-header-section-size",
        E::HttpRequestHeaderSize(_) => "HTTP-request-header-size",
        E::HttpRequestTrailerSectionSize(_) => "HTTP-request-trailer-section-size",
        E::HttpRequestTrailerSize(_) => "HTTP-request-trailer-size",
        E::HttpResponseIncomplete => "HTTP-response-incomplete",
        E::HttpResponseHeaderSectionSize(_) => "HTTP-response-header-section-size",
        E::HttpResponseHeaderSize(_) => "HTTP-response-header-size",
        E::HttpResponseBodySize(_) => "HTTP-response-body-size",
        E::HttpResponseTrailerSectionSize(_) => "HTTP-response-trailer-section-size",
        E::HttpResponseTrailerSize(_) => "HTTP-response-trailer-size",
        E::HttpResponseTransferCoding(_) => "HTTP-response-transfer-coding",
        E::HttpResponseContentCoding(_) => "HTTP-response-content-coding",
        E::HttpResponseTimeout => "HTTP-response-timeout",
        E::HttpUpgradeFailed => "HTTP-upgrade-failed",
        E::HttpProtocolError => "HTTP-protocol-error",
        E::LoopDetected => "loop-detected",
        E::ConfigurationError => "configuration-error",
        E::InternalError(_) => "internal-error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_the_host_cut_is_classified_by_its_text() {
        let limit = from_text("HTTP response body size exceeds limit: 8388608 bytes\nStack backtrace: ...");
        assert_eq!((limit.kind, limit.code.as_str()), (TransportErrorKind::Limit, "HTTP-response-body-size"));
        let timeout = from_text("connection read timeout");
        assert_eq!((timeout.kind, timeout.code.as_str()), (TransportErrorKind::Network, "connection-read-timeout"));
        let other = from_text(&format!("something else\n{}", "x".repeat(10_000)));
        assert_eq!((other.kind, other.code.as_str()), (TransportErrorKind::Other, "something else"));
    }

    #[test]
    fn the_hosts_refusals_and_limits_are_classified() {
        let kind = |code: ErrorCode| classify(&code).kind;
        assert_eq!(kind(ErrorCode::HttpRequestDenied), TransportErrorKind::Refused);
        assert_eq!(kind(ErrorCode::DestinationIpProhibited), TransportErrorKind::Refused);
        assert_eq!(kind(ErrorCode::ConnectionLimitReached), TransportErrorKind::Limit);
        assert_eq!(kind(ErrorCode::HttpResponseBodySize(Some(10))), TransportErrorKind::Limit);
        assert_eq!(kind(ErrorCode::ConnectionReadTimeout), TransportErrorKind::Network);
        assert_eq!(kind(ErrorCode::HttpProtocolError), TransportErrorKind::Other);
        assert_eq!(classify(&ErrorCode::DestinationIpProhibited).code, "destination-IP-prohibited");
    }
}
