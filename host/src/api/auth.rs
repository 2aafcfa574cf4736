//! The HTTP side of [`crate::auth`]: the authentication layer, the
//! [`Principal`] extractor, and authorization failures as API errors.
//!
//! A token in `x-cdata-authtoken`, or HTTP Basic with the token as the
//! password (any user name), as CData Sync accepts. Missing or wrong: 401
//! with `WWW-Authenticate`; too many failures from one address: 429.

use super::error::ApiError;
use super::state::AppState;
use crate::auth::{Action, Denied, Principal, Role, token};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The header CData Sync's API reads the token from.
pub const TOKEN_HEADER: &str = "x-cdata-authtoken";

/// Authenticates the request and puts its [`Principal`] in the extensions.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let ip = client_ip(&request);
    let presented = credentials(request.headers());
    match principal(&state, ip, presented.as_deref()).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

/// The address a request came from (unspecified when the server was not
/// started with connection info, as in unit tests).
pub fn client_ip<B>(request: &axum::http::Request<B>) -> IpAddr {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The user a token presented from `ip` authenticates: the API's and the
/// console's one way in. Missing or wrong: 401 (counted against `ip`); too
/// many failures from `ip`: 429.
pub async fn principal(state: &AppState, ip: IpAddr, presented: Option<&str>) -> Result<Principal, ApiError> {
    if let Some(wait) = state.auth_failures.blocked(ip) {
        return Err(ApiError::TooManyAuthFailures { retry_after: wait.as_secs().max(1) });
    }
    let Some(presented) = presented else {
        state.auth_failures.fail(ip);
        return Err(ApiError::Unauthorized(
            "A token is required: send it in `x-cdata-authtoken` or as the HTTP Basic password.".into(),
        ));
    };
    let hash = token::hash(presented);
    // On PostgreSQL the cache is read only while the database's
    // notifications of other servers' changes are heard.
    if let Some(principal) = state.store.caches_fresh().then(|| state.principals.get(&hash)).flatten() {
        return Ok(principal);
    }
    let generation = state.principals.generation();
    match state.store.user_by_token(&hash).await {
        Ok(Some((user, stored, expires_at))) if token::same(&stored, &hash) => {
            let principal =
                Principal { user_id: user.id, name: user.name, role: user.role, workspaces: user.workspaces };
            state.principals.put(hash, principal.clone(), expires_at, generation);
            Ok(principal)
        }
        Ok(_) => {
            state.auth_failures.fail(ip);
            Err(ApiError::Unauthorized("The token is not valid (unknown, revoked or expired).".into()))
        }
        Err(error) => Err(ApiError::from(error)),
    }
}

/// The token a request presents, if any.
fn credentials(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(value.trim().to_string()).filter(|t| !t.is_empty());
    }
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (_, password) = decoded.split_once(':')?;
    Some(password.to_string()).filter(|t| !t.is_empty())
}

/// Authorization as API errors, for handlers.
pub trait Require {
    /// [`Principal::check`] as an API error: `hidden()` (the 404 of the
    /// resource, as if it did not exist) when the workspace is not granted,
    /// 403 when the role does not allow the action.
    fn require(&self, workspace: &str, action: Action, hidden: impl FnOnce() -> ApiError) -> Result<(), ApiError>;

    /// Fails unless the user is an admin (403).
    fn require_admin(&self) -> Result<(), ApiError>;
}

impl Require for Principal {
    fn require(&self, workspace: &str, action: Action, hidden: impl FnOnce() -> ApiError) -> Result<(), ApiError> {
        match self.check(workspace, action) {
            Ok(()) => Ok(()),
            Err(Denied::Hidden) => Err(hidden()),
            Err(Denied::Forbidden) => Err(forbidden()),
        }
    }

    fn require_admin(&self) -> Result<(), ApiError> {
        if self.role == Role::Admin { Ok(()) } else { Err(forbidden()) }
    }
}

/// The 403 of a role that does not allow an action.
pub fn forbidden() -> ApiError {
    ApiError::Forbidden("Your role does not allow this action.".into())
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("a route outside the authentication layer asked for the caller".into()))
    }
}
