//! The OAuth 2.0 declaration of a connector (WIT 0.3.0 `oauth-spec`).
//!
//! The host runs the flows and keeps the tokens; a connector only says where
//! the endpoints are and which of its properties hold what, with
//! [`oauth`] and [`ConnectorInfo::oauth`](crate::ConnectorInfo::oauth).

use std::ops::BitOr;

/// The OAuth 2.0 grants a service supports (WIT 0.3.0 `oauth-grants`);
/// combine them with `|`. The host refuses a spec without any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OAuthGrants {
    /// Authorization code with PKCE (S256): a user authorizes in a browser.
    pub authorization_code: bool,
    /// Refresh token: the host renews the access token before it expires.
    pub refresh_token: bool,
    /// Client credentials: the host gets tokens with the client id and
    /// secret alone, no browser.
    pub client_credentials: bool,
}

impl OAuthGrants {
    /// No grant (the host refuses it; a start for `|`).
    pub const NONE: OAuthGrants =
        OAuthGrants { authorization_code: false, refresh_token: false, client_credentials: false };
    /// Authorization code with PKCE.
    pub const AUTHORIZATION_CODE: OAuthGrants = OAuthGrants { authorization_code: true, ..Self::NONE };
    /// Refresh token.
    pub const REFRESH_TOKEN: OAuthGrants = OAuthGrants { refresh_token: true, ..Self::NONE };
    /// Client credentials.
    pub const CLIENT_CREDENTIALS: OAuthGrants = OAuthGrants { client_credentials: true, ..Self::NONE };
}

impl BitOr for OAuthGrants {
    type Output = OAuthGrants;

    /// Every grant of either side.
    fn bitor(self, other: OAuthGrants) -> OAuthGrants {
        OAuthGrants {
            authorization_code: self.authorization_code || other.authorization_code,
            refresh_token: self.refresh_token || other.refresh_token,
            client_credentials: self.client_credentials || other.client_credentials,
        }
    }
}

/// How the client authenticates at the token endpoint (WIT 0.3.0
/// `oauth-client-auth`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OAuthClientAuth {
    /// HTTP Basic with the client id and secret (RFC 6749 2.3.1); the default.
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Body,
}

/// Starts an OAuth 2.0 spec with the service's endpoints, for
/// [`ConnectorInfo::oauth`](crate::ConnectorInfo::oauth).
///
/// Each URL is either a full `https://` URL whose host may hold `{Property}`
/// placeholders (`https://{Domain}/services/oauth2/authorize`), or one
/// placeholder alone whose value is the whole URL (`{OAuthTokenURL}`), so
/// that a property default can point at the service and a connection at a
/// sandbox. Defaults: no scopes, grants authorization code and refresh token,
/// client auth [`Basic`](OAuthClientAuth::Basic), and the conventional
/// property names `OAuthClientId`, `OAuthClientSecret`, `OAuthAccessToken`,
/// `OAuthRefreshToken` and `OAuthExpiresAt` (see [`OAuthBuilder::properties`]).
pub fn oauth(authorization_url: &str, token_url: &str) -> OAuthBuilder {
    OAuthBuilder {
        authorization_url: authorization_url.into(),
        token_url: token_url.into(),
        scopes: Vec::new(),
        grants: OAuthGrants::AUTHORIZATION_CODE | OAuthGrants::REFRESH_TOKEN,
        client_auth: OAuthClientAuth::Basic,
        client_id_property: "OAuthClientId".into(),
        client_secret_property: "OAuthClientSecret".into(),
        access_token_property: "OAuthAccessToken".into(),
        refresh_token_property: "OAuthRefreshToken".into(),
        expires_at_property: "OAuthExpiresAt".into(),
    }
}

/// An OAuth 2.0 spec under construction; see [`oauth`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthBuilder {
    authorization_url: String,
    token_url: String,
    scopes: Vec<String>,
    grants: OAuthGrants,
    client_auth: OAuthClientAuth,
    client_id_property: String,
    client_secret_property: String,
    access_token_property: String,
    refresh_token_property: String,
    expires_at_property: String,
}

