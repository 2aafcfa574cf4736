//! Connection request bodies: the types serde reads them into, which are
//! also their schemas in the OpenAPI document. Keys are case-insensitive
//! and spaces and dashes count as underscores ([`JsonBody`] normalizes
//! them), `connect_version` is `connector_version`, enum values are
//! case-insensitive, and unknown keys are refused by name. `validate`
//! reports every problem, each with its target.
//!
//! [`JsonBody`]: crate::api::extract::JsonBody

use crate::api::error::ApiError;
use crate::api::extract::{Field, NAME_PATTERN, Problems, is_name, kind, name_schema};
use crate::connections::settings::parse_variant;
use crate::connections::{RefreshInterval, Verbosity};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};

pub use crate::api::extract::{into_result, normalize};

/// The fields of a create or update body, checked, as the connection
/// service takes them; `None` where not given.
pub use crate::service::connections::Changes as ConnectionBody;

/// The most labels a connection may carry.
pub const MAX_LABELS: usize = 50;
/// The longest label, in characters.
pub const MAX_LABEL: usize = 64;
/// The longest connection or property name, in characters.
pub const MAX_NAME: usize = 128;
/// JSON Schema pattern of a semantic version (semver 2.0.0).
const VERSION_PATTERN: &str = "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-((0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$";

/// `connector_version`: a semantic version.
fn version_schema() -> utoipa::openapi::schema::Object {
    let mut schema = crate::api::extract::text_schema(5, 64, VERSION_PATTERN);
    schema.examples = vec![json!("1.1.0")];
    schema
}

/// `POST /workspaces/{workspace_id}/connections`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "QuickBooks Production",
    "connector": "QuickBooks",
    "connector_version": "1.1.0",
    "properties": {"CompanyId": "9130357766", "OAuthClientId": "client-id", "OAuthClientSecret": "client-secret",
        "OAuthAccessToken": "access-token", "OAuthRefreshToken": "refresh-token"},
    "settings": {"logfile_verbosity": "Info"},
    "labels": ["finance"]
}))]
pub struct CreateConnection {
    /// Unique in the workspace, compared case-insensitively; 1 to 128
    /// characters, no control characters.
    #[schema(schema_with = name_schema)]
    name: Field<String>,
    /// An installed connector (`GET /connectors`), in any case; a `CData `
    /// prefix is ignored.
    #[schema(schema_with = name_schema)]
    connector: Field<String>,
    /// An installed version of it; default: the newest, which is then
    /// pinned. `connect_version` is accepted too.
    #[serde(default, alias = "connect_version", alias = "connectorversion")]
    #[schema(schema_with = version_schema)]
    connector_version: Field<String>,
    /// Values by property name (compared case-insensitively), checked
    /// against the version's specs. Values are strings; `null` leaves a
    /// property out.
    #[serde(default)]
    #[schema(schema_with = properties_schema)]
    properties: Field<PropertyValues>,
    /// Any of the three settings; the others take their defaults.
    #[serde(default)]
    #[schema(value_type = SettingsInput)]
    settings: Field<SettingsInput>,
    /// Labels to filter the list by (duplicates, compared
    /// case-insensitively, are kept once).
    #[serde(default)]
    #[schema(schema_with = labels_schema)]
    labels: Field<Vec<String>>,
}

/// `PUT /connections/{connection_id}`: only what is given changes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "QuickBooks Sandbox",
    "properties": {"UseSandbox": "true", "OAuthClientSecret": "********", "MinorVersion": null},
    "settings": {"metadata_refresh_interval": "Hourly"},
    "labels": ["finance", "sandbox"]
}))]
pub struct UpdateConnection {
    /// A new name, unique in the workspace.
    #[serde(default)]
    #[schema(schema_with = name_schema)]
    name: Field<String>,
    /// Moves the connection to this installed version (`connect_version` is
    /// accepted too); the properties are checked against its specs.
    #[serde(default, alias = "connect_version", alias = "connectorversion")]
    #[schema(schema_with = version_schema)]
    connector_version: Field<String>,
    /// Merged into the stored ones: `null` removes a property, the mask
    /// `********` keeps a stored secret.
    #[serde(default)]
    #[schema(schema_with = properties_schema)]
    properties: Field<PropertyValues>,
    /// Merged into the stored settings.
    #[serde(default)]
    #[schema(value_type = SettingsInput)]
    settings: Field<SettingsInput>,
    /// Replaces the labels.
    #[serde(default)]
    #[schema(schema_with = labels_schema)]
    labels: Field<Vec<String>>,
}

