//! Endpoints: whole URLs declared as patterns over properties, for the
//! OAuth endpoints a connector declares. The origin part follows the
//! egress patterns' rules ([`Pattern`]); a path may follow, literal.

use super::origin::{Origin, Pattern, Scheme, origin_of_url, property_value};
use super::{EgressLimits, plain_http_allowed};
use crate::connector::model::{ConnectorInfo, Property};

/// A declared endpoint, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    origin: Pattern,
    /// The path (and query) after a template origin; empty for a whole-URL placeholder.
    path: String,
}

impl Endpoint {
    /// Parses `text`: `{Property}` alone (its value is the whole URL), or
    /// `scheme://host[:port]/path` with placeholders only in the host.
    pub fn parse(text: &str) -> Result<Self, String> {
        let origin_end = match text.split_once("://") {
            Some((scheme, rest)) => scheme.len() + 3 + rest.find('/').unwrap_or(rest.len()),
            None => text.len(),
        };
        let (origin, path) = text.split_at(origin_end);
        if path.contains(['{', '}', '#', ' ']) {
            return Err("may hold placeholders only in its host, and no fragment or space".into());
        }
        let origin = Pattern::parse(origin)?;
        Ok(Self { origin, path: path.to_string() })
    }

    /// The properties the endpoint names.
    pub fn properties(&self) -> Vec<&str> {
        self.origin.properties()
    }

    /// The URL for a connection with `config`, and its origin, or why there
    /// is none. Like an egress pattern: `https`, or plain `http` only to an
    /// address the operator allows.
    pub fn expand(
        &self,
        info: &ConnectorInfo,
        config: &[Property],
        limits: &EgressLimits,
    ) -> Result<(url::Url, Origin), String> {
        let origin = self.origin.expand(info, config)?;
        let text = match &self.origin {
            Pattern::Whole(name) => {
                let value = property_value(info, config, name)?;
                origin_of_url(&value).map_err(|why| format!("property `{name}` {why}"))?;
                value.trim().to_string()
            }
            Pattern::Template { .. } => format!("{origin}{}", self.path),
        };
        if origin.scheme == Scheme::Http && !plain_http_allowed(&origin, limits) {
            return Err(format!(
                "{origin} is plain http, allowed only to an address this server allows with --egress-allow-private"
            ));
        }
        let url = url::Url::parse(&text).map_err(|e| format!("`{text}` is not a URL ({e})"))?;
        if url.fragment().is_some() {
            return Err(format!("{origin}: an endpoint has no fragment"));
        }
        Ok((url, origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::model::fixtures::{connector, property};

    fn info() -> ConnectorInfo {
        let domain = property("Domain", false, Some("login.example.com"));
        connector(vec![domain, property("TokenURL", false, Some("https://a.example/t"))])
    }

    fn expand(text: &str, props: &[(&str, &str)]) -> Result<String, String> {
        let config: Vec<Property> = props.iter().map(|(n, v)| Property::new(*n, *v)).collect();
        let allowed = "127.0.0.1:9000".parse().expect("an address");
        let limits = EgressLimits { allow_private: vec![allowed], ..Default::default() };
        Endpoint::parse(text)?.expand(&info(), &config, &limits).map(|(url, _)| url.to_string())
    }

    #[test]
    fn endpoints_expand_to_one_url() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case<'_>] = &[
            ("https://{Domain}/oauth2/token", &[], "https://login.example.com/oauth2/token"),
            (
                "https://{Domain}/oauth2/token",
                &[("Domain", "test.example.com")],
                "https://test.example.com/oauth2/token",
            ),
            ("{TokenURL}", &[], "https://a.example/t"),
            ("{TokenURL}", &[("TokenURL", "http://127.0.0.1:9000/token?x=1")], "http://127.0.0.1:9000/token?x=1"),
            ("https://fixed.example.com", &[], "https://fixed.example.com/"),
        ];
        for (text, props, want) in cases {
            assert_eq!(expand(text, props).as_deref(), Ok(*want), "{text} {props:?}");
        }
    }

    #[test]
    fn endpoints_refuse_what_could_widen_them() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("https://{Domain}/t", &[("Domain", "evil.com/x")]),
            ("https://{Domain}/t", &[("Domain", "a@evil.com")]),
            ("{TokenURL}", &[("TokenURL", "http://api.example.com/t")]),
            ("{TokenURL}", &[("TokenURL", "http://127.0.0.1:9001/t")]),
            ("{TokenURL}", &[("TokenURL", "https://user:pw@a.example/t")]),
            ("{TokenURL}", &[("TokenURL", "ftp://a.example/t")]),
            ("https://a.example/{Path}", &[]),
            ("https://a.example/t#frag", &[]),
        ];
        for (text, props) in cases {
            assert!(expand(text, props).is_err(), "{text} {props:?} gave {:?}", expand(text, props));
        }
    }
}
