//! The fake credential rules (see the crate documentation for the list).
//!
//! [`authenticate`] is the only place they live: `test`, `list-tables` and
//! `list-columns` all call it first. It is a pure function of the
//! configuration, so the same configuration always gets the same answer.
//! Error messages name the property at fault but never repeat the value of
//! a secret one.

use syncport_connector_sdk::{Config, ConnectorError, Result};

/// The login URL of production orgs, the default of `LoginURL`.
pub(crate) const PRODUCTION_LOGIN_URL: &str = "https://login.salesforce.com";
/// The login URL of sandbox orgs, used instead of the default when `UseSandbox` is true.
pub(crate) const SANDBOX_LOGIN_URL: &str = "https://test.salesforce.com";
/// Seconds a rate-limited caller is told to wait.
pub(crate) const RETRY_AFTER_SECONDS: u32 = 30;

/// How the connection logs in, from `AuthScheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// User name, password and security token (SOAP `login()`).
    Basic,
    /// An access token from the OAuth web-server flow.
    OAuth,
    /// An access token from the OAuth JWT bearer flow.
    OAuthJwt,
}

impl Scheme {
    /// The scheme named by `AuthScheme` (any case; the SDK has already
    /// checked it is one of the allowed values).
    fn from_config(config: &Config) -> Result<Self> {
        let value = config.get("AuthScheme").unwrap_or("Basic");
        match value.to_ascii_lowercase().as_str() {
            "basic" => Ok(Self::Basic),
            "oauth" => Ok(Self::OAuth),
            "oauthjwt" => Ok(Self::OAuthJwt),
            _ => Err(ConnectorError::invalid_config(
                "AuthScheme",
                format!("Property `AuthScheme` must be one of Basic, OAuth, OAuthJWT; got `{value}`."),
            )),
        }
    }

    /// The name as `AuthScheme` spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Basic => "Basic",
            Self::OAuth => "OAuth",
            Self::OAuthJwt => "OAuthJWT",
        }
    }
}

/// A logged-in connection: everything the other calls need, no secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    /// The Salesforce user name, e.g. `user@example.com`.
    pub(crate) user: String,
    /// How it logged in.
    pub(crate) scheme: Scheme,
    /// The login URL actually used (the sandbox one when `UseSandbox` is
    /// true and `LoginURL` is the production default).
    pub(crate) login_url: String,
    /// Whether the org is a sandbox.
    pub(crate) sandbox: bool,
    /// The REST API version, e.g. `62.0`.
    pub(crate) api_version: String,
    /// The org's (made-up) My Domain URL, derived from the user's domain.
    pub(crate) instance_url: String,
}

impl Session {
    /// `production` or `sandbox`.
    pub(crate) fn environment(&self) -> &'static str {
        if self.sandbox { "sandbox" } else { "production" }
    }

    /// The REST path a describe call for `object` would use.
    pub(crate) fn describe_path(&self, object: &str) -> String {
        format!("/services/data/v{}/sobjects/{object}/describe", self.api_version)
    }
}