/// Connection settings in a body; values compare case-insensitively.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, expecting = "an object of settings")]
#[schema(example = json!({"metadata_refresh_interval": "Daily", "logfile_verbosity": "Info", "use_cdata_callback_url": false}))]
pub struct SettingsInput {
    /// When cached tables and columns are fetched again.
    #[serde(default)]
    #[schema(value_type = RefreshInterval)]
    metadata_refresh_interval: Field<String>,
    /// What the connection's log keeps.
    #[serde(default)]
    #[schema(value_type = Verbosity)]
    logfile_verbosity: Field<String>,
    /// Whether OAuth uses CData's callback URL.
    #[serde(default)]
    #[schema(value_type = bool)]
    use_cdata_callback_url: Field<Value>,
}

/// Property values by name, in the order given.
pub struct PropertyValues(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for PropertyValues {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        Ok(PropertyValues(map.into_iter().collect()))
    }
}

/// `properties`: an object of strings (or `null`), names 1 to 128 characters.
fn properties_schema() -> impl Into<RefOr<Schema>> {
    let name = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_NAME))
        .pattern(Some(NAME_PATTERN));
    let value = ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(Some(name))
        .additional_properties(Some(value))
        .description(Some(
            "Values by property name (names compare case-insensitively). A value is a string: a JSON number or \
             boolean is refused (send `\"100\"`, `\"true\"`). `null` removes the property on update and is ignored \
             on create.",
        ))
        .examples([json!({"CompanyId": "9130357766", "UseSandbox": "false"})])
}

/// `labels`: at most 50 labels of 1 to 64 characters.
fn labels_schema() -> impl Into<RefOr<Schema>> {
    let label = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_LABEL))
        .pattern(Some(NAME_PATTERN));
    ArrayBuilder::new()
        .items(label)
        .max_items(Some(MAX_LABELS))
        .description(Some("At most 50 labels of 1 to 64 characters; kept once each, compared case-insensitively."))
        .examples([json!(["finance", "eu"])])
}

impl CreateConnection {
    /// Every problem of the body, or its fields.
    pub fn validate(self) -> Result<ConnectionBody, ApiError> {
        let mut problems = Problems::default();
        let mut body = ConnectionBody {
            name: self.name.get("name", &mut problems).and_then(|n| name("name", n, &mut problems)),
            connector: self.connector.get("connector", &mut problems).and_then(|c| text("connector", c, &mut problems)),
            ..ConnectionBody::default()
        };
        common(
            &mut body,
            Common {
                version: self.connector_version,
                properties: self.properties,
                settings: self.settings,
                labels: self.labels,
            },
            &mut problems,
        );
        problems.finish(body)
    }
}

impl UpdateConnection {
    /// Every problem of the body, or its fields.
    pub fn validate(self) -> Result<ConnectionBody, ApiError> {
        let mut problems = Problems::default();
        let mut body = ConnectionBody {
            name: self.name.get("name", &mut problems).and_then(|n| name("name", n, &mut problems)),
            ..ConnectionBody::default()
        };
        common(
            &mut body,
            Common {
                version: self.connector_version,
                properties: self.properties,
                settings: self.settings,
                labels: self.labels,
            },
            &mut problems,
        );
        problems.finish(body)
    }
}

/// The fields create and update share.
struct Common {
    version: Field<String>,
    properties: Field<PropertyValues>,
    settings: Field<SettingsInput>,
    labels: Field<Vec<String>>,
}

