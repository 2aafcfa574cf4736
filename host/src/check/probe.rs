//! Calls into the plugin under check, each recorded for the `limits` check
//! and classified for the check that made it.

use super::Findings;
use crate::connector::model::{ColumnInfo, ConnectorError, ErrorKind, Property, TableInfo, TableType};
use crate::runtime::{Call, CallError, FaultKind, Limits, LogLine, LogSource, Operation, Plugin};
use std::fmt;
use std::time::Duration;

/// The plugin under check and what its calls did.
pub(crate) struct Probe {
    plugin: Plugin,
    limits: Limits,
    calls: usize,
    /// The calls the host stopped for breaking a limit: what and why.
    limit_faults: Vec<String>,
    /// The slowest call relative to its deadline: what, how long, the deadline.
    slowest: Option<(String, Duration, Duration)>,
    /// Requests the calls sent, by the host's log lines on them.
    requests: usize,
    /// Requests the egress policy refused: the call and the host's line.
    refusals: Vec<String>,
}

/// What one call gave, as the checks see it.
pub(crate) struct Observed<T> {
    /// The value, or why there is none.
    pub(crate) result: Result<T, Failure>,
    /// What the plugin logged and printed (secrets masked by the host).
    pub(crate) logs: Vec<LogLine>,
    /// Copies of secret values the host had to mask.
    pub(crate) masked: usize,
}

/// Why a call gave no value.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// The connector returned its own error.
    Connector(ConnectorError),
    /// It crashed or broke the contract (the host's words: "crashed: ...",
    /// "broke the contract: ...").
    Crashed(String),
    /// It broke a limit; the `limits` check reports it.
    Limit(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Connector(e) => {
                write!(f, "failed as {}", kind_name(e.kind))?;
                if let Some(property) = &e.property {
                    write!(f, " (property `{property}`)")?;
                }
                write!(f, ": {}", e.message)
            }
            Failure::Crashed(message) => f.write_str(message),
            Failure::Limit(message) => write!(f, "{message} (see `limits`)"),
        }
    }
}

/// Whether the host stopped a call for breaking a limit (rather than for
/// a crash or a broken contract).
pub(crate) fn is_limit(kind: &FaultKind) -> bool {
    match kind {
        FaultKind::Timeout { .. }
        | FaultKind::MemoryLimit { .. }
        | FaultKind::LogLimit { .. }
        | FaultKind::ResultTooLarge { .. }
        | FaultKind::ResultBytes { .. }
        | FaultKind::Overloaded { .. } => true,
        FaultKind::InvalidResult { .. } | FaultKind::Trap { .. } => false,
    }
}

/// An error kind as the WIT spells it.
pub(crate) fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidConfig => "invalid-config",
        ErrorKind::AuthFailed => "auth-failed",
        ErrorKind::Unreachable => "unreachable",
        ErrorKind::NotFound => "not-found",
        ErrorKind::RateLimited => "rate-limited",
        ErrorKind::Unsupported => "unsupported",
        ErrorKind::Internal => "internal",
    }
}

impl<T> Observed<T> {
    /// The value; on failure, records it in `findings` as a problem (or, for
    /// a broken limit, as the reason the check could not finish) and gives
    /// `None`. `what` names the call, e.g. "list-columns of `S.T`".
    pub(crate) fn value(self, findings: &mut Findings, what: &str) -> Option<T> {
        match self.result {
            Ok(value) => Some(value),
            Err(limit @ Failure::Limit(_)) => {
                findings.skip(limit.to_string());
                None
            }
            Err(failure) => {
                findings.problem(format!("{what} {failure}"));
                None
            }
        }
    }
}

impl Probe {
    /// A probe of `plugin`, loaded into a runtime with `limits`.
    pub(crate) fn new(plugin: Plugin, limits: Limits) -> Self {
        Self { plugin, limits, calls: 0, limit_faults: Vec::new(), slowest: None, requests: 0, refusals: Vec::new() }
    }

    /// The plugin under check, e.g. to open a session.
    pub(crate) fn plugin(&self) -> &Plugin {
        &self.plugin
    }

    /// `test` with `config`.
    pub(crate) fn test(&mut self, config: &[Property]) -> Observed<String> {
        let call = self.plugin.test_blocking(config);
        self.record(Operation::Test, "test".into(), call)
    }

