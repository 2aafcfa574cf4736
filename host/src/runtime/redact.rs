//! Masks secret values in everything that leaves the sandbox.
//!
//! Every string a connector hands back goes through one [`Redactor`]: log
//! lines and stdout/stderr as they are kept (`state.rs`), and the result,
//! the connector's error and the fault of a call through [`Mask`] (in
//! `Core::classify`). Not masked: the bytes of binary columns (not text),
//! a page's `next_cursor` (the connector reads it back, so it must come back
//! as written), and `describe`'s answer (it takes no configuration).

use crate::connector::model::{ConnectorInfo, Property};
use std::cell::Cell;

/// The mask that replaces a secret value.
pub const MASK: &str = "********";

/// Replaces every secret value of a call's configuration with [`MASK`],
/// counting the copies it masks (see [`Call::masked`](super::Call::masked)).
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    secrets: Vec<String>,
    /// Copies of secret values masked so far.
    masked: Cell<usize>,
}

impl Redactor {
    /// A redactor for the values in `config` that `info` marks secret.
    pub(crate) fn new(info: Option<&ConnectorInfo>, config: &[Property]) -> Self {
        let mut secrets: Vec<String> = config
            .iter()
            .filter(|p| !p.value.is_empty())
            .filter(|p| info.and_then(|i| i.property(&p.name)).is_some_and(|s| s.secret))
            .map(|p| p.value.clone())
            .collect();
        // Longest first, so a secret that contains another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Self { secrets, masked: Cell::new(0) }
    }

    /// `text` with every secret value masked.
    pub(crate) fn apply(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_string(), |t, s| {
            let copies = t.matches(s.as_str()).count();
            if copies == 0 {
                return t;
            }
            self.masked.set(self.masked.get().saturating_add(copies));
            t.replace(s.as_str(), MASK)
        })
    }

    /// Whether `text` holds a secret value; allocates nothing.
    pub(crate) fn finds(&self, text: &str) -> bool {
        self.secrets.iter().any(|s| text.contains(s.as_str()))
    }

    /// Counts the copies of secret values in `text` as masked, for text that
    /// is dropped rather than kept (a log line the verbosity discards); a
    /// copy is made only when a secret is found.
    pub(crate) fn count(&self, text: &str) {
        if self.finds(text) {
            drop(self.apply(text));
        }
    }

    /// How many copies of secret values [`Redactor::apply`] has masked.
    pub(crate) fn masked(&self) -> usize {
        self.masked.get()
    }

    /// Masks secret values in every string of a call's result.
    pub(crate) fn mask<T: Mask>(&self, value: T) -> T {
        if self.secrets.is_empty() { value } else { value.mask(self) }
    }
}

/// A call result whose strings can carry secret values back out of the
/// sandbox (a connector may echo its configuration anywhere).
pub(crate) trait Mask {
    /// The value with every secret masked.
    fn mask(self, redactor: &Redactor) -> Self;
}

impl Mask for String {
    fn mask(self, redactor: &Redactor) -> Self {
        redactor.apply(&self)
    }
}

impl Mask for () {
    fn mask(self, _: &Redactor) -> Self {}
}

impl<T: Mask> Mask for Option<T> {
    fn mask(self, redactor: &Redactor) -> Self {
        self.map(|v| v.mask(redactor))
    }
}

impl Mask for crate::connector::model::TableInfo {
    fn mask(self, r: &Redactor) -> Self {
        Self { schema: r.apply(&self.schema), name: r.apply(&self.name), description: self.description.mask(r), ..self }
    }
}

impl Mask for crate::connector::model::ColumnInfo {
    fn mask(self, r: &Redactor) -> Self {
        Self { name: r.apply(&self.name), description: self.description.mask(r), ..self }
    }
}

/// A `describe` answer (converted, or why it breaks the contract): it takes
/// no configuration, so it has no secret to mask.
impl Mask for Result<crate::connector::model::ConnectorInfo, String> {
    fn mask(self, _: &Redactor) -> Self {
        self
    }
}

impl<T: Mask> Mask for Vec<T> {
    fn mask(self, redactor: &Redactor) -> Self {
        self.into_iter().map(|v| v.mask(redactor)).collect()
    }
}

impl Mask for u64 {
    fn mask(self, _: &Redactor) -> Self {
        self
    }
}

impl Mask for crate::connector::model::ConnectorError {
    fn mask(self, r: &Redactor) -> Self {
        Self { message: r.apply(&self.message), property: self.property.mask(r), ..self }
    }
}

/// The texts of a fault that come from the guest: a trap's message and
/// panic text, and what broke the contract.
impl Mask for super::outcome::FaultKind {
    fn mask(self, r: &Redactor) -> Self {
        use super::outcome::FaultKind::*;
        match self {
            Trap { message, panic } => Trap { message: r.apply(&message), panic: panic.mask(r) },
            InvalidResult { message } => InvalidResult { message: r.apply(&message) },
            other => other,
        }
    }
}

