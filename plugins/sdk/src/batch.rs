//! Typed rows, column by column: [`BatchBuilder`] for sources, [`Batch`] for
//! destinations. The column layout is the WIT `batch`'s (one vector per
//! column, text back to back with end offsets), so a batch crosses to and
//! from the host by moving its vectors, without copying values.

use crate::value::Value;
use crate::{ColumnInfo, ConnectorError, DataType, Result};
use std::fmt::{self, Write};

/// Which vector a column's values live in; follows the column's data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Booleans,
    Integers,
    Floats,
    Decimals,
    Strings,
    Bytes,
    Dates,
    Timestamps,
}

impl Kind {
    /// The kind of a column of `data_type` (see the table at [`Value`]).
    pub(crate) fn of(data_type: DataType) -> Self {
        match data_type {
            DataType::Boolean => Kind::Booleans,
            DataType::Smallint | DataType::Integer | DataType::Bigint => Kind::Integers,
            DataType::Real | DataType::Double => Kind::Floats,
            DataType::Decimal => Kind::Decimals,
            DataType::String | DataType::Time | DataType::Uuid | DataType::Json => Kind::Strings,
            DataType::Binary => Kind::Bytes,
            DataType::Date => Kind::Dates,
            DataType::Timestamp | DataType::TimestampTz => Kind::Timestamps,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Booleans => "booleans",
            Kind::Integers => "integers",
            Kind::Floats => "floats",
            Kind::Decimals => "decimals",
            Kind::Strings => "strings",
            Kind::Bytes => "bytes",
            Kind::Dates => "dates",
            Kind::Timestamps => "timestamps",
        }
    }
}

/// Text values back to back: value `i` is `data[ends[i-1]..ends[i]]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Text {
    pub(crate) data: String,
    pub(crate) ends: Vec<u32>,
}

/// Byte-string values back to back, as in [`Text`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Bin {
    pub(crate) data: Vec<u8>,
    pub(crate) ends: Vec<u32>,
}

/// The values of one column, one per row (a placeholder in null rows).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    Booleans(Vec<bool>),
    Integers(Vec<i64>),
    Floats(Vec<f64>),
    Decimals(Text),
    Strings(Text),
    Bytes(Bin),
    Dates(Vec<i32>),
    Timestamps(Vec<i64>),
}

impl Values {
    fn new(kind: Kind, rows: usize) -> Self {
        match kind {
            Kind::Booleans => Values::Booleans(Vec::with_capacity(rows)),
            Kind::Integers => Values::Integers(Vec::with_capacity(rows)),
            Kind::Floats => Values::Floats(Vec::with_capacity(rows)),
            Kind::Decimals => Values::Decimals(Text { data: String::new(), ends: Vec::with_capacity(rows) }),
            Kind::Strings => Values::Strings(Text { data: String::new(), ends: Vec::with_capacity(rows) }),
            Kind::Bytes => Values::Bytes(Bin { data: Vec::new(), ends: Vec::with_capacity(rows) }),
            Kind::Dates => Values::Dates(Vec::with_capacity(rows)),
            Kind::Timestamps => Values::Timestamps(Vec::with_capacity(rows)),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Values::Booleans(_) => Kind::Booleans,
            Values::Integers(_) => Kind::Integers,
            Values::Floats(_) => Kind::Floats,
            Values::Decimals(_) => Kind::Decimals,
            Values::Strings(_) => Kind::Strings,
            Values::Bytes(_) => Kind::Bytes,
            Values::Dates(_) => Kind::Dates,
            Values::Timestamps(_) => Kind::Timestamps,
        }
    }

    fn len(&self) -> usize {
        match self {
            Values::Booleans(v) => v.len(),
            Values::Integers(v) | Values::Timestamps(v) => v.len(),
            Values::Floats(v) => v.len(),
            Values::Decimals(t) | Values::Strings(t) => t.ends.len(),
            Values::Bytes(b) => b.ends.len(),
            Values::Dates(v) => v.len(),
        }
    }

