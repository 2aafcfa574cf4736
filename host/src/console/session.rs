//! The console's session: the user's API token, sealed with the server's
//! secret key into an HttpOnly, SameSite=Strict cookie (Secure, with the
//! `__Host-` prefix, when the public URL is HTTPS), and the CSRF token
//! every form must carry back. Sessions last [`LIFETIME`]; revoking the
//! token ends them at once, on every server.

use super::Console;
use super::api::Api;
use crate::api::error::ApiError;
use crate::auth::Principal;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use subtle::ConstantTimeEq;

/// How long a session lasts after sign-in.
pub const LIFETIME: chrono::Duration = chrono::Duration::hours(12);

/// What the sealed cookie is bound to: no other envelope of the key opens
/// as a session.
const CONTEXT: &str = "syncport-console-session-v1";

/// The name of the form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// The session cookie's name (without the `__Host-` prefix of HTTPS).
const SESSION_COOKIE: &str = "syncport-session";

/// The `Set-Cookie` value of the console's cookie `name` holding `value`:
/// `Path=/`, HttpOnly, SameSite=Strict, and over HTTPS `Secure` with the
/// `__Host-` prefix (no sibling host can set it); kept for `max_age`, or
/// for the browser's session when `None`. An empty `value` removes it.
pub fn set_cookie(console: &Console, name: &str, value: String, max_age: Option<chrono::Duration>) -> HeaderValue {
    let name = if console.secure { format!("__Host-{name}") } else { name.to_string() };
    let mut cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(console.secure)
        .same_site(SameSite::Strict)
        .build();
    if let Some(age) = max_age {
        cookie.set_max_age(cookie::time::Duration::seconds(age.num_seconds()));
    }
    if cookie.value().is_empty() {
        cookie.make_removal();
    }
    // Names and values here are ASCII without separators (hex, base64,
    // an envelope); an empty value would only fail to set the cookie.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the console's cookie `name` that a request presents.
pub fn presented_cookie(console: &Console, headers: &HeaderMap, name: &str) -> Option<String> {
    let name = if console.secure { format!("__Host-{name}") } else { name.to_string() };
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// A signed-in browser's session.
#[derive(Serialize, Deserialize)]
pub struct Session {
    token: String,
    csrf: String,
    expires_at: i64,
}

impl Session {
    /// A new session for `token`, with a fresh CSRF token.
    pub fn new(token: String) -> Self {
        let mut csrf = [0u8; 32];
        // Without randomness nothing can be sealed either: `seal` fails too.
        let _ = getrandom::fill(&mut csrf);
        Session { token, csrf: hex::encode(csrf), expires_at: (chrono::Utc::now() + LIFETIME).timestamp() }
    }

    /// The `Set-Cookie` value that stores this session.
    pub fn cookie(&self, console: &Console) -> Result<HeaderValue, crate::secrets::KeyError> {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let sealed = console.state.store.keyring().seal(&json, CONTEXT)?;
        Ok(set_cookie(console, SESSION_COOKIE, sealed, Some(LIFETIME)))
    }

    /// The session a request's cookie holds, if it opens and has not
    /// expired.
    fn from_headers(console: &Console, headers: &HeaderMap) -> Option<Session> {
        let value = presented_cookie(console, headers, SESSION_COOKIE)?;
        let json = console.state.store.keyring().open(&value, CONTEXT).ok()?;
        let session: Session = serde_json::from_slice(&json).ok()?;
        (session.expires_at > chrono::Utc::now().timestamp()).then_some(session)
    }
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn clear_cookie(console: &Console) -> HeaderValue {
    set_cookie(console, SESSION_COOKIE, String::new(), None)
}

/// The client address of a request, when the server knows it.
pub fn client(parts: &Parts) -> Option<SocketAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// The client's IP address as the API's failure limiter counts it
/// (unspecified when unknown, as the API does).
pub fn client_ip(parts: &Parts) -> IpAddr {
    client(parts).map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.ip())
}

/// A request of a signed-in user: the API as that user, who they are,
/// and the CSRF token its forms carry.
pub struct Signed {
    /// The API, called with the session's token.
    pub api: Api,
    /// The user.
    pub principal: Principal,
    /// The CSRF token of the session.
    pub csrf: String,
}

/// Where a request without a session goes: the sign-in page, which comes
/// back to `next` (a path of this site) afterwards.
fn to_sign_in(parts: &Parts) -> Response {
    let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let next = if parts.method == axum::http::Method::GET { next } else { "/" };
    Redirect::to(&format!("/sign-in?{}", super::api::query([("next", next)]))).into_response()
}

impl FromRequestParts<Console> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Console) -> Result<Self, Response> {
        let Some(session) = Session::from_headers(console, &parts.headers) else {
            return Err(to_sign_in(parts));
        };
        match crate::api::auth::principal(&console.state, client_ip(parts), Some(&session.token)).await {
            Ok(principal) => Ok(Signed {
                api: Api::new(console.api.clone(), session.token, client(parts)),
                principal,
                csrf: session.csrf,
            }),
            Err(ApiError::Unauthorized(_)) => {
                let mut response = to_sign_in(parts);
                response.headers_mut().insert(header::SET_COOKIE, clear_cookie(console));
                Err(response)
            }
            Err(ApiError::TooManyAuthFailures { retry_after }) => Err(super::page::problem(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Too many failed sign-ins from this address: wait {retry_after} s and try again."),
            )),
            Err(error) => Err(super::page::problem(
                error.into_response().status(),
                "The server could not check your session; the failure is logged.",
            )),
        }
    }
}

