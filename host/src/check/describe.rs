//! The `describe` check: the component loads, its `describe` answer is
//! valid beyond what the runtime enforces at load, and secrets are marked.

use super::probe::is_limit;
use super::{CheckName, Findings, Results};
use crate::connector::model::ConnectorInfo;
use crate::runtime::{CallError, LoadError};

/// Last words that make a property name look like a secret.
const SECRET_WORDS: [&str; 10] =
    ["password", "passwd", "pwd", "passphrase", "secret", "token", "key", "apikey", "credential", "credentials"];

/// Words before a final `key` that make it a name, not a credential.
const NON_SECRET_KEYS: [&str; 8] = ["public", "primary", "foreign", "sort", "partition", "row", "shard", "cache"];

/// Lower-case compounds written as one word that are credentials.
const SECRET_COMPOUNDS: [&str; 8] =
    ["accesskey", "secretkey", "privatekey", "accesstoken", "authtoken", "refreshtoken", "clientsecret", "apitoken"];

/// Whether a property named `name` looks like it holds a secret.
///
/// The name is split into words at case changes (`ApiKey`: `api` `key`;
/// `OAuthAccessToken`: `o` `auth` `access` `token`), digits and any
/// character that is not a letter or digit (`api_key`, `api-key`). It looks
/// secret when its **last** word is `password`, `passwd`, `pwd`,
/// `passphrase`, `secret`, `token`, `key`, `apikey`, `credential` or
/// `credentials`, except a `key` after `public`, `primary`, `foreign`,
/// `sort`, `partition`, `row`, `shard` or `cache`; or when the whole name is
/// one of a few lower-case compounds (`accesskey`, `secretkey`, `privatekey`,
/// `accesstoken`, `authtoken`, `refreshtoken`, `clientsecret`, `apitoken`).
/// Trailing numbers do not count (`Password2` looks secret).
///
/// Whole words only, so `Keyspace`, `Monkey` and `Tokenizer` do not look
/// secret, and the last word only, so `TokenUrl`, `KeyId`, `SecretName` and
/// `PasswordPolicy` (which name or point at a secret, but hold none) do not.
pub fn looks_secret(name: &str) -> bool {
    let mut words = words(name);
    while words.last().is_some_and(|w| w.chars().all(|c| c.is_ascii_digit())) {
        words.pop();
    }
    let Some(last) = words.last() else { return false };
    if words.len() == 1 && SECRET_COMPOUNDS.contains(&last.as_str()) {
        return true;
    }
    if !SECRET_WORDS.contains(&last.as_str()) {
        return false;
    }
    let before = words.len().checked_sub(2).map(|i| words[i].as_str());
    !(last == "key" && before.is_some_and(|w| NON_SECRET_KEYS.contains(&w)))
}

/// `name` split into lower-case words (see [`looks_secret`]).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            words.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase() && c.is_uppercase() && next_lower)
                || (prev.is_ascii_digit() != c.is_ascii_digit() && prev.is_alphanumeric());
            if boundary && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    words.extend((!current.is_empty()).then_some(current));
    words
}

/// The `describe` check of a component that loaded.
pub(crate) fn check(info: &ConnectorInfo) -> Findings {
    let mut findings = Findings::default();
    if info.display_name.trim().is_empty() {
        findings.problem("the connector's display name is empty: give a human name, e.g. `QuickBooks Online`");
    }
    if info.description.trim().is_empty() {
        findings.problem("the connector's description is empty: say in one paragraph what it connects to");
    }
    for p in &info.properties {
        let name = &p.name;
        if p.display_name.trim().is_empty() {
            findings.problem(format!("property `{name}` has an empty display name: forms show it to users"));
        }
        if p.description.trim().is_empty() {
            findings.problem(format!("property `{name}` has an empty description: say what it does"));
        }
        let mut allowed = std::collections::HashSet::new();
        for value in &p.allowed_values {
            if value.trim().is_empty() {
                findings.problem(format!("property `{name}` lists an empty allowed value"));
            } else if !allowed.insert(value.to_lowercase()) {
                findings.problem(format!(
                    "property `{name}` lists the allowed value `{value}` twice (values compare case-insensitively)"
                ));
            }
        }
        if p.secret && p.default_value.is_some() {
            findings.problem(format!(
                "secret property `{name}` has a default value: a value built into the component is no secret; \
                 remove the default"
            ));
        }
        if !p.secret && p.allowed_values.is_empty() && looks_secret(name) {
            findings.problem(format!(
                "property `{name}` looks like a secret but is not marked secret: mark it secret (SDK: `.secret()`) \
                 so the host encrypts it, masks it and keeps it out of logs; if it holds no credential, rename it"
            ));
        }
    }
    let secrets = info.properties.iter().filter(|p| p.secret).count();
    findings.covered(format!(
        "{} {}, {} properties ({secrets} secret)",
        info.name,
        info.version,
        info.properties.len()
    ));
    findings
}

/// The `describe` and `limits` results of a component that did not load.
pub(crate) fn load_failed(results: &mut Results, error: &LoadError) {
    if let LoadError::Describe(call) = error
        && let CallError::Fault(fault) = call.as_ref()
        && is_limit(&fault.kind)
    {
        let message = format!("describe {} while loading", fault.kind);
        results.put(CheckName::Describe, Findings::skipped(format!("{message} (see `limits`)")));
        let mut limits = Findings::default();
        limits.problem(format!("{message}: `describe` must answer within its limits; it may depend on nothing"));
        results.put(CheckName::Limits, limits);
        return;
    }
    let mut findings = Findings::default();
    findings.problem(format!("the component does not load: {error}"));
    results.put(CheckName::Describe, findings);
}
