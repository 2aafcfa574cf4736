//! The `secret-canary` check: a unique value planted in every secret
//! property must come back out of no call, in no form.
//!
//! The host masks exact copies of secret values on their way out, so the
//! check looks twice: the runtime reports how many copies it had to mask
//! ([`Call::masked`](crate::runtime::Call::masked)), and the check searches
//! what got through for the forms masking cannot see (another case,
//! reversed, base64, hex, or an 8-character piece).

use super::Findings;
use super::probe::{Failure, Observed, Probe};
use crate::connector::model::{ColumnInfo, ConnectorInfo, Property, TableInfo};
use crate::runtime::{LogSource, MASK};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// Characters of a canary piece that count as a leak.
const PIECE: usize = 8;

/// One planted value: the property and the forms that betray it.
struct Canary {
    property: String,
    /// The value as planted.
    value: String,
    /// (how it was transformed, the form in lower case), compared
    /// case-insensitively.
    forms: Vec<(&'static str, String)>,
}

impl Canary {
    /// A fresh random canary for `property`.
    fn new(property: &str) -> (Self, String) {
        let mut bytes = [0u8; 10];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        let random = hex::encode(bytes);
        let value = format!("cnry{random}");
        let lower = value.to_lowercase();
        let mut forms = vec![
            ("in another case", lower.clone()),
            ("reversed", lower.chars().rev().collect()),
            ("hex-encoded", hex::encode(value.as_bytes())),
        ];
        // Base64 of the value at each of the three alignments it can have
        // inside a longer text, without the characters that mix in neighbours.
        for pad in 0..3 {
            let mut bytes = vec![0u8; pad];
            bytes.extend_from_slice(value.as_bytes());
            for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
                let encoded = engine.encode(&bytes);
                let core = encoded.get([0, 2, 3][pad]..encoded.len().saturating_sub(4)).unwrap_or_default();
                forms.push(("base64-encoded", core.to_lowercase()));
            }
        }
        let random: Vec<char> = random.chars().collect();
        for piece in random.windows(PIECE) {
            forms.push(("in part", piece.iter().collect()));
        }
        (Self { property: property.to_string(), value: value.clone(), forms }, value)
    }

    /// How `text` betrays this canary, if it does.
    fn found_in(&self, text: &str) -> Option<&'static str> {
        if text.contains(&self.value) {
            return Some("as it is");
        }
        let text = text.to_lowercase();
        self.forms.iter().find(|(_, form)| !form.is_empty() && text.contains(form.as_str())).map(|(how, _)| *how)
    }
}

/// The strings of a call's value that leave the sandbox.
trait Texts {
    /// Each string, with where it is (e.g. "table `S.T`'s description").
    fn texts(&self) -> Vec<(String, String)>;
}

impl Texts for String {
    fn texts(&self) -> Vec<(String, String)> {
        vec![("its result".into(), self.clone())]
    }
}

