//! Masks secret values in everything that leaves the sandbox.

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

/// A page's rows are the user's data and pass unchanged, whatever they hold
/// (masking would change what a job copies, and could break its cursor);
/// secrets are masked in everything else a job's calls return (errors, logs).
impl Mask for crate::connector::batch::Page {
    fn mask(self, _: &Redactor) -> Self {
        self
    }
}
