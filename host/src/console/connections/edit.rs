//! The create and edit forms of a connection, generated from the chosen
//! connector version's property specs ([`crate::console::form`]), and
//! their saving through the API.

use super::super::api::{Failure, query, segment};
use super::super::form::{self, Flag, Purpose};
use super::super::page::{self, Section};
use super::super::parts::{field, text_input};
use super::super::session::{Fields, FieldsExt, Posted, Signed};
use super::{ConnectionView, ConnectorView, List, VersionView, connection, connector, href, stored_secrets};
use crate::connections::{RefreshInterval, Settings, Verbosity};
use axum::extract::{Path, Query};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The name of a setting's value, as the API spells it.
pub fn variant_name<T: PartialEq + Copy>(value: T, variants: &[(&'static str, T)]) -> &'static str {
    variants.iter().find(|(_, v)| *v == value).map_or("", |(name, _)| name)
}

/// What a connection form shows besides the properties.
struct Shown<'a> {
    /// The name, labels (comma-separated) and settings to show.
    name: &'a str,
    labels: String,
    settings: Settings,
    /// Property values to show (secrets are never shown).
    values: Map<String, Value>,
    /// Secrets with a stored value (edit).
    stored_secrets: Vec<String>,
    /// Secrets typed into a refused form: not saved, and not shown back,
    /// so they are flagged to be typed again.
    retype: Vec<String>,
}

/// The form: name, labels, the version's properties, settings.
fn connection_form(
    signed: &Signed,
    action: &str,
    purpose: Purpose,
    version: &VersionView,
    shown: &Shown<'_>,
    failure: Option<&Failure>,
    focus: Option<Flag<'_>>,
) -> Markup {
    let targets = failure.map(Failure::targets).unwrap_or_default();
    let mut flags: Vec<Flag<'_>> = targets
        .iter()
        .filter_map(|t| form::property_of(&version.properties, t))
        .map(|property| Flag { property, message: failure.map_or("", |f| detail_of(f, property)) })
        .collect();
    flags.extend(focus);
    let retype = "Not saved, since the form was refused: type it again (secrets are never shown back).";
    flags.extend(shown.retype.iter().map(|property| Flag { property, message: retype }));
    let s = &shown.settings;
    html! {
        @if let Some(failure) = failure { (page::failure_box(failure)) }
        form.stack #connection-form method="post" action=(action) {
            (page::csrf(signed))
            input type="hidden" name="connector" value=(version.name);
            input type="hidden" name="connector_version" value=(version.version);
            p.muted { (version.display_name) " " (version.version) ": " (version.description) }
            (field("name", "Name (required)", failure, "Unique in the workspace.",
                text_input("name", "text", shown.name, failure)))
            (field("labels", "Labels", failure, "Separated by commas.", text_input("labels", "text", &shown.labels, failure)))
            fieldset {
                legend { "Properties" }
                (form::property_inputs(&version.properties, purpose, &shown.values, &shown.stored_secrets, &flags))
            }
            fieldset {
                legend { "Settings" }
                (select("metadata_refresh_interval", "Metadata refresh", &RefreshInterval::VARIANTS, s.metadata_refresh_interval))
                (select("logfile_verbosity", "Log verbosity", &Verbosity::VARIANTS, s.logfile_verbosity))
                div.field {
                    label { input type="checkbox" name="use_cdata_callback_url" value="true" checked[s.use_cdata_callback_url];
                        " Use the server's OAuth callback URL" }
                }
            }
            div.actions { button #save-connection type="submit" { (if purpose == Purpose::Create { "Create" } else { "Save" }) } }
        }
    }
}

/// The message of the detail of `failure` that names `property`, or the
/// failure's own.
fn detail_of<'f>(failure: &'f Failure, property: &str) -> &'f str {
    let names = |t: &str| t.strip_prefix("properties.").unwrap_or(t).eq_ignore_ascii_case(property);
    failure.details.iter().find(|d| d.target.as_deref().is_some_and(names)).map_or(&failure.message, |d| &d.message)
}

/// A settings select.
fn select<T: PartialEq + Copy>(name: &str, label: &str, variants: &[(&'static str, T)], current: T) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) { @for (n, v) in variants { option value=(n) selected[*v == current] { (n) } } }
        }
    }
}

/// The API body of a posted form.
fn body(version: &VersionView, purpose: Purpose, fields: &Fields, stored: &Map<String, Value>) -> Value {
    let labels: Vec<&str> =
        fields.value("labels").unwrap_or_default().split(',').map(str::trim).filter(|l| !l.is_empty()).collect();
    let settings = json!({
        "metadata_refresh_interval": fields.value("metadata_refresh_interval").unwrap_or("Daily"),
        "logfile_verbosity": fields.value("logfile_verbosity").unwrap_or("Info"),
        "use_cdata_callback_url": fields.value("use_cdata_callback_url").is_some(),
    });
    json!({
        "name": fields.value("name").unwrap_or_default(),
        "properties": form::properties_body(&version.properties, purpose, fields, stored),
        "settings": settings,
        "labels": labels,
    })
}

