//! The egress flags shared by `serve` and `connector check`: what WIT 0.3.0
//! connectors may reach, and each call's egress budget (docs/security.md).

use clap::Args;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use syncport::runtime::EgressLimits;

/// Egress policy and per-call budget.
#[derive(Args, Debug, Clone)]
pub struct EgressArgs {
    /// A private or special address a connector may reach anyway, as IP:PORT
    /// (repeatable; e.g. an internal service, or a mock on 127.0.0.1).
    #[arg(long, env = "SYNCPORT_EGRESS_ALLOW_PRIVATE", value_delimiter = ',')]
    pub egress_allow_private: Vec<SocketAddr>,
    /// A range (203.0.113.0/24, an IP) or host (example.com, *.example.com)
    /// no connector may reach, whatever it declares (repeatable).
    #[arg(long, env = "SYNCPORT_EGRESS_DENY", value_delimiter = ',', value_parser = parse_deny)]
    pub egress_deny: Vec<Deny>,
    /// A fixed answer for a host name, as NAME=IP, used before DNS and checked
    /// like any other (repeatable).
    #[arg(long, env = "SYNCPORT_EGRESS_RESOLVE", value_delimiter = ',', value_parser = parse_resolve)]
    pub egress_resolve: Vec<(String, IpAddr)>,
    /// Requests one plugin call may start, refused ones included.
    #[arg(long, env = "SYNCPORT_EGRESS_MAX_REQUESTS", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub egress_max_requests: u32,
    /// Response body bytes one plugin call may receive, all requests together, in MiB.
    #[arg(long, env = "SYNCPORT_EGRESS_MAX_RESPONSE_MIB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..))]
    pub egress_max_response_mib: u64,
    /// Requests of one plugin call in flight at once; more wait their turn.
    #[arg(long, env = "SYNCPORT_EGRESS_MAX_CONCURRENT", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub egress_max_concurrent: u32,
    /// How long one request may take, connecting to the last body byte, in
    /// milliseconds; never past the call's deadline.
    #[arg(long, env = "SYNCPORT_EGRESS_REQUEST_TIMEOUT_MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub egress_request_timeout_ms: u64,
}

/// One `--egress-deny` value.
#[derive(Debug, Clone)]
pub enum Deny {
    /// An address range.
    Range(IpNet),
    /// A host name, or `*.name` for every name under it.
    Host(String),
}

fn parse_deny(text: &str) -> Result<Deny, String> {
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(Deny::Range(net));
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(Deny::Range(IpNet::from(ip)));
    }
    let name = text.strip_prefix("*.").unwrap_or(text);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        return Err(format!(
            "`{text}` is neither an address range (203.0.113.0/24) nor a host name (example.com, *.example.com)"
        ));
    }
    Ok(Deny::Host(text.to_ascii_lowercase()))
}

fn parse_resolve(text: &str) -> Result<(String, IpAddr), String> {
    let (name, ip) = text.split_once('=').ok_or_else(|| format!("`{text}` is not NAME=IP"))?;
    let ip = ip.parse::<IpAddr>().map_err(|e| format!("`{ip}` is not an IP address: {e}"))?;
    Ok((name.to_ascii_lowercase(), ip))
}

impl EgressArgs {
    /// The egress settings these flags give.
    pub fn limits(&self) -> EgressLimits {
        let (mut deny_ranges, mut deny_hosts) = (Vec::new(), Vec::new());
        for deny in &self.egress_deny {
            match deny {
                Deny::Range(net) => deny_ranges.push(*net),
                Deny::Host(host) => deny_hosts.push(host.clone()),
            }
        }
        EgressLimits {
            allow_private: self.egress_allow_private.clone(),
            deny_ranges,
            deny_hosts,
            resolve: self.egress_resolve.clone(),
            max_requests: self.egress_max_requests,
            max_response_bytes: self.egress_max_response_mib.saturating_mul(1 << 20),
            max_concurrent: self.egress_max_concurrent,
            request_timeout: Duration::from_millis(self.egress_request_timeout_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deny_is_a_range_an_address_or_a_host_name() {
        assert!(matches!(parse_deny("203.0.113.0/24"), Ok(Deny::Range(net)) if net.to_string() == "203.0.113.0/24"));
        assert!(matches!(parse_deny("10.1.2.3"), Ok(Deny::Range(net)) if net.to_string() == "10.1.2.3/32"));
        assert!(matches!(parse_deny("::1"), Ok(Deny::Range(net)) if net.to_string() == "::1/128"));
        assert!(matches!(parse_deny("*.Example.com"), Ok(Deny::Host(h)) if h == "*.example.com"));
        for bad in ["", "*.", "http://example.com", "exa mple.com", "a/b"] {
            assert!(parse_deny(bad).is_err(), "`{bad}` was taken");
        }
    }

    #[test]
    fn a_fixed_answer_is_a_name_and_an_address() {
        assert_eq!(
            parse_resolve("API.example.com=127.0.0.1"),
            Ok(("api.example.com".into(), "127.0.0.1".parse().expect("ip")))
        );
        assert!(parse_resolve("api.example.com").is_err());
        assert!(parse_resolve("api.example.com=localhost").is_err());
    }
}
