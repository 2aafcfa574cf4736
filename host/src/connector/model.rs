//! The host's own model of what connectors say, independent of any WIT
//! version: each WIT version's bindings convert into these types.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One configured connection property. `Debug` hides the value, which
/// may be a secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// The property name.
    pub name: String,
    /// Its value, as text.
    pub value: String,
}

impl Property {
    /// A property `name = value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), value: value.into() }
    }
}

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Property").field("name", &self.name).field("value", &"<redacted>").finish()
    }
}

/// The description of a property a connector accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertySpec {
    /// The property name, unique per connector (case-insensitively).
    pub name: String,
    /// A human name for forms.
    pub display_name: String,
    /// What the property does.
    pub description: String,
    /// Whether the connection needs it.
    pub required: bool,
    /// Whether it is a credential (encrypted, masked, never logged).
    pub secret: bool,
    /// The value used when it is not set.
    pub default_value: Option<String>,
    /// When not empty, the only values accepted (case-insensitively).
    pub allowed_values: Vec<String>,
}

/// What a connector says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    /// The connector name, e.g. `QuickBooks`.
    pub name: String,
    /// Its version.
    pub version: semver::Version,
    /// A human name.
    pub display_name: String,
    /// What it connects to.
    pub description: String,
    /// The properties it accepts.
    pub properties: Vec<PropertySpec>,
    /// What a job may use it as (none for WIT 0.1.0 connectors).
    #[serde(default)]
    pub roles: Roles,
    /// The origins it may send requests to, as patterns over its properties
    /// (WIT 0.3.0 and later; empty: no network). See `runtime::egress`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<String>,
    /// How the host authorizes its connections with OAuth 2.0 (WIT 0.3.0
    /// and later), when the service uses it. See `service::oauth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthSpec>,
}

/// What the host needs to run OAuth 2.0 for a connector's connections: the
/// endpoints (patterns over properties), scopes, grants, and the
/// properties that hold the client and the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OAuthSpec {
    /// The authorization endpoint: a URL whose host may hold `{Property}`
    /// placeholders, or one placeholder whose value is the whole URL.
    pub authorization_url: String,
    /// The token endpoint, in the same form.
    pub token_url: String,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// The grants the service supports.
    pub grants: OAuthGrants,
    /// How the client authenticates at the token endpoint.
    pub client_auth: ClientAuth,
    /// The property holding the client id.
    pub client_id_property: String,
    /// The secret property holding the client secret (never passed to the connector).
    pub client_secret_property: String,
    /// The secret property holding the access token.
    pub access_token_property: String,
    /// The secret property holding the refresh token (never passed to the connector).
    pub refresh_token_property: String,
    /// The property holding when the access token expires (RFC 3339).
    pub expires_at_property: String,
}

impl OAuthSpec {
    /// The properties only the host reads: the client secret and the refresh token.
    pub fn host_only(&self) -> [&str; 2] {
        [&self.client_secret_property, &self.refresh_token_property]
    }

    /// The properties the host writes when it gets tokens, and that
    /// reset-credentials clears: access token, refresh token, expiry.
    pub fn token_properties(&self) -> [&str; 3] {
        [&self.access_token_property, &self.refresh_token_property, &self.expires_at_property]
    }
}

/// The OAuth 2.0 grants a service supports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OAuthGrants {
    /// Authorization code with PKCE: a user authorizes in a browser.
    pub authorization_code: bool,
    /// Refresh token: the host renews access tokens.
    pub refresh_token: bool,
    /// Client credentials: tokens from the client id and secret alone.
    pub client_credentials: bool,
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic with the client id and secret.
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Body,
}

/// The job endpoints a connector can be (WIT 0.2.0 and later).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Roles {
    /// It implements `read`: a job can copy from it.
    pub source: bool,
    /// It implements `prepare`, `write` and `finish`: a job can copy into it.
    pub destination: bool,
}

