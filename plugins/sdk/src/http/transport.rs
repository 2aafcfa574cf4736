//! How a request leaves the component, so that tests can stand in for it.

use super::{Request, Response};
use std::time::Duration;

/// Sends requests for a [`Client`](super::Client): the host in the component,
/// a fake in native unit tests.
pub trait Transport {
    /// Sends `request` and reads the whole response.
    fn send(&self, request: &Request) -> Result<Response, TransportError>;

    /// Waits `duration` between attempts.
    fn sleep(&self, duration: Duration);
}

/// A request that got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// What kind of failure it was.
    pub kind: TransportErrorKind,
    /// The `wasi:http` `error-code` case, as WIT spells it (e.g.
    /// `HTTP-request-denied`), or a short description.
    pub code: String,
}

impl TransportError {
    /// A failure of `kind` with `code`.
    pub fn new(kind: TransportErrorKind, code: impl Into<String>) -> Self {
        Self { kind, code: code.into() }
    }
}

/// The classes of transport failure, each with its own [`ConnectorError`](crate::ConnectorError).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The host's egress policy refused the origin (`HTTP-request-denied`,
    /// `destination-IP-prohibited`).
    Refused,
    /// A host limit of the call was hit (`connection-limit-reached`,
    /// `HTTP-response-body-size`).
    Limit,
    /// The origin could not be reached: DNS, connection, TLS, timeouts.
    Network,
    /// Anything else (a protocol error, a malformed request).
    Other,
}

/// The transport of a build without network (native, or WIT before 0.3.0):
/// every request fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNetwork;

impl Transport for NoNetwork {
    fn send(&self, _request: &Request) -> Result<Response, TransportError> {
        Err(TransportError::new(
            TransportErrorKind::Other,
            "no network in this build: HTTP needs the component built with the SDK's `wit-0-3` feature",
        ))
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}
