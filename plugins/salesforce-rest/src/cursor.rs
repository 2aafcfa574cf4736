//! Where a read goes on: a query page's path on the instance, and how many
//! of its records earlier pages took.
//!
//! Normally the cursor is the `nextRecordsUrl` Salesforce gave. Salesforce
//! pages hold at least 200 records, so when a job asks for fewer, a page is
//! handed out in parts: the cursor is then `{path}#{skip}`, the same page
//! again, past the `skip` records already returned.

use syncport_connector_sdk::{ConnectorError, Result};

/// A position in a query's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The query page's path on the instance, e.g.
    /// `/services/data/v62.0/query/01gD0000002HU6KIAW-2000`.
    pub path: String,
    /// The records of that page already returned.
    pub skip: usize,
}

impl Cursor {
    /// The cursor of `text`; it must be a path of the REST API.
    pub fn parse(text: &str) -> Result<Self> {
        let (path, skip) = match text.split_once('#') {
            Some((path, skip)) => (path, skip.parse().ok()),
            None => (text, Some(0)),
        };
        match skip {
            Some(skip) if path.starts_with("/services/data/") => Ok(Self { path: path.to_string(), skip }),
            _ => Err(ConnectorError::internal("The cursor is not a Salesforce query position.")),
        }
    }

    /// Its text form.
    pub fn text(&self) -> String {
        if self.skip == 0 { self.path.clone() } else { format!("{}#{}", self.path, self.skip) }
    }
}

/// What to return of a page that holds `records` records, `skip` of which
/// were returned before, for a batch of at most `batch_size`: the range of
/// records, and the cursor after it (`next` is the page's `nextRecordsUrl`).
pub fn slice(
    path: &str,
    skip: usize,
    records: usize,
    batch_size: u32,
    next: Option<&str>,
) -> (std::ops::Range<usize>, Option<Cursor>) {
    let start = skip.min(records);
    let end = records.min(start.saturating_add(batch_size.max(1) as usize));
    let after = if end < records {
        Some(Cursor { path: path.to_string(), skip: end })
    } else {
        next.map(|n| Cursor { path: n.to_string(), skip: 0 })
    };
    (start..end, after)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEXT: &str = "/services/data/v62.0/query/01gD0000002HU6KIAW-2000";

    #[test]
    fn cursors_round_trip() {
        for c in [Cursor { path: NEXT.into(), skip: 0 }, Cursor { path: NEXT.into(), skip: 150 }] {
            assert_eq!(Cursor::parse(&c.text()).expect("parses"), c);
        }
        assert_eq!(Cursor { path: NEXT.into(), skip: 0 }.text(), NEXT, "the nextRecordsUrl as it came");
        assert!(Cursor::parse("https://evil.example/x").is_err());
        assert!(Cursor::parse(&format!("{NEXT}#x")).is_err());
    }

    #[test]
    fn pages_larger_than_the_batch_are_handed_out_in_parts() {
        let (range, next) = slice("/services/data/v62.0/query?q=x", 0, 200, 50, Some(NEXT));
        assert_eq!(range, 0..50);
        assert_eq!(next.expect("more").text(), "/services/data/v62.0/query?q=x#50");
        let (range, next) = slice(NEXT, 150, 200, 50, None);
        assert_eq!((range, next), (150..200, None));
        let (range, next) = slice("/services/data/p", 0, 200, 2000, Some(NEXT));
        assert_eq!((range, next.map(|c| c.text())), (0..200, Some(NEXT.to_string())));
    }
}