impl Texts for () {
    fn texts(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

impl Texts for Vec<TableInfo> {
    fn texts(&self) -> Vec<(String, String)> {
        self.iter()
            .flat_map(|t| {
                let mut texts =
                    vec![("a table's schema".into(), t.schema.clone()), ("a table's name".into(), t.name.clone())];
                texts.extend(t.description.clone().map(|d| ("a table's description".into(), d)));
                texts
            })
            .collect()
    }
}

impl Texts for Vec<ColumnInfo> {
    fn texts(&self) -> Vec<(String, String)> {
        self.iter()
            .flat_map(|c| {
                let mut texts = vec![("a column's name".to_string(), c.name.clone())];
                texts.extend(c.description.clone().map(|d| ("a column's description".into(), d)));
                texts
            })
            .collect()
    }
}

/// Every string a call let out of the sandbox, with where it was.
fn outputs<T: Texts>(observed: &Observed<T>) -> Vec<(String, String)> {
    let mut texts = match &observed.result {
        Ok(value) => value.texts(),
        Err(Failure::Connector(e)) => {
            let mut texts = vec![("its error message".to_string(), e.message.clone())];
            texts.extend(e.property.clone().map(|p| ("its error's property".into(), p)));
            texts
        }
        Err(Failure::Crashed(message) | Failure::Limit(message)) => vec![("its crash report".into(), message.clone())],
    };
    for line in &observed.logs {
        let source = match line.source {
            LogSource::Plugin => "a log line",
            LogSource::Stdout => "its stdout",
            LogSource::Stderr => "its stderr",
            LogSource::Egress => "the host's line on its requests",
        };
        texts.push((source.into(), line.message.clone()));
    }
    texts
}

/// Whether the call broke a limit (and so produced next to nothing).
fn limited<T>(observed: &Observed<T>) -> bool {
    matches!(observed.result, Err(Failure::Limit(_)))
}

/// Records every way the call `what` let a canary out: copies the host
/// masked (`masked`), and transformed copies in `texts`.
fn inspect(findings: &mut Findings, canaries: &[Canary], what: &str, masked: usize, texts: &[(String, String)]) {
    if masked > 0 {
        let place = texts
            .iter()
            .find(|(_, text)| text.contains(MASK))
            .map(|(place, text)| format!(" ({place}: \"{}\")", excerpt(text)))
            .unwrap_or_default();
        findings.problem(format!(
            "{what}: the host had to mask a secret value {masked} time(s) in its result, error or logs{place}: \
             never output a secret, even one the host would mask"
        ));
    }
    for (place, text) in texts {
        for canary in canaries {
            if let Some(how) = canary.found_in(text) {
                findings.problem(format!(
                    "{what} leaked the value of secret property `{}` ({how}) in {place}: \"{}\"; never output a \
                     secret, in any form",
                    canary.property,
                    excerpt(text)
                ));
            }
        }
    }
}

/// A text shortened for a message.
fn excerpt(text: &str) -> String {
    let text: String = text.chars().take(100).collect();
    text.escape_debug().to_string()
}

/// Runs every call with a canary in each secret property of `config` and
/// looks for the canaries in what comes out.
pub(crate) fn check(probe: &mut Probe, info: &ConnectorInfo, config: &[Property]) -> Findings {
    let secret: Vec<&str> = info.properties.iter().filter(|p| p.secret).map(|p| p.name.as_str()).collect();
    if secret.is_empty() {
        return Findings::not_applicable("the connector describes no secret property");
    }
    let mut canaries = Vec::new();
    let mut planted: Vec<Property> =
        config.iter().filter(|p| !secret.iter().any(|s| s.eq_ignore_ascii_case(&p.name))).cloned().collect();
    for name in &secret {
        let (canary, value) = Canary::new(name);
        canaries.push(canary);
        planted.push(Property::new(*name, value));
    }
    let mut findings = Findings::default();
    let mut completed = 0;
    let test = probe.test(&planted);
    completed += usize::from(!limited(&test));
    inspect(&mut findings, &canaries, "test", test.masked, &outputs(&test));
    let tables = probe.list_tables(&planted, None, &[]);
    completed += usize::from(!limited(&tables));
    inspect(&mut findings, &canaries, "list-tables", tables.masked, &outputs(&tables));
    if let Ok(Some(first)) = tables.result.as_ref().map(|t| t.first()) {
        let name = first.qualified_name();
        let columns = probe.list_columns(&planted, &name);
        completed += usize::from(!limited(&columns));
        inspect(&mut findings, &canaries, &format!("list-columns of `{name}`"), columns.masked, &outputs(&columns));
    }
    let reset = probe.reset_metadata(&planted);
    completed += usize::from(!limited(&reset));
    inspect(&mut findings, &canaries, "reset-metadata", reset.masked, &outputs(&reset));
    if completed == 0 {
        findings.skip("every call with the canaries broke a limit (see `limits`)");
    } else {
        let names: Vec<String> = secret.iter().map(|s| format!("`{s}`")).collect();
        findings.covered(format!(
            "values planted in {} came out of none of {completed} calls (checked: as is, in another case, \
             reversed, base64, hex, {PIECE}-character pieces)",
            names.join(", ")
        ));
    }
    findings
}
