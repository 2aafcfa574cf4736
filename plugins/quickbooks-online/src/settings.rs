//! The connection properties, checked.

use syncport_connector_sdk::{Config, ConnectorError, Result, http::Request};

/// Property names, as `describe` spells them.
pub mod prop {
    /// The company's realm id.
    pub const COMPANY_ID: &str = "CompanyId";
    /// The OAuth 2.0 client id of the Intuit app.
    pub const CLIENT_ID: &str = "OAuthClientId";
    /// The OAuth 2.0 client secret (secret; the host never passes it on).
    pub const CLIENT_SECRET: &str = "OAuthClientSecret";
    /// The OAuth 2.0 access token (secret; the host stores and renews it).
    pub const ACCESS_TOKEN: &str = "OAuthAccessToken";
    /// The OAuth 2.0 refresh token (secret; the host never passes it on).
    pub const REFRESH_TOKEN: &str = "OAuthRefreshToken";
    /// When the access token expires, RFC 3339 (set by the host).
    pub const EXPIRES_AT: &str = "OAuthExpiresAt";
    /// Intuit's OAuth 2.0 authorization endpoint.
    pub const AUTHORIZATION_URL: &str = "OAuthAuthorizationURL";
    /// Intuit's OAuth 2.0 token endpoint.
    pub const TOKEN_URL: &str = "OAuthTokenURL";
    /// Where the Accounting API lives.
    pub const BASE_URL: &str = "BaseURL";
    /// The API minor version sent with every request.
    pub const MINOR_VERSION: &str = "MinorVersion";
}

/// Intuit's OAuth 2.0 authorization endpoint, the default of
/// [`prop::AUTHORIZATION_URL`].
pub const AUTHORIZATION_URL: &str = "https://appcenter.intuit.com/connect/oauth2";
/// Intuit's OAuth 2.0 token endpoint, the default of [`prop::TOKEN_URL`].
pub const TOKEN_URL: &str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";
/// Intuit's production API.
pub const PRODUCTION_URL: &str = "https://quickbooks.api.intuit.com";
/// Intuit's developer sandbox API.
pub const SANDBOX_URL: &str = "https://sandbox-quickbooks.api.intuit.com";
/// The newest minor version this connector knows, and the default.
pub const MAX_MINOR_VERSION: u32 = 75;

/// What every request needs.
#[derive(Clone)]
pub struct Settings {
    /// The realm id: digits only.
    pub company_id: String,
    /// The access token.
    pub token: String,
    /// The API's base URL, as configured (with or without a final `/`).
    pub base_url: String,
    /// The minor version, 1 to [`MAX_MINOR_VERSION`].
    pub minor_version: u32,
}

/// Never shows the token.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Settings(company {}, {}, minor version {})", self.company_id, self.base_url, self.minor_version)
    }
}

impl Settings {
    /// The settings of `config`, or an `invalid-config` error naming the
    /// property at fault, or an `auth-failed` one naming
    /// [`prop::ACCESS_TOKEN`] when the connection is not authorized yet.
    pub fn of(config: &Config) -> Result<Self> {
        let company_id = config.required(prop::COMPANY_ID)?.trim().to_string();
        if company_id.is_empty() || !company_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConnectorError::invalid_config(
                prop::COMPANY_ID,
                format!("Property `{}` must be the company's realm id: digits only.", prop::COMPANY_ID),
            ));
        }
        let base_url = config.get(prop::BASE_URL).unwrap_or(PRODUCTION_URL).trim().to_string();
        if Request::get(&base_url).is_err() {
            return Err(ConnectorError::invalid_config(
                prop::BASE_URL,
                format!("Property `{}` must be an absolute https URL, e.g. {PRODUCTION_URL}.", prop::BASE_URL),
            ));
        }
        let minor_version =
            config.parse::<u32>(prop::MINOR_VERSION, "a whole number from 1 to 75")?.unwrap_or(MAX_MINOR_VERSION);
        if !(1..=MAX_MINOR_VERSION).contains(&minor_version) {
            return Err(ConnectorError::invalid_config(
                prop::MINOR_VERSION,
                format!("Property `{}` must be a whole number from 1 to {MAX_MINOR_VERSION}.", prop::MINOR_VERSION),
            ));
        }
        let token = config.access_token(prop::ACCESS_TOKEN)?.to_string();
        Ok(Self { company_id, token, base_url, minor_version })
    }
}
