//! The web console at `/`: server-rendered pages over the API itself.
//!
//! Each page calls the API router in process ([`api::Api`]) with the signed
//! in user's token, so the console has the API's rules, roles, workspace
//! scoping and errors, and implements none of its own. The token lives in
//! a sealed, HttpOnly cookie ([`session`]); every form carries the
//! session's CSRF token; pages load one stylesheet and no script
//! ([`assets`]) under a Content-Security-Policy that forbids the rest.
//! See docs/console.md.

mod api;
mod assets;
pub mod connections;
mod connectors;
mod form;
mod jobs;
mod page;
mod parts;
mod session;
mod sign_in;
mod users;

use crate::api::state::AppState;
use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderValue, header};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tower_http::set_header::SetResponseHeaderLayer;

/// What console pages reach: the API to call and the server's state.
#[derive(Clone)]
pub struct Console {
    /// The API router, called in process.
    api: Router,
    /// The server's state (its keyring seals sessions).
    state: AppState,
    /// Whether cookies are marked `Secure` (the public URL is `https`).
    secure: bool,
    /// Turns of the sandbox check (one at a time: each compiles a component).
    checks: Arc<Semaphore>,
}

impl FromRef<Console> for AppState {
    fn from_ref(console: &Console) -> AppState {
        console.state.clone()
    }
}

/// The policy every console page is served under: its own stylesheet and
/// nothing else; no script at all, no framing, forms only to itself.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The console's routes, with `api` (the API router) behind them for every
/// other path.
pub fn router(state: AppState, api: Router) -> Router {
    let secure = state.oauth.public_url.as_deref().is_some_and(|url| url.starts_with("https://"));
    let component_limit = state.component_limit;
    let console = Console { api: api.clone(), state, secure, checks: Arc::new(Semaphore::new(1)) };
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut pages = Router::new()
        .merge(sign_in::router())
        .merge(connections::router())
        .merge(connectors::router(component_limit))
        .merge(jobs::router())
        .merge(users::router())
        .merge(assets::router());
    // A page reloaded after a form (`GET` of a `POST` route) says so.
    let not_allowed = || async {
        page::problem(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "This address takes a form: go back to the page and use its buttons.",
        )
    };
    pages = pages.method_not_allowed_fallback(not_allowed);
    for (name, value) in headers {
        pages = pages.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    pages.with_state(console).fallback_service(api)
}
