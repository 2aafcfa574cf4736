//! The token endpoint (RFC 6749 section 4 and 6): one form POST per grant,
//! sent by the host through the egress guard, and its answer parsed.

use crate::connections::Properties;
use crate::connector::model::{ClientAuth, OAuthSpec, Property};
use crate::runtime::egress::direct::FormPost;
use crate::runtime::{LogLine, Plugin};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// What the host asks the token endpoint for.
pub(super) enum Grant<'a> {
    /// An authorization code, with its PKCE verifier and redirect URI.
    Code { code: &'a str, verifier: &'a str, redirect_uri: &'a str },
    /// New tokens for a refresh token.
    Refresh(&'a str),
    /// Tokens for the client itself.
    ClientCredentials,
}

/// Tokens the endpoint gave. No `Debug`: they are secrets.
pub(super) struct Tokens {
    pub(super) access: String,
    pub(super) refresh: Option<String>,
    pub(super) expires_in: Option<u64>,
}

/// Why the endpoint gave no tokens.
#[derive(Debug)]
pub(super) enum TokenError {
    /// It answered with an OAuth error (`invalid_grant`, ...).
    Refused { error: String, description: String },
    /// It could not be reached, or answered something else.
    Failed(String),
}

impl TokenError {
    /// Whether the grant itself is dead (revoked, expired or used refresh
    /// token, bad code): only a user can fix that.
    pub(super) fn is_invalid_grant(&self) -> bool {
        matches!(self, TokenError::Refused { error, .. } if error == "invalid_grant")
    }
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Refused { error, description } if description.is_empty() => {
                write!(f, "the token endpoint refused ({error})")
            }
            TokenError::Refused { error, description } => {
                write!(f, "the token endpoint refused ({error}: {description})")
            }
            TokenError::Failed(why) => f.write_str(why),
        }
    }
}

/// What the endpoint answers (RFC 6749 5.1 and 5.2).
#[derive(Deserialize)]
struct Answer {
    access_token: Option<String>,
    token_type: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Asks the token endpoint of the connection with `properties` for
/// `grant`; the tokens or why not, and the request's log lines.
pub(super) async fn request(
    plugin: &Plugin,
    spec: &OAuthSpec,
    properties: &Properties,
    grant: Grant<'_>,
) -> (Result<Tokens, TokenError>, Vec<LogLine>) {
    let config: Vec<Property> = properties.to_vec();
    let url = match plugin.endpoint(&spec.token_url, &config) {
        Ok(url) => url,
        Err(why) => return (Err(TokenError::Failed(format!("the token endpoint: {why}"))), Vec::new()),
    };
    let client_id = properties.get(&spec.client_id_property).unwrap_or_default().to_string();
    let secret = properties.get(&spec.client_secret_property).filter(|s| !s.is_empty()).map(str::to_string);
    let mut form: Vec<(String, String)> = Vec::new();
    let mut field = |name: &str, value: &str| form.push((name.to_string(), value.to_string()));
    match grant {
        Grant::Code { code, verifier, redirect_uri } => {
            field("grant_type", "authorization_code");
            field("code", code);
            field("redirect_uri", redirect_uri);
            field("code_verifier", verifier);
        }
        Grant::Refresh(token) => {
            field("grant_type", "refresh_token");
            field("refresh_token", token);
        }
        Grant::ClientCredentials => {
            field("grant_type", "client_credentials");
            if !spec.scopes.is_empty() {
                field("scope", &spec.scopes.join(" "));
            }
        }
    }
    let basic = match (spec.client_auth, secret) {
        (ClientAuth::Basic, Some(secret)) => Some((client_id, secret)),
        (_, secret) => {
            field("client_id", &client_id);
            if let Some(secret) = secret {
                field("client_secret", &secret);
            }
            None
        }
    };
    let reply = plugin.post_form(FormPost { url, form, basic }).await;
    let result = reply.result.map_err(TokenError::Failed).and_then(|(status, body)| parse(status, &body, properties));
    (result, reply.log)
}

/// The tokens of a 2xx answer, or the error of another.
fn parse(status: u16, body: &[u8], properties: &Properties) -> Result<Tokens, TokenError> {
    let answer: Option<Answer> = serde_json::from_slice(body).ok();
    let ok = (200..300).contains(&status);
    match answer {
        Some(Answer { access_token: Some(access), token_type, refresh_token, expires_in, .. }) if ok => {
            if token_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("bearer")) {
                return Err(TokenError::Failed("the token endpoint gave a token that is not a bearer token".into()));
            }
            let expires_in = expires_in.and_then(|v| match v {
                serde_json::Value::Number(n) => n.as_u64(),
                serde_json::Value::String(s) => s.parse().ok(),
                _ => None,
            });
            Ok(Tokens { access, refresh: refresh_token.filter(|t| !t.is_empty()), expires_in })
        }
        Some(Answer { error: Some(error), error_description, .. }) if !ok => Err(TokenError::Refused {
            error: scrub(&error, 64, properties),
            description: scrub(&error_description.unwrap_or_default(), 300, properties),
        }),
        _ => Err(TokenError::Failed(format!(
            "the token endpoint answered HTTP {status} without {}",
            if ok { "an access token" } else { "an OAuth error" }
        ))),
    }
}

