//! Console pages: users ([`list`]), one user's page ([`detail`]), the user
//! forms ([`edit`]), their tokens ([`tokens`]) and deleting a user
//! ([`delete`]). The API lets only admins near users: anyone else gets its
//! 403, shown as a page. A new token is shown once, on the page that
//! answers the post that made it, and never again.

mod delete;
mod detail;
mod edit;
mod list;
mod tokens;

use super::Console;
use super::api::{Workspace, segment};
use super::parts::whole;
use super::session::{Fields, FieldsExt};
use crate::auth::Role;
use axum::Router;
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

/// The routes of the users pages.
pub fn router() -> Router<Console> {
    Router::new()
        .route("/users", get(list::list).post(edit::create))
        .route("/users/new", get(edit::new))
        .route("/users/{id}", get(detail::show).post(edit::update))
        .route("/users/{id}/generate-token", post(tokens::generate_token))
        .route("/users/{id}/tokens/{token}/revoke", post(tokens::revoke))
        .route("/users/{id}/delete", get(delete::ask_delete).post(delete::delete))
}

/// A user as the API shows it.
#[derive(Deserialize)]
struct User {
    /// Its id.
    id: String,
    /// Its name.
    name: String,
    /// `admin`, `standard` or `support`.
    role: String,
    /// The workspaces granted.
    workspaces: Vec<String>,
    /// Its tokens (without their values).
    tokens: Vec<Token>,
    /// When it was created.
    created_at: String,
    /// Its first token, in the answer that created the user only.
    #[serde(default)]
    token: Option<String>,
}

/// A token, without its value.
#[derive(Deserialize)]
struct Token {
    /// Its id.
    id: String,
    /// When it was made.
    created_at: String,
    /// When it stops working, if ever.
    #[serde(default)]
    expires_at: Option<String>,
}

/// A new token.
#[derive(Deserialize)]
struct NewToken {
    /// Its value.
    token: String,
}

/// The `/users/{id}` path of the API and the console.
fn user_path(id: &str) -> String {
    format!("/users/{}", segment(id))
}

/// A user's workspaces as labels.
fn workspace_labels(user: &User) -> Markup {
    html! {
        @for ws in &user.workspaces { span.label { (ws) } " " }
        @if user.role == Role::Admin.as_str() { span.muted { "(admins see every workspace)" } }
        @else if user.workspaces.is_empty() { span.muted { "none" } }
    }
}

/// What the user forms hold: text as typed (or as the user has it).
#[derive(Default)]
struct UserInput {
    /// `name`.
    name: String,
    /// `role`.
    role: String,
    /// `workspaces`: the ids ticked.
    workspaces: Vec<String>,
    /// `expires_in_days` of the new token, as typed.
    expires: String,
}

impl UserInput {
    /// The form of an existing user.
    fn of(user: &User) -> Self {
        UserInput {
            name: user.name.clone(),
            role: user.role.clone(),
            workspaces: user.workspaces.clone(),
            expires: String::new(),
        }
    }

    /// What was posted.
    fn posted(fields: &Fields) -> Self {
        let text = |name: &str| fields.value(name).unwrap_or_default().to_string();
        UserInput {
            name: text("name"),
            role: text("role"),
            workspaces: fields.values("workspaces").into_iter().map(str::to_string).collect(),
            expires: text("expires_in_days"),
        }
    }

    /// The API's body of a user: name, role, workspaces, and with
    /// `expiry`, the first token's `expires_in_days` when given.
    fn body(&self, expiry: bool) -> Value {
        let mut body = json!({ "name": self.name, "role": self.role, "workspaces": self.workspaces });
        if expiry && !self.expires.is_empty() {
            body["expires_in_days"] = whole(&self.expires);
        }
        body
    }
}
