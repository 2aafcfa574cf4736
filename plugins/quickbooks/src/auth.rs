//! The fake credential rules (see the crate documentation and README.md).
//!
//! [`authenticate`] stands in for the OAuth 2.0 handshake with Intuit. It is
//! pure: it reads the configuration, decides, and returns a [`Session`] or a
//! [`ConnectorError`]. It never logs and never puts a secret value in a
//! message; the caller logs the outcome.

use syncport_connector_sdk::{Config, ConnectorError, Result};

/// Property names, spelled as [`crate::QuickBooks`] describes them.
pub mod prop {
    /// The realm id of the QuickBooks Online company.
    pub const COMPANY_ID: &str = "CompanyId";
    /// The OAuth client (app) id.
    pub const CLIENT_ID: &str = "OAuthClientId";
    /// The OAuth client (app) secret.
    pub const CLIENT_SECRET: &str = "OAuthClientSecret";
    /// The OAuth access token.
    pub const ACCESS_TOKEN: &str = "OAuthAccessToken";
    /// The OAuth refresh token.
    pub const REFRESH_TOKEN: &str = "OAuthRefreshToken";
    /// Whether to use the sandbox environment.
    pub const USE_SANDBOX: &str = "UseSandbox";
    /// The QuickBooks Online API minor version (release 1.1.0 and later).
    pub const MINOR_VERSION: &str = "MinorVersion";
}

/// The highest API minor version this connector knows.
pub const MAX_MINOR_VERSION: u32 = 75;

/// The company id that the fake server always throttles.
pub const THROTTLED_COMPANY_ID: &str = "429";

/// Seconds the fake server asks a throttled caller to wait.
pub const RETRY_AFTER_SECONDS: u32 = 60;

/// Which QuickBooks Online environment a connection uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Live companies.
    Production,
    /// Intuit developer sandbox companies.
    Sandbox,
}

impl Environment {
    /// The environment `config` asks for (`UseSandbox`).
    pub fn of(config: &Config) -> Result<Self> {
        Ok(if config.flag(prop::USE_SANDBOX)? { Self::Sandbox } else { Self::Production })
    }

    /// `production` or `sandbox`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Sandbox => "sandbox",
        }
    }

    /// The base URL of the Accounting API a real connector would call.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Production => "https://quickbooks.api.intuit.com",
            Self::Sandbox => "https://sandbox-quickbooks.api.intuit.com",
        }
    }
}

/// An authenticated connection to one company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The realm id.
    pub company_id: String,
    /// Production or sandbox.
    pub environment: Environment,
    /// The API minor version sent with every request; `None` in release 1.0.0.
    pub minor_version: Option<u32>,
}

impl Session {
    /// The URL of the company's query endpoint, as a real connector would call it.
    pub fn query_url(&self) -> String {
        let base = format!("{}/v3/company/{}/query", self.environment.base_url(), self.company_id);
        match self.minor_version {
            Some(v) => format!("{base}?minorversion={v}"),
            None => base,
        }
    }
}

/// Applies the fake credential rules, in this order:
///
/// 1. `CompanyId` not all ASCII digits: invalid-config (`CompanyId`).
/// 2. (1.1.0) `MinorVersion` not a whole number in 1..=75: invalid-config (`MinorVersion`).
/// 3. `OAuthClientSecret` starting with `wrong`: auth-failed (`OAuthClientSecret`).
/// 4. `OAuthAccessToken` not set: auth-failed (`OAuthAccessToken`), asking the user to authorize.
/// 5. `OAuthAccessToken` starting with `expired`: auth-failed (`OAuthAccessToken`).
/// 6. `CompanyId` equal to `429`: rate-limited, retry after 60 seconds.
///
/// Anything else authenticates.
pub fn authenticate(config: &Config) -> Result<Session> {
    let company_id = config.required(prop::COMPANY_ID)?;
    if !company_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ConnectorError::invalid_config(
            prop::COMPANY_ID,
            format!(
                "Property `CompanyId` must be the company's realm id, all digits (e.g. 123146096291789); got `{company_id}`."
            ),
        ));
    }
    let environment = Environment::of(config)?;
    let minor_version = minor_version(config)?;

    // The app's own credentials: Intuit refuses a bad client secret first.
    config.required(prop::CLIENT_ID)?;
    if config.required(prop::CLIENT_SECRET)?.starts_with("wrong") {
        return Err(ConnectorError::auth_failed(
            "Intuit refused the OAuth client credentials (invalid_client). Check OAuthClientId and \
             OAuthClientSecret against the app's keys in the Intuit developer portal.",
        )
        .with_property(prop::CLIENT_SECRET));
    }

    // The user's grant.
    let Some(token) = config.get(prop::ACCESS_TOKEN) else {
        return Err(ConnectorError::auth_failed(
            "No OAuth access token is set. Authorize the connection: sign in to QuickBooks Online \
             and grant this app access to the company to obtain OAuthAccessToken and OAuthRefreshToken.",
        )
        .with_property(prop::ACCESS_TOKEN));
    };
    if token.starts_with("expired") {
        return Err(ConnectorError::auth_failed(
            "QuickBooks Online rejected the OAuth access token because it has expired (401 \
             AuthenticationFailed). Authorize the connection again to obtain a new access token.",
        )
        .with_property(prop::ACCESS_TOKEN));
    }

    if company_id == THROTTLED_COMPANY_ID {
        return Err(ConnectorError::rate_limited(
            format!(
                "QuickBooks Online throttled requests for company {company_id} (429 Too Many Requests). \
                 Retry after {RETRY_AFTER_SECONDS} seconds."
            ),
            RETRY_AFTER_SECONDS,
        ));
    }

    Ok(Session { company_id: company_id.to_string(), environment, minor_version })
}

/// `MinorVersion` as a number in 1..=75; `None` in release 1.0.0, which has no such property.
fn minor_version(config: &Config) -> Result<Option<u32>> {
    if crate::RELEASE_1_0 {
        return Ok(None);
    }
    let what = "a whole number from 1 to 75";
    let version = config.parse::<u32>(prop::MINOR_VERSION, what)?.unwrap_or(MAX_MINOR_VERSION);
    if !(1..=MAX_MINOR_VERSION).contains(&version) {
        return Err(ConnectorError::invalid_config(
            prop::MINOR_VERSION,
            format!("Property `MinorVersion` must be {what}; got `{version}`."),
        ));
    }
    Ok(Some(version))
}
