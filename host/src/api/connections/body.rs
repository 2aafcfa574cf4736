//! Reading connection request bodies: keys are case-insensitive (`Name`,
//! `name`), spaces and dashes count as underscores, `connect_version` is
//! `connector_version`, enum values are case-insensitive, and unknown keys
//! are refused by name. Every problem is reported, each with its target.

use crate::api::error::{ApiError, ErrorDetail};
use crate::api::extract::kind;
use crate::connections::settings::parse_variant;
use crate::connections::{RefreshInterval, Verbosity};
use serde_json::{Map, Value};

/// The fields of a create or update body, as the connection service takes
/// them; `None` where not given.
pub use crate::service::connections::Changes as ConnectionBody;

/// Which body is read: create accepts `connector`, update does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `POST /workspaces/{id}/connections`.
    Create,
    /// `PUT /connections/{id}`.
    Update,
}

/// The most labels a connection may carry.
pub const MAX_LABELS: usize = 50;

/// A request key as compared: trimmed, lowercase, spaces and dashes as
/// underscores.
pub fn normalize(key: &str) -> String {
    key.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// Collects problems, then fails with all of them.
#[derive(Default)]
struct Problems(Vec<ErrorDetail>);

impl Problems {
    fn add(&mut self, code: &'static str, target: impl Into<String>, message: impl Into<String>) {
        self.0.push(ErrorDetail { code, message: message.into(), target: Some(target.into()) });
    }

    fn finish<T>(self, value: T) -> Result<T, ApiError> {
        into_result(self.0).map(|()| value)
    }
}

/// One problem becomes the error; several become `invalid_body` with details.
pub fn into_result(mut problems: Vec<ErrorDetail>) -> Result<(), ApiError> {
    match problems.len() {
        0 => Ok(()),
        1 => {
            let p = problems.remove(0);
            Err(ApiError::BadRequest {
                code: p.code,
                message: p.message.clone(),
                target: p.target.clone(),
                details: vec![p],
            })
        }
        n => Err(ApiError::BadRequest {
            code: "invalid_body",
            message: format!("The body has {n} problems; see details."),
            target: None,
            details: problems,
        }),
    }
}

/// Reads a body of `kind`.
pub fn parse(map: Map<String, Value>, kind_: BodyKind) -> Result<ConnectionBody, ApiError> {
    let mut body = ConnectionBody::default();
    let mut problems = Problems::default();
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in map {
        let field = match normalize(&key).as_str() {
            "connect_version" | "connectorversion" => "connector_version".to_string(),
            other => other.to_string(),
        };
        if seen.contains(&field) {
            problems.add("duplicate_field", &key, format!("`{key}` is given twice (keys are case-insensitive)."));
            continue;
        }
        seen.push(field.clone());
        match (field.as_str(), kind_) {
            ("name", _) => body.name = name(&key, &value, &mut problems),
            ("connector", BodyKind::Create) => body.connector = text(&key, &value, &mut problems),
            ("connector_version", _) => body.connector_version = version(&key, &value, &mut problems),
            ("properties", _) => body.properties = properties(&key, value, &mut problems),
            ("settings", _) => settings(&key, value, &mut body, &mut problems),
            ("labels", _) => body.labels = labels(&key, value, &mut problems),
            _ => {
                let accepted = match kind_ {
                    BodyKind::Create => "name, connector, connector_version, properties, settings, labels",
                    BodyKind::Update => "name, connector_version (or connect_version), properties, settings, labels",
                };
                problems.add("unknown_field", &key, format!("Unknown field `{key}`; accepted fields: {accepted}."))
            }
        }
    }
    if kind_ == BodyKind::Create && body.name.is_none() && !seen.iter().any(|s| s == "name") {
        problems.add("missing_field", "name", "`name` is required.");
    }
    problems.finish(body)
}

fn text(key: &str, value: &Value, problems: &mut Problems) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::String(_) => {
            problems.add("invalid_field", key, format!("`{key}` must not be empty."));
            None
        }
        other => {
            problems.add("invalid_field", key, format!("`{key}` must be a string, not {}.", kind(other)));
            None
        }
    }
}

