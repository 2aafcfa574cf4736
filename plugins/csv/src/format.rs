//! The CSV text of a batch (see the crate's README): written into one
//! reused buffer, with no allocation per value.

use std::io::Write;
use syncport_connector_sdk::{Batch, ColumnInfo, Value, write_date, write_timestamp};

/// Appends one line naming `columns`.
pub fn format_header(out: &mut Vec<u8>, columns: &[ColumnInfo], delimiter: u8) {
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        write_text(out, column.name.as_bytes(), delimiter);
    }
    out.push(b'\n');
}

/// Appends every row of `batch`, one line each.
pub fn format_batch(out: &mut Vec<u8>, batch: &Batch, delimiter: u8) {
    let columns: Vec<_> = batch.columns().collect();
    for row in 0..batch.row_count() as usize {
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                out.push(delimiter);
            }
            write_value(out, column.get(row), delimiter);
        }
        out.push(b'\n');
    }
}

/// Appends one field.
pub(crate) fn write_value(out: &mut Vec<u8>, value: Value<'_>, delimiter: u8) {
    // Writing into a Vec cannot fail: the results are ignored.
    match value {
        Value::Null => {}
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Integer(i) => out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
        Value::Float(f) => {
            let _ = write!(out, "{f}");
        }
        Value::Decimal(text) | Value::String(text) => write_text(out, text.as_bytes(), delimiter),
        Value::Bytes(bytes) => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            for b in bytes {
                out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
        }
        Value::Date(days) => {
            let _ = write_date(&mut Utf8(out), days);
        }
        Value::Timestamp(micros) => {
            let _ = write_timestamp(&mut Utf8(out), micros);
        }
    }
}

/// Appends text, quoted (inner quotes doubled) when it is empty or holds the
/// delimiter, `"`, `\r` or `\n`.
fn write_text(out: &mut Vec<u8>, text: &[u8], delimiter: u8) {
    let quote = text.is_empty() || text.iter().any(|&b| b == delimiter || b == b'"' || b == b'\r' || b == b'\n');
    if !quote {
        out.extend_from_slice(text);
        return;
    }
    out.push(b'"');
    for part in text.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// A `fmt::Write` over a byte buffer, for the SDK's date formatters.
struct Utf8<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Utf8<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}
