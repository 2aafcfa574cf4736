//! Sends requests, retrying transient failures.

use super::errors::{is_transient, transport_error};
use super::transport::Transport;
use super::{Request, Response};
use crate::Result;
use std::time::Duration;

/// How many times a request is sent at most.
pub(crate) const ATTEMPTS: u32 = 3;

/// The waits between attempts: `first`, then doubling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first attempt.
    pub first: Duration,
}

impl Default for Backoff {
    /// 200 ms, then 400 ms.
    fn default() -> Self {
        Self { first: Duration::from_millis(200) }
    }
}

/// A blocking HTTP client. [`Client::default`] sends through the host in a
/// component built with `wit-0-3`; elsewhere it has no network.
pub struct Client {
    transport: Box<dyn Transport>,
    backoff: Backoff,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("backoff", &self.backoff).finish_non_exhaustive()
    }
}

impl Default for Client {
    fn default() -> Self {
        #[cfg(all(target_arch = "wasm32", feature = "wit-0-3", not(feature = "wit-0-1")))]
        let transport: Box<dyn Transport> = Box::new(super::WasiTransport);
        #[cfg(not(all(target_arch = "wasm32", feature = "wit-0-3", not(feature = "wit-0-1"))))]
        let transport: Box<dyn Transport> = Box::new(super::NoNetwork);
        Self { transport, backoff: Backoff::default() }
    }
}

impl Client {
    /// A client sending through `transport` (a fake, in native tests).
    pub fn with_transport(transport: impl Transport + 'static) -> Self {
        Self { transport: Box::new(transport), backoff: Backoff::default() }
    }

    /// The same client with other waits between attempts.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sends `request` and returns the response, whatever its status, after
    /// up to three attempts while the answer is transient (500, 502, 504,
    /// 503 without `Retry-After`), waiting 200 ms then 400 ms. A request that
    /// gets no response is an error: `unreachable` (the origin could not be
    /// reached, or the host's egress policy refused it) or `internal` (a
    /// host limit of the call). Check the status with
    /// [`Response::error_for_status`].
    pub fn send(&self, request: Request) -> Result<Response> {
        let origin = request.origin();
        let mut wait = self.backoff.first;
        let mut attempt = 1;
        loop {
            let response = self.transport.send(&request).map_err(|e| transport_error(&e, &origin))?;
            if attempt >= ATTEMPTS || !is_transient(response.status(), response.header("retry-after")) {
                return Ok(response.answering(origin, request.credential()));
            }
            self.transport.sleep(wait);
            wait *= 2;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::http::{TransportError, TransportErrorKind};
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Answers with the statuses given, in turn, and records what happened.
    #[derive(Clone, Default)]
    struct Script {
        answers: Rc<RefCell<Vec<std::result::Result<u16, TransportErrorKind>>>>,
        log: Rc<RefCell<Vec<String>>>,
    }

    impl Transport for Script {
        fn send(&self, request: &Request) -> std::result::Result<Response, TransportError> {
            self.log.borrow_mut().push(format!("send {}", request.url()));
            match self.answers.borrow_mut().remove(0) {
                Ok(status) => Ok(Response::new(status, vec![], vec![])),
                Err(kind) => Err(TransportError::new(kind, "connection-refused")),
            }
        }
        fn sleep(&self, duration: Duration) {
            self.log.borrow_mut().push(format!("sleep {}", duration.as_millis()));
        }
    }

    fn run(answers: Vec<std::result::Result<u16, TransportErrorKind>>) -> (Result<Response>, Vec<String>) {
        let script = Script::default();
        *script.answers.borrow_mut() = answers;
        let client = Client::with_transport(script.clone());
        let request = Request::get("https://api.example/x").expect("valid").query("q", "1");
        let result = client.send(request);
        let log = script.log.borrow().clone();
        (result, log)
    }

    #[test]
    fn transient_failures_are_retried_with_backoff() {
        let (result, log) = run(vec![Ok(502), Ok(503), Ok(200)]);
        assert_eq!(result.expect("third time lucky").status(), 200);
        let url = "send https://api.example/x?q=1";
        assert_eq!(log, [url, "sleep 200", url, "sleep 400", url]);
    }

    #[test]
    fn after_three_attempts_the_failure_is_unreachable() {
        let (result, log) = run(vec![Ok(500), Ok(500), Ok(504)]);
        let e = result.expect("a response").error_for_status().expect_err("failing");
        assert_eq!(e.kind, ErrorKind::Unreachable);
        assert!(e.message.starts_with("https://api.example is failing (HTTP 504"), "{}", e.message);
        assert_eq!(log.iter().filter(|l| l.starts_with("send")).count(), 3);
    }

    #[test]
    fn other_statuses_come_back_at_once() {
        for status in [200, 400, 401, 429, 501] {
            let (result, log) = run(vec![Ok(status)]);
            assert_eq!(result.expect("a response").status(), status);
            assert_eq!(log.len(), 1);
        }
    }

    #[test]
    fn transport_failures_name_the_origin_only() {
        let (result, _) = run(vec![Err(TransportErrorKind::Network)]);
        let e = result.expect_err("no response");
        assert_eq!(e.kind, ErrorKind::Unreachable);
        assert_eq!(e.message, "Could not reach https://api.example (connection-refused).");
    }

    #[test]
    fn the_default_client_off_the_component_has_no_network() {
        let e = Client::default().send(Request::get("https://api.example/").expect("valid")).expect_err("no network");
        assert_eq!(e.kind, ErrorKind::Unreachable);
        assert!(e.message.contains("wit-0-3"), "{}", e.message);
    }
}
