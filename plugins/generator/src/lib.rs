//! Deterministic rows for the stub source connectors (QuickBooks and
//! Salesforce 2.x): the value of every table, column and row index follows a
//! fixed formula, written out in this crate's `README.md`, so that a test can
//! compute independently what a source must return.
//!
//! [`value`] gives one value, [`fill`] appends rows to a
//! [`BatchBuilder`], [`page`] answers a whole `read` request, and
//! [`rows_per_table`] reads the `RowsPerTable` property both connectors share;
//! [`read`] puts them together for a connector with a [`Catalog`].

use std::fmt::Write;
use std::ops::Range;
use syncport_connector_sdk::{
    self as sdk, BatchBuilder, Catalog, ColumnInfo, Config, ConnectorError, DataType, ErrorKind, Page, PropertyBuilder,
    ReadRequest, Result, Value,
};

/// The property that sets how many rows every table holds.
pub const ROWS_PER_TABLE: &str = "RowsPerTable";
/// Rows per table when [`ROWS_PER_TABLE`] is not set.
pub const DEFAULT_ROWS: u64 = 1000;
/// The most rows per table [`ROWS_PER_TABLE`] accepts.
pub const MAX_ROWS: u64 = 10_000_000;

/// The spec of the [`ROWS_PER_TABLE`] property, for `describe`.
pub fn rows_per_table_property() -> PropertyBuilder {
    sdk::property(
        ROWS_PER_TABLE,
        "Rows per table",
        "How many rows every table holds when read: a whole number from 0 to 10000000. The rows are \
         generated, the same on every read.",
    )
    .default("1000")
}

/// The value of [`ROWS_PER_TABLE`] (default [`DEFAULT_ROWS`]); anything but a
/// whole number from 0 to [`MAX_ROWS`] is an invalid-config error naming it.
pub fn rows_per_table(config: &Config) -> Result<u64> {
    let what = "a whole number from 0 to 10000000";
    let rows = config.parse::<u64>(ROWS_PER_TABLE, what)?.unwrap_or(DEFAULT_ROWS);
    if rows > MAX_ROWS {
        return Err(ConnectorError::invalid_config(
            ROWS_PER_TABLE,
            format!("Property `{ROWS_PER_TABLE}` must be {what}; got `{rows}`."),
        ));
    }
    Ok(rows)
}

/// Room for the text or bytes of one generated value; reuse one for many
/// values, so that generating allocates nothing once it has grown.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    text: String,
    bytes: [u8; 2],
}

/// The value of `column` (its `ordinal` is `k`) in row `row` (0-based) of
/// `table` (the bare table name, as `list-tables` reports it, no schema).
pub fn value<'s>(table: &str, column: &ColumnInfo, row: u64, scratch: &'s mut Scratch) -> Value<'s> {
    let r = row;
    let k = u64::from(column.ordinal);
    if column.nullable && !column.primary_key && r.wrapping_add(k) % 7 == 0 {
        return Value::Null;
    }
    let text = |scratch: &'s mut Scratch, args: std::fmt::Arguments<'_>| {
        scratch.text.clear();
        // Writing to a String cannot fail.
        let _ = scratch.text.write_fmt(args);
        &scratch.text[..]
    };
    match column.data_type {
        DataType::Boolean => Value::Bool(r.wrapping_add(k) % 2 == 0),
        DataType::Smallint | DataType::Integer | DataType::Bigint => {
            if column.primary_key {
                Value::Integer(r.wrapping_add(1) as i64)
            } else {
                Value::Integer((r.wrapping_mul(k) % 1000) as i64)
            }
        }
        DataType::Real | DataType::Double => Value::Float(r as f64 * 0.5 + k as f64),
        DataType::Decimal => {
            Value::Decimal(text(scratch, format_args!("{}.{:02}", r.wrapping_mul(k) % 100_000, r % 100)))
        }
        DataType::String => {
            // `{table} {k}-{r}`, without `core::fmt` (the hot path of a job).
            let mut numbers = (itoa::Buffer::new(), itoa::Buffer::new());
            scratch.text.clear();
            scratch.text.push_str(table);
            scratch.text.push(' ');
            scratch.text.push_str(numbers.0.format(k));
            scratch.text.push('-');
            scratch.text.push_str(numbers.1.format(r));
            Value::String(&scratch.text)
        }
        DataType::Uuid => Value::String(text(scratch, format_args!("00000000-0000-0000-{k:04x}-{r:012x}"))),
        DataType::Json => Value::String(text(scratch, format_args!("{{\"row\":{r}}}"))),
        DataType::Time => {
            Value::String(text(scratch, format_args!("{:02}:{:02}:{:02}", (r / 3600) % 24, (r / 60) % 60, r % 60)))
        }
        DataType::Binary => {
            scratch.bytes = [(r % 256) as u8, (k % 256) as u8];
            Value::Bytes(&scratch.bytes)
        }
        DataType::Date => Value::Date(19_000 + (r % 1000) as i32),
        DataType::Timestamp | DataType::TimestampTz => {
            Value::Timestamp(1_700_000_000_000_000_i64.wrapping_add((r as i64).wrapping_mul(1_000_000)))
        }
    }
}

