//! Masks secret values in everything that leaves the sandbox.
//!
//! Every string a connector hands back goes through one [`Redactor`]: log
//! lines and stdout/stderr as they are kept (`state.rs`), and the result,
//! the connector's error and the fault of a call through [`Mask`] (in
//! `Core::classify`). Not masked: the bytes of binary columns (not text),
//! a page's `next_cursor` (the connector reads it back, so it must come back
//! as written), and `describe`'s answer (it takes no configuration).
//!
//! The rule:
//!
//! - Free text (messages, log lines, descriptions, text values): a secret of
//!   [`LONG`] characters or more is masked wherever it occurs; a shorter one
//!   only where it stands as a whole token, with no ASCII letter or digit
//!   right before or after it (a secret `A` stays in `Accounts`, and is
//!   masked in `password=A;` or in a value that is exactly `A`).
//! - Identifiers (schema, table and column names) are never rewritten: the
//!   host shows them, calls with them and caches by them. One that holds a
//!   long secret, or is exactly a short one, fails the call instead
//!   ([`SecretInName`]), counted in `Call::masked` like a masked copy.

use crate::connector::model::{ConnectorInfo, Property};
use std::cell::Cell;

/// The mask that replaces a secret value.
pub const MASK: &str = "********";

/// Secrets of at least this many characters are masked wherever they occur;
/// shorter ones (common in test set-ups) only as whole tokens, so a short
/// secret that happens to be a common letter or syllable does not mangle
/// every word that holds it.
pub(crate) const LONG: usize = 8;

/// One secret value and how it is matched.
#[derive(Clone)]
struct Secret {
    value: String,
    /// [`LONG`] characters or more: masked wherever it occurs.
    long: bool,
}

impl Secret {
    /// Whether the copy of this secret at `start..end` of `text` is masked:
    /// every copy of a long secret; a short one standing as a whole token.
    fn masks_at(&self, text: &str, start: usize, end: usize) -> bool {
        let word = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
        self.long || !(word(text.as_bytes()[..start].last()) || word(text.as_bytes().get(end)))
    }

    /// How many copies of this secret the identifier `name` holds, counted
    /// as refused: copies of a long secret anywhere, a short one only as
    /// the whole name.
    fn in_name(&self, name: &str) -> usize {
        if self.long { name.matches(self.value.as_str()).count() } else { usize::from(name == self.value) }
    }
}

/// Replaces the secret values of a call's configuration with [`MASK`] in
/// free text, and finds them in identifiers, counting the copies it masks or
/// refuses (see [`Call::masked`](super::Call::masked)).
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// Longest first.
    secrets: Vec<Secret>,
    /// Copies of secret values masked (or refused) so far.
    masked: Cell<usize>,
}

/// Names the secrets' count only, never their values.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").field("secrets", &self.secrets.len()).field("masked", &self.masked.get()).finish()
    }
}

impl Redactor {
    /// A redactor for the values in `config` that `info` marks secret.
    pub(crate) fn new(info: Option<&ConnectorInfo>, config: &[Property]) -> Self {
        let mut secrets: Vec<Secret> = config
            .iter()
            .filter(|p| !p.value.is_empty())
            .filter(|p| info.and_then(|i| i.property(&p.name)).is_some_and(|s| s.secret))
            .map(|p| Secret { value: p.value.clone(), long: p.value.chars().count() >= LONG })
            .collect();
        // Longest first, so a secret that contains another is masked whole.
        secrets.sort_by(|a, b| b.value.len().cmp(&a.value.len()).then_with(|| a.value.cmp(&b.value)));
        secrets.dedup_by(|a, b| a.value == b.value);
        Self { secrets, masked: Cell::new(0) }
    }

    /// `text` with every secret value masked (see the module's rule).
    pub(crate) fn apply(&self, text: &str) -> String {
        let spans = self.spans(text);
        if spans.is_empty() {
            return text.to_string();
        }
        let copies: usize = spans.iter().map(|&(_, _, copies)| copies).sum();
        self.masked.set(self.masked.get().saturating_add(copies));
        let mut masked = String::with_capacity(text.len() + spans.len() * MASK.len());
        let mut at = 0;
        for (start, end, _) in spans {
            masked.push_str(&text[at..start]);
            masked.push_str(MASK);
            at = end;
        }
        masked.push_str(&text[at..]);
        masked
    }

