//! The authorization-code flow with PKCE (RFC 6749 4.1, RFC 7636):
//! [`start`] hands out the URL a user opens, with a `state` bound to the
//! connection, the user and an expiry; [`callback`] takes that state (once),
//! exchanges the code at the token endpoint, stores the tokens and tests
//! the connection.

use super::tokens::{self, Grant};
use super::{OAuthFailure, OAuthSettings};
use crate::auth::{Action, Principal};
use crate::connections::{Connection, Status};
use crate::connector::model::OAuthSpec;
use crate::logs::OperationRecord;
use crate::service::connections::{self, find, write_credentials};
use crate::service::{ServiceError, ServiceResult, Services, plugin_for};
use crate::store::OAuthState;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::time::Instant;
use uuid::Uuid;

/// What a user opens to authorize a connection.
#[derive(Debug, Clone)]
pub struct Authorization {
    /// The provider's authorization URL, with every parameter.
    pub authorization_url: String,
    /// The state: single use, until `expires_at`.
    pub state: String,
    /// When the state stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// Where the provider sends the browser back.
    pub redirect_uri: String,
}

/// What the provider sends the browser back with. No `Debug`: the code is
/// a credential until it is used.
#[derive(Default)]
pub struct CallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The state handed out by [`start`].
    pub state: Option<String>,
    /// The provider's error, when the user or the provider refused.
    pub error: Option<String>,
    /// The provider's explanation of `error`.
    pub error_description: Option<String>,
}

/// How a callback ended.
#[derive(Debug, Clone)]
pub struct Callback {
    /// The connection authorized.
    pub connection_id: Uuid,
    /// Its name.
    pub connection_name: String,
    /// Its status after the test that followed.
    pub status: Status,
    /// What the test said.
    pub message: String,
}

/// The context a state is sealed under.
const VERIFIER_CONTEXT: &str = "oauth-pkce-verifier";

/// Starts authorizing `connection` for `principal`: the URL to open.
pub async fn start(
    services: &Services,
    connection: &Connection,
    principal: &Principal,
) -> ServiceResult<Authorization> {
    let plugin = plugin_for(&services.registry, connection)?;
    let spec = match &plugin.info().oauth {
        Some(spec) if spec.grants.authorization_code => spec,
        Some(_) => {
            return Err(ServiceError::rejected(
                "oauth_not_supported",
                format!(
                    "{} {} gets its tokens with client credentials; it needs no browser authorization.",
                    connection.connector, connection.connector_version
                ),
                None,
            ));
        }
        None => {
            return Err(ServiceError::rejected(
                "oauth_not_supported",
                format!("{} {} does not use OAuth.", connection.connector, connection.connector_version),
                None,
            ));
        }
    };
    let client_id = required(connection, &spec.client_id_property)?;
    let redirect_uri = redirect_uri(&services.oauth, connection)?;
    let mut url = plugin.endpoint(&spec.authorization_url, &connection.properties.to_vec()).map_err(|why| {
        ServiceError::rejected("invalid_oauth_endpoint", format!("The authorization endpoint: {why}."), None)
    })?;
    let state = random_token();
    let verifier = random_token();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", &redirect_uri);
        if !spec.scopes.is_empty() {
            query.append_pair("scope", &spec.scopes.join(" "));
        }
        query
            .append_pair("state", &state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
    }
    let ttl = chrono::Duration::from_std(services.oauth.state_ttl).unwrap_or_default();
    let expires_at = crate::store::now() + ttl;
    let sealed_verifier = services
        .store
        .keyring()
        .seal(verifier.as_bytes(), VERIFIER_CONTEXT)
        .map_err(|e| ServiceError::Internal(format!("sealing a PKCE verifier: {e}")))?;
    let stored = OAuthState {
        state_hash: hash(&state),
        connection_id: connection.id,
        user_id: principal.user_id,
        sealed_verifier,
        redirect_uri: redirect_uri.clone(),
        expires_at,
    };
    services.store.add_oauth_state(&stored).await?;
    let outcome = format!("authorization started by `{}`, redirect URI {redirect_uri}", principal.name);
    let record = OperationRecord::new("oauth-authorize", true, outcome, std::time::Duration::ZERO);
    services.logs.record(connection.id, connection.settings.logfile_verbosity, record).await;
    Ok(Authorization { authorization_url: url.to_string(), state, expires_at, redirect_uri })
}

