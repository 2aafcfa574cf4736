//! Typed rows as they travel from a source to a destination, column by
//! column (WIT 0.2.0's `batch`), and the checks a batch from a plugin must
//! pass before the host hands it on.

use super::model::{ColumnInfo, DataType};

/// Text values of one column, back to back: value `i` is
/// `data[ends[i-1]..ends[i]]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextValues {
    /// Every value, concatenated.
    pub data: String,
    /// Where each value ends in `data`, in bytes.
    pub ends: Vec<u32>,
}

/// Byte-string values of one column, back to back, as in [`TextValues`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BytesValues {
    /// Every value, concatenated.
    pub data: Vec<u8>,
    /// Where each value ends in `data`.
    pub ends: Vec<u32>,
}

/// The values of one column, one per row, in the column's type.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// true or false.
    Booleans(Vec<bool>),
    /// Signed 64-bit integers.
    Integers(Vec<i64>),
    /// 64-bit floats.
    Floats(Vec<f64>),
    /// Exact decimals as text.
    Decimals(TextValues),
    /// Text.
    Strings(TextValues),
    /// Raw bytes.
    Bytes(BytesValues),
    /// Days since 1970-01-01.
    Dates(Vec<i32>),
    /// Microseconds since 1970-01-01T00:00:00Z.
    Timestamps(Vec<i64>),
}

/// One column of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnData {
    /// Its values.
    pub values: ColumnValues,
    /// Which rows are null: empty when none is.
    pub nulls: Vec<bool>,
}

/// Typed rows, column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// The number of rows.
    pub row_count: u32,
    /// The columns, in order.
    pub columns: Vec<ColumnData>,
}

/// What a source's `read` is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRequest {
    /// The table, optionally schema-qualified.
    pub table: String,
    /// The columns to read, in order; empty: all.
    pub columns: Vec<String>,
    /// Where to go on; `None` for the first page.
    pub cursor: Option<String>,
    /// The most rows a page may hold.
    pub batch_size: u32,
}

/// One page a source returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The rows.
    pub batch: Batch,
    /// Where the next page starts; `None` after the last.
    pub next_cursor: Option<String>,
}

/// The kind of values a column of `data_type` travels as.
fn expected_kind(data_type: DataType) -> &'static str {
    use DataType::*;
    match data_type {
        Boolean => "booleans",
        Smallint | Integer | Bigint => "integers",
        Real | Double => "floats",
        Decimal => "decimals",
        String | Time | Uuid | Json => "strings",
        Binary => "bytes",
        Date => "dates",
        Timestamp | TimestampTz => "timestamps",
    }
}

impl ColumnValues {
    /// The variant's name, as WIT spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Booleans(_) => "booleans",
            Self::Integers(_) => "integers",
            Self::Floats(_) => "floats",
            Self::Decimals(_) => "decimals",
            Self::Strings(_) => "strings",
            Self::Bytes(_) => "bytes",
            Self::Dates(_) => "dates",
            Self::Timestamps(_) => "timestamps",
        }
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        match self {
            Self::Booleans(v) => v.len(),
            Self::Integers(v) | Self::Timestamps(v) => v.len(),
            Self::Floats(v) => v.len(),
            Self::Decimals(t) | Self::Strings(t) => t.ends.len(),
            Self::Bytes(b) => b.ends.len(),
            Self::Dates(v) => v.len(),
        }
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes its values take (payload only), for transfer logs.
    pub fn payload_bytes(&self) -> usize {
        match self {
            Self::Booleans(v) => v.len(),
            Self::Integers(v) | Self::Timestamps(v) => v.len() * 8,
            Self::Floats(v) => v.len() * 8,
            Self::Decimals(t) | Self::Strings(t) => t.data.len(),
            Self::Bytes(b) => b.data.len(),
            Self::Dates(v) => v.len() * 4,
        }
    }
}