/// The settings a posted form shows again.
fn posted_settings(fields: &Fields) -> Settings {
    use crate::connections::settings::parse_variant as parse;
    Settings {
        metadata_refresh_interval: fields
            .value("metadata_refresh_interval")
            .and_then(|v| parse(v, &RefreshInterval::VARIANTS))
            .unwrap_or_default(),
        logfile_verbosity: fields
            .value("logfile_verbosity")
            .and_then(|v| parse(v, &Verbosity::VARIANTS))
            .unwrap_or_default(),
        use_cdata_callback_url: fields.value("use_cdata_callback_url").is_some(),
    }
}

/// What a posted form shows again after a refusal.
fn shown_again<'a>(fields: &'a Fields, version: &VersionView, stored_secrets: Vec<String>) -> Shown<'a> {
    Shown {
        name: fields.value("name").unwrap_or_default(),
        labels: fields.value("labels").unwrap_or_default().to_string(),
        settings: posted_settings(fields),
        values: form::posted_values(&version.properties, fields),
        stored_secrets,
        retype: form::posted_secrets(&version.properties, fields),
    }
}

/// The installed connectors.
async fn connectors(signed: &Signed) -> Result<Vec<ConnectorView>, Failure> {
    signed.api.get::<List<ConnectorView>>("/connectors").await.map(|l| l.value)
}

/// The version `wanted` (`Name@version`) of `connectors`.
fn chosen<'c>(connectors: &'c [ConnectorView], wanted: Option<&str>) -> Option<&'c VersionView> {
    let (name, version) = wanted?.split_once('@')?;
    connectors.iter().find(|c| c.name.eq_ignore_ascii_case(name))?.versions.iter().find(|v| v.version == version)
}

/// The picker of a connector version for a new connection.
fn version_picker(connectors: &[ConnectorView], current: Option<&VersionView>) -> Markup {
    html! {
        form.filters #connector-picker method="get" {
            div.field {
                label for="use" { "Connector and version" }
                select #use name="use" {
                    @for c in connectors { @for v in c.versions.iter().rev() {
                        @let value = format!("{}@{}", c.name, v.version);
                        option value=(value) selected[current.is_some_and(|cur| cur.name == c.name && cur.version == v.version)] {
                            (v.display_name) " " (v.version) @if v.version == c.newest_version { " (newest)" }
                        }
                    } }
                }
            }
            button type="submit" { "Choose" }
        }
    }
}

/// `GET /workspaces/{workspace}/connections/new?use=Name@version`
pub async fn new(
    signed: Signed,
    Path(workspace): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    // A workspace the user may not see answers as one that does not exist.
    if let Err(failure) = signed.api.get::<Value>(&format!("/workspaces/{}", segment(&workspace))).await {
        return page::fail(&failure);
    }
    let connectors = match connectors(&signed).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let version = chosen(&connectors, params.get("use").map(String::as_str));
    let action = format!("/workspaces/{}/connections", segment(&workspace));
    let shown = Shown {
        name: "",
        labels: String::new(),
        settings: Settings::default(),
        values: Map::new(),
        stored_secrets: Vec::new(),
        retype: Vec::new(),
    };
    let body = html! {
        (version_picker(&connectors, version))
        @if let Some(version) = version {
            (connection_form(&signed, &action, Purpose::Create, version, &shown, None, None))
        } @else {
            p.muted { "Choose a connector to see its properties." }
        }
    };
    page::page(&signed, "New connection", Section::Connections, Some(&workspace), body).await
}

/// `POST /workspaces/{workspace}/connections`
pub async fn create(Path(workspace): Path<String>, posted: Posted) -> Response {
    let Posted { signed, fields } = posted;
    let connectors = match connectors(&signed).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let wanted = format!(
        "{}@{}",
        fields.value("connector").unwrap_or_default(),
        fields.value("connector_version").unwrap_or_default()
    );
    let Some(version) = chosen(&connectors, Some(&wanted)) else {
        return page::problem(
            StatusCode::BAD_REQUEST,
            "That connector version is not installed (any more): choose another.",
        );
    };
    let mut request = body(version, Purpose::Create, &fields, &Map::new());
    request["connector"] = json!(version.name);
    request["connector_version"] = json!(version.version);
    let path = format!("/workspaces/{}/connections", segment(&workspace));
    let failure = match signed.api.send::<ConnectionView>(Method::POST, &path, request).await {
        Ok(created) => return Redirect::to(&format!("{}?done=created", href(&created.id))).into_response(),
        Err(failure) if failure.signed_out() || failure.status == StatusCode::NOT_FOUND => return page::fail(&failure),
        Err(failure) => failure,
    };
    let shown = shown_again(&fields, version, Vec::new());
    let body = html! {
        (version_picker(&connectors, Some(version)))
        (connection_form(&signed, &path, Purpose::Create, version, &shown, Some(&failure), None))
    };
    let page = page::page(&signed, "New connection", Section::Connections, Some(&workspace), body).await;
    (failure.status, page).into_response()
}

