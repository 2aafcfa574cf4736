//! Origins, and the patterns a connector declares them with.
//!
//! A pattern is `scheme://host[:port]`, whose host may hold `{Property}`
//! placeholders (`https://{Subdomain}.zendesk.com`), or one placeholder
//! alone (`{BaseURL}`) whose value is a whole URL. [`Pattern::expand`] turns
//! a pattern and a connection's properties into the one origin it allows, or
//! says why it allows none.

use crate::connector::model::{ConnectorInfo, Property};
use std::fmt;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "http" => Some(Self::Http),
            "https" => Some(Self::Https),
            _ => None,
        }
    }

    /// The port a URL without one uses.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

/// Scheme, host (lowercase; an IPv6 address in brackets) and port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The scheme.
    pub scheme: Scheme,
    /// The host name or IP address, lowercase.
    pub host: String,
    /// The port, explicit or the scheme's default.
    pub port: u16,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}", self.host)?;
        if self.port != self.scheme.default_port() {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

impl Origin {
    /// The origin of a request URI, if it has a scheme and a host.
    pub fn of_uri(uri: &http::Uri) -> Option<Self> {
        let scheme = Scheme::parse(uri.scheme_str()?)?;
        let authority = uri.authority()?;
        let port = authority.port_u16().unwrap_or(scheme.default_port());
        Some(Self { scheme, host: authority.host().to_ascii_lowercase(), port })
    }

    /// The host without IPv6 brackets, as DNS and TLS take it.
    pub fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }
}

/// One part of a pattern's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text kept as written.
    Literal(String),
    /// A property's value.
    Property(String),
}

/// A declared egress pattern, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// `{Property}`: the property's value is a URL; its origin is allowed.
    Whole(String),
    /// `scheme://host[:port]` with placeholders in the host.
    Template {
        /// The scheme as written.
        scheme: Scheme,
        /// The host, literal text and placeholders.
        host: Vec<Part>,
        /// The port as written, else the scheme's.
        port: u16,
    },
}

/// The longest pattern a connector may declare.
const MAX_PATTERN_LEN: usize = 512;

impl Pattern {
    /// Parses `text`; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_PATTERN_LEN {
            return Err(format!("is longer than {MAX_PATTERN_LEN} characters"));
        }
        if let Some(name) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            if name.is_empty() || name.contains(['{', '}']) {
                return Err("must name one property between `{` and `}`".into());
            }
            return Ok(Self::Whole(name.to_string()));
        }
        let (scheme, rest) = text.split_once("://").ok_or("must start with `https://` or `http://`")?;
        let scheme = Scheme::parse(scheme).ok_or("must start with `https://` or `http://`")?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !port.contains('}') => {
                let port = port.parse::<u16>().ok().filter(|p| *p > 0).ok_or("has a port that is not 1 to 65535")?;
                (host, port)
            }
            _ => (rest, scheme.default_port()),
        };
        let host = parse_host(host)?;
        Ok(Self::Template { scheme, host, port })
    }

    /// The properties the pattern names.
    pub fn properties(&self) -> Vec<&str> {
        match self {
            Self::Whole(name) => vec![name],
            Self::Template { host, .. } => host
                .iter()
                .filter_map(|p| match p {
                    Part::Property(name) => Some(name.as_str()),
                    Part::Literal(_) => None,
                })
                .collect(),
        }
    }

    /// The origin this pattern allows for a connection with `config` (a
    /// property not set takes its default from `info`), or why it allows
    /// none: a property with no value, or a value that would change the
    /// pattern's shape (`evil.com#`, `a/b`, `user@host`).
    pub fn expand(&self, info: &ConnectorInfo, config: &[Property]) -> Result<Origin, String> {
        let value = |name: &str| property_value(info, config, name);
        match self {
            Self::Whole(name) => origin_of_url(&value(name)?).map_err(|why| format!("property `{name}` {why}")),
            Self::Template { scheme, host, port } => {
                let mut text = String::new();
                for part in host {
                    match part {
                        Part::Literal(l) => text.push_str(l),
                        Part::Property(name) => {
                            let v = value(name)?;
                            if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
                                return Err(format!(
                                    "property `{name}` must hold only letters, digits, `-` and `.` to fill a host"
                                ));
                            }
                            text.push_str(&v);
                        }
                    }
                }
                let host = text.to_ascii_lowercase();
                check_host_name(&host)?;
                Ok(Origin { scheme: *scheme, host, port: *port })
            }
        }
    }
}

/// The value of property `name` for a connection with `config`, else its
/// default in `info`, or why there is none.
pub(crate) fn property_value(info: &ConnectorInfo, config: &[Property], name: &str) -> Result<String, String> {
    config
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name) && !p.value.is_empty())
        .map(|p| p.value.clone())
        .or_else(|| info.property(name).and_then(|p| p.default_value.clone()))
        .ok_or_else(|| format!("property `{name}` has no value"))
}

