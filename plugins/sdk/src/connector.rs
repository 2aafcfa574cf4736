//! The trait a connector implements.

use crate::{
    Batch, ColumnInfo, Config, ConnectorError, ConnectorInfo, Page, ReadRequest, Result, Roles, TableFilter, TableInfo,
};

/// A connector. The host may make a fresh instance for any call, so an
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

    /// The job endpoints it can be: [`Roles::SOURCE`] for a connector that
    /// implements [`read`](Connector::read), [`Roles::DESTINATION`] for one
    /// that implements [`prepare`](Connector::prepare),
    /// [`write`](Connector::write) and [`finish`](Connector::finish).
    /// `describe` reports them (WIT 0.2.0; ignored under the `wit-0-1` feature).
    ///
    /// The default is [`Roles::NONE`]: metadata only.
    fn roles() -> Roles {
        Roles::NONE
    }

    /// Reads one page of `request.table` (sources): at most
    /// `request.batch_size` rows of `request.columns` (every column when
    /// empty), from `request.cursor` (the start when `None`), with the cursor
    /// of the next page (`None` after the last). Build the rows with a
    /// [`BatchBuilder`](crate::BatchBuilder).
    ///
    /// The default answers `unsupported`.
    fn read(&self, config: &Config, request: &ReadRequest) -> Result<Page> {
        let _ = (config, request);
        Err(unsupported::<Self>("read tables (it is not a source)"))
    }

    /// Makes `table` ready to receive rows of `columns`, replacing what it
    /// held (destinations).
    ///
    /// The default answers `unsupported`.
    fn prepare(&self, config: &Config, table: &str, columns: &[ColumnInfo]) -> Result<()> {
        let _ = (config, table, columns);
        Err(unsupported::<Self>("write tables (it is not a destination)"))
    }

    /// Adds `rows` to the prepared `table`, in the prepared columns' order;
    /// returns the number of rows written (destinations). The SDK has run
    /// [`Batch::check`] on `rows` already.
    ///
    /// The default answers `unsupported`.
    fn write(&self, config: &Config, table: &str, rows: &Batch) -> Result<u64> {
        let _ = (config, table, rows);
        Err(unsupported::<Self>("write tables (it is not a destination)"))
    }

    /// Ends the writes to `table`: its rows become visible as a whole
    /// (destinations).
    ///
    /// The default answers `unsupported`.
    fn finish(&self, config: &Config, table: &str) -> Result<()> {
        let _ = (config, table);
        Err(unsupported::<Self>("write tables (it is not a destination)"))
    }
}

/// The error of a job method a connector does not implement.
fn unsupported<C: Connector>(what: &str) -> ConnectorError {
    let info = C::describe();
    ConnectorError::unsupported(format!("{} {} cannot {what}.", info.display_name, info.version))
}
