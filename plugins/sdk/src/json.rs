//! Rows from JSON: a value of a web API's response pushed into a column of
//! the column's type.

use crate::{BatchBuilder, ConnectorError, DataType, Result, Value, parse_date, parse_timestamp};
use base64::Engine as _;
use serde_json::Value as Json;

impl BatchBuilder {
    /// Appends the JSON `value` to column `column` of the row in progress,
    /// converted to the column's type; JSON `null` is a null.
    ///
    /// | column type | takes |
    /// |---|---|
    /// | `boolean` | `true`, `false` |
    /// | integers, `real`, `double` | a number (or a string holding one) |
    /// | `decimal` | a number or a numeric string, kept exactly as written |
    /// | `string`, `time`, `uuid` | a string, or a number or boolean as its text |
    /// | `json` | anything, as JSON text |
    /// | `date` | `YYYY-MM-DD` (a timestamp's date part too) |
    /// | `timestamp`, `timestamp-tz` | an ISO 8601 date and time ([`parse_timestamp`]) |
    /// | `binary` | a base64 string |
    ///
    /// Anything else is an `internal` error naming the column's position
    /// and what it expected, never the value.
    pub fn push_json(&mut self, column: usize, value: &Json) -> Result<()> {
        let data_type = self
            .data_type(column)
            .ok_or_else(|| ConnectorError::internal(format!("There is no column {}.", column + 1)))?;
        if value.is_null() {
            return self.push(column, Value::Null);
        }
        let mismatch = |expected: &str| {
            ConnectorError::internal(format!("Column {} expects {expected}, got a JSON {}.", column + 1, kind(value)))
        };
        match data_type {
            DataType::Boolean => {
                let b = value.as_bool().ok_or_else(|| mismatch("true or false"))?;
                self.push(column, Value::Bool(b))
            }
            DataType::Smallint | DataType::Integer | DataType::Bigint => {
                let n = match value {
                    Json::Number(n) => n.as_i64(),
                    Json::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
                self.push(column, Value::Integer(n.ok_or_else(|| mismatch("a whole number"))?))
            }
            DataType::Real | DataType::Double => {
                let f = match value {
                    Json::Number(n) => n.as_f64(),
                    Json::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
                self.push(column, Value::Float(f.ok_or_else(|| mismatch("a number"))?))
            }
            DataType::Decimal => match value {
                Json::Number(n) if n.is_f64() => {
                    // Display of f64 never uses an exponent; serde_json's may.
                    let f = n.as_f64().ok_or_else(|| mismatch("a number"))?;
                    self.push_fmt(column, format_args!("{f}"))
                }
                Json::Number(n) => self.push_fmt(column, format_args!("{n}")),
                Json::String(s) => self.push(column, Value::Decimal(s.trim())),
                _ => Err(mismatch("a number")),
            },
            DataType::String | DataType::Time | DataType::Uuid => match value {
                Json::String(s) => self.push(column, Value::String(s)),
                Json::Number(n) => self.push_fmt(column, format_args!("{n}")),
                Json::Bool(b) => self.push_fmt(column, format_args!("{b}")),
                _ => Err(mismatch("text")),
            },
            DataType::Json => self.push_fmt(column, format_args!("{value}")),
            DataType::Date => {
                let text = value.as_str().ok_or_else(|| mismatch("a date"))?;
                let date = text.get(..10).and_then(parse_date).ok_or_else(|| mismatch("a date (YYYY-MM-DD)"))?;
                self.push(column, Value::Date(date))
            }
            DataType::Timestamp | DataType::TimestampTz => {
                let ts = value.as_str().and_then(parse_timestamp).ok_or_else(|| mismatch("an ISO 8601 timestamp"))?;
                self.push(column, Value::Timestamp(ts))
            }
            DataType::Binary => {
                let text = value.as_str().ok_or_else(|| mismatch("base64 text"))?;
                let bytes =
                    base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| mismatch("base64 text"))?;
                self.push(column, Value::Bytes(&bytes))
            }
        }
    }
}

/// What kind of JSON value `value` is, for messages.
fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, format_timestamp};
    use serde_json::json;

    #[test]
    fn json_values_take_their_columns_types() {
        use DataType as D;
        let types = [D::String, D::Decimal, D::Boolean, D::TimestampTz, D::Json, D::Date, D::Integer, D::Double];
        let mut rows = BatchBuilder::new(&types);
        let values = [
            json!("Amy"),
            json!(1250.5),
            json!(true),
            json!("2024-01-15T10:30:00-08:00"),
            json!({"City": "Oslo"}),
            json!("2024-01-15"),
            json!("42"),
            json!(2),
        ];
        for (i, v) in values.iter().enumerate() {
            rows.push_json(i, v).expect("fits");
        }
        rows.end_row().expect("complete");
        for i in 0..types.len() {
            rows.push_json(i, &Json::Null).expect("nullable");
        }
        rows.end_row().expect("complete");
        let batch = rows.finish();
        let row = batch.rows().next().expect("a row");
        assert_eq!(row.get(0), Value::String("Amy"));
        assert_eq!(row.get(1), Value::Decimal("1250.5"));
        assert_eq!(row.get(2), Value::Bool(true));
        match row.get(3) {
            Value::Timestamp(t) => assert_eq!(format_timestamp(t), "2024-01-15T18:30:00.000000Z"),
            other => panic!("{other:?}"),
        }
        assert_eq!(row.get(4), Value::String(r#"{"City":"Oslo"}"#));
        assert_eq!(row.get(6), Value::Integer(42));
        assert_eq!(row.get(7), Value::Float(2.0));
        assert!(batch.rows().nth(1).expect("a row").values().all(|v| v.is_null()));
    }

    #[test]
    fn decimals_never_use_exponents() {
        let mut rows = BatchBuilder::new(&[DataType::Decimal, DataType::Decimal]);
        rows.push_json(0, &json!(1e-7)).expect("fits");
        rows.push_json(1, &json!(12345678901234_i64)).expect("fits");
        rows.end_row().expect("complete");
        let batch = rows.finish();
        let row = batch.rows().next().expect("a row");
        assert_eq!((row.get(0), row.get(1)), (Value::Decimal("0.0000001"), Value::Decimal("12345678901234")));
    }

    #[test]
    fn mismatches_are_internal_errors_without_the_value() {
        let mut rows = BatchBuilder::new(&[DataType::Boolean, DataType::Date]);
        let e = rows.push_json(0, &json!("secret-yes")).expect_err("not a boolean");
        assert_eq!(e.kind, ErrorKind::Internal);
        assert_eq!(e.message, "Column 1 expects true or false, got a JSON string.");
        let e = rows.push_json(1, &json!("15/01/2024")).expect_err("not a date");
        assert!(!e.message.contains("15/01"), "{}", e.message);
        assert!(rows.push_json(5, &json!(1)).is_err());
    }
}
