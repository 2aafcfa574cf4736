//! A connection's log files: the list, one file shown, a download.

use super::super::api::segment;
use super::super::page::{self, Section};
use super::super::session::Signed;
use super::{List, connection, href};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

/// One log file, as the API lists it.
#[derive(Deserialize)]
struct LogFile {
    name: String,
    size: u64,
    modified_at: String,
}

/// `GET /connections/{id}/logs`
pub async fn list(signed: Signed, Path(id): Path<String>) -> Response {
    let c = match connection(&signed.api, &id).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let files = match signed.api.get::<List<LogFile>>(&format!("/connections/{}/logs", segment(&id))).await {
        Ok(list) => list.value,
        Err(failure) => return page::fail(&failure),
    };
    let base = href(&c.id);
    let body = html! {
        @if files.is_empty() { p.muted #no-logs { "No logs yet." } } @else {
            table.responsive #log-list {
                thead { tr { th { "File" } th { "Size" } th { "Written" } th { "" } } }
                tbody { @for f in &files {
                    tr {
                        td data-label="File" { a href=(format!("{base}/logs/{}", segment(&f.name))) { (f.name) } }
                        td data-label="Size" { (f.size) " bytes" }
                        td data-label="Written" { (page::when(Some(&f.modified_at))) }
                        td { a href=(format!("{base}/logs/{}/download", segment(&f.name))) download { "Download" } }
                    }
                } }
            }
        }
        p { a href=(base) { "Back to " (c.name) } }
    };
    page::page(&signed, &format!("Logs of {}", c.name), Section::Connections, Some(&c.workspace_id), body).await
}

/// The bytes of log `name`, from the API.
async fn read(signed: &Signed, id: &str, name: &str) -> Result<Bytes, Response> {
    let path = format!("/connections/{}/logs/{}/download", segment(id), segment(name));
    match signed.api.call(Method::GET, &path, None, Bytes::new(), &[]).await {
        Ok(raw) => Ok(raw.body),
        Err(failure) => Err(page::fail(&failure)),
    }
}

/// `GET /connections/{id}/logs/{name}`: the file on a page.
pub async fn view(signed: Signed, Path((id, name)): Path<(String, String)>) -> Response {
    let c = match connection(&signed.api, &id).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let bytes = match read(&signed, &id, &name).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let base = href(&c.id);
    let body = html! {
        div.actions {
            a.button href=(format!("{base}/logs/{}/download", segment(&name))) download { "Download" }
            a href=(format!("{base}/logs")) { "All logs" }
        }
        pre.log #log-text tabindex="0" { (String::from_utf8_lossy(&bytes)) }
    };
    page::page(&signed, &format!("{name} of {}", c.name), Section::Connections, Some(&c.workspace_id), body).await
}

/// `GET /connections/{id}/logs/{name}/download`: the file as an attachment.
pub async fn download(signed: Signed, Path((id, name)): Path<(String, String)>) -> Response {
    match read(&signed, &id, &name).await {
        Ok(bytes) => {
            let file: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
            let disposition = format!("attachment; filename=\"{file}\"");
            (
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(response) => response,
    }
}