fn parse_host(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('{') {
            let (name, tail) = after.split_once('}').ok_or("has a `{` without its `}`")?;
            if name.is_empty() || name.contains('{') {
                return Err("has an empty or nested placeholder".into());
            }
            parts.push(Part::Property(name.to_string()));
            rest = tail;
        } else {
            let end = rest.find('{').unwrap_or(rest.len());
            let literal = &rest[..end];
            if !literal.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
                return Err(format!(
                    "has `{literal}` in its host: only letters, digits, `-`, `.` and placeholders may be there (no path, user or query)"
                ));
            }
            parts.push(Part::Literal(literal.to_ascii_lowercase()));
            rest = &rest[end..];
        }
    }
    if parts.is_empty() {
        return Err("has no host".into());
    }
    Ok(parts)
}

/// A DNS name or IPv4 address: labels of 1 to 63 characters, 253 in all.
fn check_host_name(host: &str) -> Result<(), String> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'));
    if ok { Ok(()) } else { Err(format!("`{host}` is not a valid host name")) }
}

/// The origin of an absolute `http(s)` URL without user information.
pub(super) fn origin_of_url(text: &str) -> Result<Origin, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| format!("is not an absolute URL ({e})"))?;
    let scheme = Scheme::parse(url.scheme()).ok_or("must be an `https://` (or `http://`) URL")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold a user name or password".into());
    }
    let host = match url.host().ok_or("has no host")? {
        url::Host::Domain(d) => d.to_ascii_lowercase(),
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => format!("[{ip}]"),
    };
    let port = url.port_or_known_default().unwrap_or(scheme.default_port());
    Ok(Origin { scheme, host, port })
}

/// Checks the `egress` of a `describe` answer: every pattern parses and
/// names only declared properties.
pub(crate) fn validate(info: &ConnectorInfo) -> Result<(), String> {
    const MAX_PATTERNS: usize = 64;
    if info.egress.len() > MAX_PATTERNS {
        return Err(format!("declares {} egress patterns; at most {MAX_PATTERNS} are allowed", info.egress.len()));
    }
    for text in &info.egress {
        let pattern = Pattern::parse(text).map_err(|why| format!("egress pattern `{text}` {why}"))?;
        for name in pattern.properties() {
            if !info.properties.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
                return Err(format!("egress pattern `{text}` names `{name}`, which is not a declared property"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::model::fixtures::{connector, property};

    fn info(egress: &[&str]) -> ConnectorInfo {
        let base = property("BaseURL", false, Some("https://api.example.com/v1"));
        let mut info = connector(vec![property("Subdomain", false, None), base]);
        info.egress = egress.iter().map(|s| s.to_string()).collect();
        info
    }

    fn expand(pattern: &str, props: &[(&str, &str)]) -> Result<String, String> {
        let config: Vec<Property> =
            props.iter().map(|(n, v)| Property { name: n.to_string(), value: v.to_string() }).collect();
        Pattern::parse(pattern)?.expand(&info(&[pattern]), &config).map(|o| o.to_string())
    }

    #[test]
    fn patterns_expand_to_one_origin() {
        assert_eq!(
            expand("https://quickbooks.api.intuit.com", &[]).as_deref(),
            Ok("https://quickbooks.api.intuit.com")
        );
        assert_eq!(
            expand("https://{Subdomain}.zendesk.com", &[("subdomain", "Acme")]).as_deref(),
            Ok("https://acme.zendesk.com")
        );
        assert_eq!(
            expand("http://{Subdomain}:8080/", &[("Subdomain", "10.1.2.3")]).as_deref(),
            Ok("http://10.1.2.3:8080")
        );
        assert_eq!(expand("{BaseURL}", &[]).as_deref(), Ok("https://api.example.com"), "the default's origin");
        assert_eq!(
            expand("{BaseURL}", &[("BaseURL", "http://127.0.0.1:9000/x")]).as_deref(),
            Ok("http://127.0.0.1:9000")
        );
    }

    #[test]
    fn a_value_cannot_widen_its_pattern() {
        for value in ["evil.com#", "evil.com/", "a@evil.com", "evil.com:80", "evil.com?", "", "a b", "..", "-a"] {
            let expanded = expand("https://{Subdomain}.zendesk.com", &[("Subdomain", value)]);
            assert!(expanded.is_err(), "`{value}` gave {expanded:?}");
        }
        assert!(expand("{BaseURL}", &[("BaseURL", "https://user:pw@good.com")]).is_err());
        assert!(expand("{BaseURL}", &[("BaseURL", "ftp://good.com")]).is_err());
        assert!(expand("{BaseURL}", &[("BaseURL", "good.com")]).is_err());
        assert!(expand("https://{Subdomain}.zendesk.com", &[]).is_err(), "no value, no origin");
    }

    #[test]
    fn describe_must_declare_well_formed_patterns_over_its_own_properties() {
        assert!(validate(&info(&["https://a.com", "{BaseURL}", "https://{Subdomain}.b.com:8443"])).is_ok());
        for bad in [
            "a.com",
            "ftp://a.com",
            "https://a.com/path",
            "https://u@a.com",
            "https://{Nope}.com",
            "{}",
            "https://a.com:0",
            "https://{x",
        ] {
            assert!(validate(&info(&[bad])).is_err(), "`{bad}` passed");
        }
    }
}