impl OAuthBuilder {
    /// Sets the scopes asked for (the host sends them space-separated).
    pub fn scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| s.to_string()).collect();
        self
    }
    /// Sets the grants the service supports, e.g.
    /// `OAuthGrants::AUTHORIZATION_CODE | OAuthGrants::REFRESH_TOKEN`.
    pub fn grants(mut self, grants: OAuthGrants) -> Self {
        self.grants = grants;
        self
    }
    /// Sets how the client authenticates at the token endpoint.
    pub fn client_auth(mut self, client_auth: OAuthClientAuth) -> Self {
        self.client_auth = client_auth;
        self
    }
    /// Names the properties, each declared in `describe`: the client id, the
    /// client secret (`secret`), where the host stores the access token
    /// (`secret`), the refresh token (`secret`) and the access token's expiry
    /// (RFC 3339, not secret). The host refuses a spec naming a property that
    /// is not declared so. A connector only ever receives the access token:
    /// the host withholds the client secret and the refresh token.
    pub fn properties(
        mut self,
        client_id: &str,
        client_secret: &str,
        access_token: &str,
        refresh_token: &str,
        expires_at: &str,
    ) -> Self {
        self.client_id_property = client_id.into();
        self.client_secret_property = client_secret.into();
        self.access_token_property = access_token.into();
        self.refresh_token_property = refresh_token.into();
        self.expires_at_property = expires_at.into();
        self
    }
}

#[cfg(all(feature = "wit-0-3", not(feature = "wit-0-1")))]
mod wit_0_3 {
    use super::{OAuthBuilder, OAuthClientAuth, OAuthGrants};
    use crate::__private::bindings::syncport::connector::types as wit;

    impl From<OAuthBuilder> for wit::OauthSpec {
        fn from(b: OAuthBuilder) -> Self {
            wit::OauthSpec {
                authorization_url: b.authorization_url,
                token_url: b.token_url,
                scopes: b.scopes,
                grants: b.grants.into(),
                client_auth: b.client_auth.into(),
                client_id_property: b.client_id_property,
                client_secret_property: b.client_secret_property,
                access_token_property: b.access_token_property,
                refresh_token_property: b.refresh_token_property,
                expires_at_property: b.expires_at_property,
            }
        }
    }

    impl From<OAuthGrants> for wit::OauthGrants {
        fn from(g: OAuthGrants) -> Self {
            let mut wit = wit::OauthGrants::empty();
            if g.authorization_code {
                wit = wit | wit::OauthGrants::AUTHORIZATION_CODE;
            }
            if g.refresh_token {
                wit = wit | wit::OauthGrants::REFRESH_TOKEN;
            }
            if g.client_credentials {
                wit = wit | wit::OauthGrants::CLIENT_CREDENTIALS;
            }
            wit
        }
    }

    /// The grants `describe` reports, e.g. to check them in a test.
    impl From<wit::OauthGrants> for OAuthGrants {
        fn from(wit: wit::OauthGrants) -> Self {
            let has = |flag: wit::OauthGrants| (wit & flag).bits() != 0;
            OAuthGrants {
                authorization_code: has(wit::OauthGrants::AUTHORIZATION_CODE),
                refresh_token: has(wit::OauthGrants::REFRESH_TOKEN),
                client_credentials: has(wit::OauthGrants::CLIENT_CREDENTIALS),
            }
        }
    }

    impl From<OAuthClientAuth> for wit::OauthClientAuth {
        fn from(a: OAuthClientAuth) -> Self {
            match a {
                OAuthClientAuth::Basic => wit::OauthClientAuth::Basic,
                OAuthClientAuth::Body => wit::OauthClientAuth::Body,
            }
        }
    }

    /// The client auth `describe` reports, e.g. to check it in a test.
    impl From<wit::OauthClientAuth> for OAuthClientAuth {
        fn from(wit: wit::OauthClientAuth) -> Self {
            match wit {
                wit::OauthClientAuth::Basic => OAuthClientAuth::Basic,
                wit::OauthClientAuth::Body => OAuthClientAuth::Body,
            }
        }
    }
}