/// Appends rows `rows` of `table` with `columns` (in the builder's order).
pub fn fill(builder: &mut BatchBuilder, table: &str, columns: &[&ColumnInfo], rows: Range<u64>) -> Result<()> {
    let mut scratch = Scratch::default();
    for row in rows {
        for (i, column) in columns.iter().enumerate() {
            builder.push(i, value(table, column, row, &mut scratch))?;
        }
        builder.end_row()?;
    }
    Ok(())
}

/// Answers `request` for `table` (its bare name) with `columns` (all of the
/// table's, in ordinal order) and `row_count` rows: the requested columns
/// (all when none is asked for) of rows `cursor..cursor + batch_size`, at
/// most up to `row_count`. The cursor is the decimal index of the next row.
///
/// An unknown column is an invalid-config error naming it; a batch size of 0
/// or a cursor this function did not issue is an internal error.
pub fn page(table: &str, columns: &[ColumnInfo], request: &ReadRequest, row_count: u64) -> Result<Page> {
    let selected: Vec<&ColumnInfo> = if request.columns.is_empty() {
        columns.iter().collect()
    } else {
        request
            .columns
            .iter()
            .map(|name| {
                let name = name.trim();
                columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)).ok_or_else(|| ConnectorError {
                    kind: ErrorKind::InvalidConfig,
                    message: format!("Table `{table}` has no column `{name}`."),
                    property: None,
                    retry_after: None,
                })
            })
            .collect::<Result<_>>()?
    };
    if request.batch_size == 0 {
        return Err(ConnectorError::internal("The batch size must be at least 1."));
    }
    let start = match request.cursor.as_deref() {
        None => 0,
        Some(cursor) => cursor.parse::<u64>().ok().filter(|&c| c <= row_count).ok_or_else(|| {
            ConnectorError::internal(format!("The cursor `{cursor}` is not one this connector issued."))
        })?,
    };
    let end = row_count.min(start.saturating_add(u64::from(request.batch_size)));
    let mut builder = BatchBuilder::for_columns(selected.iter().copied(), (end - start) as usize);
    fill(&mut builder, table, &selected, start..end)?;
    let next_cursor = (end < row_count).then(|| end.to_string());
    Ok(Page { batch: builder.finish(), next_cursor })
}

/// Answers `request` from `catalog`: `RowsPerTable` rows (checked, see
/// [`rows_per_table`]) of the table, named as `list-columns` takes it; an
/// unknown table is a not-found error. See [`page`] for the rest.
pub fn read(catalog: &Catalog, config: &Config, request: &ReadRequest) -> Result<Page> {
    let rows = rows_per_table(config)?;
    let table = catalog
        .find(&request.table)
        .ok_or_else(|| ConnectorError::not_found(format!("Table `{}` does not exist.", request.table)))?;
    sdk::verbose!("reading `{}` from row {}", table.info.name, request.cursor.as_deref().unwrap_or("0"));
    let page = page(&table.info.name, &table.columns, request, rows)?;
    sdk::transfer!("read {} rows of `{}`", page.batch.row_count(), table.info.name);
    Ok(page)
}

#[cfg(test)]
mod tests;
