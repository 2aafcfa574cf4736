//! Console pages: users, their role and workspaces, and their tokens. The
//! API lets only admins near users: anyone else gets its 403, shown as a
//! page. A new token is shown once, on the page that answers the post that
//! made it, and never again.

use super::Console;
use super::api::{Answer, Failure, segment};
use super::page::{self, Section};
use super::parts::{
    Confirm, Done, act, button_form, complaint, confirm, described, done, field, invalid, text_input, whole,
    with_status,
};
use super::session::{Fields, FieldsExt, Posted, Signed};
use crate::auth::Role;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

/// The routes of the users pages.
pub fn router() -> Router<Console> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/new", get(new))
        .route("/users/{id}", get(show).post(update))
        .route("/users/{id}/generate-token", post(generate_token))
        .route("/users/{id}/tokens/{token}/revoke", post(revoke))
        .route("/users/{id}/delete", get(ask_delete).post(delete))
}

/// The roles the API knows, in the order the select lists them.
const ROLES: [Role; 3] = [Role::Admin, Role::Standard, Role::Support];

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

/// A list of users.
#[derive(Deserialize)]
struct UserList {
    /// By name.
    value: Vec<User>,
}

/// A new token.
#[derive(Deserialize)]
struct NewToken {
    /// Its value.
    token: String,
}

/// A workspace, as much of it as the user forms show.
#[derive(Deserialize)]
struct Workspace {
    /// Its id.
    id: String,
    /// Its name.
    name: String,
}

/// The list of workspaces.
#[derive(Deserialize)]
struct Workspaces {
    /// The workspaces.
    value: Vec<Workspace>,
}

/// The `/users/{id}` path of the API and the console.
fn user_path(id: &str) -> String {
    format!("/users/{}", segment(id))
}

// ---------------------------------------------------------------------------
// The list

/// `GET /users`: every user.
async fn list(signed: Signed, Query(query): Query<Done>) -> Response {
    let users: UserList = match signed.api.get("/users").await {
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

/// A user's workspaces as labels.
fn workspace_labels(user: &User) -> Markup {
    html! {
        @for ws in &user.workspaces { span.label { (ws) } " " }
        @if user.role == Role::Admin.as_str() { span.muted { "(admins see every workspace)" } }
        @else if user.workspaces.is_empty() { span.muted { "none" } }
    }
}

// ---------------------------------------------------------------------------
// The forms

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

/// Every workspace (an admin sees them all).
async fn workspaces(signed: &Signed) -> Answer<Vec<Workspace>> {
    Ok(signed.api.get::<Workspaces>("/workspaces").await?.value)
}

/// The user form: `action` where it posts; with `expiry`, the first
/// token's expiry too (a new user).
fn user_form(
    signed: &Signed,
    action: &str,
    input: &UserInput,
    failure: Option<&Failure>,
    all: &[Workspace],
    expiry: bool,
) -> Markup {
    let roles_help = "admin: everything, users and connectors included; standard: connections and jobs in \
                      its workspaces; support: reads, tests and runs in its workspaces.";
    html! {
        form.stack #user-form method="post" action=(action) {
            (page::csrf(signed))
            (field("name", "Name", failure, "Unique; the user may give it when signing in.",
                text_input("name", "text", &input.name, failure)))
            (field("role", "Role", failure, roles_help, role_select(&input.role, failure)))
            (workspace_boxes(&input.workspaces, all, failure))
            @if expiry {
                (field("expires_in_days", "Token lifetime (days)", failure,
                    "Days until the user's first token expires, 1 to 3650; empty: it never expires.",
                    text_input("expires_in_days", "number", &input.expires, failure)))
            }
            div.actions {
                button type="submit" { @if expiry { "Create user" } @else { "Save" } }
                a href="/users" { "Back to users" }
            }
        }
    }
}

/// The role select, `selected` chosen.
fn role_select(selected: &str, failure: Option<&Failure>) -> Markup {
    html! {
        select #role name="role" aria-invalid=[invalid(failure, "role")] aria-describedby=(described(failure, "role"))
            autofocus[invalid(failure, "role").is_some()] {
            @if Role::parse(selected).is_none() { option value="" selected { "Choose a role" } }
            @for role in ROLES {
                option value=(role.as_str()) selected[role.as_str().eq_ignore_ascii_case(selected)] { (role.as_str()) }
            }
        }
    }
}

/// A checkbox for each workspace, `ticked` ticked.
fn workspace_boxes(ticked: &[String], all: &[Workspace], failure: Option<&Failure>) -> Markup {
    let why = complaint(failure, "workspaces");
    html! {
        fieldset.field.invalid[why.is_some()] id="field-workspaces" aria-describedby=(described(failure, "workspaces")) {
            legend { "Workspaces" }
            @for ws in all {
                @let id = format!("grant-{}", ws.id);
                div {
                    input type="checkbox" id=(id) name="workspaces" value=(ws.id) checked[ticked.contains(&ws.id)];
                    " " label for=(id) { (ws.name) " " span.muted { "(" (ws.id) ")" } }
                }
            }
            p.help id="workspaces-help" { "The workspaces it may use (admins use every workspace)." }
            @if let Some(why) = why { p.why id="workspaces-why" { (why) } }
        }
    }
}

/// `GET /users/new`: the new user form (after asking the API whether the
/// user may see users at all: its own user is admin-only).
async fn new(signed: Signed) -> Response {
    if let Err(failure) = signed.api.get::<User>(&user_path(&signed.principal.user_id.to_string())).await {
        return page::fail(&failure);
    }
    new_page(&signed, &UserInput::default(), None).await
}

/// The new user page, with `input` and what the API refused of it.
async fn new_page(signed: &Signed, input: &UserInput, failure: Option<&Failure>) -> Response {
    let all = match workspaces(signed).await {
        Ok(all) => all,
        Err(failure) => return page::fail(&failure),
    };
    let body = html! {
        @if let Some(failure) = failure { (page::failure_box(failure)) }
        (user_form(signed, "/users", input, failure, &all, true))
    };
    with_status(page::page(signed, "New user", Section::Users, None, body).await, failure)
}

/// `POST /users`: creates the user; the answer is its page with its first
/// token, shown this once.
async fn create(posted: Posted) -> Response {
    let signed = &posted.signed;
    let input = UserInput::posted(&posted.fields);
    match signed.api.send::<User>(Method::POST, "/users", input.body(true)).await {
        Ok(user) => {
            let shown = Shown { token: user.token.as_deref(), done: Some("created"), ..Shown::of(&user) };
            user_page(signed, &user, shown).await
        }
        Err(failure) => new_page(signed, &input, Some(&failure)).await,
    }
}

// ---------------------------------------------------------------------------
// One user

/// What a user's page shows besides the user.
struct Shown<'a> {
    /// The edit form's values (and the new token's expiry).
    input: UserInput,
    /// What the API refused.
    failure: Option<&'a Failure>,
    /// A token just made, shown this once.
    token: Option<&'a str>,
    /// The notice of what was done.
    done: Option<&'a str>,
}

