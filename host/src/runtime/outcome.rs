//! What a plugin call returns: the value or a typed failure, with the log
//! lines and the time it took.

use super::limits::Operation;
use super::state::LogLine;
use crate::connector::model::ConnectorError;
use serde::Serialize;
use std::time::Duration;

/// The outcome of one plugin call.
#[derive(Debug)]
pub struct Call<T> {
    /// The value, or why there is none.
    pub result: Result<T, CallError>,
    /// What the plugin logged and printed, secrets masked.
    pub logs: Vec<LogLine>,
    /// Wall-clock time of the call, instantiation included.
    pub duration: Duration,
    /// Copies of secret values the host masked in the result, the error and
    /// the logs, and those it found in an identifier of the result (a schema,
    /// table or column name, never rewritten: the call fails instead, see
    /// `redact.rs`). Zero for a connector that keeps its secrets to itself;
    /// the conformance check (`syncport connector check`) fails any other.
    pub masked: usize,
    /// The call's room in the server-wide answer budget, held while the
    /// answer is.
    pub(crate) room: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl<T> Call<T> {
    /// Maps the value, keeping logs and duration.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Call<U> {
        Call {
            result: self.result.map(f),
            logs: self.logs,
            duration: self.duration,
            masked: self.masked,
            room: self.room,
        }
    }
}

/// Why a call produced no value.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallError {
    /// The connector ran and reported a failure.
    #[error("{0}")]
    Connector(ConnectorError),
    /// The host stopped the call: the plugin broke a limit or crashed.
    #[error("{0}")]
    Fault(Fault),
}

/// A call the host had to stop, and which connector it was.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[error("connector {connector} {version}, {operation}: {kind}")]
pub struct Fault {
    /// The connector's name.
    pub connector: String,
    /// Its version.
    pub version: String,
    /// The call.
    pub operation: Operation,
    /// What went wrong.
    pub kind: FaultKind,
}

/// What went wrong in a call the host stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// The call ran past its deadline.
    #[error("timed out after {limit:?}")]
    Timeout {
        /// The deadline.
        limit: Duration,
    },
    /// The instance tried to grow its memory past the cap.
    #[error("exceeded the memory limit of {limit_bytes} bytes")]
    MemoryLimit {
        /// The cap.
        limit_bytes: usize,
    },
    /// The plugin logged more than a call may: more lines, or more bytes
    /// (each line's text plus its framing), than the call's log budget.
    #[error("exceeded the log limit of {limit} {budget} per call")]
    LogLimit {
        /// Which budget ran out.
        budget: LogBudget,
        /// Its cap.
        limit: usize,
    },
    /// The result held more items than a call may return.
    #[error("returned {count} {what}, more than the limit of {limit}")]
    ResultTooLarge {
        /// Tables or columns.
        what: &'static str,
        /// How many it returned.
        count: usize,
        /// The cap.
        limit: usize,
    },
    /// The answer would take more bytes in the host than a call may return
    /// (strings counted each time they appear).
    #[error("returned an answer of more than {limit_bytes} bytes")]
    ResultBytes {
        /// The cap.
        limit_bytes: usize,
    },
    /// The plugin returned something the contract forbids.
    #[error("broke the contract: {message}")]
    InvalidResult {
        /// What was wrong.
        message: String,
    },
    /// The plugin trapped (a panic, an unreachable, a bad access).
    #[error("crashed: {message}{}", panic.as_deref().map(|p| format!(" ({p})")).unwrap_or_default())]
    Trap {
        /// The trap.
        message: String,
        /// What the plugin wrote to stderr before, e.g. its panic message.
        panic: Option<String>,
    },
    /// Every slot of this connector version stayed busy past the queue timeout.
    #[error("overloaded: no free slot within {waited:?}")]
    Overloaded {
        /// How long the call waited.
        waited: Duration,
    },
}

/// The two budgets of a call's log lines (see [`FaultKind::LogLimit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogBudget {
    /// [`Limits::max_log_bytes`](super::Limits::max_log_bytes).
    Bytes,
    /// [`Limits::max_log_lines`](super::Limits::max_log_lines).
    Lines,
}

impl std::fmt::Display for LogBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LogBudget::Bytes => "bytes",
            LogBudget::Lines => "lines",
        })
    }
}

impl FaultKind {
    /// Whether the fault is the call's deadline (HTTP 504).
    pub fn is_timeout(&self) -> bool {
        matches!(self, FaultKind::Timeout { .. })
    }

    /// Whether every call slot stayed busy for the queue timeout (HTTP 503).
    pub fn is_overloaded(&self) -> bool {
        matches!(self, FaultKind::Overloaded { .. })
    }

    /// The kind's name, as its reports spell it (`timeout`, `memory_limit`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Timeout { .. } => "timeout",
            FaultKind::MemoryLimit { .. } => "memory_limit",
            FaultKind::LogLimit { .. } => "log_limit",
            FaultKind::ResultTooLarge { .. } => "result_too_large",
            FaultKind::ResultBytes { .. } => "result_bytes",
            FaultKind::InvalidResult { .. } => "invalid_result",
            FaultKind::Trap { .. } => "trap",
            FaultKind::Overloaded { .. } => "overloaded",
        }
    }

    /// The API's stable error code for this fault (docs/api.md).
    pub fn code(&self) -> &'static str {
        match self {
            FaultKind::Timeout { .. } => "connector_timeout",
            FaultKind::Overloaded { .. } => "connector_overloaded",
            FaultKind::ResultTooLarge { .. } | FaultKind::ResultBytes { .. } => "connector_result_too_large",
            FaultKind::MemoryLimit { .. }
            | FaultKind::LogLimit { .. }
            | FaultKind::InvalidResult { .. }
            | FaultKind::Trap { .. } => "connector_crashed",
        }
    }
}