/// A connection with its connector's installed versions, and the version
/// a form is for (`wanted`, else the pinned one).
async fn editing(
    signed: &Signed,
    id: &str,
    wanted: Option<&str>,
) -> Result<(ConnectionView, ConnectorView, VersionView), Response> {
    let c = connection(&signed.api, id).await.map_err(|f| page::fail(&f))?;
    let connector = connector(&signed.api, &c.connector).await.map_err(|f| page::fail(&f))?;
    let wanted = wanted.unwrap_or(&c.connector_version);
    let Some(version) = connector.versions.iter().find(|v| v.version == wanted).cloned() else {
        return Err(page::problem(
            StatusCode::NOT_FOUND,
            &format!("Version {wanted} of {} is not installed.", c.connector),
        ));
    };
    Ok((c, connector, version))
}

/// The edit page: the version picker (the pinned version marked) and the form.
async fn edit_page(
    signed: &Signed,
    (c, connector, version): &(ConnectionView, ConnectorView, VersionView),
    shown: &Shown<'_>,
    failure: Option<&Failure>,
    focus: Option<Flag<'_>>,
) -> Response {
    let base = href(&c.id);
    let body = html! {
        form.filters #version-picker method="get" action=(format!("{base}/edit")) {
            div.field {
                label for="version" { "Connector version" }
                select #version name="version" {
                    @for v in connector.versions.iter().rev() {
                        option value=(v.version) selected[v.version == version.version] {
                            (v.version)
                            @if v.version == c.connector_version { " (pinned)" }
                            @if v.version == connector.newest_version { " (newest)" }
                        }
                    }
                }
            }
            button type="submit" { "Show its properties" }
        }
        @if version.version != c.connector_version {
            p.notice { "Saving moves this connection from " (c.connector_version) " to " (version.version) "." }
        }
        (connection_form(signed, &base, Purpose::Edit, version, shown, failure, focus))
        p { a href=(base) { "Back to the connection" } }
    };
    page::page(signed, &format!("Edit {}", c.name), Section::Connections, Some(&c.workspace_id), body).await
}

/// `GET /connections/{id}/edit?version=&focus=`
pub async fn edit(signed: Signed, Path(id): Path<String>, Query(params): Query<HashMap<String, String>>) -> Response {
    let editing = match editing(&signed, &id, params.get("version").map(String::as_str)).await {
        Ok(e) => e,
        Err(response) => return response,
    };
    let (c, _, version) = &editing;
    let shown = Shown {
        name: &c.name,
        labels: c.labels.join(", "),
        settings: c.settings,
        values: c.properties.clone(),
        stored_secrets: stored_secrets(c, &version.properties),
        retype: Vec::new(),
    };
    let focus = params
        .get("focus")
        .and_then(|f| form::property_of(&version.properties, f))
        .map(|property| Flag { property, message: "The last test failed on this property." });
    edit_page(&signed, &editing, &shown, None, focus).await
}

/// `POST /connections/{id}`: saves the form (secrets left empty stay).
pub async fn update(Path(id): Path<String>, posted: Posted) -> Response {
    let Posted { signed, fields } = posted;
    let editing = match editing(&signed, &id, fields.value("connector_version")).await {
        Ok(e) => e,
        Err(response) => return response,
    };
    let (c, _, version) = &editing;
    let mut request = body(version, Purpose::Edit, &fields, &c.properties);
    if version.version != c.connector_version {
        request["connector_version"] = json!(version.version);
    }
    let path = format!("/connections/{}", segment(&c.id));
    let failure = match signed.api.send::<Value>(Method::PUT, &path, request).await {
        Ok(_) => return Redirect::to(&format!("{}?done=saved", href(&c.id))).into_response(),
        Err(failure) if failure.signed_out() || failure.status == StatusCode::NOT_FOUND => return page::fail(&failure),
        Err(failure) => failure,
    };
    let shown = shown_again(&fields, version, stored_secrets(c, &version.properties));
    let page = edit_page(&signed, &editing, &shown, Some(&failure), None).await;
    (failure.status, page).into_response()
}

/// A link to a new connection of `use` (`Name@version`) in `workspace`.
pub fn new_href(workspace: &str, using: &str) -> String {
    format!("/workspaces/{}/connections/new?{}", segment(workspace), query([("use", using)]))
}
