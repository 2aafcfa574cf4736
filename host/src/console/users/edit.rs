//! The user forms: a new user (new, create) and an existing one's role and
//! workspaces (update; the form itself is on the user's page).

use super::super::api::Failure;
use super::super::page::{self, Section};
use super::super::parts::{complaint, described, done, field, invalid, text_input, with_status};
use super::super::session::{Posted, Signed};
use super::detail::{Shown, again, user_page};
use super::{User, UserInput, Workspace, user_path};
use crate::auth::Role;
use axum::extract::Path;
use axum::http::Method;
use axum::response::Response;
use maud::{Markup, html};

/// The roles the API knows, in the order the select lists them.
const ROLES: [Role; 3] = [Role::Admin, Role::Standard, Role::Support];

/// The user form: `action` where it posts; with `expiry`, the first
/// token's expiry too (a new user).
pub(super) fn user_form(
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
pub(super) async fn new(signed: Signed) -> Response {
    if let Err(failure) = signed.api.get::<User>(&user_path(&signed.principal.user_id.to_string())).await {
        return page::fail(&failure);
    }
    new_page(&signed, &UserInput::default(), None).await
}

/// The new user page, with `input` and what the API refused of it.
async fn new_page(signed: &Signed, input: &UserInput, failure: Option<&Failure>) -> Response {
    let all = match signed.api.workspaces().await {
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
pub(super) async fn create(posted: Posted) -> Response {
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

/// `POST /users/{id}`: changes the name, role and workspaces.
pub(super) async fn update(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = &posted.signed;
    let input = UserInput::posted(&posted.fields);
    match signed.api.send::<User>(Method::PUT, &user_path(&id), input.body(false)).await {
        Ok(_) => done(&user_path(&id), "saved"),
        Err(failure) => again(signed, &id, |_| input, &failure).await,
    }
}
