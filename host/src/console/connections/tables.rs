//! A connection's tables (schema and type filters, a metadata reset) and
//! each table's columns.

use super::super::api::{query, segment};
use super::super::page::{self, Section};
use super::super::parts;
use super::super::parts::button_form;
use super::super::session::{Posted, Signed};
use super::{List, connection, href};
use crate::connector::model::{ColumnInfo, TableInfo, TableType};
use axum::extract::{Path, Query};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use std::collections::HashMap;

/// The API's spelling of a table type.
fn type_name(t: TableType) -> &'static str {
    match t {
        TableType::Table => "TABLE",
        TableType::View => "VIEW",
        TableType::Synonym => "SYNONYM",
    }
}

/// `GET /connections/{id}/tables?schema=&type=&done=`
pub async fn tables(signed: Signed, Path(id): Path<String>, Query(params): Query<HashMap<String, String>>) -> Response {
    let c = match connection(&signed.api, &id).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let param = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let (schema, kind) = (param("schema"), param("type"));
    let mut pairs = Vec::new();
    pairs.extend(schema.map(|s| ("schema", s)));
    pairs.extend(kind.map(|t| ("include_table_types", t)));
    let path = format!("/connections/{}/tables?{}", segment(&id), query(pairs));
    let (status, found) = match signed.api.get::<List<TableInfo>>(&path).await {
        Ok(list) => (StatusCode::OK, Ok(list.value)),
        Err(failure) if failure.signed_out() => return page::fail(&failure),
        Err(failure) => (failure.status, Err(failure)),
    };
    let base = href(&c.id);
    let body = html! {
        form.filters #table-filters method="get" role="search" aria-label="Filter tables" {
            div.field { label for="schema" { "Schema" } input #schema name="schema" value=[schema]; }
            div.field {
                label for="type" { "Type" }
                select #type name="type" {
                    option value="" { "Any" }
                    @for t in TableType::ALL { option value=(type_name(t)) selected[kind == Some(type_name(t))] { (type_name(t)) } }
                }
            }
            button type="submit" { "Filter" }
        }
        div.actions {
            (button_form(&signed, &format!("{base}/reset-tables"), "reset-tables", "Read the tables again from the service", false, false))
        }
        (page::notice(param("done")))
        @match &found {
            Err(failure) => (page::failure_box(failure)),
            Ok(tables) if tables.is_empty() => p.muted #no-tables { "No tables." },
            Ok(tables) => table.responsive #table-list {
                thead { tr { th { "Schema" } th { "Table" } th { "Type" } th { "Description" } } }
                tbody { @for t in tables {
                    tr {
                        td data-label="Schema" { (t.schema) }
                        td data-label="Table" { a href=(format!("{base}/tables/{}", segment(&t.qualified_name()))) { (t.name) } }
                        td data-label="Type" { (type_name(t.table_type)) }
                        td data-label="Description" { (t.description.as_deref().unwrap_or_default()) }
                    }
                } }
            },
        }
        p { a href=(base) { "Back to " (c.name) } }
    };
    let page =
        page::page(&signed, &format!("Tables of {}", c.name), Section::Connections, Some(&c.workspace_id), body).await;
    (status, page).into_response()
}

/// `GET /connections/{id}/tables/{table}`: its columns.
pub async fn columns(signed: Signed, Path((id, table)): Path<(String, String)>) -> Response {
    let c = match connection(&signed.api, &id).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let path = format!("/connections/{}/tables/{}/columns", segment(&id), segment(&table));
    let columns = match signed.api.get::<List<ColumnInfo>>(&path).await {
        Ok(list) => list.value,
        Err(failure) => return page::fail(&failure),
    };
    let body = html! {
        table.responsive #column-list {
            thead { tr { th { "#" } th { "Column" } th { "Type" } th { "Nullable" } th { "Key" } th { "Description" } } }
            tbody { @for col in &columns {
                tr {
                    td data-label="#" { (col.ordinal) }
                    td data-label="Column" { (col.name) }
                    td data-label="Type" {
                        (format!("{:?}", col.data_type).to_lowercase())
                        @if let Some(l) = col.length { "(" (l) ")" }
                        @if let (Some(p), Some(s)) = (col.precision, col.scale) { "(" (p) ", " (s) ")" }
                    }
                    td data-label="Nullable" { (if col.nullable { "yes" } else { "no" }) }
                    td data-label="Key" { (if col.primary_key { "primary" } else { "" }) }
                    td data-label="Description" { (col.description.as_deref().unwrap_or_default()) }
                }
            } }
        }
        p { a href=(format!("{}/tables", href(&c.id))) { "Back to the tables" } }
    };
    page::page(&signed, &format!("Columns of {table}"), Section::Connections, Some(&c.workspace_id), body).await
}

/// `POST /connections/{id}/reset-tables`: drops the cached metadata (the
/// API's `reset-metadata`), then shows the tables read anew.
pub async fn reset(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = posted.signed;
    let path = format!("/connections/{}/reset-metadata", segment(&id));
    match parts::act(&signed, Method::POST, &path).await {
        Ok(()) => parts::done(&format!("{}/tables", href(&id)), "reset-metadata"),
        Err(failure) => page::fail(&failure),
    }
}
