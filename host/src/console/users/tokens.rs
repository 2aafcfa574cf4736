//! A user's tokens: the table with their revoke buttons, the form that
//! makes one, and the new token, shown once.

use super::super::api::{Failure, segment};
use super::super::page;
use super::super::parts::{act, button_form, done, field, text_input, whole};
use super::super::session::{FieldsExt, Posted, Signed};
use super::detail::{Shown, again, user_page};
use super::{NewToken, User, UserInput, user_path};
use axum::extract::Path;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::json;

/// A token just made, with the advice to copy it.
pub(super) fn token_box(token: &str) -> Markup {
    html! {
        section.result-ok aria-labelledby="new-token-title" {
            h2 #new-token-title { "New token" }
            p { code #new-token { (token) } }
            p {
                strong { "Copy it now: it is shown this once and never again." }
                " Only its hash is stored; if it is lost, generate another."
            }
        }
    }
}

/// A user's tokens, each with a button that revokes it.
pub(super) fn tokens_table(signed: &Signed, user: &User) -> Markup {
    let path = user_path(&user.id);
    html! {
        div.scroll { table.responsive #tokens {
            thead { tr { th { "Token id" } th { "Created" } th { "Expires" } th { "Actions" } } }
            tbody {
                @for token in &user.tokens { tr {
                    td data-label="Token id" { code { (token.id) } }
                    td data-label="Created" { (page::when(Some(&token.created_at))) }
                    td data-label="Expires" { @match &token.expires_at { Some(t) => (page::when(Some(t))), None => "never" } }
                    td data-label="Actions" {
                        (button_form(signed, &format!("{path}/tokens/{}/revoke", segment(&token.id)),
                            &format!("revoke-{}", token.id), "Revoke", false, true))
                    }
                } }
                @if user.tokens.is_empty() { tr { td colspan="4" { "No tokens: the user cannot sign in." } } }
            }
        } }
    }
}

/// The form that makes a new token for the user at `path`.
pub(super) fn token_form(signed: &Signed, path: &str, expires: &str, failure: Option<&Failure>) -> Markup {
    html! {
        form.stack #token-form method="post" action=(format!("{path}/generate-token")) {
            (page::csrf(signed))
            (field("expires_in_days", "Lifetime (days)", failure,
                "Days until the token expires, 1 to 3650; empty: it never expires.",
                text_input("expires_in_days", "number", expires, failure)))
            div {
                input type="checkbox" id="revoke_others" name="revoke_others" value="1";
                " " label for="revoke_others" { "Revoke the user's other tokens" }
            }
            div.actions { button #generate-button type="submit" { "Generate token" } }
        }
    }
}

/// `POST /users/{id}/generate-token`: the user's page with the new token,
/// shown this once.
pub(super) async fn generate_token(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = &posted.signed;
    let expires = posted.fields.value("expires_in_days").unwrap_or_default();
    let mut body = json!({ "revoke_others": posted.fields.value("revoke_others").is_some() });
    if !expires.is_empty() {
        body["expires_in_days"] = whole(expires);
    }
    let path = format!("{}/generate-token", user_path(&id));
    let new = match signed.api.send::<NewToken>(Method::POST, &path, body).await {
        Ok(new) => new,
        Err(failure) => {
            let input = |user: &User| UserInput { expires: expires.to_string(), ..UserInput::of(user) };
            return again(signed, &id, input, &failure).await;
        }
    };
    match signed.api.get::<User>(&user_path(&id)).await {
        Ok(user) => user_page(signed, &user, Shown { token: Some(&new.token), ..Shown::of(&user) }).await,
        Err(failure) => token_only(&new.token, &failure),
    }
}

/// The new token alone, when the user's page cannot be shown after it was
/// made (the session's own token revoked with the others, say): it must
/// not be lost.
fn token_only(token: &str, failure: &Failure) -> Response {
    let body = html! {
        (token_box(token))
        @if failure.signed_out() {
            p { "This session's token no longer works (it was revoked with the others): "
                a href="/sign-in" { "sign in" } " with the new token." }
        } @else {
            (page::failure_box(failure))
            p { a href="/users" { "Back to users" } }
        }
    };
    page::public("New token", body).into_response()
}

/// `POST /users/{id}/tokens/{token}/revoke`
pub(super) async fn revoke(Path((id, token)): Path<(String, String)>, posted: Posted) -> Response {
    let signed = &posted.signed;
    let path = format!("{}/tokens/{}", user_path(&id), segment(&token));
    match act(signed, Method::DELETE, &path).await {
        Ok(()) => done(&user_path(&id), "token"),
        Err(failure) => again(signed, &id, UserInput::of, &failure).await,
    }
}
