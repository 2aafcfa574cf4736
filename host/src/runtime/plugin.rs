//! A loaded connector version: one `InstancePre`, a fresh `Store` per call.

use super::limits::{CallLimits, Limits, Operation};
use super::outcome::{Call, CallError, Fault, FaultKind};
use super::queue::{CallQueue, NotRun};
use super::redact::{Mask, Redactor};
use super::session::Session;
use super::state::HostState;
use super::wit::{self, GuestResult};
use crate::connector::model::{ColumnInfo, ConnectorInfo, Property, TableInfo, TableType};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::{Engine, Store, Trap};

/// The WIT package versions the host serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WitVersion {
    /// `syncport:connector@0.1.0`.
    #[serde(rename = "0.1.0")]
    V0_1_0,
    /// `syncport:connector@0.2.0`.
    #[serde(rename = "0.2.0")]
    V0_2_0,
}

impl fmt::Display for WitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WitVersion::V0_1_0 => "0.1.0",
            WitVersion::V0_2_0 => "0.2.0",
        })
    }
}

/// What identifies an installed connector component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ConnectorId {
    /// The name its `describe` gives.
    pub name: String,
    /// The version its `describe` gives.
    pub version: semver::Version,
    /// The sha256 of the component's bytes, in hex.
    pub sha256: String,
    /// The WIT package version it targets.
    pub wit: WitVersion,
}

/// A connector version, compiled and linked, ready to call. Cheap to clone.
///
/// The async methods wait in the version's line for one of its
/// [`Limits::max_concurrent_calls`] slots and run the call on a blocking
/// thread; the `*_blocking` methods run it on the caller's thread with no
/// slot (for tools and benchmarks).
#[derive(Clone)]
pub struct Plugin {
    core: Arc<Core>,
    info: Arc<ConnectorInfo>,
    id: Arc<ConnectorId>,
    queue: Arc<CallQueue>,
}

/// What a call needs, before and after `describe` is known.
pub(crate) struct Core {
    pub(crate) engine: Engine,
    pub(crate) pre: wit::Pre,
    pub(crate) limits: Arc<Limits>,
    /// Name and version for fault reports.
    pub(crate) label: (String, String),
}

impl Plugin {
    pub(crate) fn new(core: Core, info: ConnectorInfo, id: ConnectorId) -> Self {
        let queue = Arc::new(CallQueue::new(core.limits.max_concurrent_calls));
        let core = Core { label: (id.name.clone(), id.version.to_string()), ..core };
        Self { core: Arc::new(core), info: Arc::new(info), id: Arc::new(id), queue }
    }

    /// Name, version, hash and WIT version.
    pub fn id(&self) -> &ConnectorId {
        &self.id
    }

    /// What the connector's `describe` said at load time.
    pub fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// One instance for several calls under one deadline and memory cap,
    /// both `op`'s. See [`Session`].
    pub fn session(&self, op: Operation) -> Session {
        Session::new(self.core.clone(), self.info.clone(), op)
    }

    /// One instance for a job's calls on one table: [`Operation::Read`] for
    /// a source, [`Operation::Write`] with the connection's directory for a
    /// destination. Each call gets the operation's deadline afresh.
    pub fn job_session(&self, op: Operation, dir: Option<&std::path::Path>) -> wasmtime::Result<Session> {
        Session::for_job(self.core.clone(), self.info.clone(), op, dir)
    }

    /// Runs `describe` again.
    pub async fn describe(&self) -> Call<ConnectorInfo> {
        self.limited(Operation::Describe, |p| p.describe_blocking()).await
    }

    /// Runs `test` with `config`.
    pub async fn test(&self, config: Vec<Property>) -> Call<String> {
        self.limited(Operation::Test, move |p| p.test_blocking(&config)).await
    }

    /// Runs `list-tables` with `config`, a schema filter and a type filter
    /// (empty: every type).
    pub async fn list_tables(
        &self,
        config: Vec<Property>,
        schema: Option<String>,
        types: Vec<TableType>,
    ) -> Call<Vec<TableInfo>> {
        self.limited(Operation::ListTables, move |p| p.list_tables_blocking(&config, schema.as_deref(), &types)).await
    }

    /// Runs `list-columns` of `table` (optionally schema-qualified).
    pub async fn list_columns(&self, config: Vec<Property>, table: String) -> Call<Vec<ColumnInfo>> {
        self.limited(Operation::ListColumns, move |p| p.list_columns_blocking(&config, &table)).await
    }

    /// Runs `reset-metadata` with `config`.
    pub async fn reset_metadata(&self, config: Vec<Property>) -> Call<()> {
        self.limited(Operation::ResetMetadata, move |p| p.reset_metadata_blocking(&config)).await
    }