    /// Keeps the first `rows` values.
    fn truncate(&mut self, rows: usize) {
        match self {
            Values::Booleans(v) => v.truncate(rows),
            Values::Integers(v) | Values::Timestamps(v) => v.truncate(rows),
            Values::Floats(v) => v.truncate(rows),
            Values::Decimals(t) | Values::Strings(t) => {
                t.ends.truncate(rows);
                t.data.truncate(t.ends.last().map_or(0, |&e| e as usize));
            }
            Values::Bytes(b) => {
                b.ends.truncate(rows);
                b.data.truncate(b.ends.last().map_or(0, |&e| e as usize));
            }
            Values::Dates(v) => v.truncate(rows),
        }
    }

    /// Appends the placeholder of a null row.
    fn push_placeholder(&mut self) -> Result<()> {
        match self {
            Values::Booleans(v) => v.push(false),
            Values::Integers(v) | Values::Timestamps(v) => v.push(0),
            Values::Floats(v) => v.push(0.0),
            Values::Decimals(t) | Values::Strings(t) => t.ends.push(end(t.data.len())?),
            Values::Bytes(b) => b.ends.push(end(b.data.len())?),
            Values::Dates(v) => v.push(0),
        }
        Ok(())
    }

    /// Value `row`, which the caller has checked is in range and not null.
    fn get(&self, row: usize) -> Option<Value<'_>> {
        let start = |ends: &[u32]| if row == 0 { Some(0) } else { ends.get(row - 1).map(|&e| e as usize) };
        Some(match self {
            Values::Booleans(v) => Value::Bool(*v.get(row)?),
            Values::Integers(v) => Value::Integer(*v.get(row)?),
            Values::Floats(v) => Value::Float(*v.get(row)?),
            Values::Decimals(t) => Value::Decimal(t.data.get(start(&t.ends)?..*t.ends.get(row)? as usize)?),
            Values::Strings(t) => Value::String(t.data.get(start(&t.ends)?..*t.ends.get(row)? as usize)?),
            Values::Bytes(b) => Value::Bytes(b.data.get(start(&b.ends)?..*b.ends.get(row)? as usize)?),
            Values::Dates(v) => Value::Date(*v.get(row)?),
            Values::Timestamps(v) => Value::Timestamp(*v.get(row)?),
        })
    }
}

/// An end offset as the wire holds it; a column of 4 GiB or more is refused.
fn end(len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| ConnectorError::internal("A batch column holds 4 GiB or more of data."))
}

/// One column: its values and which rows are null (empty when none is).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub(crate) values: Values,
    pub(crate) nulls: Vec<bool>,
}

/// Rows of typed values, stored column by column: what a source's
/// [`read`](crate::Connector::read) returns (built with [`BatchBuilder`]) and
/// what a destination's [`write`](crate::Connector::write) receives.
///
/// A batch handed to `write` has passed [`check`](Batch::check) already; a
/// destination that knows its prepared columns can also run
/// [`check_columns`](Batch::check_columns). Reading never panics: out of
/// range, [`ColumnRef::get`] answers [`Value::Null`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    pub(crate) row_count: u32,
    pub(crate) columns: Vec<Column>,
}

impl Batch {
    /// The number of rows.
    pub fn row_count(&self) -> u32 {
        self.row_count
    }

