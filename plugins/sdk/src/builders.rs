//! Concise constructors for connector metadata.

use crate::{ColumnInfo, ConnectorInfo, DataType, OAuthBuilder, PropertySpec, TableInfo, TableType};

/// Describes a connector.
pub fn connector_info(
    name: &str,
    version: &str,
    display_name: &str,
    description: &str,
    properties: Vec<PropertyBuilder>,
) -> ConnectorInfo {
    ConnectorInfo {
        name: name.into(),
        version: version.into(),
        display_name: display_name.into(),
        description: description.into(),
        properties: properties.into_iter().map(|p| p.0).collect(),
        // Set from `Connector::roles` when the component describes itself.
        #[cfg(not(feature = "wit-0-1"))]
        roles: crate::__private::bindings::syncport::connector::types::Roles::empty(),
        // Set with `ConnectorInfo::egress`.
        #[cfg(all(feature = "wit-0-3", not(feature = "wit-0-1")))]
        egress: Vec::new(),
        // Set with `ConnectorInfo::oauth`.
        #[cfg(all(feature = "wit-0-3", not(feature = "wit-0-1")))]
        oauth: None,
    }
}

impl ConnectorInfo {
    /// Declares the origins the connector may send requests to (WIT 0.3.0,
    /// the `wit-0-3` feature): `scheme://host[:port]` patterns whose host may
    /// hold `{Property}` placeholders (`https://{Subdomain}.zendesk.com`), or
    /// one placeholder alone whose value is a whole URL (`{BaseURL}`). The
    /// host refuses a request to any other origin. Earlier WIT versions have
    /// no network, and their builds drop the patterns.
    pub fn egress(self, patterns: &[&str]) -> Self {
        #[cfg(all(feature = "wit-0-3", not(feature = "wit-0-1")))]
        {
            let mut info = self;
            info.egress = patterns.iter().map(|p| p.to_string()).collect();
            info
        }
        #[cfg(not(all(feature = "wit-0-3", not(feature = "wit-0-1"))))]
        {
            let _ = patterns;
            self
        }
    }

    /// Declares that the host authorizes connections with OAuth 2.0 (WIT
    /// 0.3.0, the `wit-0-3` feature); build the spec with [`oauth`](crate::oauth).
    /// The host runs the flows, refreshes the access token and stores the
    /// tokens in the properties the spec names; the connector only reads
    /// the access token. Earlier WIT versions have no OAuth, and their
    /// builds drop the spec.
    pub fn oauth(self, spec: OAuthBuilder) -> Self {
        #[cfg(all(feature = "wit-0-3", not(feature = "wit-0-1")))]
        {
            let mut info = self;
            info.oauth = Some(spec.into());
            info
        }
        #[cfg(not(all(feature = "wit-0-3", not(feature = "wit-0-1"))))]
        {
            let _ = spec;
            self
        }
    }
}

/// Starts an optional, non-secret property spec.
pub fn property(name: &str, display_name: &str, description: &str) -> PropertyBuilder {
    PropertyBuilder(PropertySpec {
        name: name.into(),
        display_name: display_name.into(),
        description: description.into(),
        required: false,
        secret: false,
        default_value: None,
        allowed_values: Vec::new(),
    })
}

/// A property spec under construction; see [`property`].
#[derive(Debug, Clone)]
pub struct PropertyBuilder(PropertySpec);

impl PropertyBuilder {
    /// Marks it required.
    pub fn required(mut self) -> Self {
        self.0.required = true;
        self
    }
    /// Marks it a credential: encrypted at rest, masked, never logged.
    pub fn secret(mut self) -> Self {
        self.0.secret = true;
        self
    }
    /// Sets the value used when it is not set.
    pub fn default(mut self, value: &str) -> Self {
        self.0.default_value = Some(value.into());
        self
    }
    /// Restricts it to these values.
    pub fn allowed(mut self, values: &[&str]) -> Self {
        self.0.allowed_values = values.iter().map(|v| v.to_string()).collect();
        self
    }
}

/// Starts a nullable, non-key column of `data_type`; [`columns`] numbers it.
pub fn column(name: &str, data_type: DataType) -> ColumnBuilder {
    ColumnBuilder(ColumnInfo {
        name: name.into(),
        data_type,
        nullable: true,
        ordinal: 0,
        primary_key: false,
        length: None,
        precision: None,
        scale: None,
        description: None,
    })
}

/// A column under construction; see [`column()`].
#[derive(Debug, Clone)]
pub struct ColumnBuilder(ColumnInfo);

impl ColumnBuilder {
    /// Makes it (part of) the primary key, and so not nullable.
    pub fn key(mut self) -> Self {
        self.0.primary_key = true;
        self.0.nullable = false;
        self
    }
    /// Makes it not nullable.
    pub fn not_null(mut self) -> Self {
        self.0.nullable = false;
        self
    }
    /// Sets the maximum length of a string or binary column.
    pub fn length(mut self, length: u32) -> Self {
        self.0.length = Some(length);
        self
    }
    /// Sets precision and scale of a decimal column.
    pub fn decimal(mut self, precision: u32, scale: u32) -> Self {
        self.0.precision = Some(precision);
        self.0.scale = Some(scale);
        self
    }
    /// Describes it.
    pub fn describe(mut self, description: &str) -> Self {
        self.0.description = Some(description.into());
        self
    }
}

/// Finishes columns, numbering them 1..n in the given order.
pub fn columns(builders: impl IntoIterator<Item = ColumnBuilder>) -> Vec<ColumnInfo> {
    builders
        .into_iter()
        .zip(1..)
        .map(|(ColumnBuilder(mut c), ordinal)| {
            c.ordinal = ordinal;
            c
        })
        .collect()
}

/// Describes a table.
pub fn table(schema: &str, name: &str, table_type: TableType, description: &str) -> TableInfo {
    TableInfo {
        schema: schema.into(),
        name: name.into(),
        table_type,
        description: (!description.is_empty()).then(|| description.into()),
    }
}
