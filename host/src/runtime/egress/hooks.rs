//! The `wasi:http` hooks of one call: every outgoing request is counted,
//! checked against the call's [`Grant`] and the operator's denials, and
//! then sent by the guarded sender, or refused with a typed error the
//! connector sees and a line in the connection's log.

use super::address::AddressRules;
use super::origin::Origin;
use super::pool::Pool;
use super::{EgressLimits, Grant, send};
use crate::connector::model::LogLevel;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Semaphore;
use wasmtime_wasi_http::{Error, WasiBody, WasiHttpHooks};

/// What every call of a runtime shares: the operator's settings and the TLS
/// configuration (built once: its root store is not free).
pub(crate) struct Network {
    pub(crate) limits: EgressLimits,
    /// The address rules of `limits`, made once.
    pub(crate) rules: AddressRules,
    pub(crate) tls: Arc<rustls::ClientConfig>,
}

impl Network {
    /// The network for `limits`, trusting the Mozilla root certificates.
    pub(crate) fn new(limits: EgressLimits) -> Self {
        Self::with_roots(limits, rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.into() })
    }

    /// The network for `limits`, trusting `roots` only.
    pub(crate) fn with_roots(limits: EgressLimits, roots: rustls::RootCertStore) -> Self {
        // The crypto provider is rustls's default for its one enabled backend (ring).
        let tls = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
        Self { rules: limits.address_rules(), limits, tls: Arc::new(tls) }
    }
}

/// What one call may still spend, shared by its requests in flight.
pub(crate) struct Budget {
    /// The call's deadline: no request runs past it.
    pub(crate) deadline: Instant,
    requests: AtomicU32,
    /// Response body bytes received so far.
    pub(crate) bytes: AtomicU64,
    pub(crate) in_flight: Arc<Semaphore>,
    /// Lines for the connection's log, taken by the call's state.
    lines: Mutex<Vec<(LogLevel, String)>>,
}

impl Budget {
    /// Adds a line to the call's log.
    pub(crate) fn log(&self, level: LogLevel, line: String) {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).push((level, line));
    }
}

/// The egress of one call: the network, its connector version's kept
/// connections, what the call may reach, and its budget.
pub(crate) struct CallEgress {
    pub(crate) net: Arc<Network>,
    pub(crate) pool: Arc<Pool>,
    pub(crate) grant: Arc<Grant>,
    pub(crate) budget: Arc<Budget>,
}

impl CallEgress {
    /// A call that may reach what `grant` allows until `deadline`, keeping
    /// connections in `pool`.
    pub(crate) fn new(net: Arc<Network>, pool: Arc<Pool>, grant: Arc<Grant>, deadline: Instant) -> Self {
        let in_flight = Arc::new(Semaphore::new(net.limits.max_concurrent as usize));
        let budget = Budget {
            deadline,
            requests: AtomicU32::new(0),
            bytes: AtomicU64::new(0),
            in_flight,
            lines: Mutex::new(Vec::new()),
        };
        Self { net, pool, grant, budget: Arc::new(budget) }
    }

    /// A call with no network at all (no origin allowed).
    #[cfg(test)]
    pub(crate) fn none(net: Arc<Network>) -> Self {
        Self::new(net, Arc::default(), Arc::default(), Instant::now())
    }

    /// The log lines of the call's requests since the last take.
    pub(crate) fn take_lines(&self) -> Vec<(LogLevel, String)> {
        std::mem::take(&mut *self.budget.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Why the request to `origin` may not be sent, if it may not.
    fn refusal(&self, origin: &Origin) -> Option<(Error, String)> {
        let limits = &self.net.limits;
        let n = self.budget.requests.fetch_add(1, Ordering::Relaxed).saturating_add(1);
        if n > limits.max_requests {
            let why =
                format!("the call's limit of {} requests was reached (--egress-max-requests)", limits.max_requests);
            return Some((Error::ConnectionLimitReached, why));
        }
        if !self.grant.allows(origin) {
            let why = format!(
                "{origin} is not an origin this connector declared for this connection ({})",
                self.grant.describe()
            );
            return Some((Error::HttpRequestDenied, why));
        }
        if limits.denies_host(&origin.host) {
            return Some((
                Error::HttpRequestDenied,
                format!("{} is a host this server denies (--egress-deny)", origin.host),
            ));
        }
        None
    }
}

type SendFuture = Box<
    dyn Future<Output = Result<(http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>), Error>>
        + Send,
>;

impl WasiHttpHooks for CallEgress {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> SendFuture {
        let target = send::Target::of(&request);
        let Some(origin) = Origin::of_uri(request.uri()) else {
            return Box::new(async { Err(Error::HttpRequestUriInvalid) });
        };
        if let Some((error, why)) = self.refusal(&origin) {
            // Only the first refusal past the request limit is logged: a
            // flood leaves one line, not thousands.
            let over = matches!(error, Error::ConnectionLimitReached)
                && self.budget.requests.load(Ordering::Relaxed) > self.net.limits.max_requests + 1;
            if !over {
                self.budget.log(LogLevel::Error, format!("egress refused: {target}: {why}"));
            }
            return Box::new(async move { Err(error) });
        }
        let sender = send::Sender {
            net: self.net.clone(),
            pool: self.pool.clone(),
            budget: self.budget.clone(),
            origin,
            target,
        };
        Box::new(sender.send(request, options))
    }
}
