//! One typed value of a row, and the text forms of dates and timestamps.

use std::fmt::{self, Write};

/// One value of a row, borrowed from a [`Batch`](crate::Batch) or from the
/// caller: a source pushes these into a [`BatchBuilder`](crate::BatchBuilder),
/// a destination reads them from a [`Batch`](crate::Batch).
///
/// Which variant a column takes follows its [`DataType`](crate::DataType):
///
/// | data type | variant |
/// |---|---|
/// | `boolean` | [`Bool`](Value::Bool) |
/// | `smallint`, `integer`, `bigint` | [`Integer`](Value::Integer) |
/// | `real`, `double` | [`Float`](Value::Float) |
/// | `decimal` | [`Decimal`](Value::Decimal) |
/// | `string`, `time` (`HH:MM:SS[.ffffff]`), `uuid`, `json` | [`String`](Value::String) |
/// | `binary` | [`Bytes`](Value::Bytes) |
/// | `date` | [`Date`](Value::Date) |
/// | `timestamp`, `timestamp-tz` | [`Timestamp`](Value::Timestamp) |
///
/// [`Null`](Value::Null) fits every nullable column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// No value.
    Null,
    /// true or false.
    Bool(bool),
    /// A signed integer; `smallint` and `integer` columns take only values in
    /// their 16- and 32-bit ranges.
    Integer(i64),
    /// A floating point number.
    Float(f64),
    /// An exact decimal as text: an optional `-`, digits, an optional `.` and digits.
    Decimal(&'a str),
    /// Text.
    String(&'a str),
    /// Raw bytes.
    Bytes(&'a [u8]),
    /// Days since 1970-01-01 (negative before); see [`write_date`].
    Date(i32),
    /// Microseconds since 1970-01-01T00:00:00Z; see [`write_timestamp`].
    Timestamp(i64),
}

impl Value<'_> {
    /// Whether it is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// Microseconds in a day.
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The proleptic Gregorian `(year, month, day)` of `days` since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Appends `days` since 1970-01-01 as `YYYY-MM-DD` (the year has at least
/// four digits, and a `-` before it when negative).
pub fn write_date(out: &mut impl Write, days: i32) -> fmt::Result {
    let (year, month, day) = civil_from_days(i64::from(days));
    write_ymd(out, year, month, day)
}

fn write_ymd(out: &mut impl Write, year: i64, month: u32, day: u32) -> fmt::Result {
    match u32::try_from(year) {
        // The common case without `core::fmt` (a job formats millions).
        Ok(year) if year <= 9999 => {
            let mut text = *b"0000-00-00";
            digits(&mut text[0..4], year);
            digits(&mut text[5..7], month);
            digits(&mut text[8..10], day);
            out.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
        }
        _ if year < 0 => write!(out, "-{:04}-{month:02}-{day:02}", -year),
        _ => write!(out, "{year:04}-{month:02}-{day:02}"),
    }
}

/// Fills `out` with the last `out.len()` decimal digits of `n`, zero-padded.
fn digits(out: &mut [u8], mut n: u32) {
    for place in out.iter_mut().rev() {
        *place = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Appends `micros` since 1970-01-01T00:00:00Z as
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fraction digits, always UTC).
pub fn write_timestamp(out: &mut impl Write, micros: i64) -> fmt::Result {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let in_day = micros.rem_euclid(MICROS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    write_ymd(out, year, month, day)?;
    // `in_day` is in [0, 86_400_000_000): each part fits a u32.
    let (seconds, fraction) = ((in_day / 1_000_000) as u32, (in_day % 1_000_000) as u32);
    let mut text = *b"T00:00:00.000000Z";
    digits(&mut text[1..3], seconds / 3600);
    digits(&mut text[4..6], (seconds / 60) % 60);
    digits(&mut text[7..9], seconds % 60);
    digits(&mut text[10..16], fraction);
    out.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
}

/// `days` since 1970-01-01 as `YYYY-MM-DD`; see [`write_date`].
pub fn format_date(days: i32) -> String {
    let mut out = String::with_capacity(10);
    // Writing to a String cannot fail.
    let _ = write_date(&mut out, days);
    out
}

/// `micros` since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`; see [`write_timestamp`].
pub fn format_timestamp(micros: i64) -> String {
    let mut out = String::with_capacity(27);
    let _ = write_timestamp(&mut out, micros);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(-1), "1969-12-31");
        assert_eq!(format_date(19_000), "2022-01-08");
        assert_eq!(format_date(19_999), "2024-10-03");
        assert_eq!(format_date(11_016), "2000-02-29");
        assert_eq!(format_date(-719_468), "0000-03-01");
        assert_eq!(format_date(-719_469), "0000-02-29");
        assert_eq!(format_date(-719_529), "-0001-12-31");
        assert_eq!(format_date(2_932_896), "9999-12-31");
        // The extremes format without overflow.
        assert!(!format_date(i32::MIN).is_empty());
        assert!(!format_date(i32::MAX).is_empty());
    }

    #[test]
    fn timestamps() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_timestamp(1_700_000_000_000_000), "2023-11-14T22:13:20.000000Z");
        assert_eq!(format_timestamp(1_700_000_001_000_123), "2023-11-14T22:13:21.000123Z");
        assert_eq!(format_timestamp(-1), "1969-12-31T23:59:59.999999Z");
        assert!(!format_timestamp(i64::MIN).is_empty());
        assert!(!format_timestamp(i64::MAX).is_empty());
    }
}
