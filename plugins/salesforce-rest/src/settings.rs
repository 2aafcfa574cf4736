//! The connection properties, checked.

use syncport_connector_sdk::{Config, ConnectorError, Result, http::Request};

/// Property names, as `describe` spells them.
pub mod prop {
    /// The org's instance URL, e.g. `https://yourorg.my.salesforce.com`.
    pub const INSTANCE_URL: &str = "InstanceURL";
    /// The OAuth 2.0 client id (the connected app's consumer key).
    pub const CLIENT_ID: &str = "OAuthClientId";
    /// The OAuth 2.0 client secret (secret; the host never passes it on).
    pub const CLIENT_SECRET: &str = "OAuthClientSecret";
    /// The OAuth 2.0 access token (secret; the host stores and renews it).
    pub const ACCESS_TOKEN: &str = "OAuthAccessToken";
    /// The OAuth 2.0 refresh token (secret; the host never passes it on).
    pub const REFRESH_TOKEN: &str = "OAuthRefreshToken";
    /// When the access token expires, RFC 3339 (set by the host).
    pub const EXPIRES_AT: &str = "OAuthExpiresAt";
    /// Salesforce's OAuth 2.0 authorization endpoint.
    pub const AUTHORIZATION_URL: &str = "OAuthAuthorizationURL";
    /// Salesforce's OAuth 2.0 token endpoint.
    pub const TOKEN_URL: &str = "OAuthTokenURL";
    /// The REST API version, e.g. `62.0`.
    pub const API_VERSION: &str = "APIVersion";
}

/// Salesforce's production authorization endpoint, the default of
/// [`prop::AUTHORIZATION_URL`] (sandboxes use test.salesforce.com).
pub const AUTHORIZATION_URL: &str = "https://login.salesforce.com/services/oauth2/authorize";
/// Salesforce's production token endpoint, the default of
/// [`prop::TOKEN_URL`] (sandboxes use test.salesforce.com).
pub const TOKEN_URL: &str = "https://login.salesforce.com/services/oauth2/token";

/// The API version used when none is set.
pub const DEFAULT_API_VERSION: &str = "62.0";

/// What every request needs.
#[derive(Clone)]
pub struct Settings {
    /// The instance URL, without a final `/`.
    pub instance_url: String,
    /// The access token.
    pub token: String,
    /// The API version, digits then `.0`.
    pub api_version: String,
}

/// Never shows the token.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Settings({}, API v{})", self.instance_url, self.api_version)
    }
}

impl Settings {
    /// The settings of `config`, or an `invalid-config` error naming the
    /// property at fault, or an `auth-failed` one naming
    /// [`prop::ACCESS_TOKEN`] when the connection is not authorized yet.
    pub fn of(config: &Config) -> Result<Self> {
        let instance_url = config.required(prop::INSTANCE_URL)?.trim().trim_end_matches('/').to_string();
        let is_origin = Request::get(&instance_url).is_ok_and(|r| r.path_with_query() == "/");
        if !is_origin {
            return Err(ConnectorError::invalid_config(
                prop::INSTANCE_URL,
                format!(
                    "Property `{}` must be the org's instance URL, e.g. https://yourorg.my.salesforce.com.",
                    prop::INSTANCE_URL
                ),
            ));
        }
        let api_version = config.get(prop::API_VERSION).unwrap_or(DEFAULT_API_VERSION).trim().to_string();
        let valid = api_version
            .strip_suffix(".0")
            .is_some_and(|major| !major.is_empty() && major.len() <= 3 && major.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            return Err(ConnectorError::invalid_config(
                prop::API_VERSION,
                format!("Property `{}` must be a version like {DEFAULT_API_VERSION}.", prop::API_VERSION),
            ));
        }
        let token = config.access_token(prop::ACCESS_TOKEN)?.to_string();
        Ok(Self { instance_url, token, api_version })
    }

    /// The path of the REST API's resource `resource`, e.g.
    /// `/services/data/v62.0/sobjects`.
    pub fn path(&self, resource: &str) -> String {
        format!("/services/data/v{}/{resource}", self.api_version)
    }
}
