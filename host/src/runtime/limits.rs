//! How much a plugin call may take: time, memory, log volume, result size,
//! and how many calls of one connector version run at once.

use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// The exports of a connector, one per kind of call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// `describe`.
    Describe,
    /// `test`.
    Test,
    /// `list-tables`.
    ListTables,
    /// `list-columns`.
    ListColumns,
    /// `reset-metadata`.
    ResetMetadata,
    /// `read`: a page of a job's source table.
    Read,
    /// `prepare`, `write` and `finish` of a job's destination table.
    Write,
}

impl Operation {
    /// The WIT function's name (`write` for `prepare`, `write` and `finish`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Describe => "describe",
            Operation::Test => "test",
            Operation::ListTables => "list-tables",
            Operation::ListColumns => "list-columns",
            Operation::ResetMetadata => "reset-metadata",
            Operation::Read => "read",
            Operation::Write => "write",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The wall-clock deadline and memory cap of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallLimits {
    /// Wall-clock time from the start of instantiation to the end of the call.
    pub timeout: Duration,
    /// The most linear memory the instance may grow to, in bytes.
    pub memory_bytes: usize,
}

/// Every limit the runtime applies, with per-operation call limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Limits of `describe` (default 2 s, 32 MiB).
    pub describe: CallLimits,
    /// Limits of `test` (default 10 s, 64 MiB).
    pub test: CallLimits,
    /// Limits of `list-tables` (default 10 s, 64 MiB).
    pub list_tables: CallLimits,
    /// Limits of `list-columns` (default 10 s, 64 MiB).
    pub list_columns: CallLimits,
    /// Limits of `reset-metadata` (default 5 s, 64 MiB).
    pub reset_metadata: CallLimits,
    /// Limits of each `read` of a job (default 30 s, 128 MiB).
    pub read: CallLimits,
    /// Limits of each `prepare`, `write` and `finish` of a job (default 30 s, 128 MiB).
    pub write: CallLimits,
    /// Bytes of log lines one call may produce before it is failed (default
    /// 1 MiB). Each line costs its text plus
    /// [`LOG_LINE_COST`](super::LOG_LINE_COST) bytes of framing, so empty
    /// lines are not free.
    pub max_log_bytes: usize,
    /// Bytes of stdout and of stderr kept per call; the rest is dropped (default 64 KiB).
    pub max_output_bytes: usize,
    /// Log lines one call may produce before it is failed (default 10,000).
    /// Lines the connection's verbosity discards count too.
    pub max_log_lines: usize,
    /// Most tables a `list-tables` result may hold (default 100,000).
    pub max_tables: usize,
    /// Most columns a `list-columns` result may hold (default 10,000).
    pub max_columns: usize,
    /// Calls of one connector version that run at once; more wait (default 8).
    pub max_concurrent_calls: usize,
    /// How long a call waits for a free slot before it fails as overloaded (default 5 s).
    pub queue_timeout: Duration,
    /// The epoch tick: a running call yields to other tasks this often (default 10 ms).
    pub epoch_tick: Duration,
    /// Job sessions (one instance held for a table's pages) of one connector
    /// version open at once; more wait (default 4).
    pub max_concurrent_sessions: usize,
    /// Bytes an answer of `describe`, `test`, `list-tables` or `list-columns`
    /// may take once lifted into the host, every string counted each time it
    /// appears (default 16 MiB).
    pub max_result_bytes: usize,
    /// Bytes a `read` page may take once lifted into the host (default 64 MiB).
    pub max_page_bytes: usize,
    /// Bytes the answers of all calls in flight may hold in the host at once;
    /// a call whose answer does not fit waits for room (default 512 MiB).
    pub max_answer_bytes_total: usize,
    /// What one component may declare, and the instance pool shared by all.
    pub pool: PoolLimits,
    /// How an install compiles a component.
    pub compile: CompileLimits,
    /// What WIT 0.3.0 connectors may reach, and each call's egress budget.
    pub egress: super::egress::EgressLimits,
}