impl ConnectorInfo {
    /// The spec of property `name`, compared case-insensitively.
    pub fn property(&self, name: &str) -> Option<&PropertySpec> {
        self.properties.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

/// Test fixtures: small connector descriptions.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// An optional property `name`, secret or not, with `default`.
    pub(crate) fn property(name: &str, secret: bool, default: Option<&str>) -> PropertySpec {
        PropertySpec {
            name: name.into(),
            display_name: name.into(),
            description: String::new(),
            required: false,
            secret,
            default_value: default.map(Into::into),
            allowed_values: Vec::new(),
        }
    }

    /// Connector `T` 3.0.0 with `properties`, no roles, egress or OAuth.
    pub(crate) fn connector(properties: Vec<PropertySpec>) -> ConnectorInfo {
        ConnectorInfo {
            name: "T".into(),
            version: semver::Version::new(3, 0, 0),
            display_name: "T".into(),
            description: String::new(),
            properties,
            roles: Roles::default(),
            egress: Vec::new(),
            oauth: None,
        }
    }

    /// Connector `T` with OAuth over the properties `Id`, `Secret`,
    /// `Access`, `Refresh` and `Expires` (and `Password`, a plain secret):
    /// authorization code and refresh token, Basic client authentication.
    pub(crate) fn oauth_connector() -> ConnectorInfo {
        let names = [("Id", false), ("Secret", true), ("Access", true), ("Refresh", true), ("Expires", false)];
        let properties = names.iter().map(|(n, s)| property(n, *s, None)).chain([property("Password", true, None)]);
        ConnectorInfo {
            oauth: Some(OAuthSpec {
                authorization_url: "https://login.example.com/authorize".into(),
                token_url: "https://login.example.com/token".into(),
                scopes: vec!["api".into()],
                grants: OAuthGrants { authorization_code: true, refresh_token: true, client_credentials: false },
                client_auth: ClientAuth::Basic,
                client_id_property: "Id".into(),
                client_secret_property: "Secret".into(),
                access_token_property: "Access".into(),
                refresh_token_property: "Refresh".into(),
                expires_at_property: "Expires".into(),
            }),
            ..connector(properties.collect())
        }
    }
}

/// The kind of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TableType {
    /// A base table.
    Table,
    /// A view or report.
    View,
    /// An alias of another table.
    Synonym,
}

impl TableType {
    /// Every table type.
    pub const ALL: [TableType; 3] = [TableType::Table, TableType::View, TableType::Synonym];
}

/// One table a connection exposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableInfo {
    /// Its schema.
    pub schema: String,
    /// Its name, unique within the schema.
    pub name: String,
    /// Table, view or synonym.
    pub table_type: TableType,
    /// What it holds.
    pub description: Option<String>,
}

impl TableInfo {
    /// The name calls take: `Schema.Name`, or `Name` without a schema.
    pub fn qualified_name(&self) -> String {
        if self.schema.is_empty() { self.name.clone() } else { format!("{}.{}", self.schema, self.name) }
    }
}

/// The closed set of column data types (see `wit/connector.wit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum DataType {
    Boolean,
    Smallint,
    Integer,
    Bigint,
    Decimal,
    Real,
    Double,
    String,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Binary,
    Uuid,
    Json,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// Its name, unique within the table.
    pub name: String,
    /// Its type.
    pub data_type: DataType,
    /// Whether it may hold null.
    pub nullable: bool,
    /// Its position, from 1, without gaps.
    pub ordinal: u32,
    /// Whether it is part of the primary key.
    pub primary_key: bool,
    /// Maximum length of string and binary columns, where known.
    pub length: Option<u32>,
    /// Total digits of decimal columns, where known.
    pub precision: Option<u32>,
    /// Digits after the point of decimal columns, where known.
    pub scale: Option<u32>,
    /// What it holds.
    pub description: Option<String>,
}

/// The class of a failure a connector reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A property is missing or bad.
    InvalidConfig,
    /// Credentials refused.
    AuthFailed,
    /// The remote system could not be reached.
    Unreachable,
    /// The table or object does not exist.
    NotFound,
    /// Throttled; see `retry_after`.
    RateLimited,
    /// The operation is not supported.
    Unsupported,
    /// A bug in the connector.
    Internal,
}

impl ErrorKind {
    /// Its name as the API spells it (`auth_failed`), as it serializes.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::AuthFailed => "auth_failed",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Internal => "internal",
        }
    }
}

/// The API's spelling, wherever a kind is written for people (logs and
/// messages), never the Rust name.
impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A failure a connector reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ConnectorError {
    /// Its class.
    pub kind: ErrorKind,
    /// A message for the user.
    pub message: String,
    /// The property it concerns.
    pub property: Option<String>,
    /// Seconds to wait before retrying, when rate limited.
    pub retry_after: Option<u32>,
}

/// How important a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    /// A failure.
    Error,
    /// A step of normal work.
    Info,
    /// Sizes of what was sent and received.
    Transfer,
    /// Payloads and detail.
    Verbose,
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            LogLevel::Error => "ERROR",
            LogLevel::Info => "INFO",
            LogLevel::Transfer => "TRANSFER",
            LogLevel::Verbose => "VERBOSE",
        })
    }
}

#[cfg(test)]
mod error_kind_tests {
    use super::*;

    #[test]
    fn an_error_kind_is_written_as_it_serializes() {
        use ErrorKind::*;
        for kind in [InvalidConfig, AuthFailed, Unreachable, NotFound, RateLimited, Unsupported, Internal] {
            assert_eq!(serde_json::to_value(kind).expect("serializes"), kind.to_string());
        }
        let error = ConnectorError { kind: NotFound, message: "gone".into(), property: None, retry_after: None };
        assert_eq!(error.to_string(), "not_found: gone");
    }
}
