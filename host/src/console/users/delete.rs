//! Deleting a user, after asking.

use super::super::page::{self, Section};
use super::super::parts::{Confirm, act, confirm, done};
use super::super::session::{Posted, Signed};
use super::detail::again;
use super::{User, UserInput, user_path};
use axum::extract::Path;
use axum::http::Method;
use axum::response::Response;
use maud::html;

/// `GET /users/{id}/delete`: asks whether to delete the user.
pub(super) async fn ask_delete(signed: Signed, Path(id): Path<String>) -> Response {
    let user = match signed.api.get::<User>(&user_path(&id)).await {
        Ok(user) => user,
        Err(failure) => return page::fail(&failure),
    };
    let question =
        html! { "Delete the user " strong { (user.name) } " and every token of theirs? This cannot be undone." };
    let what = Confirm {
        title: "Delete user",
        question,
        action: format!("{}/delete", user_path(&id)),
        back: user_path(&id),
        section: Section::Users,
        workspace: None,
    };
    confirm(&signed, what).await
}

/// `POST /users/{id}/delete`: deletes the user; the list after.
pub(super) async fn delete(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = &posted.signed;
    match act(signed, Method::DELETE, &user_path(&id)).await {
        Ok(()) => done("/users", "deleted"),
        Err(failure) => again(signed, &id, UserInput::of, &failure).await,
    }
}