/// Checks that `ends` cut `len` bytes into values: never decreasing and
/// within the data; for text, `boundary` says where a value may end.
fn check_ends(ends: &[u32], len: usize, boundary: impl Fn(usize) -> bool) -> Result<(), String> {
    let mut start = 0usize;
    for (row, &end) in ends.iter().enumerate() {
        let end = end as usize;
        if end < start || end > len {
            return Err(format!("row {row}: value ends at byte {end}, outside {start}..={len}"));
        }
        if !boundary(end) {
            return Err(format!("row {row}: value ends at byte {end}, inside a UTF-8 character"));
        }
        start = end;
    }
    Ok(())
}

impl Batch {
    /// Checks the batch against the columns it was read with: as many
    /// columns, each with `row_count` values of its type's kind, nulls only
    /// where the column is nullable, and well-formed text and byte offsets.
    /// The error names the column and what is wrong.
    pub fn check(&self, columns: &[ColumnInfo]) -> Result<(), String> {
        if self.columns.len() != columns.len() {
            return Err(format!("the batch has {} columns, {} were asked for", self.columns.len(), columns.len()));
        }
        let rows = self.row_count as usize;
        for (data, info) in self.columns.iter().zip(columns) {
            let column = &info.name;
            let (kind, expected) = (data.values.kind(), expected_kind(info.data_type));
            if kind != expected {
                return Err(format!("column `{column}` ({:?}) came as {kind}, not {expected}", info.data_type));
            }
            if data.values.len() != rows {
                return Err(format!("column `{column}` has {} values for {rows} rows", data.values.len()));
            }
            if !data.nulls.is_empty() {
                if data.nulls.len() != rows {
                    return Err(format!("column `{column}` has {} null flags for {rows} rows", data.nulls.len()));
                }
                if !info.nullable && data.nulls.contains(&true) {
                    return Err(format!("column `{column}` is not nullable but holds a null"));
                }
            }
            let ends = match &data.values {
                ColumnValues::Decimals(t) | ColumnValues::Strings(t) => {
                    check_ends(&t.ends, t.data.len(), |i| t.data.is_char_boundary(i))
                }
                ColumnValues::Bytes(b) => check_ends(&b.ends, b.data.len(), |_| true),
                _ => Ok(()),
            };
            ends.map_err(|e| format!("column `{column}`: {e}"))?;
        }
        Ok(())
    }

    /// The bytes its values take, for transfer logs.
    pub fn payload_bytes(&self) -> usize {
        self.columns.iter().map(|c| c.values.payload_bytes()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, data_type: DataType, nullable: bool) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            data_type,
            nullable,
            ordinal: 1,
            primary_key: false,
            length: None,
            precision: None,
            scale: None,
            description: None,
        }
    }

    fn text(data: &str, ends: &[u32]) -> ColumnValues {
        ColumnValues::Strings(TextValues { data: data.into(), ends: ends.to_vec() })
    }

    fn batch(rows: u32, values: ColumnValues, nulls: Vec<bool>) -> Batch {
        Batch { row_count: rows, columns: vec![ColumnData { values, nulls }] }
    }

    #[test]
    fn a_well_formed_batch_passes() {
        let b = batch(2, text("héllo", &[3, 6]), vec![false, true]);
        assert_eq!(b.check(&[column("Name", DataType::String, true)]), Ok(()));
    }

    #[test]
    fn each_malformed_batch_is_refused_with_a_reason() {
        let name = [column("Name", DataType::String, false)];
        let cases = [
            (batch(2, text("ab", &[1]), vec![]), "1 values for 2 rows"),
            (batch(2, text("ab", &[2, 1]), vec![]), "row 1: value ends at byte 1"),
            (batch(1, text("ab", &[3]), vec![]), "outside 0..=2"),
            (batch(1, text("é", &[1]), vec![]), "inside a UTF-8 character"),
            (batch(1, ColumnValues::Integers(vec![1]), vec![]), "came as integers, not strings"),
            (batch(1, text("a", &[1]), vec![true]), "not nullable"),
            (batch(1, text("a", &[1]), vec![false, false]), "2 null flags for 1 rows"),
            (Batch { row_count: 0, columns: vec![] }, "0 columns, 1 were asked for"),
        ];
        for (batch, expected) in cases {
            let error = batch.check(&name).expect_err(expected);
            assert!(error.contains(expected), "{error:?} should contain {expected:?}");
        }
    }
}
