//! A fixed set of tables with their columns, for connectors whose metadata
//! is known at build time.

use crate::{ColumnInfo, ConnectorError, Result, TableFilter, TableInfo};

/// One table and its columns.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// The table.
    pub info: TableInfo,
    /// Its columns, numbered 1..n.
    pub columns: Vec<ColumnInfo>,
}

/// Tables and their columns, answering `list-tables` and `list-columns`.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    tables: Vec<TableDef>,
}

impl Catalog {
    /// A catalog of `tables`, in the order given.
    pub fn new(tables: Vec<TableDef>) -> Self {
        Self { tables }
    }

    /// Adds a table.
    pub fn push(&mut self, info: TableInfo, columns: Vec<ColumnInfo>) {
        self.tables.push(TableDef { info, columns });
    }

    /// The tables that match `filter`.
    pub fn tables(&self, filter: &TableFilter) -> Vec<TableInfo> {
        self.tables.iter().map(|t| &t.info).filter(|t| filter.matches(t)).cloned().collect()
    }

    /// The table named `name`: `Table` or `Schema.Table`, case-insensitively.
    pub fn find(&self, name: &str) -> Option<&TableDef> {
        let name = name.trim();
        let matches = |t: &&TableDef| {
            t.info.name.eq_ignore_ascii_case(name)
                || name.split_once('.').is_some_and(|(schema, table)| {
                    t.info.schema.eq_ignore_ascii_case(schema) && t.info.name.eq_ignore_ascii_case(table)
                })
        };
        self.tables.iter().find(matches)
    }

    /// The columns of `name`, or a not-found error.
    pub fn columns(&self, name: &str) -> Result<Vec<ColumnInfo>> {
        self.find(name)
            .map(|t| t.columns.clone())
            .ok_or_else(|| ConnectorError::not_found(format!("Table `{name}` does not exist.")))
    }
}
