//! What jobs use: a connector's roles, a source's read request and page.

use crate::Batch;

/// The job endpoints a connector can be (WIT 0.2.0 `roles`); see
/// [`Connector::roles`](crate::Connector::roles). Built against WIT 0.1.0
/// (feature `wit-0-1`) the roles are not reported: 0.1.0 has none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    /// It implements [`read`](crate::Connector::read): a job can copy from it.
    pub source: bool,
    /// It implements [`prepare`](crate::Connector::prepare),
    /// [`write`](crate::Connector::write) and
    /// [`finish`](crate::Connector::finish): a job can copy into it.
    pub destination: bool,
}

impl Roles {
    /// Metadata only (test, tables, columns).
    pub const NONE: Roles = Roles { source: false, destination: false };
    /// A source.
    pub const SOURCE: Roles = Roles { source: true, destination: false };
    /// A destination.
    pub const DESTINATION: Roles = Roles { source: false, destination: true };
    /// Both a source and a destination.
    pub const BOTH: Roles = Roles { source: true, destination: true };
}

/// What [`read`](crate::Connector::read) is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadRequest {
    /// The table, optionally schema-qualified, as `list-columns` takes it.
    pub table: String,
    /// The columns to read, in order; empty: every column in ordinal order.
    pub columns: Vec<String>,
    /// `None` for the first page, then the [`Page::next_cursor`] of the page
    /// before. Opaque to the host: the connector decides what it holds.
    pub cursor: Option<String>,
    /// The most rows a page may hold; a page may hold fewer.
    pub batch_size: u32,
}

impl ReadRequest {
    /// A request for `columns` of `table` from `cursor`, at most `batch_size`
    /// rows a page; handy in tests.
    pub fn new(table: &str, columns: &[&str], cursor: Option<&str>, batch_size: u32) -> Self {
        Self {
            table: table.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            cursor: cursor.map(str::to_string),
            batch_size,
        }
    }
}

/// One page of rows, the answer to [`read`](crate::Connector::read).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The rows, in the columns asked for.
    pub batch: Batch,
    /// Where the next page starts; `None` after the last page.
    pub next_cursor: Option<String>,
}
