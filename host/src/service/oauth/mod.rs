//! OAuth 2.0 through the host (docs/oauth.md). A connector declares its
//! endpoints and token properties in `describe` ([`OAuthSpec`]); the host
//! runs the flows and keeps the tokens as the connection's secrets:
//!
//! - [`authorize`](mod@authorize): the authorization-code flow with PKCE, from
//!   `POST /connections/{id}/oauth/authorize` to the callback.
//! - `renew`: tokens renewed before a call when they expire soon, and once
//!   after a call fails with `auth_failed`; one renewal at a time per
//!   connection across servers.
//! - `tokens`: the token endpoint, reached through the egress guard.

pub mod authorize;
mod renew;
mod tokens;

pub use authorize::{Authorization, Callback, CallbackQuery, callback, start};
pub use renew::with_tokens;

use crate::connections::Properties;
use crate::connector::model::OAuthSpec;
use crate::runtime::egress::endpoint::Endpoint;
use std::time::Duration;

/// The path of the callback under the server's public URL.
pub const CALLBACK_PATH: &str = "/api.rsc/v2/oauth/callback";

/// The server's OAuth settings.
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// The server's public URL (`--public-url`): its own redirect URI is this
    /// plus [`CALLBACK_PATH`].
    pub public_url: Option<String>,
    /// The server-wide redirect URI (`--oauth-callback-url`), used by
    /// connections whose `use_cdata_callback_url` is true.
    pub callback_url: Option<String>,
    /// How long an authorization's `state` is accepted.
    pub state_ttl: Duration,
    /// Tokens expiring within this are renewed before a call.
    pub renew_margin: Duration,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            public_url: None,
            callback_url: None,
            state_ttl: Duration::from_secs(600),
            renew_margin: Duration::from_secs(60),
        }
    }
}

/// Why OAuth did not give a connection working tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct OAuthFailure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// What happened and what to do, without any secret.
    pub message: String,
}

/// The kinds of [`OAuthFailure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The connection must be authorized (again) by a user.
    NeedsCredentials,
    /// The token endpoint could not be reached or answered wrongly.
    TokenEndpoint,
}

impl OAuthFailure {
    /// The stable code: `needs_credentials` or `oauth_token_failed`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            FailureKind::NeedsCredentials => "needs_credentials",
            FailureKind::TokenEndpoint => "oauth_token_failed",
        }
    }

    fn needs_credentials(message: impl Into<String>) -> Self {
        Self { kind: FailureKind::NeedsCredentials, message: message.into() }
    }

    fn token_endpoint(message: impl Into<String>) -> Self {
        Self { kind: FailureKind::TokenEndpoint, message: message.into() }
    }
}

/// The connection's access token, if it has one.
fn access_token<'a>(c: &'a crate::connections::Connection, spec: &OAuthSpec) -> Option<&'a str> {
    c.properties.get(&spec.access_token_property).filter(|t| !t.is_empty())
}

/// After an update that changes where the host sends a connection's OAuth
/// credentials (a property either endpoint names, or the client id), drops
/// the stored tokens, and the client secret unless the update set it
/// (`secret_set`): whoever may change a connection must not be able to
/// point its stored refresh token and client secret at another host.
pub(crate) fn forget_moved_credentials(
    spec: &OAuthSpec,
    before: &Properties,
    after: &mut Properties,
    secret_set: bool,
) {
    let endpoints = [&spec.authorization_url, &spec.token_url];
    let mut watched: Vec<String> = endpoints
        .iter()
        .filter_map(|text| Endpoint::parse(text).ok())
        .flat_map(|e| e.properties().into_iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    watched.push(spec.client_id_property.clone());
    if watched.iter().all(|name| before.get(name) == after.get(name)) {
        return;
    }
    for name in spec.token_properties() {
        after.remove(name);
    }
    if !secret_set {
        after.remove(&spec.client_secret_property);
    }
}
