//! Pieces pages share that are about no one resource: labelled form
//! fields highlighted with the API's reason, one-button forms,
//! confirmation pages, redirects after a post.

use super::api::{Answer, Failure, query};
use super::page::{self, Section};
use super::session::Signed;
use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

/// The query of a page shown after a post: what was done.
#[derive(Deserialize)]
pub struct Done {
    /// The notice's code (see [`page::notice`]).
    pub done: Option<String>,
}

/// The redirect after a successful post: `path`, noting `code`.
pub fn done(path: &str, code: &str) -> Response {
    Redirect::to(&format!("{path}?{}", query([("done", code)]))).into_response()
}

/// `response` with the status of the API's refusal it shows, when it
/// is a page (a failure to build the page keeps its own status).
pub fn with_status(mut response: Response, failure: Option<&Failure>) -> Response {
    if let Some(failure) = failure.filter(|_| response.status() == StatusCode::OK) {
        *response.status_mut() = failure.status;
    }
    response
}

/// A call without a body whose answer is only whether it worked.
pub async fn act(signed: &Signed, method: Method, path: &str) -> Answer<()> {
    signed.api.call(method, path, None, Bytes::new(), &[]).await.map(|_| ())
}

/// A whole-number field as JSON: the number it reads as, else the text
/// as typed (which the API refuses, naming the field).
pub fn whole(text: &str) -> Value {
    text.trim().parse::<u64>().map_or_else(|_| Value::from(text), Value::from)
}

/// What the API said of field `name`, if its refusal names it.
pub fn complaint<'a>(failure: Option<&'a Failure>, name: &str) -> Option<&'a str> {
    let failure = failure.filter(|f| f.targets().contains(&name))?;
    let detail = failure.details.iter().find(|d| d.target.as_deref() == Some(name));
    Some(detail.map_or(failure.message.as_str(), |d| d.message.as_str()))
}

/// `aria-invalid` of the control of field `name`.
pub fn invalid(failure: Option<&Failure>, name: &str) -> Option<&'static str> {
    complaint(failure, name).map(|_| "true")
}

/// `aria-describedby` of the control of field `name`: its help, and
/// the API's reason when there is one.
pub fn described(failure: Option<&Failure>, name: &str) -> String {
    match complaint(failure, name) {
        Some(_) => format!("{name}-help {name}-why"),
        None => format!("{name}-help"),
    }
}

/// A labelled field around `control` (whose id is `name`), with `help`
/// (id `{name}-help`), highlighted with the API's reason (id
/// `{name}-why`) when its refusal names the field.
pub fn field(name: &str, label: &str, failure: Option<&Failure>, help: &str, control: Markup) -> Markup {
    let why = complaint(failure, name);
    html! {
        div.field.invalid[why.is_some()] id=(format!("field-{name}")) {
            label for=(name) { (label) }
            (control)
            p.help id=(format!("{name}-help")) { (help) }
            @if let Some(why) = why { p.why id=(format!("{name}-why")) { (why) } }
        }
    }
}

/// An input of `kind` for field `name` holding `value`.
pub fn text_input(name: &str, kind: &str, value: &str, failure: Option<&Failure>) -> Markup {
    html! {
        input id=(name) name=(name) type=(kind) value=(value) aria-invalid=[invalid(failure, name)]
            aria-describedby=(described(failure, name)) autofocus[invalid(failure, name).is_some()];
    }
}

/// A form of one button that posts to `action`.
pub fn button_form(signed: &Signed, action: &str, id: &str, label: &str, disabled: bool, danger: bool) -> Markup {
    html! {
        form method="post" action=(action) {
            (page::csrf(signed))
            button id=(id) type="submit" disabled[disabled] class=[danger.then_some("danger")] { (label) }
        }
    }
}

/// A confirmation page: what it asks and where its answers go.
pub struct Confirm<'a> {
    /// The page's title.
    pub title: &'a str,
    /// The question.
    pub question: Markup,
    /// Where "yes" posts.
    pub action: String,
    /// Where "no" goes.
    pub back: String,
    /// The navigation's section.
    pub section: Section,
    /// The workspace of the section.
    pub workspace: Option<&'a str>,
}

/// The page that asks before something is deleted (no script: a page
/// of its own with a form that posts, and a way back).
pub async fn confirm(signed: &Signed, what: Confirm<'_>) -> Response {
    let body = html! {
        p { (what.question) }
        form method="post" action=(what.action) {
            (page::csrf(signed))
            div.actions {
                button.danger #confirm-button type="submit" { "Delete" }
                a href=(what.back) { "Keep it" }
            }
        }
    };
    page::page(signed, what.title, what.section, what.workspace, body).await
}