    /// The byte ranges of `text` to mask, in order and apart, each with the
    /// copies of secrets it covers. Found in `text` as given (never in a
    /// mask already written); a copy inside another's range (a secret that
    /// contains another) is not counted again, and copies that overlap are
    /// masked as one range, so no part of either shows.
    fn spans(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for secret in &self.secrets {
            let value = secret.value.as_str();
            found.extend(
                copies(text, value)
                    .map(|start| (start, start + value.len()))
                    .filter(|&(start, end)| secret.masks_at(text, start, end)),
            );
        }
        // By start; at one start, the longest first.
        found.sort_unstable_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for (start, end) in found {
            match spans.last_mut() {
                Some(last) if end <= last.1 => {}
                Some(last) if start < last.1 => (last.1, last.2) = (end, last.2 + 1),
                _ => spans.push((start, end, 1)),
            }
        }
        spans
    }

    /// Whether `text` holds a copy of a secret value, whole token or not: a
    /// cheap test before [`Redactor::apply`]; allocates nothing.
    pub(crate) fn finds(&self, text: &str) -> bool {
        self.secrets.iter().any(|s| text.contains(s.value.as_str()))
    }

    /// Counts the copies of secret values in `text` as masked, for text that
    /// is dropped rather than kept (a log line the verbosity discards); a
    /// copy is made only when a secret is found.
    pub(crate) fn count(&self, text: &str) {
        if self.finds(text) {
            drop(self.apply(text));
        }
    }

    /// How many copies of secret values [`Redactor::apply`] has masked, and
    /// identifiers have held ([`Mask::refuse`]).
    pub(crate) fn masked(&self) -> usize {
        self.masked.get()
    }

    /// Masks secret values in every string of a call's result.
    pub(crate) fn mask<T: Mask>(&self, value: T) -> T {
        if self.secrets.is_empty() { value } else { value.mask(self) }
    }

    /// `Some(what)` if the identifier `name` holds a secret value (a long one
    /// anywhere in it, a short one as the whole name), counting the copies.
    fn refuse_name(&self, what: &'static str, name: &str) -> Option<SecretInName> {
        let copies: usize = self.secrets.iter().map(|s| s.in_name(name)).sum();
        if copies == 0 {
            return None;
        }
        self.masked.set(self.masked.get().saturating_add(copies));
        Some(SecretInName { what })
    }
}

/// Where `value` starts in `text`, overlapping copies included (a copy of
/// a short secret that is not a whole token must not hide one that is, as
/// `--` in `a---`).
fn copies<'a>(text: &'a str, value: &'a str) -> impl Iterator<Item = usize> + 'a {
    let step = value.chars().next().map_or(1, char::len_utf8);
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + text.get(from..)?.find(value)?;
        from = start + step;
        Some(start)
    })
}

/// Why a call's value is refused: one of its identifiers holds a secret
/// value. Names the kind of identifier, never its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the connector returned a {what} that holds a secret value of the connection; the call is refused so the \
     secret does not leave the sandbox"
)]
pub(crate) struct SecretInName {
    /// `schema name`, `table name` or `column name`.
    pub(crate) what: &'static str,
}

/// A call's value on its way out (see `Core::classify`): its identifiers
/// checked ([`Mask::refuse`]), then its free text masked; or why it is
/// refused.
pub(crate) struct Screened<T>(pub(crate) Result<T, SecretInName>);

impl<T: Mask> Mask for Screened<T> {
    fn mask(self, r: &Redactor) -> Self {
        Screened(self.0.and_then(|value| match value.refuse(r) {
            Some(refused) => Err(refused),
            None => Ok(value.mask(r)),
        }))
    }
}

/// A call result whose strings can carry secret values back out of the
/// sandbox (a connector may echo its configuration anywhere).
pub(crate) trait Mask {
    /// The value with every secret masked in its free text; identifiers
    /// are left as they are (see [`Mask::refuse`]).
    fn mask(self, redactor: &Redactor) -> Self;

    /// The first identifier of the value (schema, table or column name)
    /// that holds a secret value, if one does; identifiers are never
    /// rewritten, so such a value is refused whole. None by default.
    fn refuse(&self, _redactor: &Redactor) -> Option<SecretInName> {
        None
    }
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

    fn refuse(&self, redactor: &Redactor) -> Option<SecretInName> {
        self.as_ref().and_then(|v| v.refuse(redactor))
    }
}

/// The schema and the name are identifiers (the host shows them, calls
/// with them and caches by them): never rewritten. The description is text.
impl Mask for crate::connector::model::TableInfo {
    fn mask(self, r: &Redactor) -> Self {
        Self { description: self.description.mask(r), ..self }
    }

    fn refuse(&self, r: &Redactor) -> Option<SecretInName> {
        r.refuse_name("schema name", &self.schema).or_else(|| r.refuse_name("table name", &self.name))
    }
}

/// The name is an identifier, never rewritten; the description is text.
impl Mask for crate::connector::model::ColumnInfo {
    fn mask(self, r: &Redactor) -> Self {
        Self { description: self.description.mask(r), ..self }
    }