impl Shown<'_> {
    /// The page of `user` as it is.
    fn of(user: &User) -> Self {
        Shown { input: UserInput::of(user), failure: None, token: None, done: None }
    }
}

/// `GET /users/{id}`
async fn show(signed: Signed, Path(id): Path<String>, Query(query): Query<Done>) -> Response {
    match signed.api.get::<User>(&user_path(&id)).await {
        Ok(user) => user_page(&signed, &user, Shown { done: query.done.as_deref(), ..Shown::of(&user) }).await,
        Err(failure) => page::fail(&failure),
    }
}

/// A user's page: a new token if one was just made, what the API refused,
/// the edit form, the tokens, a new token's form, and the way to delete.
async fn user_page(signed: &Signed, user: &User, shown: Shown<'_>) -> Response {
    let all = match workspaces(signed).await {
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
async fn again(signed: &Signed, id: &str, input: impl FnOnce(&User) -> UserInput, failure: &Failure) -> Response {
    match signed.api.get::<User>(&user_path(id)).await {
        Ok(user) => {
            let shown = Shown { input: input(&user), failure: Some(failure), token: None, done: None };
            user_page(signed, &user, shown).await
        }
        Err(_) => page::fail(failure),
    }
}

/// A token just made, with the advice to copy it.
fn token_box(token: &str) -> Markup {
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
fn tokens_table(signed: &Signed, user: &User) -> Markup {
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
fn token_form(signed: &Signed, path: &str, expires: &str, failure: Option<&Failure>) -> Markup {
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

/// `POST /users/{id}`: changes the name, role and workspaces.
async fn update(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = &posted.signed;
    let input = UserInput::posted(&posted.fields);
    match signed.api.send::<User>(Method::PUT, &user_path(&id), input.body(false)).await {
        Ok(_) => done(&user_path(&id), "saved"),
        Err(failure) => again(signed, &id, |_| input, &failure).await,
    }
}

/// `POST /users/{id}/generate-token`: the user's page with the new token,
/// shown this once.
async fn generate_token(Path(id): Path<String>, posted: Posted) -> Response {
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
async fn revoke(Path((id, token)): Path<(String, String)>, posted: Posted) -> Response {
    let signed = &posted.signed;
    let path = format!("{}/tokens/{}", user_path(&id), segment(&token));
    match act(signed, Method::DELETE, &path).await {
        Ok(()) => done(&user_path(&id), "token"),
        Err(failure) => again(signed, &id, UserInput::of, &failure).await,
    }
}

/// `GET /users/{id}/delete`: asks whether to delete the user.
async fn ask_delete(signed: Signed, Path(id): Path<String>) -> Response {
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
async fn delete(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = &posted.signed;
    match act(signed, Method::DELETE, &user_path(&id)).await {
        Ok(()) => done("/users", "deleted"),
        Err(failure) => again(signed, &id, UserInput::of, &failure).await,
    }
}
