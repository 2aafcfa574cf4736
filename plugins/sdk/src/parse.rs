//! Dates and timestamps from their text forms, as web APIs send them.

/// Microseconds in a second.
const MICROS_PER_SECOND: i64 = 1_000_000;

/// Days since 1970-01-01 of `YYYY-MM-DD`; `None` for anything else or an
/// impossible date.
pub fn parse_date(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i64 = number(&text[0..4])?;
    let month: u32 = number(&text[5..7])?;
    let day: u32 = number(&text[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    i32::try_from(days_from_civil(year, month, day)).ok()
}

/// Microseconds since 1970-01-01T00:00:00Z of an ISO 8601 date and time:
/// `YYYY-MM-DDTHH:MM:SS`, an optional fraction (up to nine digits; beyond
/// microseconds truncated), and an offset `Z`, `±HH:MM` or `±HHMM` (none:
/// UTC). `2024-01-15T10:30:00-08:00` (QuickBooks) and
/// `2024-01-15T10:30:00.000+0000` (Salesforce) both parse. `None` for
/// anything else.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let (date, rest) = text.split_once(['T', ' '])?;
    let days = i64::from(parse_date(date)?);
    let b = rest.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (hour, minute, second): (i64, i64, i64) = (number(&rest[0..2])?, number(&rest[3..5])?, number(&rest[6..8])?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &rest[8..];
    let mut micros = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let kept = &fraction[..digits.min(6)];
        micros = number::<i64>(kept)? * 10_i64.pow(6 - kept.len() as u32);
        rest = &fraction[digits..];
    }
    let offset = offset_seconds(rest)?;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset;
    seconds.checked_mul(MICROS_PER_SECOND)?.checked_add(micros)
}

/// The seconds east of UTC of an offset: empty or `Z` (0), `±HH:MM`, `±HHMM`.
fn offset_seconds(text: &str) -> Option<i64> {
    if text.is_empty() || text == "Z" || text == "z" {
        return Some(0);
    }
    let sign = match text.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = &text[1..];
    let (hours, minutes) = match digits.len() {
        5 if digits.as_bytes()[2] == b':' => (&digits[0..2], &digits[3..5]),
        4 => (&digits[0..2], &digits[2..4]),
        _ => return None,
    };
    let (hours, minutes): (i64, i64) = (number(hours)?, number(minutes)?);
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3_600 + minutes * 60))
}

/// `text` as a number when it is all ASCII digits.
fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The days of `month` in `year`.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, the inverse of [`civil_from_days`](crate::civil_from_days)).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{format_date, format_timestamp};

    #[test]
    fn dates_round_trip() {
        for text in ["1970-01-01", "2024-02-29", "1969-12-31", "0001-01-01", "9999-12-31"] {
            assert_eq!(format_date(parse_date(text).expect(text)), text);
        }
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "2024-01-00", "20240101", "2024-01-01T"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_honour_offsets_and_fractions() {
        let ts = |t| parse_timestamp(t).map(format_timestamp);
        assert_eq!(ts("2024-01-15T10:30:00-08:00").as_deref(), Some("2024-01-15T18:30:00.000000Z"));
        assert_eq!(ts("2024-01-15T10:30:00.000+0000").as_deref(), Some("2024-01-15T10:30:00.000000Z"));
        assert_eq!(ts("2024-01-15T10:30:00.1234567Z").as_deref(), Some("2024-01-15T10:30:00.123456Z"));
        assert_eq!(ts("2024-01-15 10:30:00").as_deref(), Some("2024-01-15T10:30:00.000000Z"));
        assert_eq!(ts("1969-12-31T23:59:59.5Z").as_deref(), Some("1969-12-31T23:59:59.500000Z"));
        for bad in ["2024-01-15", "2024-01-15T25:00:00Z", "2024-01-15T10:30:00+8", "2024-01-15T10:30:00.Z", "x"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