    /// `list-tables` with `config` and the filters.
    pub(crate) fn list_tables(
        &mut self,
        config: &[Property],
        schema: Option<&str>,
        types: &[TableType],
    ) -> Observed<Vec<TableInfo>> {
        let call = self.plugin.list_tables_blocking(config, schema, types);
        self.record(Operation::ListTables, "list-tables".into(), call)
    }

    /// `list-columns` of `table` with `config`.
    pub(crate) fn list_columns(&mut self, config: &[Property], table: &str) -> Observed<Vec<ColumnInfo>> {
        let call = self.plugin.list_columns_blocking(config, table);
        self.record(Operation::ListColumns, format!("list-columns of `{table}`"), call)
    }

    /// `reset-metadata` with `config`.
    pub(crate) fn reset_metadata(&mut self, config: &[Property]) -> Observed<()> {
        let call = self.plugin.reset_metadata_blocking(config);
        self.record(Operation::ResetMetadata, "reset-metadata".into(), call)
    }

    /// Records a call of `op` (`what` names it, e.g. "list-columns of
    /// `S.T`") and classifies its outcome.
    pub(crate) fn record<T>(&mut self, op: Operation, what: String, call: Call<T>) -> Observed<T> {
        self.calls += 1;
        let deadline = self.limits.for_operation(op).timeout;
        let share = |d: Duration, limit: Duration| d.as_secs_f64() / limit.as_secs_f64().max(f64::EPSILON);
        if self.slowest.as_ref().is_none_or(|(_, d, limit)| share(call.duration, deadline) > share(*d, *limit)) {
            self.slowest = Some((what.clone(), call.duration, deadline));
        }
        self.note_egress(&what, &call.logs);
        let result = call.result.map_err(|error| match error {
            CallError::Connector(e) => Failure::Connector(e),
            CallError::Fault(fault) if is_limit(&fault.kind) => {
                let message = format!("{what} {}", fault.kind);
                if !self.limit_faults.contains(&message) {
                    self.limit_faults.push(message.clone());
                }
                Failure::Limit(message)
            }
            CallError::Fault(fault) => Failure::Crashed(fault.kind.to_string()),
        });
        Observed { result, logs: call.logs, masked: call.masked }
    }

    /// Counts the requests a call sent and keeps the host's refusals.
    fn note_egress(&mut self, what: &str, logs: &[LogLine]) {
        const KEPT: usize = 20;
        for line in logs.iter().filter(|l| l.source == LogSource::Egress) {
            self.requests += 1;
            if let Some(refusal) = line.message.strip_prefix("egress refused: ") {
                let message = format!("{what}: {refusal}");
                if self.refusals.len() < KEPT && !self.refusals.contains(&message) {
                    self.refusals.push(message);
                }
            }
        }
    }

    /// The `egress` check: the host refused none of the calls' requests.
    pub(crate) fn egress_findings(&self) -> Findings {
        let mut findings = Findings::default();
        for refusal in &self.refusals {
            let hint = if refusal.contains("is not an origin this connector declared") {
                "declare every origin the connector calls in `describe`'s egress patterns"
            } else if refusal.contains("private or special address") {
                "to check against a local mock, allow it with --egress-allow-private IP:PORT"
            } else {
                "stay within the call's egress limits (docs/security.md)"
            };
            findings.problem(format!("{refusal}; {hint}"));
        }
        if self.plugin.info().egress.is_empty() {
            findings.covered("declares no egress: the connector has no network");
        } else {
            findings.covered(format!("{} requests logged by the egress policy", self.requests));
        }
        findings
    }

    /// The `limits` check: every recorded call stayed within its limits.
    pub(crate) fn limits_findings(&self) -> Findings {
        let mut findings = Findings::default();
        for fault in &self.limit_faults {
            findings.problem(format!("{fault}; keep every call within the limits (docs/runtime.md)"));
        }
        let slowest = self.slowest.as_ref().map_or_else(String::new, |(what, took, limit)| {
            format!("; slowest for its deadline: {what}, {} of {}", humantime(*took), humantime(*limit))
        });
        findings.covered(format!("{} calls within the limits{slowest}", self.calls));
        findings
    }
}

/// A duration for people: `850 ms`, `2.5 s`.
fn humantime(d: Duration) -> String {
    if d < Duration::from_secs(1) { format!("{} ms", d.as_millis()) } else { format!("{:.1} s", d.as_secs_f64()) }
}