    fn refuse(&self, r: &Redactor) -> Option<SecretInName> {
        r.refuse_name("column name", &self.name)
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

    fn refuse(&self, redactor: &Redactor) -> Option<SecretInName> {
        self.iter().find_map(|v| v.refuse(redactor))
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
    use crate::connector::model::{ColumnInfo, DataType, TableInfo, TableType};

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
                    column(ColumnValues::Strings(text(&["s3crets", "x-s3cr-y", "s3cr and s3cr"]))),
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
            ColumnValues::Strings(text(&["s3crets", "x-********-y", "******** and ********"]))
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

    /// Secrets of 1, 3, 8 and 40 characters.
    const LONG40: &str = "tok-0123456789abcdefghijklmnopqrstuvwxyz";

    #[test]
    fn identifiers_that_hold_a_short_secret_come_back_unchanged() {
        let table = |schema: &str, name: &str| TableInfo {
            schema: schema.into(),
            name: name.into(),
            table_type: TableType::Table,
            description: None,
        };
        let column = |name: &str| ColumnInfo {
            name: name.into(),
            data_type: DataType::String,
            nullable: true,
            ordinal: 1,
            primary_key: false,
            length: None,
            precision: None,
            scale: None,
            description: None,
        };
        for secret in ["A", "o", "Qui", "ounts", "T_A1"] {
            let r = redactor(secret);
            let tables = vec![table("QuickBooksOnline", "Accounts"), table("", "T_A"), table("dbo", "Quiz_o")];
            assert_eq!(r.mask(tables.clone()), tables, "{secret}");
            let columns = vec![column("AccountNumber"), column("Id"), column("o_Qui_A")];
            assert_eq!(r.mask(columns.clone()), columns, "{secret}");
            assert_eq!(r.masked(), 0, "{secret}");
        }
    }

    #[test]
    fn free_text_masks_a_short_secret_as_a_whole_token_and_a_long_one_everywhere() {
        let long8 = "p4ss-w0r";
        let cases: [(&str, &str, String, usize); 12] = [
            ("A", "Accounts", "Accounts".into(), 0),
            ("A", "A", MASK.into(), 1),
            ("A", "password=A; the A/P Aging", format!("password={MASK}; the {MASK}/P Aging"), 2),
            (
                "o",
                "Connected to QuickBooksOnline company o (sandbox)",
                format!("Connected to QuickBooksOnline company {MASK} (sandbox)"),
                1,
            ),
            ("Qui", "QuickBooksOnline Qui Qui2 xQui é Qui", format!("QuickBooksOnline {MASK} Qui2 xQui é {MASK}"), 2),
            ("Qui", "QuiQui", "QuiQui".into(), 0),
            ("--", "a--- b", format!("a-{MASK} b"), 1),
            (long8, &format!("x{long8}y {long8}"), format!("x{MASK}y {MASK}"), 2),
            (long8, "p4ss-w0", "p4ss-w0".into(), 0),
            (LONG40, &format!("Bearer {LONG40}{LONG40}!"), format!("Bearer {MASK}{MASK}!"), 2),
            (LONG40, "Accounts", "Accounts".into(), 0),
            ("*", "a * b", format!("a {MASK} b"), 1),
        ];
        for (secret, text, expected, copies) in cases {
            let r = redactor(secret);
            assert_eq!(r.apply(text), expected, "{secret:?} in {text:?}");
            assert_eq!(r.masked(), copies, "{secret:?} in {text:?}");
        }
    }

    #[test]
    fn each_text_value_of_a_page_is_its_own_token() {
        // `A` and `ccounts` are two values, not the word `Accounts`.
        let r = redactor("A");
        let values = ColumnValues::Strings(text(&["A", "ccounts", "Accounts", "A;B"]));
        let masked = r.mask(Page { batch: Batch { row_count: 4, columns: vec![column(values)] }, next_cursor: None });
        let expected = ColumnValues::Strings(text(&[MASK, "ccounts", "Accounts", &format!("{MASK};B")]));
        assert_eq!(masked.batch.columns[0].values, expected);
        assert_eq!(r.masked(), 2);
    }

    fn table(schema: &str, name: &str, description: &str) -> TableInfo {
        TableInfo {
            schema: schema.into(),
            name: name.into(),
            table_type: TableType::Table,
            description: Some(description.into()),
        }
    }

    fn column_info(name: &str, description: &str) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            data_type: DataType::String,
            nullable: true,
            ordinal: 1,
            primary_key: false,
            length: None,
            precision: None,
            scale: None,
            description: Some(description.into()),
        }
    }