/// Applies the fake credential rules to `config`, in the documented order,
/// and returns the session on success.
pub(crate) fn authenticate(config: &Config) -> Result<Session> {
    let scheme = Scheme::from_config(config)?;

    // 1. LoginURL must be https.
    let configured_url = config.get("LoginURL").unwrap_or(PRODUCTION_LOGIN_URL).trim();
    if !configured_url.to_ascii_lowercase().starts_with("https://") {
        return Err(ConnectorError::invalid_config(
            "LoginURL",
            format!("Property `LoginURL` must start with `https://`; got `{configured_url}`."),
        ));
    }

    // 2. APIVersion must look like 62.0.
    let api_version = config.get("APIVersion").unwrap_or("62.0").trim();
    if !is_api_version(api_version) {
        return Err(ConnectorError::invalid_config(
            "APIVersion",
            format!(
                "Property `APIVersion` must look like `62.0` (two digits, then `.0`); \
                 got `{api_version}`."
            ),
        ));
    }

    // 3. User must look like an email address.
    let user = config.required("User")?.trim();
    if !user.contains('@') {
        return Err(ConnectorError::invalid_config(
            "User",
            format!(
                "Property `User` must be a Salesforce user name, which looks like an email \
                 address (`user@example.com`); got `{user}`."
            ),
        ));
    }

    let sandbox = config.flag("UseSandbox")?;

    // 4. The credentials of the scheme must be present.
    match scheme {
        Scheme::Basic => {
            for secret in ["Password", "SecurityToken"] {
                if config.get(secret).is_none() {
                    return Err(ConnectorError::invalid_config(
                        secret,
                        format!("Property `{secret}` is required when `AuthScheme` is Basic."),
                    ));
                }
            }
        }
        Scheme::OAuth | Scheme::OAuthJwt => {
            if config.get("OAuthAccessToken").is_none() {
                return Err(ConnectorError::auth_failed(format!(
                    "No OAuth access token: authorize the connection with Salesforce \
                     (AuthScheme {}) to obtain `OAuthAccessToken`.",
                    scheme.name()
                ))
                .with_property("OAuthAccessToken"));
            }
        }
    }

    // 5. The login request itself may be throttled.
    if starts_with_ignore_case(user, "ratelimited@") {
        return Err(ConnectorError::rate_limited(
            format!(
                "Salesforce refused the login of {user}: REQUEST_LIMIT_EXCEEDED \
                 (too many requests). Retry in {RETRY_AFTER_SECONDS} seconds."
            ),
            RETRY_AFTER_SECONDS,
        ));
    }

    // 6. Salesforce's verdict on the credentials.
    match scheme {
        Scheme::Basic => {
            if config.get("Password").is_some_and(|p| starts_with_ignore_case(p, "wrong")) {
                return Err(ConnectorError::auth_failed(format!(
                    "INVALID_LOGIN: Invalid username or password for {user}. Check `Password`."
                ))
                .with_property("Password"));
            }
            if config.get("SecurityToken").is_some_and(|t| starts_with_ignore_case(t, "expired")) {
                return Err(ConnectorError::auth_failed(format!(
                    "INVALID_LOGIN: The security token of {user} has expired or was reset. \
                     Reset it in Salesforce (Settings > Reset My Security Token) \
                     and update `SecurityToken`."
                ))
                .with_property("SecurityToken"));
            }
        }
        Scheme::OAuth | Scheme::OAuthJwt => {
            if config.get("OAuthAccessToken").is_some_and(|t| starts_with_ignore_case(t, "expired")) {
                return Err(ConnectorError::auth_failed(
                    "INVALID_SESSION_ID: The OAuth access token has expired or was revoked. \
                     Authorize the connection again to obtain a new `OAuthAccessToken`.",
                )
                .with_property("OAuthAccessToken"));
            }
        }
    }

    let login_url = if sandbox && configured_url.eq_ignore_ascii_case(PRODUCTION_LOGIN_URL) {
        SANDBOX_LOGIN_URL.to_string()
    } else {
        configured_url.to_string()
    };
    Ok(Session {
        instance_url: instance_url(user, sandbox),
        user: user.to_string(),
        scheme,
        login_url,
        sandbox,
        api_version: api_version.to_string(),
    })
}

/// Whether `value` is two ASCII digits followed by `.0`, e.g. `62.0`.
fn is_api_version(value: &str) -> bool {
    matches!(value.as_bytes(), [a, b, b'.', b'0'] if a.is_ascii_digit() && b.is_ascii_digit())
}

/// Whether `value` starts with `prefix`, ignoring ASCII case.
fn starts_with_ignore_case(value: &str, prefix: &str) -> bool {
    value.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// A made-up My Domain URL from the first label of the user's domain:
/// `ana@acme.example.com` is `https://acme.my.salesforce.com`.
fn instance_url(user: &str, sandbox: bool) -> String {
    let domain = user.rsplit_once('@').map_or("", |(_, domain)| domain);
    let label: String = domain
        .split('.')
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let label = if label.is_empty() { "org".to_string() } else { label };
    if sandbox {
        format!("https://{label}--sandbox.sandbox.my.salesforce.com")
    } else {
        format!("https://{label}.my.salesforce.com")
    }
}