    /// `describe` on this thread.
    pub fn describe_blocking(&self) -> Call<ConnectorInfo> {
        self.core.describe()
    }

    /// `test` on this thread.
    pub fn test_blocking(&self, config: &[Property]) -> Call<String> {
        self.core.run(Operation::Test, self.redactor(config), |i, s| i.test(s, config))
    }

    /// `list-tables` on this thread.
    pub fn list_tables_blocking(
        &self,
        config: &[Property],
        schema: Option<&str>,
        types: &[TableType],
    ) -> Call<Vec<TableInfo>> {
        let call =
            self.core.run(Operation::ListTables, self.redactor(config), |i, s| i.list_tables(s, config, schema, types));
        self.core.check_size(Operation::ListTables, "tables", self.core.limits.max_tables, call)
    }

    /// `list-columns` on this thread.
    pub fn list_columns_blocking(&self, config: &[Property], table: &str) -> Call<Vec<ColumnInfo>> {
        let call =
            self.core.run(Operation::ListColumns, self.redactor(config), |i, s| i.list_columns(s, config, table));
        self.core.check_size(Operation::ListColumns, "columns", self.core.limits.max_columns, call)
    }

    /// `reset-metadata` on this thread.
    pub fn reset_metadata_blocking(&self, config: &[Property]) -> Call<()> {
        self.core.run(Operation::ResetMetadata, self.redactor(config), |i, s| i.reset_metadata(s, config))
    }

    fn redactor(&self, config: &[Property]) -> Redactor {
        Redactor::new(Some(&self.info), config)
    }

    /// Waits in line for a slot, then runs `f` on a blocking thread.
    async fn limited<T: Send + 'static>(
        &self,
        op: Operation,
        f: impl FnOnce(&Plugin) -> Call<T> + Send + 'static,
    ) -> Call<T> {
        let start = Instant::now();
        let plugin = self.clone();
        match self.queue.run(self.core.limits.queue_timeout, move || f(&plugin)).await {
            Ok(call) => call,
            Err(NotRun::Overloaded { waited }) => self.core.failed(op, FaultKind::Overloaded { waited }, start),
            Err(NotRun::Panicked) => self.core.failed(
                op,
                FaultKind::Trap { message: "the host's call task failed".into(), panic: None },
                start,
            ),
        }
    }
}

impl Core {
    /// One call: a fresh store with the operation's deadline and memory cap,
    /// instantiation, `f`, and the classification of whatever went wrong.
    pub(crate) fn run<T: Mask>(
        &self,
        op: Operation,
        redactor: Redactor,
        f: impl FnOnce(&wit::Instance, &mut Store<HostState>) -> GuestResult<T>,
    ) -> Call<T> {
        let start = Instant::now();
        let mut store = self.store(op, redactor);
        let outcome = self.pre.instantiate(&mut store).and_then(|plugin| f(&plugin, &mut store));
        let result = self.classify(op, self.limits.for_operation(op), &store, outcome);
        let (logs, stderr, masked) = store.into_data().finish();
        let result = result.map_err(|e| with_panic(e, stderr));
        Call { result, logs, duration: start.elapsed(), masked }
    }

    /// A fresh store with `op`'s memory cap and deadline, counted from now.
    pub(crate) fn store(&self, op: Operation, redactor: Redactor) -> Store<HostState> {
        self.store_with_dir(op, redactor, None).expect("a store without a directory always builds")
    }

    /// [`Core::store`] that also grants `dir` (see [`HostState::new`]).
    pub(crate) fn store_with_dir(
        &self,
        op: Operation,
        redactor: Redactor,
        dir: Option<&std::path::Path>,
    ) -> wasmtime::Result<Store<HostState>> {
        let call_limits = self.limits.for_operation(op);
        let limits = &self.limits;
        let (log_bytes, log_lines) = (limits.max_log_bytes, limits.max_log_lines);
        let state =
            HostState::new(call_limits.memory_bytes, log_bytes, log_lines, limits.max_output_bytes, redactor, dir)?;
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        // Before instantiating: instantiation runs guest code too.
        store.set_epoch_deadline(ticks(call_limits.timeout, self.limits.epoch_tick));
        store.epoch_deadline_trap();
        Ok(store)
    }

