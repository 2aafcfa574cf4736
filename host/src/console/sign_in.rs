//! Signing in with a token (and, optionally, the user name it must belong
//! to), signing out, and the way in (`/`).

use super::Console;
use super::api::{query, segment};
use super::page;
use super::session::{
    CSRF_FIELD, Fields, FieldsExt, Posted, Session, Signed, clear_cookie, client_ip, presented_cookie, set_cookie,
};
use crate::api::error::ApiError;
use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::html;
use std::collections::HashMap;

/// The cookie that ties the sign-in form to the browser that loaded it (so
/// no other site can sign a browser in to an account of its choosing).
const FORM_COOKIE: &str = "syncport-sign-in";

/// The routes of signing in and out.
pub fn router() -> Router<Console> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(form).post(sign_in))
        .route("/sign-out", axum::routing::post(sign_out))
        .route("/workspace", get(pick_workspace))
}

/// `/`: the connections of the user's first workspace (or, without one,
/// a page that says so).
async fn home(signed: Signed) -> Response {
    match signed.api.workspaces().await {
        Ok(list) => match list.first() {
            Some(first) => Redirect::to(&format!("/workspaces/{}/connections", segment(&first.id))).into_response(),
            None => {
                let body = html! { p #no-workspace { "You have no workspace yet: ask an admin to grant you one." } };
                page::page(&signed, "No workspace", page::Section::Connectors, None, body).await
            }
        },
        Err(failure) => page::fail(&failure),
    }
}

/// `/workspace?workspace=W&section=S`: the header's workspace picker.
async fn pick_workspace(Query(params): Query<HashMap<String, String>>) -> Redirect {
    let workspace = params.get("workspace").map_or("default", String::as_str);
    let section = if params.get("section").is_some_and(|s| s == "jobs") { "jobs" } else { "connections" };
    Redirect::to(&format!("/workspaces/{}/{section}", segment(workspace)))
}

/// A path of this site to go back to after signing in: `/` for anything
/// else (another origin, a scheme-relative `//host` or `/\\host`, or
/// whitespace and control characters, which browsers drop from URLs).
fn local(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n[1..].starts_with(['/', '\\'])
                && !n.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') =>
        {
            n
        }
        _ => "/",
    }
}

/// The sign-in form, with a fresh form token in its cookie.
fn sign_in_page(console: &Console, next: &str, status: StatusCode, error: Option<&str>) -> Response {
    let mut nonce = [0u8; 16];
    let _ = getrandom::fill(&mut nonce);
    let nonce = hex::encode(nonce);
    let cookie = set_cookie(console, FORM_COOKIE, nonce.clone(), None);
    let body = html! {
        @if let Some(error) = error { div.error role="alert" id="sign-in-error" { p { (error) } } }
        form.stack method="post" action="/sign-in" {
            input type="hidden" name=(CSRF_FIELD) value=(nonce);
            input type="hidden" name="next" value=(next);
            div.field {
                label for="user" { "User name " span.muted { "(optional)" } }
                input #user name="user" autocomplete="username";
                p.help { "When given, the token must belong to this user." }
            }
            div.field {
                label for="token" { "Token " span.required aria-hidden="true" { "*" } }
                input #token name="token" type="password" required autocomplete="current-password";
                p.help { "An API token: the admin token printed at the first start, or one an admin made for you (Users page, or "
                    code { "POST /api.rsc/v2/users/{id}/generate-token" } ")." }
            }
            div.actions { button type="submit" { "Sign in" } }
        }
    };
    let mut response = (status, page::public("Sign in", body)).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// `GET /sign-in`
async fn form(State(console): State<Console>, Query(params): Query<HashMap<String, String>>) -> Response {
    sign_in_page(&console, local(params.get("next").map(String::as_str)), StatusCode::OK, None)
}

/// `POST /sign-in`: checks the token as the API does (the same failure
/// limit per address), then stores the session.
async fn sign_in(State(console): State<Console>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let ip = client_ip(&parts);
    let expected = presented_cookie(&console, &parts.headers, FORM_COOKIE);
    let request = Request::from_parts(parts, body);
    let Ok(axum::Form(fields)) =
        <axum::Form<Fields> as axum::extract::FromRequest<()>>::from_request(request, &()).await
    else {
        return sign_in_page(&console, "/", StatusCode::BAD_REQUEST, Some("The form did not read; try again."));
    };
    let next = local(fields.value("next")).to_string();
    let presented = fields.value(CSRF_FIELD);
    if expected.is_none() || expected.as_deref() != presented {
        let message = "The sign-in form expired or did not come from this console; try again.";
        return sign_in_page(&console, &next, StatusCode::FORBIDDEN, Some(message));
    }
    let principal = crate::api::auth::principal(&console.state, ip, fields.value("token")).await;
    let refusal = match (principal, fields.value("user")) {
        (Ok(p), Some(user)) if p.name != user => {
            console.state.auth_failures.fail(ip);
            Some((StatusCode::UNAUTHORIZED, "That token does not belong to that user.".to_string()))
        }
        (Ok(_), _) => None,
        (Err(ApiError::TooManyAuthFailures { retry_after }), _) => Some((
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed sign-ins from this address: wait {retry_after} s and try again."),
        )),
        (Err(ApiError::Unauthorized(_)), _) => {
            Some((StatusCode::UNAUTHORIZED, "The token is not valid (unknown, revoked or expired).".to_string()))
        }
        (Err(error), _) => Some((
            error.into_response().status(),
            "The server could not check the token; the failure is logged.".to_string(),
        )),
    };
    if let Some((status, message)) = refusal {
        return sign_in_page(&console, &next, status, Some(&message));
    }
    let session = Session::new(fields.value("token").unwrap_or_default().to_string());
    match session.cookie(&console) {
        Ok(cookie) => {
            let used = set_cookie(&console, FORM_COOKIE, String::new(), None);
            let cookies = AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, used)]);
            (cookies, Redirect::to(&next)).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "sealing a console session");
            page::problem(StatusCode::INTERNAL_SERVER_ERROR, "The session could not be stored; the failure is logged.")
        }
    }
}

/// `POST /sign-out`: forgets the session in this browser.
async fn sign_out(State(console): State<Console>, _posted: Posted) -> Response {
    let to = format!("/sign-in?{}", query([("signed-out", "1")]));
    ([(header::SET_COOKIE, clear_cookie(&console))], Redirect::to(&to)).into_response()
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        for kept in ["/", "/connections/1?x=1", "/workspaces/a/jobs"] {
            assert_eq!(local(Some(kept)), kept);
        }
        for refused in ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example", "evil", ""] {
            assert_eq!(local(Some(refused)), "/", "{refused:?}");
        }
        assert_eq!(local(None), "/");
    }
}
