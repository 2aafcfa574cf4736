//! Which IP addresses a connector may reach: public ones, unless the
//! operator denied them, and private or special ones only where the operator
//! allowed that exact address and port.

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::LazyLock;

/// Ranges that are not the public internet: loopback, RFC 1918, link-local
/// (169.254.169.254 is a cloud's metadata service), CGNAT, unspecified,
/// multicast, broadcast, reserved, documentation and benchmarking ranges,
/// IPv6 unique-local, link- and site-local, and every IPv6 range that embeds
/// an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo).
static SPECIAL: LazyLock<Vec<IpNet>> = LazyLock::new(|| {
    [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",
        "::1/128",
        "::ffff:0:0/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/32",
        "2001:db8::/32",
        "2002::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    ]
    .iter()
    .map(|net| net.parse().expect("a valid range"))
    .collect()
});

/// Whether `ip` is private or special (not a public internet address).
pub fn is_special(ip: IpAddr) -> bool {
    SPECIAL.iter().any(|net| net.contains(&ip))
}

/// The operator's word on addresses: private ones allowed, ranges denied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressRules {
    /// Private or special addresses a connector may reach, each with its port.
    pub allow_private: Vec<SocketAddr>,
    /// Ranges no connector may reach, public or not.
    pub deny: Vec<IpNet>,
}

impl AddressRules {
    /// Why `addr` may not be reached, or `None` if it may.
    pub fn refusal(&self, addr: SocketAddr) -> Option<&'static str> {
        let ip = canonical(addr.ip());
        if self.deny.iter().any(|net| net.contains(&ip) || net.contains(&addr.ip())) {
            return Some("is in a range this server denies (--egress-deny)");
        }
        if is_special(addr.ip()) && !self.allows_private(addr) {
            return Some("is a private or special address (allow one with --egress-allow-private IP:PORT)");
        }
        None
    }

    /// Whether the operator allowed this private address and port.
    pub fn allows_private(&self, addr: SocketAddr) -> bool {
        self.allow_private.iter().any(|a| a.port() == addr.port() && canonical(a.ip()) == canonical(addr.ip()))
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it maps.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "ff02::1",
        ] {
            assert!(is_special(ip.parse().expect("an address")), "{ip} passed");
        }
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "172.32.0.1", "100.128.0.1"] {
            assert!(!is_special(ip.parse().expect("an address")), "{ip} was refused");
        }
    }

    #[test]
    fn the_operator_allows_exact_private_addresses_and_denies_ranges() {
        let rules = AddressRules {
            allow_private: vec!["127.0.0.1:8443".parse().expect("addr")],
            deny: vec!["8.8.0.0/16".parse().expect("net")],
        };
        assert_eq!(rules.refusal("127.0.0.1:8443".parse().expect("addr")), None);
        assert_eq!(rules.refusal("[::ffff:127.0.0.1]:8443".parse().expect("addr")), None, "the same address, mapped");
        assert!(rules.refusal("127.0.0.1:8444".parse().expect("addr")).is_some(), "another port");
        assert!(rules.refusal("8.8.8.8:443".parse().expect("addr")).is_some(), "denied");
        assert_eq!(rules.refusal("1.1.1.1:443".parse().expect("addr")), None);
    }
}