fn name(key: &str, value: &Value, problems: &mut Problems) -> Option<String> {
    let name = text(key, value, problems)?;
    if name.chars().count() > 128 || name.chars().any(char::is_control) {
        problems.add("invalid_name", key, "A name has 1 to 128 characters and no control characters.");
        return None;
    }
    Some(name)
}

fn version(key: &str, value: &Value, problems: &mut Problems) -> Option<semver::Version> {
    let raw = text(key, value, problems)?;
    match semver::Version::parse(&raw) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.add("invalid_version", key, format!("`{key}` must be a version like 1.1.0: {e}."));
            None
        }
    }
}

fn properties(key: &str, value: Value, problems: &mut Problems) -> Vec<(String, Option<String>)> {
    let Value::Object(map) = value else {
        problems.add("invalid_field", key, format!("`{key}` must be an object, not {}.", kind(&value)));
        return Vec::new();
    };
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for (name, value) in map {
        let target = format!("{key}.{name}");
        if name.trim().is_empty() || name.len() > 128 || name.chars().any(char::is_control) {
            problems.add(
                "invalid_field",
                &target,
                "A property name has 1 to 128 characters and no control characters.",
            );
            continue;
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            problems.add(
                "duplicate_property",
                &target,
                format!("Property `{name}` is given twice (names are case-insensitive)."),
            );
            continue;
        }
        let value = match value {
            Value::Null => None,
            Value::String(s) => Some(s),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            other => {
                problems.add(
                    "invalid_field",
                    &target,
                    format!("A property value must be a string, number, boolean or null, not {}.", kind(&other)),
                );
                continue;
            }
        };
        out.push((name, value));
    }
    out
}

fn settings(key: &str, value: Value, body: &mut ConnectionBody, problems: &mut Problems) {
    let Value::Object(map) = value else {
        problems.add("invalid_field", key, format!("`{key}` must be an object, not {}.", kind(&value)));
        return;
    };
    for (name, value) in map {
        let target = format!("{key}.{name}");
        let variant = |variants: &[&str]| format!("`{target}` must be one of {}.", variants.join(", "));
        match normalize(&name).as_str() {
            "metadata_refresh_interval" => {
                body.refresh = value.as_str().and_then(|v| parse_variant(v, &RefreshInterval::VARIANTS));
                if body.refresh.is_none() {
                    problems.add("invalid_setting", &target, variant(&RefreshInterval::VARIANTS.map(|(n, _)| n)));
                }
            }
            "logfile_verbosity" => {
                body.verbosity = value.as_str().and_then(|v| parse_variant(v, &Verbosity::VARIANTS));
                if body.verbosity.is_none() {
                    problems.add("invalid_setting", &target, variant(&Verbosity::VARIANTS.map(|(n, _)| n)));
                }
            }
            "use_cdata_callback_url" => {
                body.callback = match &value {
                    Value::Bool(b) => Some(*b),
                    Value::String(s) => parse_variant(s, &[("true", true), ("false", false)]),
                    _ => None,
                };
                if body.callback.is_none() {
                    problems.add("invalid_setting", &target, format!("`{target}` must be true or false."));
                }
            }
            _ => problems.add(
                "unknown_field",
                &target,
                format!(
                    "Unknown setting `{name}`; settings are metadata_refresh_interval, logfile_verbosity, use_cdata_callback_url."
                ),
            ),
        }
    }
}

fn labels(key: &str, value: Value, problems: &mut Problems) -> Option<Vec<String>> {
    let Value::Array(items) = value else {
        problems.add("invalid_field", key, format!("`{key}` must be an array of strings, not {}.", kind(&value)));
        return None;
    };
    if items.len() > MAX_LABELS {
        problems.add("invalid_label", key, format!("A connection has at most {MAX_LABELS} labels."));
        return None;
    }
    let mut labels: Vec<String> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let target = format!("{key}[{i}]");
        match item {
            Value::String(s) if !s.trim().is_empty() && s.chars().count() <= 64 && !s.chars().any(char::is_control) => {
                if !labels.iter().any(|l| l.eq_ignore_ascii_case(s.trim())) {
                    labels.push(s.trim().to_string());
                }
            }
            Value::String(_) => {
                problems.add("invalid_label", &target, "A label has 1 to 64 characters and no control characters.")
            }
            other => problems.add("invalid_label", &target, format!("A label must be a string, not {}.", kind(&other))),
        }
    }
    Some(labels)
}
