//! Egress: the one door out of the sandbox. A WIT 0.3.0 connector may send
//! HTTP requests (standard `wasi:http/outgoing-handler`) to the origins its
//! `describe` declares, filled in from the connection's properties, and to
//! nothing else; every address is checked after resolution, and the host
//! connects to the address it checked. Each call has its own budget of
//! requests, response bytes, concurrent requests and time. See
//! `docs/security.md` ("Egress").
//!
//! - [`origin`]: origins and the patterns that declare them.
//! - [`address`]: which IP addresses may be reached.
//! - `hooks`: the `wasi:http` hooks of a call's store; they refuse or send.
//! - `send`: the guarded sender (resolve, check, connect, TLS, HTTP/1.1)
//!   and the response body that keeps the call's budget.
//! - `pool`: each connector version's kept-alive connections.
//! - [`endpoint`]: whole URLs declared over properties (OAuth endpoints).
//! - [`direct`]: requests the host sends itself (a token endpoint), through
//!   the same guard.

pub mod address;
pub mod direct;
pub mod endpoint;
mod hooks;
pub mod origin;
#[cfg(test)]
mod policy_tests;
mod pool;
mod send;

pub(crate) use hooks::{CallEgress, Network};
pub(crate) use pool::Pool;

use crate::connector::model::{ConnectorInfo, Property};
use address::AddressRules;
use ipnet::IpNet;
use origin::{Origin, Pattern, Scheme};
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The operator's egress settings and the per-call budget, from flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EgressLimits {
    /// Private or special addresses (with their port) a connector may reach
    /// anyway (`--egress-allow-private`); plain `http` from a whole-URL
    /// pattern is accepted only for these.
    pub allow_private: Vec<SocketAddr>,
    /// Address ranges no connector may reach (`--egress-deny 203.0.113.0/24`).
    pub deny_ranges: Vec<IpNet>,
    /// Host names no connector may reach (`--egress-deny example.com`, or
    /// `*.example.com` for every name under it).
    pub deny_hosts: Vec<String>,
    /// Fixed answers for host names, before DNS (`--egress-resolve
    /// name=IP`): for split-horizon names, and for tests. The answer is
    /// checked like any other.
    pub resolve: Vec<(String, IpAddr)>,
    /// Requests one call may start, refused ones included (default 100).
    pub max_requests: u32,
    /// Response body bytes one call may receive, all requests together
    /// (default 16 MiB: well under the calls' memory caps, so a connector
    /// that holds its responses meets this typed limit, not the memory cap).
    pub max_response_bytes: u64,
    /// Requests of one call in flight at once; more wait their turn within
    /// their timeout (default 8).
    pub max_concurrent: u32,
    /// How long one request may take, from connecting to the body's last
    /// byte (default 30 s); it never runs past the call's deadline.
    pub request_timeout: Duration,
}

impl Default for EgressLimits {
    fn default() -> Self {
        Self {
            allow_private: Vec::new(),
            deny_ranges: Vec::new(),
            deny_hosts: Vec::new(),
            resolve: Vec::new(),
            max_requests: 100,
            max_response_bytes: 16 << 20,
            max_concurrent: 8,
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl EgressLimits {
    /// The address rules these settings make.
    pub(crate) fn address_rules(&self) -> AddressRules {
        AddressRules { allow_private: self.allow_private.clone(), deny: self.deny_ranges.clone() }
    }

    /// Whether the operator denied this host name.
    pub(crate) fn denies_host(&self, host: &str) -> bool {
        self.deny_hosts.iter().any(|d| match d.strip_prefix("*.") {
            Some(suffix) => {
                host.len() > suffix.len() && host.ends_with(suffix) && host[..host.len() - suffix.len()].ends_with('.')
            }
            None => d == host,
        })
    }
}

/// The origins one call may reach, computed from the connector's declared
/// patterns and the connection's properties, and why a pattern gave none.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grant {
    /// The origins allowed.
    pub(crate) origins: Vec<Origin>,
    /// For each pattern that allows nothing, why (said when a request is refused).
    pub(crate) notes: Vec<String>,
}

impl Grant {
    /// What `info`'s `egress` allows for a connection with `config`.
    pub(crate) fn new(info: &ConnectorInfo, config: &[Property], limits: &EgressLimits) -> Self {
        let mut grant = Grant::default();
        for text in &info.egress {
            let pattern = match Pattern::parse(text) {
                Ok(pattern) => pattern,
                Err(why) => {
                    grant.notes.push(format!("`{text}` {why}"));
                    continue;
                }
            };
            match pattern.expand(info, config) {
                Ok(origin)
                    if matches!(pattern, Pattern::Whole(_))
                        && origin.scheme == Scheme::Http
                        && !plain_http_allowed(&origin, limits) =>
                {
                    grant.notes.push(format!(
                        "`{text}` gives {origin}: plain http from a URL property is allowed only to an address this server allows with --egress-allow-private"
                    ));
                }
                Ok(origin) => grant.origins.push(origin),
                Err(why) => grant.notes.push(format!("`{text}` allows nothing: {why}")),
            }
        }
        grant
    }

    /// Whether a request to `origin` is allowed.
    pub(crate) fn allows(&self, origin: &Origin) -> bool {
        self.origins.contains(origin)
    }

    /// The allowed origins and notes, for a refusal's log line.
    pub(crate) fn describe(&self) -> String {
        let origins: Vec<String> = self.origins.iter().map(ToString::to_string).collect();
        let mut text = if origins.is_empty() {
            "no origin is allowed".to_string()
        } else {
            format!("allowed: {}", origins.join(", "))
        };
        for note in &self.notes {
            text.push_str("; ");
            text.push_str(note);
        }
        // Every refused request logs this: bounded, however many patterns.
        const MAX: usize = 1_000;
        if text.len() > MAX {
            let end = (0..=MAX).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            text.truncate(end);
            text.push_str(" ...");
        }
        text
    }
}

/// Plain http from a whole-URL property: only to an IP address and port the
/// operator allowed.
fn plain_http_allowed(origin: &Origin, limits: &EgressLimits) -> bool {
    origin
        .bare_host()
        .parse::<IpAddr>()
        .is_ok_and(|ip| limits.address_rules().allows_private(SocketAddr::new(ip, origin.port)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_refusal_says_of_the_grant_is_bounded() {
        let origin = |i: usize| Origin { scheme: Scheme::Https, host: format!("h{i}.example.com"), port: 443 };
        let grant = Grant { origins: (0..500).map(origin).collect(), notes: vec!["é".repeat(600)] };
        let text = grant.describe();
        assert!(text.starts_with("allowed: https://h0.example.com, ") && text.ends_with(" ..."), "{text}");
        assert!(text.len() <= 1_004, "{}", text.len());
    }

    #[test]
    fn host_denials_match_names_and_wildcards() {
        let limits = EgressLimits { deny_hosts: vec!["a.com".into(), "*.b.com".into()], ..Default::default() };
        assert!(limits.denies_host("a.com"));
        assert!(!limits.denies_host("x.a.com"));
        assert!(limits.denies_host("x.b.com"));
        assert!(!limits.denies_host("b.com"));
        assert!(!limits.denies_host("xb.com"));
    }
}
