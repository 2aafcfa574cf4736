//! The trait a connector implements.

use crate::{ColumnInfo, Config, ConnectorError, ConnectorInfo, Result, TableFilter, TableInfo};

/// A connector. The host makes a fresh instance for every call, so an
/// implementation keeps no state between calls; `Default` builds it.
///
/// Before any method but [`describe`](Connector::describe) runs, the SDK has
/// checked the configuration against the described properties: required ones
/// are present and values are among the allowed ones.
pub trait Connector: Default {
    /// Name, version, display name and property specs. Must be the same on
    /// every call.
    fn describe() -> ConnectorInfo;

    /// Checks that the connection works and returns a short success message.
    ///
    /// The default accepts any configuration that passed the SDK's checks.
    fn test(&self, config: &Config) -> Result<String> {
        let _ = config;
        Ok(format!("{} settings are valid.", Self::describe().display_name))
    }

    /// Lists the tables that match `filter` ([`TableFilter::matches`]).
    ///
    /// The default lists none.
    fn list_tables(&self, config: &Config, filter: &TableFilter) -> Result<Vec<TableInfo>> {
        let _ = (config, filter);
        Ok(Vec::new())
    }

    /// Lists the columns of `table` (optionally schema-qualified) in ordinal
    /// order; an unknown table is [`ConnectorError::not_found`].
    ///
    /// The default knows no table.
    fn list_columns(&self, config: &Config, table: &str) -> Result<Vec<ColumnInfo>> {
        let _ = config;
        Err(ConnectorError::not_found(format!("Table `{table}` does not exist.")))
    }

    /// Drops any metadata the connector keeps for this configuration.
    ///
    /// The default does nothing.
    fn reset_metadata(&self, config: &Config) -> Result<()> {
        let _ = config;
        Ok(())
    }
}
