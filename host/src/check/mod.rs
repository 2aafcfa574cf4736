//! The conformance check of a connector component: `syncport connector
//! check`. It loads the component into a [`Runtime`], drives every export
//! with no server around it, and reports each [`CheckName`] as passed,
//! failed (with what the plugin author must fix) or skipped (with why).
//!
//! The checks, in the order they run:
//!
//! - [`describe`](CheckName::Describe): the component loads and its
//!   `describe` answer is valid; properties whose names look like secrets
//!   ([`looks_secret`]) are marked secret.
//! - [`test`](CheckName::Test): `test` passes with the configuration, and
//!   fails as invalid-config naming each required property left out.
//! - [`list-tables`](CheckName::ListTables), [`list-columns`](CheckName::ListColumns),
//!   [`determinism`](CheckName::Determinism), [`reset-metadata`](CheckName::ResetMetadata):
//!   the metadata and its contract.
//! - [`read`](CheckName::Read): a source's pages match their columns and
//!   batch size, and its cursor moves on to an end.
//! - [`secret-canary`](CheckName::SecretCanary): unique values in every
//!   secret property never come back out, in any form.
//! - [`egress`](CheckName::Egress): no call sent a request the host
//!   refused: to an origin the connector did not declare, to a private
//!   address, or past the call's request limit.
//! - [`limits`](CheckName::Limits): no call broke a time, memory, log or
//!   result-size limit.
//!
//! `docs/plugin-guide.md` ("Checking your connector") documents each check,
//! the exit codes and the JSON shape of [`Report`].

mod canary;
mod connection;
mod describe;
mod metadata;
mod probe;
mod read;
mod report;

pub use describe::looks_secret;

use crate::connector::model::{ConnectorInfo, Property};
use crate::runtime::{ConnectorId, Runtime};
use probe::Probe;
use serde::Serialize;
use std::fmt;

/// The checks, in the order they run and are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckName {
    /// The component loads; `describe` is valid and marks secrets.
    Describe,
    /// `test` passes with the configuration and names missing required properties.
    Test,
    /// `list-tables`: tables exist, are unique, and the filters are honoured.
    ListTables,
    /// `list-columns` of every table: unique names, ordinals 1..n, sane types and keys.
    ListColumns,
    /// Two runs give the same metadata.
    Determinism,
    /// `reset-metadata` is idempotent and later calls still work.
    ResetMetadata,
    /// A source's pages match their columns and batch size; its cursor ends.
    Read,
    /// Secret values never come back out.
    SecretCanary,
    /// No call sent a request the egress policy refused.
    Egress,
    /// No call broke a limit of the sandbox.
    Limits,
}

impl CheckName {
    /// Every check, in order.
    pub const ALL: [CheckName; 10] = [
        CheckName::Describe,
        CheckName::Test,
        CheckName::ListTables,
        CheckName::ListColumns,
        CheckName::Determinism,
        CheckName::ResetMetadata,
        CheckName::Read,
        CheckName::SecretCanary,
        CheckName::Egress,
        CheckName::Limits,
    ];

    /// The name as reported, e.g. `list-tables`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Describe => "describe",
            CheckName::Test => "test",
            CheckName::ListTables => "list-tables",
            CheckName::ListColumns => "list-columns",
            CheckName::Determinism => "determinism",
            CheckName::ResetMetadata => "reset-metadata",
            CheckName::Read => "read",
            CheckName::SecretCanary => "secret-canary",
            CheckName::Egress => "egress",
            CheckName::Limits => "limits",
        }
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Everything it looked at is right.
    Passed,
    /// It found problems; see [`CheckResult::problems`].
    Failed,
    /// It could not run; [`CheckResult::summary`] says why.
    Skipped,
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Which check.
    pub name: CheckName,
    /// Passed, failed or skipped.
    pub status: Status,
    /// One line: what was covered when passed, how many problems when
    /// failed, why when skipped.
    pub summary: String,
    /// What the plugin author must fix, one problem per entry, each naming
    /// the table, column, property or call concerned. Empty unless failed.
    pub problems: Vec<String>,
}

/// Where the configuration the checks ran with came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// Given with `--config`.
    Supplied,
    /// Built from the default values of the described properties.
    Defaults,
}