    /// The number of columns.
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    /// Column `index` (0-based, in the batch's order), if there is one.
    pub fn column(&self, index: usize) -> Option<ColumnRef<'_>> {
        self.columns.get(index).map(|column| ColumnRef { column, rows: self.row_count as usize })
    }

    /// The columns, in order.
    pub fn columns(&self) -> impl ExactSizeIterator<Item = ColumnRef<'_>> {
        let rows = self.row_count as usize;
        self.columns.iter().map(move |column| ColumnRef { column, rows })
    }

    /// The rows, in order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = Row<'_>> {
        (0..self.row_count as usize).map(move |index| Row { batch: self, index })
    }

    /// Checks the batch's structure: every column holds `row-count` values,
    /// `nulls` is empty or holds one flag per row, and text and byte `ends`
    /// never decrease, stay within the data and fall on UTF-8 character
    /// boundaries. An `internal` error says what is wrong.
    pub fn check(&self) -> Result<()> {
        let rows = self.row_count as usize;
        for (i, column) in self.columns.iter().enumerate() {
            let n = i + 1;
            let bad =
                |what: String| Err(ConnectorError::internal(format!("The batch is malformed: column {n} {what}.")));
            if column.values.len() != rows {
                return bad(format!("has {} values for {rows} rows", column.values.len()));
            }
            if !column.nulls.is_empty() && column.nulls.len() != rows {
                return bad(format!("has {} null flags for {rows} rows", column.nulls.len()));
            }
            let problem = match &column.values {
                Values::Decimals(t) | Values::Strings(t) => {
                    check_ends(&t.ends, t.data.len(), |e| t.data.is_char_boundary(e))
                }
                Values::Bytes(b) => check_ends(&b.ends, b.data.len(), |_| true),
                _ => None,
            };
            if let Some(problem) = problem {
                return bad(problem);
            }
        }
        Ok(())
    }

    /// [`check`](Batch::check), and that the batch matches `columns` (the
    /// columns a table was prepared with): as many columns, each in the
    /// variant of its data type, and no null in a column that is not
    /// nullable. An `internal` error names the column at fault.
    pub fn check_columns(&self, columns: &[ColumnInfo]) -> Result<()> {
        if self.columns.len() != columns.len() {
            return Err(ConnectorError::internal(format!(
                "The batch has {} columns; the table was prepared with {}.",
                self.columns.len(),
                columns.len()
            )));
        }
        self.check()?;
        for (column, info) in self.columns.iter().zip(columns) {
            let expected = Kind::of(info.data_type);
            if column.values.kind() != expected {
                return Err(ConnectorError::internal(format!(
                    "Column `{}` of the batch holds {}; its type {:?} takes {}.",
                    info.name,
                    column.values.kind().name(),
                    info.data_type,
                    expected.name()
                )));
            }
            if !info.nullable && column.nulls.contains(&true) {
                return Err(ConnectorError::internal(format!(
                    "Column `{}` of the batch holds a null; it is not nullable.",
                    info.name
                )));
            }
        }
        Ok(())
    }
}

/// What is wrong with `ends` over `len` bytes of data, if anything.
fn check_ends(ends: &[u32], len: usize, boundary: impl Fn(usize) -> bool) -> Option<String> {
    let mut previous = 0;
    for (row, &e) in ends.iter().enumerate() {
        let e = e as usize;
        if e < previous {
            return Some(format!("has ends that decrease at row {row}"));
        }
        if e > len {
            return Some(format!("has an end beyond its {len} bytes of data at row {row}"));
        }
        if !boundary(e) {
            return Some(format!("has an end inside a UTF-8 character at row {row}"));
        }
        previous = e;
    }
    None
}

/// One column of a [`Batch`].
#[derive(Debug, Clone, Copy)]
pub struct ColumnRef<'a> {
    column: &'a Column,
    rows: usize,
}

impl<'a> ColumnRef<'a> {
    /// The number of values (the batch's row count).
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Whether row `row` is null (or out of range).
    pub fn is_null(&self, row: usize) -> bool {
        row >= self.rows || self.column.nulls.get(row).copied().unwrap_or(false)
    }

    /// The value of row `row` (0-based); [`Value::Null`] for a null row and
    /// out of range.
    pub fn get(&self, row: usize) -> Value<'a> {
        if self.is_null(row) { Value::Null } else { self.column.values.get(row).unwrap_or(Value::Null) }
    }

    /// The values, in row order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Value<'a>> + use<'a> {
        let column = *self;
        (0..self.rows).map(move |row| column.get(row))
    }
}

/// One row of a [`Batch`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    batch: &'a Batch,
    index: usize,
}

