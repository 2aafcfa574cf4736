//! The shapes of the request bodies, for the OpenAPI document only. The
//! handlers read bodies with their own parsers, which also take the spec's
//! other spellings (`connect_version`, `Connector Version`, keys in any
//! case) and name the field at fault in a 400; these types describe the
//! canonical spelling, so that generated clients get typed bodies.

// Never built or read: utoipa derives a schema from each type's fields.
// An optional field may be left out but not sent as `null` (hence
// `nullable = false`), except property values in an update.
#![allow(dead_code)]

use crate::auth::Role;
use crate::connections::{RefreshInterval, Verbosity};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// `POST /workspaces/{workspace_id}/connections`.
#[derive(ToSchema)]
pub struct CreateConnection {
    /// Unique in the workspace, compared case-insensitively.
    name: String,
    /// An installed connector (`GET /connectors`), in any case.
    connector: String,
    /// An installed version of it; default: the newest, which is then pinned.
    #[schema(example = "1.1.0", nullable = false)]
    connector_version: Option<String>,
    /// Values by property name, checked against the version's specs.
    #[schema(nullable = false)]
    properties: Option<BTreeMap<String, String>>,
    /// Any of the three settings; the others take their defaults.
    #[schema(nullable = false)]
    settings: Option<SettingsInput>,
    /// Labels to filter the list by.
    #[schema(nullable = false)]
    labels: Option<Vec<String>>,
}

/// `PUT /connections/{connection_id}`: only what is given changes.
#[derive(ToSchema)]
pub struct UpdateConnection {
    /// A new name, unique in the workspace.
    #[schema(nullable = false)]
    name: Option<String>,
    /// Moves the connection to this installed version (`connect_version` is
    /// accepted too); the properties are checked against its specs.
    #[schema(example = "1.1.0", nullable = false)]
    connector_version: Option<String>,
    /// Merged into the stored ones: `null` removes a property, the mask
    /// `********` keeps a stored secret.
    #[schema(nullable = false)]
    properties: Option<BTreeMap<String, Option<String>>>,
    /// Merged into the stored settings.
    #[schema(nullable = false)]
    settings: Option<SettingsInput>,
    /// Replaces the labels.
    #[schema(nullable = false)]
    labels: Option<Vec<String>>,
}

/// Connection settings in a body; values compare case-insensitively.
#[derive(ToSchema)]
pub struct SettingsInput {
    /// When cached tables and columns are fetched again.
    #[schema(nullable = false)]
    metadata_refresh_interval: Option<RefreshInterval>,
    /// What the connection's log keeps.
    #[schema(nullable = false)]
    logfile_verbosity: Option<Verbosity>,
    /// Whether OAuth uses CData's callback URL.
    #[schema(nullable = false)]
    use_cdata_callback_url: Option<bool>,
}

/// `POST /workspaces`.
#[derive(ToSchema)]
pub struct CreateWorkspace {
    /// Letters, digits, `-` and `_`.
    #[schema(example = "sales")]
    id: String,
    /// Default: the id.
    #[schema(nullable = false)]
    name: Option<String>,
}

/// `POST /workspaces/{workspace_id}/jobs`.
#[derive(ToSchema)]
pub struct CreateJob {
    /// Unique in the workspace, compared case-insensitively.
    name: String,
    /// The connection read from (a source connector).
    source_connection_id: String,
    /// The connection written to (a destination connector).
    destination_connection_id: String,
    /// `"all"` (default) or a list of the source's table names.
    #[schema(nullable = false)]
    tables: Option<super::jobs::JobTables>,
    /// Put before each destination table's name; default none.
    #[schema(nullable = false)]
    table_prefix: Option<String>,
    /// Rows per page, 1 to 100,000; default 1,000.
    #[schema(nullable = false)]
    batch_size: Option<u32>,
}

/// `PUT /jobs/{job_id}`: only what is given changes.
#[derive(ToSchema)]
pub struct UpdateJob {
    /// A new name, unique in the workspace.
    #[schema(nullable = false)]
    name: Option<String>,
    /// Another source connection.
    #[schema(nullable = false)]
    source_connection_id: Option<String>,
    /// Another destination connection.
    #[schema(nullable = false)]
    destination_connection_id: Option<String>,
    /// `"all"` or a list of the source's table names.
    #[schema(nullable = false)]
    tables: Option<super::jobs::JobTables>,
    /// Put before each destination table's name.
    #[schema(nullable = false)]
    table_prefix: Option<String>,
    /// Rows per page, 1 to 100,000.
    #[schema(nullable = false)]
    batch_size: Option<u32>,
}

/// `POST /users`.
#[derive(ToSchema)]
pub struct CreateUser {
    /// Unique, compared case-insensitively.
    name: String,
    /// What the user may do.
    role: Role,
    /// The workspaces granted.
    #[schema(nullable = false)]
    workspaces: Option<Vec<String>>,
    /// Days until the user's first token expires, 1 to 3650; default: never.
    #[schema(nullable = false)]
    expires_in_days: Option<u32>,
}

/// `PUT /users/{user_id}`: only what is given changes.
#[derive(ToSchema)]
pub struct UpdateUser {
    /// A new name.
    #[schema(nullable = false)]
    name: Option<String>,
    /// A new role.
    #[schema(nullable = false)]
    role: Option<Role>,
    /// Replaces the granted workspaces.
    #[schema(nullable = false)]
    workspaces: Option<Vec<String>>,
}

/// `POST /users/{user_id}/generate-token`.
#[derive(ToSchema)]
pub struct GenerateToken {
    /// Days until the token expires, 1 to 3650; default: never.
    #[schema(nullable = false)]
    expires_in_days: Option<u32>,
    /// Whether the user's other tokens stop working; default false.
    #[schema(nullable = false)]
    revoke_others: Option<bool>,
}