fn common(body: &mut ConnectionBody, fields: Common, problems: &mut Problems) {
    body.connector_version = fields
        .version
        .get("connector_version", problems)
        .and_then(|v| text("connector_version", v, problems))
        .and_then(|raw| match semver::Version::parse(&raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = format!("`connector_version` must be a version like 1.1.0: {e}.");
                problems.add("invalid_version", "connector_version", message);
                None
            }
        });
    if let Some(values) = fields.properties.get("properties", problems) {
        body.properties = properties(values, problems);
    }
    let settings_code = |relative: &str| (!relative.is_empty()).then_some("invalid_setting");
    if let Some(settings) = fields.settings.take("settings", problems, settings_code) {
        let target = |name: &str| format!("settings.{name}");
        let variant =
            |name: &str, variants: &[&str]| format!("`settings.{name}` must be one of {}.", variants.join(", "));
        let refresh = settings.metadata_refresh_interval.take("settings.metadata_refresh_interval", problems, setting);
        if let Some(value) = refresh {
            body.refresh = parse_variant(&value, &RefreshInterval::VARIANTS);
            if body.refresh.is_none() {
                let names = RefreshInterval::VARIANTS.map(|(n, _)| n);
                problems.add(
                    "invalid_setting",
                    target("metadata_refresh_interval"),
                    variant("metadata_refresh_interval", &names),
                );
            }
        }
        if let Some(value) = settings.logfile_verbosity.take("settings.logfile_verbosity", problems, setting) {
            body.verbosity = parse_variant(&value, &Verbosity::VARIANTS);
            if body.verbosity.is_none() {
                let names = Verbosity::VARIANTS.map(|(n, _)| n);
                problems.add("invalid_setting", target("logfile_verbosity"), variant("logfile_verbosity", &names));
            }
        }
        if let Some(value) = settings.use_cdata_callback_url.take("settings.use_cdata_callback_url", problems, setting)
        {
            body.callback = match &value {
                Value::Bool(b) => Some(*b),
                Value::String(s) => parse_variant(s, &[("true", true), ("false", false)]),
                _ => None,
            };
            if body.callback.is_none() {
                let message = "`settings.use_cdata_callback_url` must be true or false.";
                problems.add("invalid_setting", target("use_cdata_callback_url"), message);
            }
        }
    }
    let label_code = |relative: &str| (!relative.is_empty()).then_some("invalid_label");
    if let Some(items) = fields.labels.take("labels", problems, label_code) {
        body.labels = labels(items, problems);
    }
}

/// A setting's value that is not even a string (or boolean) is `invalid_setting`.
fn setting(_: &str) -> Option<&'static str> {
    Some("invalid_setting")
}

fn text(key: &str, value: String, problems: &mut Problems) -> Option<String> {
    if value.trim().is_empty() {
        problems.add("invalid_field", key, format!("`{key}` must not be empty."));
        return None;
    }
    Some(value.trim().to_string())
}

fn name(key: &str, value: String, problems: &mut Problems) -> Option<String> {
    if value.trim().is_empty() {
        problems.add("invalid_field", key, format!("`{key}` must not be empty."));
        return None;
    }
    if !is_name(&value, MAX_NAME) {
        problems.add("invalid_name", key, "A name has 1 to 128 characters and no control characters.");
        return None;
    }
    Some(value.trim().to_string())
}

fn properties(values: PropertyValues, problems: &mut Problems) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for (name, value) in values.0 {
        let target = format!("properties.{name}");
        if !is_name(&name, MAX_NAME) {
            let message = "A property name has 1 to 128 characters and no control characters.";
            problems.add("invalid_field", &target, message);
            continue;
        }
        let value = match value {
            Value::Null => None,
            Value::String(s) => Some(s),
            Value::Bool(_) | Value::Number(_) => {
                problems.add(
                    "invalid_property_value",
                    &target,
                    format!(
                        "`{target}` is {}: property values are strings, sent as they are meant \
                         (e.g. \"100\" or \"true\"), so that none is reformatted.",
                        kind(&value)
                    ),
                );
                continue;
            }
            other => {
                let message = format!("A property value must be a string or null, not {}.", kind(&other));
                problems.add("invalid_field", &target, message);
                continue;
            }
        };
        out.push((name, value));
    }
    out
}

fn labels(items: Vec<String>, problems: &mut Problems) -> Option<Vec<String>> {
    if items.len() > MAX_LABELS {
        problems.add("invalid_label", "labels", format!("A connection has at most {MAX_LABELS} labels."));
        return None;
    }
    let mut labels: Vec<String> = Vec::new();
    for (i, label) in items.into_iter().enumerate() {
        if !is_name(&label, MAX_LABEL) {
            let message = "A label has 1 to 64 characters and no control characters.";
            problems.add("invalid_label", format!("labels[{i}]"), message);
        } else if !labels.iter().any(|l| l.eq_ignore_ascii_case(label.trim())) {
            labels.push(label.trim().to_string());
        }
    }
    Some(labels)
}