impl<'a> Row<'a> {
    /// The row's index in the batch (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The value of column `column` (0-based); [`Value::Null`] out of range.
    pub fn get(&self, column: usize) -> Value<'a> {
        self.batch.column(column).map_or(Value::Null, |c| c.get(self.index))
    }

    /// The row's values, in column order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = Value<'a>> + use<'a> {
        let index = self.index;
        self.batch.columns().map(move |c| c.get(index))
    }
}

/// What a [`BatchBuilder`] column takes.
#[derive(Debug, Clone)]
struct Spec {
    name: String,
    data_type: DataType,
    nullable: bool,
}

/// Builds a [`Batch`] row by row, for a source's
/// [`read`](crate::Connector::read).
///
/// Either push a whole row with [`push_row`](BatchBuilder::push_row), or push
/// one value per column with [`push`](BatchBuilder::push) or
/// [`push_fmt`](BatchBuilder::push_fmt) (formatted straight into the column,
/// with no allocation of its own) and then call
/// [`end_row`](BatchBuilder::end_row). A value that does not fit its column
/// (another variant, an integer out of a `smallint` or `integer` range, a
/// malformed decimal, a null in a column that is not nullable) is an
/// `internal` error, and the row in progress is dropped; the rows before it
/// stay.
#[derive(Debug, Clone)]
pub struct BatchBuilder {
    specs: Vec<Spec>,
    columns: Vec<Column>,
    rows: u32,
}

impl BatchBuilder {
    /// A builder for nullable columns of `types`, in order.
    pub fn new(types: &[DataType]) -> Self {
        let specs = types
            .iter()
            .enumerate()
            .map(|(i, &data_type)| Spec { name: format!("column {}", i + 1), data_type, nullable: true })
            .collect();
        Self::from_specs(specs, 0)
    }