/// Ends an authorization: takes its state (a second use finds nothing),
/// exchanges the code, stores the tokens, tests the connection.
pub async fn callback(services: &Services, query: CallbackQuery) -> ServiceResult<Callback> {
    let invalid = || {
        ServiceError::rejected(
            "oauth_state_invalid",
            "This authorization link is not valid: it was already used, or never handed out by this server. Start the authorization again.",
            Some("state".to_string()),
        )
    };
    let state = query.state.as_deref().filter(|s| !s.is_empty() && s.len() <= 256).ok_or_else(invalid)?;
    let taken = services.store.take_oauth_state(&hash(state)).await?.ok_or_else(invalid)?;
    if taken.expires_at < Utc::now() {
        return Err(ServiceError::rejected(
            "oauth_state_expired",
            "This authorization link has expired; start the authorization again.",
            Some("state".to_string()),
        ));
    }
    let connection = find(&services.store, &taken.connection_id.to_string()).await?;
    let user = services.store.user(taken.user_id).await?;
    let allowed = user.is_some_and(|u| {
        let principal = Principal { user_id: u.id, name: u.name, role: u.role, workspaces: u.workspaces };
        principal.check(&connection.workspace_id, Action::Write).is_ok()
    });
    if !allowed {
        return Err(ServiceError::rejected(
            "oauth_state_invalid",
            "The user who started this authorization may no longer change the connection.",
            Some("state".to_string()),
        ));
    }
    let verbosity = connection.settings.logfile_verbosity;
    if let Some(error) = &query.error {
        let error: String = error.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
        let message = format!("The provider did not authorize the connection ({error}); nothing was stored.");
        let record = OperationRecord::new("oauth-callback", false, message.clone(), std::time::Duration::ZERO);
        services.logs.record(connection.id, verbosity, record).await;
        return Err(ServiceError::rejected("oauth_denied", message, Some("error".to_string())));
    }
    let code = query.code.as_deref().filter(|c| !c.is_empty()).ok_or_else(|| {
        ServiceError::rejected("missing_parameter", "The provider sent no `code`.", Some("code".to_string()))
    })?;
    let plugin = plugin_for(&services.registry, &connection)?;
    let spec: &OAuthSpec = plugin.info().oauth.as_ref().ok_or_else(|| {
        ServiceError::rejected("oauth_not_supported", "The connection's connector no longer uses OAuth.", None)
    })?;
    let verifier = services
        .store
        .keyring()
        .open(&taken.sealed_verifier, VERIFIER_CONTEXT)
        .map_err(|e| ServiceError::Internal(format!("opening a PKCE verifier: {e}")))?;
    let verifier =
        String::from_utf8(verifier).map_err(|_| ServiceError::Internal("a PKCE verifier is not text".into()))?;
    let started = Instant::now();
    let grant = Grant::Code { code, verifier: &verifier, redirect_uri: &taken.redirect_uri };
    let (result, lines) = tokens::request(&plugin, spec, &connection.properties, grant).await;
    let tokens = match result {
        Ok(tokens) => tokens,
        Err(error) => {
            let message = format!("Exchanging the authorization code failed: {error}.");
            let record =
                OperationRecord::new("oauth-callback", false, message.clone(), started.elapsed()).with_plugin(&lines);
            services.logs.record(connection.id, verbosity, record).await;
            return Err(ServiceError::OAuth(OAuthFailure::token_endpoint(message)));
        }
    };
    let written = write_credentials(services, connection, |c| {
        let mut next = c.clone();
        tokens::store(&mut next.properties, spec, &tokens, Utc::now());
        next.status = Status::Untested;
        Some(next)
    })
    .await?;
    services.store.clear_cache(written.id).await?;
    let lifetime = tokens.expires_in.map(|s| format!(", valid {s} s")).unwrap_or_default();
    let outcome = format!("authorized: tokens stored{lifetime}");
    let record = OperationRecord::new("oauth-callback", true, outcome, started.elapsed()).with_plugin(&lines);
    services.logs.record(written.id, verbosity, record).await;
    let tested = connections::test(services, &written).await?;
    let (status, message) = match tested.result {
        Ok(message) => (Status::Ok, message),
        Err(failure) => (Status::Failed, format!("{}: {}", failure.code, failure.message)),
    };
    Ok(Callback { connection_id: written.id, connection_name: written.name, status, message })
}

/// The redirect URI of `connection`: the server-wide callback URL when its
/// `use_cdata_callback_url` is set, else the server's own.
fn redirect_uri(settings: &OAuthSettings, connection: &Connection) -> ServiceResult<String> {
    if connection.settings.use_cdata_callback_url {
        return settings.callback_url.clone().ok_or_else(|| {
            ServiceError::rejected(
                "oauth_callback_not_configured",
                "The connection's `use_cdata_callback_url` is true, but this server has no server-wide callback URL; start it with --oauth-callback-url, or set the setting to false.",
                Some("settings.use_cdata_callback_url".to_string()),
            )
        });
    }
    match &settings.public_url {
        Some(base) => Ok(format!("{}{}", base.trim_end_matches('/'), super::CALLBACK_PATH)),
        None => Err(ServiceError::Internal("the server has no public URL".into())),
    }
}

/// The value of a property the flow needs, or a 400 naming it.
fn required<'a>(connection: &'a Connection, name: &str) -> ServiceResult<&'a str> {
    connection.properties.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
        ServiceError::rejected(
            "missing_property",
            format!("Set `{name}` (the OAuth client registered at the provider) before authorizing."),
            Some(format!("properties.{name}")),
        )
    })
}

/// 32 random bytes, base64url: a state or a PKCE verifier (43 characters).
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a state.
fn hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenges_are_the_unpadded_base64url_sha256_of_the_verifier() {
        // As Python computes it: base64.urlsafe_b64encode(sha256(v)).rstrip("=").
        let verifier = "dBjftJeZ4CVP-mJ92K1uqvvwF0D7eF7vgRRvW3ZSnpw";
        assert_eq!(
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            "FRcAjV7gZ1q37Ro-l0fF5tzSZJinfH_KfEZRBTm9g-A"
        );
        assert_eq!(random_token().len(), 43);
        assert_ne!(random_token(), random_token());
    }
}