/// What the check found. Serialized as the `--json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The component, when it loaded.
    pub connector: Option<ConnectorId>,
    /// Where the configuration came from.
    pub config: ConfigSource,
    /// Whether no check failed (skipped checks do not fail the report:
    /// see [`Report::complete`]).
    pub passed: bool,
    /// Whether every check ran: none was skipped, except a check that does
    /// not apply to this connector (`secret-canary` with no secret
    /// property). A report proves the connector keeps the contract only
    /// when it both passed and is complete.
    pub complete: bool,
    /// The checks that were skipped and so did not run, in order (empty
    /// when complete).
    pub not_run: Vec<CheckName>,
    /// Every check of [`CheckName::ALL`], in that order.
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// The result of check `name`.
    pub fn check(&self, name: CheckName) -> &CheckResult {
        // Every report holds every check: `run` builds it from `CheckName::ALL`.
        self.checks.iter().find(|c| c.name == name).unwrap_or_else(|| unreachable!("the report holds every check"))
    }

    /// The checks that failed.
    pub fn failed(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.status == Status::Failed)
    }
}

/// Runs every check on the component `wasm` with `config` (`None`: built
/// from the described defaults), under `runtime`'s limits. Blocking: it makes
/// a few calls per table; from async code, run it with
/// `tokio::task::spawn_blocking` (a plugin's stdout and stderr enter tokio).
pub fn run(runtime: &Runtime, wasm: &[u8], config: Option<Vec<Property>>) -> Report {
    let source = if config.is_some() { ConfigSource::Supplied } else { ConfigSource::Defaults };
    let mut results = Results::default();
    let plugin = match runtime.load(wasm) {
        Ok(plugin) => plugin,
        Err(error) => {
            describe::load_failed(&mut results, &error);
            results.skip_rest("the component did not load");
            return results.into_report(None, source);
        }
    };
    let info = plugin.info().clone();
    results.put(CheckName::Describe, describe::check(&info));
    let base = match Base::new(&info, config) {
        Ok(base) => base,
        Err(reason) => {
            results.skip_rest(&reason);
            return results.into_report(Some(plugin.id().clone()), source);
        }
    };
    let mut probe = Probe::new(plugin.clone(), runtime.limits().clone());
    let connected = connection::check(&mut results, &mut probe, &base);
    if connected {
        metadata::check(&mut results, &mut probe, &base.config);
        results.put(CheckName::Read, read::check(&mut probe, &base.config));
    } else {
        let reason = "needs `test` to pass with the configuration first";
        for name in [
            CheckName::ListTables,
            CheckName::ListColumns,
            CheckName::Determinism,
            CheckName::ResetMetadata,
            CheckName::Read,
        ] {
            results.put(name, Findings::skipped(reason));
        }
    }
    results.put(CheckName::SecretCanary, canary::check(&mut probe, &info, &base.config));
    results.put(CheckName::Egress, probe.egress_findings());
    results.put(CheckName::Limits, probe.limits_findings());
    results.into_report(Some(plugin.id().clone()), source)
}

/// Reads a `--config` file's text: a JSON object of property names to
/// values; strings are taken as they are, numbers and booleans as their text.
pub fn parse_config(json: &str) -> Result<Vec<Property>, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("not valid JSON: {e}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err("must be a JSON object of property names to values, e.g. {\"User\": \"me\"}".into());
    };
    map.into_iter()
        .map(|(name, value)| match value {
            serde_json::Value::String(s) => Ok(Property::new(name, s)),
            serde_json::Value::Number(n) => Ok(Property::new(name, n.to_string())),
            serde_json::Value::Bool(b) => Ok(Property::new(name, b.to_string())),
            _ => Err(format!("the value of `{name}` must be a string, a number or a boolean")),
        })
        .collect()
}

/// The configuration every check starts from.
pub(crate) struct Base {
    /// The supplied configuration, or the described defaults.
    pub(crate) config: Vec<Property>,
    /// Whether it was supplied.
    pub(crate) supplied: bool,
}

impl Base {
    /// `config`, or one built from `info`'s defaults; `Err` (why the checks
    /// that need a connection cannot run) when no configuration was given
    /// and a required property has no default.
    fn new(info: &ConnectorInfo, config: Option<Vec<Property>>) -> Result<Self, String> {
        if let Some(config) = config {
            return Ok(Self { config, supplied: true });
        }
        let missing: Vec<String> = info
            .properties
            .iter()
            .filter(|p| p.required && p.default_value.is_none())
            .map(|p| format!("`{}`", p.name))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "no --config given, and required {} {} no default: pass --config FILE with values that connect",
                if missing.len() == 1 { "property" } else { "properties" },
                if missing.len() == 1 { format!("{} has", missing[0]) } else { format!("{} have", missing.join(", ")) },
            ));
        }
        let config = info
            .properties
            .iter()
            .filter_map(|p| p.default_value.as_ref().map(|v| Property::new(&p.name, v)))
            .collect();
        Ok(Self { config, supplied: false })
    }
}