    /// A builder for `columns` (their types and nullability), with room for
    /// `rows` rows.
    pub fn for_columns<'c>(columns: impl IntoIterator<Item = &'c ColumnInfo>, rows: usize) -> Self {
        let specs = columns
            .into_iter()
            .map(|c| Spec { name: c.name.clone(), data_type: c.data_type, nullable: c.nullable })
            .collect();
        Self::from_specs(specs, rows)
    }

    fn from_specs(specs: Vec<Spec>, rows: usize) -> Self {
        let columns = specs
            .iter()
            .map(|s| Column { values: Values::new(Kind::of(s.data_type), rows), nulls: Vec::new() })
            .collect();
        Self { specs, columns, rows: 0 }
    }

    /// The data type of column `column`, if there is one.
    pub(crate) fn data_type(&self, column: usize) -> Option<DataType> {
        self.specs.get(column).map(|s| s.data_type)
    }

    /// The complete rows so far.
    pub fn row_count(&self) -> u32 {
        self.rows
    }

    /// Appends a row: one value per column, in order.
    pub fn push_row(&mut self, row: &[Value<'_>]) -> Result<()> {
        if row.len() != self.specs.len() {
            return Err(ConnectorError::internal(format!(
                "Row {} has {} values for {} columns.",
                self.rows + 1,
                row.len(),
                self.specs.len()
            )));
        }
        for (column, value) in row.iter().enumerate() {
            self.push(column, *value)?;
        }
        self.end_row()
    }

    /// Appends `value` to column `column` (0-based) of the row in progress.
    pub fn push(&mut self, column: usize, value: Value<'_>) -> Result<()> {
        let result = self.try_push(column, value);
        self.rollback_on_error(result)
    }

    /// Appends the text of `args` to column `column` (a `decimal`, `string`,
    /// `time`, `uuid` or `json` column) of the row in progress, formatting
    /// it straight into the column: `builder.push_fmt(0, format_args!("{a}-{b}"))`.
    pub fn push_fmt(&mut self, column: usize, args: fmt::Arguments<'_>) -> Result<()> {
        let result = self.try_push_fmt(column, args);
        self.rollback_on_error(result)
    }

    /// Ends the row in progress; every column must have its value.
    pub fn end_row(&mut self) -> Result<()> {
        let next = self.rows as usize + 1;
        if let Some(i) = self.columns.iter().position(|c| c.values.len() != next) {
            let error = ConnectorError::internal(format!("Row {next}: column `{}` has no value.", self.specs[i].name));
            return self.rollback_on_error(Err(error));
        }
        self.rows = self
            .rows
            .checked_add(1)
            .ok_or_else(|| ConnectorError::internal("A batch holds at most 4294967295 rows."))?;
        Ok(())
    }

    /// The rows built; a row in progress (not ended) is dropped.
    pub fn finish(mut self) -> Batch {
        self.discard_row();
        Batch { row_count: self.rows, columns: self.columns }
    }

    /// Drops the values pushed for the row in progress.
    pub fn discard_row(&mut self) {
        let rows = self.rows as usize;
        for column in &mut self.columns {
            column.values.truncate(rows);
            column.nulls.truncate(rows);
        }
    }

    fn rollback_on_error(&mut self, result: Result<()>) -> Result<()> {
        if result.is_err() {
            self.discard_row();
        }
        result
    }

    /// The spec and column of `column`, which must not have its value for
    /// the row in progress yet.
    fn slot(&mut self, column: usize) -> Result<(&Spec, &mut Column)> {
        let (Some(spec), Some(data)) = (self.specs.get(column), self.columns.get_mut(column)) else {
            return Err(ConnectorError::internal(format!(
                "Column index {column} is out of range: the batch has {} columns.",
                self.specs.len()
            )));
        };
        if data.values.len() != self.rows as usize {
            return Err(ConnectorError::internal(format!(
                "Row {}: column `{}` got two values.",
                self.rows + 1,
                spec.name
            )));
        }
        Ok((spec, data))
    }

    fn try_push(&mut self, column: usize, value: Value<'_>) -> Result<()> {
        let rows = self.rows as usize;
        let (spec, data) = self.slot(column)?;
        let mismatch = || {
            ConnectorError::internal(format!(
                "Row {}: column `{}` ({:?}) cannot hold {value:?}.",
                rows + 1,
                spec.name,
                spec.data_type
            ))
        };
        match (&mut data.values, value) {
            (values, Value::Null) => {
                if !spec.nullable {
                    return Err(mismatch());
                }
                values.push_placeholder()?;
                if data.nulls.is_empty() {
                    data.nulls.resize(rows, false);
                }
                data.nulls.push(true);
                return Ok(());
            }
            (Values::Booleans(v), Value::Bool(b)) => v.push(b),
            (Values::Integers(v), Value::Integer(i)) => {
                let fits = match spec.data_type {
                    DataType::Smallint => i16::try_from(i).is_ok(),
                    DataType::Integer => i32::try_from(i).is_ok(),
                    _ => true,
                };
                if !fits {
                    return Err(mismatch());
                }
                v.push(i);
            }
            (Values::Floats(v), Value::Float(f)) => v.push(f),
            (Values::Decimals(t), Value::Decimal(d)) => {
                if !is_decimal(d) {
                    return Err(mismatch());
                }
                push_text(t, d)?;
            }
            (Values::Strings(t), Value::String(s)) => push_text(t, s)?,
            (Values::Bytes(b), Value::Bytes(bytes)) => {
                b.data.extend_from_slice(bytes);
                match end(b.data.len()) {
                    Ok(e) => b.ends.push(e),
                    Err(e) => {
                        b.data.truncate(b.ends.last().map_or(0, |&e| e as usize));
                        return Err(e);
                    }
                }
            }
            (Values::Dates(v), Value::Date(d)) => v.push(d),
            (Values::Timestamps(v), Value::Timestamp(t)) => v.push(t),
            _ => return Err(mismatch()),
        }
        if !data.nulls.is_empty() {
            data.nulls.push(false);
        }
        Ok(())
    }

    fn try_push_fmt(&mut self, column: usize, args: fmt::Arguments<'_>) -> Result<()> {
        let rows = self.rows as usize;
        let (spec, data) = self.slot(column)?;
        let (t, decimal) = match &mut data.values {
            Values::Decimals(t) => (t, true),
            Values::Strings(t) => (t, false),
            _ => {
                return Err(ConnectorError::internal(format!(
                    "Row {}: column `{}` ({:?}) takes no text.",
                    rows + 1,
                    spec.name,
                    spec.data_type
                )));
            }
        };
        let start = t.data.len();
        let ok = t.data.write_fmt(args).is_ok() && (!decimal || t.data.get(start..).is_some_and(is_decimal));
        match (ok, end(t.data.len())) {
            (true, Ok(e)) => t.ends.push(e),
            _ => {
                t.data.truncate(start);
                return Err(ConnectorError::internal(format!(
                    "Row {}: column `{}` ({:?}) cannot hold the formatted value.",
                    rows + 1,
                    spec.name,
                    spec.data_type
                )));
            }
        }
        if !data.nulls.is_empty() {
            data.nulls.push(false);
        }
        Ok(())
    }
}

