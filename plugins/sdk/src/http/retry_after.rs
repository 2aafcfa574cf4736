//! The `Retry-After` header.

/// The seconds a `Retry-After` value asks to wait: delay-seconds (`120`) or
/// an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`) counted from `now` (Unix
/// seconds, e.g. the response's `Date`), at least 1. `None` when the value is
/// neither, or is a date and `now` is unknown.
pub fn parse_retry_after(value: &str, now: Option<u64>) -> Option<u32> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(u32::try_from(seconds).unwrap_or(u32::MAX));
    }
    let (at, now) = (parse_http_date(value)?, now?);
    let wait = at.saturating_sub(now).max(1);
    Some(u32::try_from(wait).unwrap_or(u32::MAX))
}

/// Unix seconds of an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) fn parse_http_date(value: &str) -> Option<u64> {
    let (_, rest) = value.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u32 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut time = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (time.next()??, time.next()??, time.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|&name| name == month)? as u32 + 1;
    let days = u64::try_from(crate::parse::days_from_civil(year, month, day)).ok()?;
    Some(days * 86_400 + h * 3_600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_taken_as_they_are() {
        assert_eq!(parse_retry_after("120", None), Some(120));
        assert_eq!(parse_retry_after(" 0 ", None), Some(0));
        assert_eq!(parse_retry_after("99999999999", None), Some(u32::MAX));
    }

    #[test]
    fn dates_count_from_now() {
        // 1994-11-06T08:49:37Z is 784111777.
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", Some(784_111_700)), Some(77));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", Some(784_111_800)), Some(1), "past: at least 1");
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", None), None, "no clock");
    }

    #[test]
    fn anything_else_is_none() {
        for bad in ["", "soon", "-5", "1.5", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(bad, Some(0)), None, "{bad}");
        }
    }
}