/// What one check found, before it becomes a [`CheckResult`].
#[derive(Debug, Default)]
pub(crate) struct Findings {
    problems: Vec<String>,
    /// Why the check could not finish, if it could not.
    skipped: Option<String>,
    /// Whether it was skipped because it does not apply to this connector
    /// (it then counts as run).
    not_applicable: bool,
    /// What a passing check covered.
    covered: Option<String>,
}

/// Problems listed per check; more are counted, not listed.
const MAX_PROBLEMS: usize = 25;

impl Findings {
    /// Findings of a check that could not run, for `reason`.
    pub(crate) fn skipped(reason: impl Into<String>) -> Self {
        Self { skipped: Some(reason.into()), ..Self::default() }
    }

    /// Findings of a check that does not apply to this connector, for
    /// `reason`: reported skipped, but it leaves the report complete.
    pub(crate) fn not_applicable(reason: impl Into<String>) -> Self {
        Self { skipped: Some(reason.into()), not_applicable: true, ..Self::default() }
    }

    /// Records something the plugin author must fix, on one line.
    pub(crate) fn problem(&mut self, message: impl Into<String>) {
        let message: String = message.into();
        self.problems.push(message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "));
    }

    /// Records why the check could not finish (the first reason wins).
    pub(crate) fn skip(&mut self, reason: impl Into<String>) {
        self.skipped.get_or_insert_with(|| reason.into());
    }

    /// Records what a passing check covered.
    pub(crate) fn covered(&mut self, what: impl Into<String>) {
        self.covered = Some(what.into());
    }

    /// Whether it has found no problem so far.
    pub(crate) fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    fn into_result(self, name: CheckName) -> CheckResult {
        let Findings { mut problems, skipped, covered, not_applicable: _ } = self;
        let (status, summary) = if !problems.is_empty() {
            let count = problems.len();
            let summary = format!("{count} problem{}", if count == 1 { "" } else { "s" });
            if count > MAX_PROBLEMS {
                problems.truncate(MAX_PROBLEMS);
                problems.push(format!("... and {} more", count - MAX_PROBLEMS));
            }
            (Status::Failed, summary)
        } else if let Some(reason) = skipped {
            (Status::Skipped, reason)
        } else {
            (Status::Passed, covered.unwrap_or_else(|| "ok".into()))
        };
        CheckResult { name, status, summary, problems }
    }
}

/// The results gathered so far, keyed by check.
#[derive(Default)]
pub(crate) struct Results {
    done: Vec<CheckResult>,
    /// The checks skipped because they do not apply.
    not_applicable: Vec<CheckName>,
}

impl Results {
    /// Records the findings of check `name`.
    pub(crate) fn put(&mut self, name: CheckName, findings: Findings) {
        self.done.retain(|r| r.name != name);
        self.not_applicable.retain(|n| *n != name);
        if findings.not_applicable && findings.problems.is_empty() {
            self.not_applicable.push(name);
        }
        self.done.push(findings.into_result(name));
    }

    /// Marks every check without a result skipped for `reason`.
    fn skip_rest(&mut self, reason: &str) {
        for name in CheckName::ALL {
            if !self.done.iter().any(|r| r.name == name) {
                self.put(name, Findings::skipped(reason));
            }
        }
    }

    fn into_report(mut self, connector: Option<ConnectorId>, config: ConfigSource) -> Report {
        self.skip_rest("not run");
        let mut checks = Vec::new();
        for name in CheckName::ALL {
            checks.extend(self.done.iter().find(|r| r.name == name).cloned());
        }
        let passed = checks.iter().all(|c| c.status != Status::Failed);
        let not_run: Vec<CheckName> = checks
            .iter()
            .filter(|c| c.status == Status::Skipped && !self.not_applicable.contains(&c.name))
            .map(|c| c.name)
            .collect();
        Report { connector, config, passed, complete: not_run.is_empty(), not_run, checks }
    }
}