fn push_text(t: &mut Text, s: &str) -> Result<()> {
    let e = end(t.data.len() + s.len())?;
    t.data.push_str(s);
    t.ends.push(e);
    Ok(())
}

/// An optional `-`, at least one digit, and optionally `.` and at least one digit.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, column, columns};

    fn all_types() -> Vec<ColumnInfo> {
        columns([
            column("Id", DataType::Bigint).key(),
            column("Flag", DataType::Boolean),
            column("Small", DataType::Smallint),
            column("Ratio", DataType::Double),
            column("Amount", DataType::Decimal),
            column("Name", DataType::String).not_null(),
            column("Blob", DataType::Binary),
            column("Day", DataType::Date),
            column("At", DataType::TimestampTz),
        ])
    }

    fn sample() -> Batch {
        let mut b = BatchBuilder::for_columns(&all_types(), 2);
        b.push_row(&[
            Value::Integer(1),
            Value::Bool(true),
            Value::Integer(-5),
            Value::Float(0.5),
            Value::Decimal("-12.50"),
            Value::String("héllo"),
            Value::Bytes(&[0, 255]),
            Value::Date(19_000),
            Value::Timestamp(1),
        ])
        .expect("fits");
        b.push_row(&[
            Value::Integer(2),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::String(""),
            Value::Null,
            Value::Null,
            Value::Null,
        ])
        .expect("fits");
        b.finish()
    }

    #[test]
    fn rows_round_trip() {
        let batch = sample();
        assert_eq!(batch.row_count(), 2);
        assert_eq!(batch.column_count(), 9);
        batch.check_columns(&all_types()).expect("well formed");
        let rows: Vec<Vec<Value<'_>>> = batch.rows().map(|r| r.values().collect()).collect();
        assert_eq!(rows[0][5], Value::String("héllo"));
        assert_eq!(rows[0][4], Value::Decimal("-12.50"));
        assert_eq!(rows[0][6], Value::Bytes(&[0, 255]));
        assert_eq!(rows[1][0], Value::Integer(2));
        assert!(rows[1][1..5].iter().all(Value::is_null));
        assert_eq!(rows[1][5], Value::String(""));
        // Out of range reads are null, never a panic.
        assert_eq!(batch.column(0).expect("column").get(7), Value::Null);
        assert!(batch.column(9).is_none());
        assert_eq!(batch.rows().next().expect("row").get(42), Value::Null);
        // A column without nulls keeps `nulls` empty.
        assert!(batch.columns[0].nulls.is_empty());
        assert_eq!(batch.columns[1].nulls, [false, true]);
    }

    #[test]
    fn per_column_pushes_and_fmt() {
        let mut b = BatchBuilder::new(&[DataType::String, DataType::Decimal, DataType::Integer]);
        for r in 0..3u64 {
            b.push_fmt(0, format_args!("row {r}")).expect("text");
            b.push_fmt(1, format_args!("{}.{:02}", r * 7, r)).expect("decimal");
            b.push(2, Value::Integer(r as i64)).expect("int");
            b.end_row().expect("complete");
        }
        let batch = b.finish();
        let names: Vec<_> = batch.column(0).expect("c").iter().collect();
        assert_eq!(names, [Value::String("row 0"), Value::String("row 1"), Value::String("row 2")]);
        assert_eq!(batch.column(1).expect("c").get(2), Value::Decimal("14.02"));
    }

    #[test]
    fn values_that_do_not_fit_are_errors_and_drop_the_row() {
        let mut b = BatchBuilder::for_columns(&all_types(), 0);
        let good = [
            Value::Integer(1),
            Value::Bool(true),
            Value::Integer(1),
            Value::Float(1.0),
            Value::Decimal("1"),
            Value::String("a"),
            Value::Bytes(b"x"),
            Value::Date(1),
            Value::Timestamp(1),
        ];
        b.push_row(&good).expect("fits");
        let cases: [(usize, Value<'_>); 6] = [
            (0, Value::Null),             // a key is not nullable
            (1, Value::Integer(1)),       // another variant
            (2, Value::Integer(40_000)),  // out of the smallint range
            (4, Value::Decimal("1.2.3")), // not a decimal
            (5, Value::Null),             // not nullable
            (8, Value::Date(3)),          // a date in a timestamp column
        ];
        for (column, value) in cases {
            let mut row = good;
            row[column] = value;
            let e = b.push_row(&row).expect_err("does not fit");
            assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
        }
        assert_eq!(b.push_row(&good[..3]).expect_err("short").kind, ErrorKind::Internal);
        // A half-pushed row is dropped by `end_row`'s error.
        b.push(0, Value::Integer(9)).expect("fits");
        assert!(b.end_row().is_err());
        b.push(0, Value::Integer(9)).expect("pushed again after the drop");
        assert!(b.push(0, Value::Integer(9)).is_err(), "two values in one row");
        assert!(b.push(99, Value::Null).is_err());
        assert!(b.push_fmt(0, format_args!("1")).is_err(), "an integer column takes no text");
        let batch = b.finish();
        assert_eq!(batch.row_count(), 1);
        batch.check_columns(&all_types()).expect("only the good row stays");
    }

    #[test]
    fn malformed_batches_are_refused() {
        let good = sample();
        let mut wrong_len = good.clone();
        wrong_len.row_count = 3;
        let mut bad_nulls = good.clone();
        bad_nulls.columns[1].nulls = vec![true];
        let mut decreasing = good.clone();
        if let Values::Strings(t) = &mut decreasing.columns[5].values {
            t.ends = vec![6, 2];
        }
        let mut beyond = good.clone();
        if let Values::Strings(t) = &mut beyond.columns[5].values {
            t.ends = vec![6, 60];
        }
        let mut inside_char = good.clone();
        if let Values::Strings(t) = &mut inside_char.columns[5].values {
            t.ends = vec![2, 6]; // `é` is bytes 1..3
        }
        for bad in [wrong_len, bad_nulls, decreasing, beyond, inside_char] {
            let e = bad.check().expect_err("malformed");
            assert_eq!(e.kind, ErrorKind::Internal);
            assert!(e.message.contains("malformed"), "{}", e.message);
            // Reading a malformed batch still never panics.
            for row in bad.rows() {
                let _ = row.values().count();
            }
        }
        let e = good.check_columns(&all_types()[..3]).expect_err("column count");
        assert!(e.message.contains("prepared with 3"), "{}", e.message);
        let mut types = all_types();
        types[1].data_type = DataType::Integer;
        assert!(good.check_columns(&types).expect_err("variant").message.contains("Flag"));
        let mut types = all_types();
        types[1].nullable = false;
        assert!(good.check_columns(&types).expect_err("null").message.contains("not nullable"));
    }
}
