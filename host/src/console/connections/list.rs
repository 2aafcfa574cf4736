//! The connections of a workspace: search by name, filter by label, pages.

use super::super::api::{query, segment};
use super::super::page::{self, Section};
use super::super::session::Signed;
use super::{ConnectionView, href};
use axum::extract::{Path, Query};
use axum::response::Response;
use maud::html;
use std::collections::HashMap;

/// Connections a page shows.
const PER_PAGE: usize = 25;

/// `GET /workspaces/{workspace}/connections?q=&label=&page=`: the API's
/// list (every page of it, with its label filter), searched by name here.
pub async fn list(
    signed: Signed,
    Path(workspace): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let (search, label) = (param("q"), param("label"));
    let path = format!("/workspaces/{}/connections?{}", segment(&workspace), query(label.map(|l| ("label", l))));
    let all = match signed.api.all::<ConnectionView>(&path).await {
        Ok(all) => all,
        Err(failure) => return page::fail(&failure),
    };
    let needle = search.map(str::to_lowercase);
    let found: Vec<&ConnectionView> =
        all.iter().filter(|c| needle.as_ref().is_none_or(|n| c.name.to_lowercase().contains(n))).collect();
    let pages = found.len().div_ceil(PER_PAGE).max(1);
    let number = param("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let shown = found.iter().skip((number - 1) * PER_PAGE).take(PER_PAGE);
    let page_link = |n: usize| {
        let n = n.to_string();
        let mut pairs = vec![("page", n.as_str())];
        pairs.extend(search.map(|q| ("q", q)));
        pairs.extend(label.map(|l| ("label", l)));
        format!("?{}", query(pairs))
    };
    let ws = segment(&workspace);
    let body = html! {
        (page::notice(param("done")))
        div.actions { a.button #new-connection href=(format!("/workspaces/{ws}/connections/new")) { "New connection" } }
        form.filters method="get" role="search" aria-label="Filter connections" {
            div.field { label for="q" { "Search by name" } input #q name="q" type="search" value=[search]; }
            div.field { label for="label" { "Label" } input #label name="label" value=[label]; }
            button type="submit" { "Filter" }
            @if search.is_some() || label.is_some() { a href="?" { "Clear" } }
        }
        @if found.is_empty() {
            p.muted #no-connections { "No connections" @if search.is_some() || label.is_some() { " match" } "." }
        } @else {
            table.responsive #connection-list {
                thead { tr { th { "Name" } th { "Connector" } th { "Status" } th { "Labels" } th { "Last test" } } }
                tbody { @for c in shown {
                    tr {
                        td data-label="Name" { a href=(href(&c.id)) { (c.name) } }
                        td data-label="Connector" { (c.connector) " " (c.connector_version) }
                        td data-label="Status" { span class=(format!("status {}", c.status)) { (c.status) } }
                        td data-label="Labels" { @for l in &c.labels {
                            a.label href=(format!("?{}", query([("label", l.as_str())]))) { (l) }
                        } }
                        td data-label="Last test" { (page::when(c.last_tested_at.as_deref())) }
                    }
                } }
            }
            nav.paging aria-label="Pages" {
                @if number > 1 { a href=(page_link(number - 1)) rel="prev" { "Previous" } }
                span { "Page " (number) " of " (pages) " · " (found.len()) " connections" }
                @if number < pages { a href=(page_link(number + 1)) rel="next" { "Next" } }
            }
        }
    };
    page::page(&signed, &format!("Connections in {workspace}"), Section::Connections, Some(&workspace), body).await
}