/// Text from the token endpoint, fit for a log line and a page: printable,
/// bounded, with no value of the connection's properties in it.
fn scrub(text: &str, max: usize, properties: &Properties) -> String {
    let mut text: String = text.chars().filter(|c| !c.is_control()).take(max).collect();
    // Values long enough to be credentials; a short one would mangle words.
    for p in properties.iter().filter(|p| p.value.len() >= 8) {
        text = text.replace(&p.value, crate::runtime::MASK);
    }
    text
}

/// Stores `tokens`, got at `now`, in the properties `spec` names. A
/// refresh token not renewed is kept; an answer without a lifetime leaves
/// no expiry.
pub(super) fn store(properties: &mut Properties, spec: &OAuthSpec, tokens: &Tokens, now: DateTime<Utc>) {
    properties.set(&spec.access_token_property, tokens.access.clone());
    if let Some(refresh) = &tokens.refresh {
        properties.set(&spec.refresh_token_property, refresh.clone());
    }
    // Whatever the endpoint says, at most a year: no arithmetic overflows.
    const YEAR: u64 = 366 * 24 * 3600;
    let at =
        tokens.expires_in.and_then(|s| now.checked_add_signed(chrono::TimeDelta::try_seconds(s.min(YEAR) as i64)?));
    match at {
        Some(at) => {
            properties.set(&spec.expires_at_property, at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        None => {
            properties.remove(&spec.expires_at_property);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props() -> Properties {
        let mut p = Properties::default();
        p.set("OAuthClientSecret", "s3cret-value".into());
        p
    }

    #[test]
    fn a_token_answer_gives_its_tokens() {
        let body = br#"{"access_token":"a","token_type":"Bearer","expires_in":"3600","refresh_token":"r"}"#;
        let tokens = parse(200, body, &props()).expect("tokens");
        assert_eq!(
            (tokens.access.as_str(), tokens.refresh.as_deref(), tokens.expires_in),
            ("a", Some("r"), Some(3600))
        );
    }

    #[test]
    fn an_error_answer_says_why_without_secrets() {
        let body = br#"{"error":"invalid_grant","error_description":"bad s3cret-value\nhere"}"#;
        let error = parse(400, body, &props()).err().expect("refused");
        assert!(error.is_invalid_grant());
        assert_eq!(error.to_string(), "the token endpoint refused (invalid_grant: bad ********here)");
    }

    #[test]
    fn any_lifetime_gives_an_expiry_within_a_year() {
        let spec = crate::connector::model::fixtures::oauth_connector().oauth.expect("oauth");
        let now = chrono::Utc::now();
        for expires_in in [0, 3600, u64::MAX, i64::MAX as u64] {
            let mut properties = Properties::default();
            let tokens = Tokens { access: "a".into(), refresh: None, expires_in: Some(expires_in) };
            store(&mut properties, &spec, &tokens, now);
            let at = properties.get("Expires").expect("an expiry");
            let at = chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339");
            assert!(at.with_timezone(&chrono::Utc) <= now + chrono::Duration::days(367), "{expires_in}: {at}");
        }
    }

    #[test]
    fn other_answers_fail_clearly() {
        for (status, body) in [(200, &b"{}"[..]), (500, b"oops"), (200, br#"{"access_token":"a","token_type":"mac"}"#)]
        {
            let error = parse(status, body, &props()).err().expect("failed");
            assert!(matches!(error, TokenError::Failed(_)), "{status}: {error}");
        }
    }
}