/// The fields of a posted form, in order.
pub type Fields = Vec<(String, String)>;

/// A form posted by a signed-in user whose CSRF token matches the
/// session's; any other post is refused with 403 before a handler runs.
pub struct Posted {
    /// The user.
    pub signed: Signed,
    /// The form's fields (without the CSRF token).
    pub fields: Fields,
}

impl FromRequest<Console> for Posted {
    type Rejection = Response;

    async fn from_request(request: Request, console: &Console) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let signed = Signed::from_request_parts(&mut parts, console).await?;
        let request = Request::from_parts(parts, body);
        let axum::Form(fields): axum::Form<Fields> = axum::Form::from_request(request, console)
            .await
            .map_err(|e| super::page::problem(StatusCode::BAD_REQUEST, &format!("The form did not read: {e}")))?;
        let (csrf, fields): (Fields, Fields) = fields.into_iter().partition(|(name, _)| name == CSRF_FIELD);
        check_csrf(&signed, csrf.first().map(|(_, v)| v.as_str())).map_err(IntoResponse::into_response)?;
        Ok(Posted { signed, fields })
    }
}

/// A form whose CSRF token does not match its session's: 403.
#[derive(Debug)]
pub struct CsrfMismatch;

impl IntoResponse for CsrfMismatch {
    fn into_response(self) -> Response {
        super::page::problem(
            StatusCode::FORBIDDEN,
            "This form is out of date or did not come from this console (its CSRF token does not match): \
             reload the page and try again.",
        )
    }
}

/// Refuses unless `presented` is the session's CSRF token (compared in
/// constant time).
pub fn check_csrf(signed: &Signed, presented: Option<&str>) -> Result<(), CsrfMismatch> {
    let presented = presented.unwrap_or_default();
    if !presented.is_empty() && bool::from(presented.as_bytes().ct_eq(signed.csrf.as_bytes())) {
        return Ok(());
    }
    Err(CsrfMismatch)
}

/// Form field helpers.
pub trait FieldsExt {
    /// The value of field `name`, trimmed; `None` when absent or empty.
    fn value(&self, name: &str) -> Option<&str>;
    /// Every value of field `name`.
    fn values(&self, name: &str) -> Vec<&str>;
}

impl FieldsExt for Fields {
    fn value(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    fn values(&self, name: &str) -> Vec<&str> {
        self.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }
}
