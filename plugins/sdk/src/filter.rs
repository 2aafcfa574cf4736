//! The `list-tables` filter.

use crate::{TableInfo, TableType};

/// Which tables `list-tables` should return: an optional schema (compared
/// case-insensitively) and a set of table types (empty means all).
#[derive(Debug, Clone, Default)]
pub struct TableFilter {
    schema: Option<String>,
    types: Vec<TableType>,
}

impl TableFilter {
    /// A filter on `schema` (if given) and `types` (if not empty).
    pub fn new(schema: Option<String>, types: Vec<TableType>) -> Self {
        Self { schema, types }
    }

    /// The schema asked for, if any.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// Whether `table` passes the filter.
    pub fn matches(&self, table: &TableInfo) -> bool {
        self.schema.as_deref().is_none_or(|s| s.eq_ignore_ascii_case(&table.schema))
            && (self.types.is_empty() || self.types.contains(&table.table_type))
    }
}