/// The per-component caps (refused at install past them) and the engine-wide
/// instance pool that every connector version reserves its share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PoolLimits {
    /// Core instances one component may create (default 200).
    pub core_instances_per_component: u32,
    /// Linear memories one component may define (default 16).
    pub memories_per_component: u32,
    /// Tables one component may define (default 32).
    pub tables_per_component: u32,
    /// Core instances of all calls at once (default 100,000; a count, not memory).
    pub total_core_instances: u32,
    /// Linear memories of all calls at once (default 1,000).
    pub total_memories: u32,
    /// Tables of all calls at once (default 5,000).
    pub total_tables: u32,
    /// Component instances, and so calls, at once (default 2,000).
    pub total_component_instances: u32,
}

/// The budget of one compile at install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CompileLimits {
    /// Wall-clock time one compile may take (default 120 s).
    pub timeout: Duration,
    /// Memory one compile may use (default 2 GiB).
    pub memory_bytes: usize,
}

impl Limits {
    /// The call limits of `op`.
    pub fn for_operation(&self, op: Operation) -> CallLimits {
        match op {
            Operation::Describe => self.describe,
            Operation::Test => self.test,
            Operation::ListTables => self.list_tables,
            Operation::ListColumns => self.list_columns,
            Operation::ResetMetadata => self.reset_metadata,
            Operation::Read => self.read,
            Operation::Write => self.write,
        }
    }

    /// The bytes an answer of `op` may take once lifted into the host:
    /// [`Limits::max_page_bytes`] for `read`, [`Limits::max_result_bytes`]
    /// for the lists and `describe`, and at most [`MESSAGE_BYTES`] for the
    /// answers that are one message or less (`test`, `reset-metadata`, a
    /// destination's calls). Each call also reserves this much of
    /// [`Limits::max_answer_bytes_total`] while it runs.
    pub fn result_bytes(&self, op: Operation) -> usize {
        match op {
            Operation::Read => self.max_page_bytes,
            Operation::Describe | Operation::ListTables | Operation::ListColumns => self.max_result_bytes,
            Operation::Test | Operation::ResetMetadata | Operation::Write => self.max_result_bytes.min(MESSAGE_BYTES),
        }
    }

    /// Sets the timeout of every operation.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.each_mut(|l| l.timeout = timeout);
        self
    }

    /// Sets the memory cap of every operation.
    pub fn with_memory(mut self, bytes: usize) -> Self {
        self.each_mut(|l| l.memory_bytes = bytes);
        self
    }

    /// The largest memory cap of any operation; sizes the instance pool.
    pub fn max_memory_bytes(&self) -> usize {
        [self.describe, self.test, self.list_tables, self.list_columns, self.reset_metadata, self.read, self.write]
            .iter()
            .map(|l| l.memory_bytes)
            .max()
            .unwrap_or_default()
    }

    fn each_mut(&mut self, mut f: impl FnMut(&mut CallLimits)) {
        for l in [
            &mut self.describe,
            &mut self.test,
            &mut self.list_tables,
            &mut self.list_columns,
            &mut self.reset_metadata,
            &mut self.read,
            &mut self.write,
        ] {
            f(l);
        }
    }
}

const MIB: usize = 1 << 20;

/// The most bytes an answer that is one message may take (see [`Limits::result_bytes`]).
pub const MESSAGE_BYTES: usize = MIB;

impl Default for Limits {
    fn default() -> Self {
        let call = |secs, mib| CallLimits { timeout: Duration::from_secs(secs), memory_bytes: mib * MIB };
        Self {
            describe: call(2, 32),
            test: call(10, 64),
            list_tables: call(10, 64),
            list_columns: call(10, 64),
            reset_metadata: call(5, 64),
            read: call(30, 128),
            write: call(30, 128),
            max_log_bytes: MIB,
            max_output_bytes: 64 << 10,
            max_log_lines: 10_000,
            max_tables: 100_000,
            max_columns: 10_000,
            max_concurrent_calls: 8,
            queue_timeout: Duration::from_secs(5),
            epoch_tick: Duration::from_millis(10),
            max_concurrent_sessions: 4,
            max_result_bytes: 16 * MIB,
            max_page_bytes: 64 * MIB,
            max_answer_bytes_total: 512 * MIB,
            pool: PoolLimits {
                core_instances_per_component: 200,
                memories_per_component: 16,
                tables_per_component: 32,
                total_core_instances: 100_000,
                total_memories: 1_000,
                total_tables: 5_000,
                total_component_instances: 2_000,
            },
            compile: CompileLimits { timeout: Duration::from_secs(120), memory_bytes: 2048 * MIB },
            egress: Default::default(),
        }
    }
}
