//! The list of users.

use super::super::api::List;
use super::super::page::{self, Section};
use super::super::parts::Done;
use super::super::session::Signed;
use super::{User, user_path, workspace_labels};
use axum::extract::Query;
use axum::response::Response;
use maud::{Markup, html};

/// `GET /users`: every user.
pub(super) async fn list(signed: Signed, Query(query): Query<Done>) -> Response {
    let users: List<User> = match signed.api.get("/users").await {
        Ok(users) => users,
        Err(failure) => return page::fail(&failure),
    };
    let body = html! {
        (page::notice(query.done.as_deref()))
        div.actions { a.button href="/users/new" { "New user" } }
        div.scroll { table.responsive #user-list {
            thead { tr { th { "Name" } th { "Role" } th { "Workspaces" } th { "Tokens" } th { "Created" } } }
            tbody { @for user in &users.value { (user_row(user)) } }
        } }
    };
    page::page(&signed, "Users", Section::Users, None, body).await
}

/// One row of the list.
fn user_row(user: &User) -> Markup {
    html! {
        tr {
            td data-label="Name" { a href=(user_path(&user.id)) { (user.name) } }
            td data-label="Role" { (user.role) }
            td data-label="Workspaces" { (workspace_labels(user)) }
            td data-label="Tokens" { (user.tokens.len()) }
            td data-label="Created" { (page::when(Some(&user.created_at))) }
        }
    }
}
