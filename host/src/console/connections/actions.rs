//! A connection's actions: test (the result shown on its page), reset
//! metadata, reset credentials, OAuth authorization, delete.

use super::super::api::segment;
use super::super::page::{self, Section};
use super::super::parts::{self, Confirm, confirm};
use super::super::session::{Posted, Signed};
use super::detail::{Outcome, TestResult, show};
use super::{connection, href};
use axum::extract::Path;
use axum::http::Method;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde_json::{Value, json};

/// `POST /connections/{id}/test`: the connection's page with the result.
pub async fn test(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = posted.signed;
    let path = format!("/connections/{}/test", segment(&id));
    let outcome = match signed.api.send::<TestResult>(Method::POST, &path, json!({})).await {
        Ok(result) => Outcome::Tested(result),
        Err(failure) if failure.signed_out() => return page::fail(&failure),
        Err(failure) => Outcome::Refused(failure),
    };
    show(&signed, &id, outcome, None).await
}

/// Posts `action` of connection `id` to the API; back to the connection's
/// page with `done`, or with the refusal.
async fn act(signed: Signed, id: &str, action: &str, done: &str) -> Response {
    let path = format!("/connections/{}/{action}", segment(id));
    match signed.api.send::<Value>(Method::POST, &path, json!({})).await {
        Ok(_) => Redirect::to(&format!("{}?done={done}", href(id))).into_response(),
        Err(failure) if failure.signed_out() => page::fail(&failure),
        Err(failure) => show(&signed, id, Outcome::Refused(failure), None).await,
    }
}

/// `POST /connections/{id}/reset-metadata`
pub async fn reset_metadata(Path(id): Path<String>, posted: Posted) -> Response {
    act(posted.signed, &id, "reset-metadata", "reset-metadata").await
}

/// `POST /connections/{id}/reset-credentials`
pub async fn reset_credentials(Path(id): Path<String>, posted: Posted) -> Response {
    act(posted.signed, &id, "reset-credentials", "reset-credentials").await
}

/// `POST /connections/{id}/authorize`: a page that goes on to the
/// provider's consent page (docs/oauth.md), whose callback comes back to
/// the API. Not a redirect: a form's redirect to another origin breaks the
/// CSP's `form-action 'self'`, where a link or a refresh does not.
pub async fn authorize(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = posted.signed;
    let path = format!("/connections/{}/oauth/authorize", segment(&id));
    let url = match signed.api.send::<Value>(Method::POST, &path, json!({})).await {
        Ok(answer) => match answer["authorization_url"].as_str() {
            Some(url) => url.to_string(),
            None => return page::problem(StatusCode::BAD_GATEWAY, "The API gave no authorization URL."),
        },
        Err(failure) if failure.signed_out() => return page::fail(&failure),
        Err(failure) => return show(&signed, &id, Outcome::Refused(failure), None).await,
    };
    let c = match connection(&signed.api, &id).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let body = html! {
        meta http-equiv="refresh" content=(format!("0; url={url}"));
        p { "On to the service to authorize " strong { (c.name) } ": sign in there and allow access; \
             you come back here when it is done." }
        p { a.button #continue-authorize href=(url) rel="noreferrer" { "Continue to the service" } }
        p { a href=(href(&c.id)) { "Cancel" } }
    };
    page::page(&signed, &format!("Authorize {}", c.name), Section::Connections, Some(&c.workspace_id), body).await
}

/// `GET /connections/{id}/delete`: asks to confirm.
pub async fn confirm_delete(signed: Signed, Path(id): Path<String>) -> Response {
    let c = match connection(&signed.api, &id).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let question = html! {
        "Delete " strong { (c.name) } " (" (c.connector) " " (c.connector_version) ")? Its stored properties, \
         cached metadata and logs go with it; this cannot be undone."
    };
    let title = format!("Delete {}", c.name);
    let what = Confirm {
        title: &title,
        question,
        action: format!("{}/delete", href(&c.id)),
        back: href(&c.id),
        section: Section::Connections,
        workspace: Some(&c.workspace_id),
    };
    confirm(&signed, what).await
}

/// `POST /connections/{id}/delete`: back to the workspace's list, or the
/// refusal (a job run using it: 409, with what to do).
pub async fn delete(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = posted.signed;
    let c = match connection(&signed.api, &id).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let path = format!("/connections/{}", segment(&id));
    match parts::act(&signed, Method::DELETE, &path).await {
        Ok(_) => {
            Redirect::to(&format!("/workspaces/{}/connections?done=deleted", segment(&c.workspace_id))).into_response()
        }
        Err(failure) if failure.signed_out() => page::fail(&failure),
        Err(failure) => show(&signed, &id, Outcome::Refused(failure), None).await,
    }
}