    #[test]
    fn an_identifier_that_holds_a_long_secret_or_is_a_short_one_refuses_the_value() {
        let long8 = "p4ss-w0r";
        type Case = (&'static str, Vec<TableInfo>, Vec<ColumnInfo>, Option<&'static str>);
        let cases: Vec<Case> = vec![
            ("A", vec![table("dbo", "A", "")], vec![], Some("table name")),
            ("A", vec![table("A", "Accounts", "")], vec![], Some("schema name")),
            ("A", vec![], vec![column_info("Id", ""), column_info("A", "")], Some("column name")),
            ("Qui", vec![table("QuickBooksOnline", "Qui", "")], vec![column_info("Qui", "")], Some("table name")),
            ("Qui", vec![table("Qui_x", "T_Qui", "")], vec![column_info("Quiz", "")], None),
            (long8, vec![table("dbo", &format!("T_{long8}"), "")], vec![], Some("table name")),
            (long8, vec![table(&format!("x{long8}x"), "T", "")], vec![], Some("schema name")),
            (long8, vec![], vec![column_info(&format!("N{long8}"), "")], Some("column name")),
            (long8, vec![table("dbo", "p4ss-w0", "")], vec![column_info("p4ss", "")], None),
            (LONG40, vec![table("dbo", &format!("{LONG40}s"), "")], vec![], Some("table name")),
            (LONG40, vec![table("dbo", &LONG40[1..], "")], vec![column_info(&LONG40[..39], "")], None),
        ];
        for (secret, tables, columns, refused) in cases {
            let label = format!("{secret:?} {tables:?} {columns:?}");
            let r = redactor(secret);
            let tables = r.mask(Screened(Ok(tables.clone()))).0.map_err(|e| e.what);
            let columns = r.mask(Screened(Ok(columns.clone()))).0.map_err(|e| e.what);
            let got = tables.err().or(columns.err());
            assert_eq!(got, refused, "{label}");
            assert_eq!(r.masked() > 0, refused.is_some(), "refused copies are counted: {label}");
        }
    }

    #[test]
    fn a_refused_value_names_the_identifier_and_never_its_value() {
        let r = redactor(LONG40);
        let refused = r.mask(Screened(Ok(vec![table("dbo", &format!("T_{LONG40}"), LONG40)]))).0;
        let message = refused.expect_err("refused").to_string();
        assert_eq!(
            message,
            "the connector returned a table name that holds a secret value of the connection; the call is refused \
             so the secret does not leave the sandbox"
        );
        assert_eq!(r.masked(), 1);
        assert!(!format!("{r:?}").contains(LONG40), "Debug shows no secret: {r:?}");
    }

    #[test]
    fn a_screened_value_keeps_its_names_and_masks_its_text_by_the_length_rule() {
        let cases = [
            ("A", "A A: Accounts", format!("{MASK} {MASK}: Accounts")),
            ("ounts", "Accounts: ounts", format!("Accounts: {MASK}")),
            ("s3cr3t-8", "xs3cr3t-8y: s3cr3t-8", format!("x{MASK}y: {MASK}")),
        ];
        for (secret, text, expected) in cases {
            let r = redactor(secret);
            let screened = r.mask(Screened(Ok(vec![table("QuickBooksOnline", "Accounts", text)]))).0;
            let tables = screened.unwrap_or_else(|e| panic!("{secret}: {e}"));
            assert_eq!((tables[0].schema.as_str(), tables[0].name.as_str()), ("QuickBooksOnline", "Accounts"));
            assert_eq!(tables[0].description.as_deref(), Some(expected.as_str()), "{secret}");
        }
    }

    #[test]
    fn overlapping_and_nested_copies_are_masked_as_one_range_and_a_mask_is_never_matched() {
        let info = connector(vec![property("Password", true, None), property("Token", true, None)]);
        let two =
            |a: &str, b: &str| Redactor::new(Some(&info), &[Property::new("Password", a), Property::new("Token", b)]);
        let r = two("abcdefghij", "ghijklmnop");
        assert_eq!(r.apply("<abcdefghijklmnop>"), format!("<{MASK}>"), "no part of either shows");
        assert_eq!(r.masked(), 2);
        let r = two("hunter22!", "hunter22");
        assert_eq!(r.apply("hunter22! hunter22"), format!("{MASK} {MASK}"));
        assert_eq!(r.masked(), 2, "the shorter copy inside the longer is not counted again");
        let r = two("tok-12345678", "*");
        assert_eq!(r.apply("tok-12345678 * x*y"), format!("{MASK} {MASK} x*y"), "the mask written is not searched");
        assert_eq!(r.masked(), 2);
        let r = two("same", "same");
        assert_eq!(r.apply("same"), MASK);
        assert_eq!(r.masked(), 1, "a value set twice is one secret");
    }
}
