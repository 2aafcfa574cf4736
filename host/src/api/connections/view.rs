//! The connection as the API shows it: secret values masked.

use crate::connections::{Connection, Settings, Status};
use crate::connector::model::ConnectorInfo;
use crate::runtime::MASK;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::SerializeMap;
use uuid::Uuid;

/// A connection in a response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectionView {
    /// Its id.
    pub id: Uuid,
    /// Its workspace.
    pub workspace_id: String,
    /// Its name.
    pub name: String,
    /// The connector's name.
    pub connector: String,
    /// The connector version it is pinned to.
    pub connector_version: String,
    /// Its properties; secret values are `********`.
    #[schema(value_type = Object)]
    pub properties: ShownProperties,
    /// Its settings.
    pub settings: Settings,
    /// Its labels.
    pub labels: Vec<String>,
    /// Whether it last worked.
    pub status: Status,
    /// When it was last tested.
    pub last_tested_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Properties as a response shows them: a JSON object of strings, in the
/// stored order, secret values already masked. (Property names are unique,
/// case-insensitively, so no map is needed to write the object.)
#[derive(Debug)]
pub struct ShownProperties(Vec<(String, String)>);

impl Serialize for ShownProperties {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// The connection with the values that `info` marks secret masked. Without
/// `info` (its connector version is gone) every value is masked.
pub fn view(c: &Connection, info: Option<&ConnectorInfo>) -> ConnectionView {
    let properties = c
        .properties
        .iter()
        .map(|p| {
            let spec = info.and_then(|i| i.property(&p.name));
            let secret = spec.is_none_or(|s| s.secret);
            let value = if secret { MASK.to_string() } else { p.value.clone() };
            // A declared property in the connector's spelling, even if
            // stored before names were (see `validate::canonicalize`).
            (spec.map_or(&p.name, |s| &s.name).clone(), value)
        })
        .collect();
    ConnectionView {
        id: c.id,
        workspace_id: c.workspace_id.clone(),
        name: c.name.clone(),
        connector: c.connector.clone(),
        connector_version: c.connector_version.to_string(),
        properties: ShownProperties(properties),
        settings: c.settings,
        labels: c.labels.clone(),
        status: c.status,
        last_tested_at: c.last_tested_at,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}
