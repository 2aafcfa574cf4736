//! One user's page: what the user is, the edit form, the tokens, a new
//! token's form and the way to delete; shown again with what the API
//! refused.

use super::super::api::Failure;
use super::super::page::{self, Section};
use super::super::parts::{Done, with_status};
use super::super::session::Signed;
use super::edit::user_form;
use super::tokens::{token_box, token_form, tokens_table};
use super::{User, UserInput, user_path, workspace_labels};
use axum::extract::{Path, Query};
use axum::response::Response;
use maud::html;

/// What a user's page shows besides the user.
pub(super) struct Shown<'a> {
    /// The edit form's values (and the new token's expiry).
    pub(super) input: UserInput,
    /// What the API refused.
    pub(super) failure: Option<&'a Failure>,
    /// A token just made, shown this once.
    pub(super) token: Option<&'a str>,
    /// The notice of what was done.
    pub(super) done: Option<&'a str>,
}

impl Shown<'_> {
    /// The page of `user` as it is.
    pub(super) fn of(user: &User) -> Self {
        Shown { input: UserInput::of(user), failure: None, token: None, done: None }
    }
}

/// `GET /users/{id}`
pub(super) async fn show(signed: Signed, Path(id): Path<String>, Query(query): Query<Done>) -> Response {
    match signed.api.get::<User>(&user_path(&id)).await {
        Ok(user) => user_page(&signed, &user, Shown { done: query.done.as_deref(), ..Shown::of(&user) }).await,
        Err(failure) => page::fail(&failure),
    }
}

/// A user's page: a new token if one was just made, what the API refused,
/// the edit form, the tokens, a new token's form, and the way to delete.
pub(super) async fn user_page(signed: &Signed, user: &User, shown: Shown<'_>) -> Response {
    let all = match signed.api.workspaces().await {
        Ok(all) => all,
        Err(failure) => return page::fail(&failure),
    };
    let path = user_path(&user.id);
    let failure = shown.failure;
    let body = html! {
        (page::notice(shown.done))
        @if let Some(token) = shown.token { (token_box(token)) }
        @if let Some(failure) = failure { (page::failure_box(failure)) }
        dl.facts {
            dt { "Role" } dd { (user.role) }
            dt { "Workspaces" } dd { (workspace_labels(user)) }
            dt { "Created" } dd { (page::when(Some(&user.created_at))) }
            dt { "Id" } dd { code { (user.id) } }
        }
        h2 { "Role and workspaces" }
        (user_form(signed, &path, &shown.input, failure, &all, false))
        h2 { "Tokens" }
        (tokens_table(signed, user))
        h2 { "New token" }
        (token_form(signed, &path, &shown.input.expires, failure))
        h2 { "Delete" }
        p { a.button.danger #delete-user href=(format!("{path}/delete")) { "Delete user" } }
    };
    with_status(page::page(signed, &user.name, Section::Users, None, body).await, failure)
}

/// A user's page again after the API refused `failure`, its forms filled
/// by `input` from the user; the failure alone if the user cannot be read.
pub(super) async fn again(
    signed: &Signed,
    id: &str,
    input: impl FnOnce(&User) -> UserInput,
    failure: &Failure,
) -> Response {
    match signed.api.get::<User>(&user_path(id)).await {
        Ok(user) => {
            let shown = Shown { input: input(&user), failure: Some(failure), token: None, done: None };
            user_page(signed, &user, shown).await
        }
        Err(_) => page::fail(failure),
    }
}