/// A page's text (string and decimal columns) is masked like any other
/// string a connector hands back. Binary columns are bytes, not text, and
/// pass unchanged; so does `next_cursor`, which the connector reads back in
/// its next `read` and must get back as it wrote it.
impl Mask for crate::connector::batch::Page {
    fn mask(self, r: &Redactor) -> Self {
        use crate::connector::batch::{Batch, ColumnData};
        let columns = self.batch.columns.into_iter().map(|c| ColumnData { values: c.values.mask(r), ..c }).collect();
        Self { batch: Batch { columns, ..self.batch }, ..self }
    }
}

impl Mask for crate::connector::batch::ColumnValues {
    fn mask(self, r: &Redactor) -> Self {
        use crate::connector::batch::ColumnValues::*;
        match self {
            Strings(text) => Strings(text.mask(r)),
            Decimals(text) => Decimals(text.mask(r)),
            other => other,
        }
    }
}

/// Each value is masked on its own (a secret split across two values is not
/// one), and `data` and `ends` are rebuilt only when a secret is found.
/// Values whose `ends` are malformed are left for the batch check to refuse.
impl Mask for crate::connector::batch::TextValues {
    fn mask(self, r: &Redactor) -> Self {
        if !r.finds(&self.data) {
            return self;
        }
        let mut data = String::with_capacity(self.data.len());
        let mut ends = Vec::with_capacity(self.ends.len());
        let mut start = 0;
        for &end in &self.ends {
            let Some(value) = self.data.get(start..end as usize) else { return self };
            data.push_str(&r.apply(value));
            // A mask longer than the secret grows the text; past u32 the
            // end is out of range and the batch check refuses the page.
            ends.push(u32::try_from(data.len()).unwrap_or(u32::MAX));
            start = end as usize;
        }
        Self { data, ends }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::batch::{Batch, BytesValues, ColumnData, ColumnValues, Page, TextValues};
    use crate::connector::model::fixtures::{connector, property};

    fn redactor(secret: &str) -> Redactor {
        let info = connector(vec![property("Password", true, None), property("User", false, None)]);
        Redactor::new(Some(&info), &[Property::new("Password", secret), Property::new("User", "bob")])
    }

    fn text(values: &[&str]) -> TextValues {
        let mut t = TextValues::default();
        for v in values {
            t.data.push_str(v);
            t.ends.push(t.data.len() as u32);
        }
        t
    }

    fn column(values: ColumnValues) -> ColumnData {
        ColumnData { values, nulls: Vec::new() }
    }

    #[test]
    fn page_text_is_masked_value_by_value_and_the_rest_passes_unchanged() {
        let r = redactor("s3cr");
        let bytes = BytesValues { data: b"s3crs3cr".to_vec(), ends: vec![4, 8] };
        let page = Page {
            batch: Batch {
                row_count: 3,
                columns: vec![
                    column(ColumnValues::Strings(text(&["bob", "xs3cry", "s3cr and s3cr"]))),
                    column(ColumnValues::Decimals(text(&["1", "2", "s3cr"]))),
                    column(ColumnValues::Bytes(bytes.clone())),
                    column(ColumnValues::Integers(vec![1, 2, 3])),
                ],
            },
            next_cursor: Some("after s3cr".into()),
        };
        let masked = r.mask(page);
        assert_eq!(
            masked.batch.columns[0].values,
            ColumnValues::Strings(text(&["bob", "x********y", "******** and ********"]))
        );
        assert_eq!(masked.batch.columns[1].values, ColumnValues::Decimals(text(&["1", "2", "********"])));
        assert_eq!(masked.batch.columns[2].values, ColumnValues::Bytes(bytes), "bytes are not text");
        assert_eq!(masked.batch.columns[3].values, ColumnValues::Integers(vec![1, 2, 3]));
        assert_eq!(masked.next_cursor.as_deref(), Some("after s3cr"), "the connector reads its cursor back");
        assert_eq!(r.masked(), 4);
    }

    #[test]
    fn text_without_a_secret_is_not_rebuilt_and_malformed_ends_are_left_alone() {
        let r = redactor("s3cr");
        let clean = text(&["a", "b"]);
        let pointer = clean.data.as_ptr();
        assert_eq!(clean.clone().mask(&r), clean);
        assert_eq!(clean.mask(&r).data.as_ptr(), pointer, "the same buffer");
        let malformed = TextValues { data: "s3cr".into(), ends: vec![9] };
        assert_eq!(malformed.clone().mask(&r), malformed);
    }

    #[test]
    fn a_connector_errors_message_and_property_are_masked() {
        let r = redactor("hunter2");
        let error = crate::connector::model::ConnectorError {
            kind: crate::connector::model::ErrorKind::InvalidConfig,
            message: "hunter2 is wrong".into(),
            property: Some("hunter2".into()),
            retry_after: None,
        };
        let masked = r.mask(error);
        assert_eq!((masked.message.as_str(), masked.property.as_deref()), ("******** is wrong", Some(MASK)));
        let trap =
            super::super::outcome::FaultKind::Trap { message: "at hunter2".into(), panic: Some("hunter2!".into()) };
        assert_eq!(
            r.mask(trap),
            super::super::outcome::FaultKind::Trap { message: format!("at {MASK}"), panic: Some(format!("{MASK}!")) }
        );
        assert_eq!(r.masked(), 4);
    }
}
