//! OAuth through the host (docs/oauth.md): `POST
//! /connections/{id}/oauth/authorize` starts an authorization, and `GET
//! /oauth/callback` (public: the single-use state authenticates it) ends
//! it, answering a browser with a small HTML page and other clients with JSON.

use super::connections::find_as;
use super::error::{ApiError, ApiResult};
use super::extract::{Params, Path};
use super::state::AppState;
use crate::auth::{Action, Principal};
use crate::service::oauth::{self, CallbackQuery};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The route that needs a token.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(authorize))
}

/// The public route: the provider sends the user's browser there.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(callback))
}

/// An authorization started: the URL the user opens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthorizationView {
    /// The provider's authorization URL: open it in a browser.
    pub authorization_url: String,
    /// The state bound to this authorization (single use).
    pub state: String,
    /// When the state stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// Where the provider sends the browser back: register it at the provider.
    pub redirect_uri: String,
}

/// `POST /connections/{connection_id}/oauth/authorize`: starts the
/// authorization-code flow with PKCE for the connection.
#[utoipa::path(post, operation_id = "authorize_connection", path = "/connections/{connection_id}/oauth/authorize",
    tag = "connections",
    params(("connection_id" = String, Path, description = "The connection id.")),
    responses((status = 200, body = AuthorizationView), (status = 400, body = crate::api::error::ErrorResponse),
        (status = 404, body = crate::api::error::ErrorResponse)))]
pub async fn authorize(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<AuthorizationView>> {
    params.only(&[])?;
    let connection = find_as(&state.store, &principal, &id, Action::Write).await?;
    let started = oauth::start(&state.services(), &connection, &principal).await?;
    Ok(Json(AuthorizationView {
        authorization_url: started.authorization_url,
        state: started.state,
        expires_at: started.expires_at,
        redirect_uri: started.redirect_uri,
    }))
}

/// How an authorization ended.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CallbackView {
    /// The connection authorized.
    pub connection_id: String,
    /// Its status after the test that followed: `ok` or `failed`.
    pub status: String,
    /// What the test said.
    pub message: String,
}

/// `GET /oauth/callback`: where the provider sends the browser back. Takes
/// the state (once), exchanges the code at the token endpoint, stores the
/// tokens as the connection's secrets and tests it. A small HTML page for a
/// browser (`Accept` names `text/html` first), JSON for any other client.
#[utoipa::path(get, operation_id = "oauth_callback", path = "/oauth/callback", tag = "connections",
    params(
        ("code" = Option<String>, Query, description = "The authorization code."),
        ("state" = Option<String>, Query, description = "The state handed out by authorize."),
        ("error" = Option<String>, Query, description = "The provider's error, when it refused."),
        ("error_description" = Option<String>, Query, description = "The provider's explanation."),
    ),
    responses(
        (status = 200, description = "Authorized.", content((CallbackView = "application/json"), (String = "text/html"))),
        (status = 400, description = "The state is unknown, used or expired, or the provider refused.",
            content((crate::api::error::ErrorResponse = "application/json"), (String = "text/html"))),
        (status = 404, description = "The connection was deleted meanwhile.",
            content((crate::api::error::ErrorResponse = "application/json"), (String = "text/html"))),
        (status = 502, description = "The token endpoint failed.",
            content((crate::api::error::ErrorResponse = "application/json"), (String = "text/html"))),
    ))]
pub async fn callback(State(state): State<AppState>, headers: HeaderMap, params: Params) -> Response {
    let query = CallbackQuery {
        code: params.get("code").map(str::to_string),
        state: params.get("state").map(str::to_string),
        error: params.get("error").map(str::to_string),
        error_description: params.get("error_description").map(str::to_string),
    };
    let json = !wants_html(&headers);
    match oauth::callback(&state.services(), query).await {
        Ok(done) => {
            let view = CallbackView {
                connection_id: done.connection_id.to_string(),
                status: done.status.as_str().to_string(),
                message: done.message,
            };
            if json {
                return Json(view).into_response();
            }
            let title = if view.status == "ok" {
                format!("Connection `{}` is authorized", done.connection_name)
            } else {
                format!("Connection `{}` is authorized, but its test failed", done.connection_name)
            };
            page(StatusCode::OK, &title, &view.message, Some(&view.connection_id))
        }
        Err(error) => {
            let error = ApiError::from(error);
            if json {
                return error.into_response();
            }
            let message = match &error {
                ApiError::Internal(_) => "The server failed to finish the authorization; the failure is logged.".into(),
                other => other.to_string(),
            };
            // The response logs an internal error; the page keeps its status.
            let status = error.into_response().status();
            page(status, "The connection was not authorized", &message, None)
        }
    }
}

/// Whether the client is a browser: its `Accept` names `text/html` (as
/// every browser's navigation does), before any `application/json`.
fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match (accept.find("text/html"), accept.find("application/json")) {
        (Some(html), Some(json)) => html < json,
        (html, _) => html.is_some(),
    }
}

/// A small page (maud escapes `title` and `text`), with a link to the
/// connection's console page when the authorization went through.
fn page(status: StatusCode, title: &str, text: &str, connection: Option<&str>) -> Response {
    let body = maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body {
                h1 { (title) }
                p { (text) }
                @if let Some(id) = connection {
                    p { a href=(format!("/connections/{id}")) { "Back to the connection in the console" } }
                }
                p { "You can close this window." }
            }
        }
    };
    let mut response = (status, Html(body.into_string())).into_response();
    // The page must not be framed or cached: it ends a sign-in.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn pages_escape_what_they_show() {
        let response = page(StatusCode::OK, "<b a='1'>", "&\"</b>", None);
        let body = response.into_body().collect().await.expect("a body").to_bytes();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("&lt;b a='1'&gt;"), "{text}");
        assert!(text.contains("&amp;&quot;&lt;/b&gt;"), "{text}");
    }
}