    /// What a call of `op` into `store` (created with `call_limits`) amounts
    /// to: the value, the connector's error (secrets masked), or the fault the
    /// host stopped it for.
    pub(crate) fn classify<T>(
        &self,
        op: Operation,
        call_limits: CallLimits,
        store: &Store<HostState>,
        outcome: GuestResult<T>,
    ) -> Result<T, CallError>
    where
        T: Mask,
    {
        match outcome {
            Ok(Ok(value)) => Ok(store.data().logs.mask(value)),
            Ok(Err(error)) => Err(CallError::Connector(store.data().logs.mask(error))),
            Err(error) => {
                let kind = if let Some(kind) = store.data().logs.fault() {
                    kind
                } else if store.data().limiter.exceeded {
                    FaultKind::MemoryLimit { limit_bytes: call_limits.memory_bytes }
                } else if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
                    FaultKind::Timeout { limit: call_limits.timeout }
                } else {
                    FaultKind::Trap { message: trap_message(&error), panic: None }
                };
                Err(CallError::Fault(self.fault(op, store.data().logs.mask(kind))))
            }
        }
    }

    fn fault(&self, operation: Operation, kind: FaultKind) -> Fault {
        Fault { connector: self.label.0.clone(), version: self.label.1.clone(), operation, kind }
    }

    pub(crate) fn failed<T>(&self, op: Operation, kind: FaultKind, start: Instant) -> Call<T> {
        Call {
            result: Err(CallError::Fault(self.fault(op, kind))),
            logs: Vec::new(),
            duration: start.elapsed(),
            masked: 0,
        }
    }

    /// Fails a list call whose result has more than `limit` items.
    pub(crate) fn check_size<T>(
        &self,
        op: Operation,
        what: &'static str,
        limit: usize,
        call: Call<Vec<T>>,
    ) -> Call<Vec<T>> {
        match &call.result {
            Ok(items) if items.len() > limit => {
                let kind = FaultKind::ResultTooLarge { what, count: items.len(), limit };
                Call { result: Err(CallError::Fault(self.fault(op, kind))), ..call }
            }
            _ => call,
        }
    }

    /// Runs `describe`, failing the call if the answer breaks the contract.
    pub(crate) fn describe(&self) -> Call<ConnectorInfo> {
        let call = self.run(Operation::Describe, Redactor::default(), |i, s| i.describe(s));
        let Call { result, logs, duration, masked } = call;
        let result = result.and_then(|info| {
            let invalid =
                |message| CallError::Fault(self.fault(Operation::Describe, FaultKind::InvalidResult { message }));
            let info = info.map_err(invalid)?;
            validate_info(&info).map_err(invalid)?;
            Ok(info)
        });
        Call { result, logs, duration, masked }
    }
}

/// The contract's rules for a `describe` answer.
fn validate_info(info: &ConnectorInfo) -> Result<(), String> {
    let name_ok = |n: &str| !n.trim().is_empty() && n.len() <= 128 && !n.chars().any(char::is_control);
    if !name_ok(&info.name) {
        return Err(format!("connector name `{}` must be 1 to 128 printable characters", info.name.escape_debug()));
    }
    let mut seen = std::collections::HashSet::new();
    for p in &info.properties {
        if !name_ok(&p.name) {
            return Err(format!("property name `{}` must be 1 to 128 printable characters", p.name.escape_debug()));
        }
        if !seen.insert(p.name.to_ascii_lowercase()) {
            return Err(format!("property `{}` is described twice", p.name));
        }
        if p.secret && (p.default_value.is_some() || !p.allowed_values.is_empty()) {
            return Err(format!(
                "secret property `{}` has a default or allowed values, which `describe` would publish",
                p.name
            ));
        }
        if let Some(default) = &p.default_value
            && !p.allowed_values.is_empty()
            && !p.allowed_values.iter().any(|a| a.eq_ignore_ascii_case(default))
        {
            return Err(format!("property `{}` defaults to `{default}`, which is not an allowed value", p.name));
        }
    }
    Ok(())
}

/// The epoch ticks that cover `timeout`, rounded up, plus one for the tick
/// already under way.
pub(crate) fn ticks(timeout: Duration, tick: Duration) -> u64 {
    let tick = tick.as_nanos().max(1);
    u64::try_from(timeout.as_nanos().div_ceil(tick)).unwrap_or(u64::MAX).saturating_add(1)
}

/// The trap code or error text, without wasmtime's backtrace.
fn trap_message(error: &wasmtime::Error) -> String {
    match error.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => error.to_string(),
    }
}

/// Attaches what the plugin wrote to stderr to a trap, e.g. its panic message.
pub(crate) fn with_panic(error: CallError, stderr: String) -> CallError {
    match error {
        CallError::Fault(Fault { kind: FaultKind::Trap { message, .. }, connector, version, operation }) => {
            let panic = Some(stderr.trim().to_string()).filter(|s| !s.is_empty());
            CallError::Fault(Fault { kind: FaultKind::Trap { message, panic }, connector, version, operation })
        }
        other => other,
    }
}
