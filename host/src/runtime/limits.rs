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

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Describe => "describe",
            Operation::Test => "test",
            Operation::ListTables => "list-tables",
            Operation::ListColumns => "list-columns",
            Operation::ResetMetadata => "reset-metadata",
            Operation::Read => "read",
            Operation::Write => "write",
        })
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
    /// Bytes of `log` messages one call may send before it is failed (default 1 MiB).
    pub max_log_bytes: usize,
    /// Bytes of stdout and of stderr kept per call; the rest is dropped (default 64 KiB).
    pub max_output_bytes: usize,
    /// Most tables a `list-tables` result may hold (default 100,000).
    pub max_tables: usize,
    /// Most columns a `list-columns` result may hold (default 10,000).
    pub max_columns: usize,
    /// Calls of one connector version that run at once; more wait (default 8).
    pub max_concurrent_calls: usize,
    /// How long a call waits for a free slot before it fails as overloaded (default 5 s).
    pub queue_timeout: Duration,
    /// The epoch tick: deadlines are checked this often (default 10 ms).
    pub epoch_tick: Duration,
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
            max_tables: 100_000,
            max_columns: 10_000,
            max_concurrent_calls: 8,
            queue_timeout: Duration::from_secs(5),
            epoch_tick: Duration::from_millis(10),
        }
    }
}
