//! A loaded connector version: one `InstancePre`, a fresh `Store` per call.

use super::egress::{CallEgress, Grant};
use super::limits::{CallLimits, Limits, Operation};
use super::outcome::{Call, CallError, Fault, FaultKind};
use super::pool::{Footprint, Reservation};
use super::redact::{Mask, Redactor, Screened};
use super::session::Session;
use super::state::{HostState, OutputCaps};
use super::wit::{self, GuestResult};
use crate::connector::model::{ColumnInfo, ConnectorInfo, LogLevel, Property, TableInfo, TableType};
use futures_util::FutureExt;
use serde::Serialize;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

/// The WIT package versions the host serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WitVersion {
    /// `syncport:connector@0.1.0`.
    #[serde(rename = "0.1.0")]
    V0_1_0,
    /// `syncport:connector@0.2.0`.
    #[serde(rename = "0.2.0")]
    V0_2_0,
    /// `syncport:connector@0.3.0`: outbound HTTP under the egress policy.
    #[serde(rename = "0.3.0")]
    V0_3_0,
}

impl fmt::Display for WitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WitVersion::V0_1_0 => "0.1.0",
            WitVersion::V0_2_0 => "0.2.0",
            WitVersion::V0_3_0 => "0.3.0",
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
/// [`Limits::max_concurrent_calls`] slots (first come, first served, for up
/// to [`Limits::queue_timeout`]) and run the call on the caller's task: a
/// call is a future that yields every epoch tick, so it never holds a thread
/// while it waits or spins, and it ends at its deadline whatever the guest
/// is doing, host calls included. The `*_blocking` methods run the same
/// future to its end on the caller's thread, with no slot (for tools and
/// benchmarks).
#[derive(Clone)]
pub struct Plugin {
    core: Arc<Core>,
    info: Arc<ConnectorInfo>,
    id: Arc<ConnectorId>,
    /// The version's call slots.
    calls: Arc<Semaphore>,
    /// The version's job-session slots.
    sessions: Arc<Semaphore>,
    /// The most verbose log level its calls keep (see [`Plugin::keeping_logs`]).
    keep: Option<LogLevel>,
}

/// What a call needs, before and after `describe` is known.
pub(crate) struct Core {
    pub(crate) engine: Engine,
    pub(crate) pre: wit::Pre,
    pub(crate) limits: Arc<Limits>,
    /// Name and version for fault reports.
    pub(crate) label: (String, String),
    /// What one instance takes from the pool; each store is capped at it.
    pub(crate) footprint: Footprint,
    /// Room, server-wide, for the answers of calls in flight.
    pub(crate) answers: Arc<Semaphore>,
    /// What every call's outbound requests share.
    pub(crate) network: Arc<super::egress::Network>,
    /// This version's kept-alive outbound connections.
    pub(crate) connections: Arc<super::egress::Pool>,
    /// Where this version's calls are counted and timed.
    pub(crate) series: crate::telemetry::ConnectorSeries,
    /// This version's share of the instance pool.
    pub(crate) _reservation: Option<Reservation>,
}

/// What one call may see and reach for a connection: the secret values it
/// masks, the log levels it keeps, the origins it may send requests to.
pub(crate) struct Access {
    pub(crate) redactor: Redactor,
    pub(crate) keep: Option<LogLevel>,
    pub(crate) grant: Arc<Grant>,
}

impl Access {
    /// Nothing to mask, every log level kept, no network: for `describe`,
    /// which must not depend on anything but the build.
    pub(crate) fn nothing() -> Self {
        Access { redactor: Redactor::default(), keep: Some(LogLevel::Verbose), grant: Arc::default() }
    }
}

/// A guest call in flight, borrowing the instance and its store.
pub(crate) type GuestCall<'a, T> = Pin<Box<dyn Future<Output = GuestResult<T>> + Send + 'a>>;

impl Plugin {
    pub(crate) fn new(core: Core, info: ConnectorInfo, id: ConnectorId) -> Self {
        let calls = Arc::new(Semaphore::new(core.limits.max_concurrent_calls));
        let sessions = Arc::new(Semaphore::new(core.limits.max_concurrent_sessions));
        let series = core.series.relabelled(&id.name, &id.version.to_string());
        let core = Core { label: (id.name.clone(), id.version.to_string()), series, ..core };
        let keep = Some(LogLevel::Verbose);
        Self { core: Arc::new(core), info: Arc::new(info), id: Arc::new(id), calls, sessions, keep }
    }

    /// This version, with calls that keep log lines up to `level` only
    /// (`None`: none), as a connection's `logfile_verbosity` says. Lines
    /// above it still count against the call's log budget but are never
    /// stored. Every level is kept by default.
    pub fn keeping_logs(&self, level: Option<LogLevel>) -> Plugin {
        Plugin { keep: level, ..self.clone() }
    }

    /// Name, version, hash and WIT version.
    pub fn id(&self) -> &ConnectorId {
        &self.id
    }

    /// What the connector's `describe` said at load time.
    pub fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// The URL of the declared endpoint `pattern` (an OAuth endpoint) for a
    /// connection with `config`, under the operator's egress settings, or
    /// why there is none.
    pub fn endpoint(&self, pattern: &str, config: &[Property]) -> Result<url::Url, String> {
        let endpoint = super::egress::endpoint::Endpoint::parse(pattern).map_err(|why| format!("`{pattern}` {why}"))?;
        endpoint.expand(&self.info, config, &self.core.limits.egress).map(|(url, _)| url)
    }

    /// How long one outbound request may take (`--egress-request-timeout-ms`),
    /// [`Plugin::post_form`]'s included.
    pub fn request_timeout(&self) -> Duration {
        self.core.limits.egress.request_timeout
    }

    /// Sends `post` (to a token endpoint) for this connector's connections,
    /// through the egress guard: the operator's rules, the checked address,
    /// the request timeout, this version's kept connections.
    pub async fn post_form(&self, post: super::egress::direct::FormPost) -> super::egress::direct::Reply {
        super::egress::direct::post(self.core.network.clone(), self.core.connections.clone(), post).await
    }

    /// What one instance takes from the instance pool.
    pub fn footprint(&self) -> Footprint {
        self.core.footprint
    }

    /// One instance for several calls under one deadline and memory cap,
    /// both `op`'s, taking no slot (for tools). See [`Session`].
    pub fn session(&self, op: Operation) -> Session {
        Session::new(self.core.clone(), self.info.clone(), op)
    }

    /// One instance for a job's calls on one table: [`Operation::Read`] for
    /// a source, [`Operation::Write`] with the connection's directory for a
    /// destination. Each call gets the operation's deadline afresh. Waits
    /// for one of the version's [`Limits::max_concurrent_sessions`] slots,
    /// held until the session is dropped.
    pub async fn job_session(&self, op: Operation, dir: Option<&std::path::Path>) -> wasmtime::Result<Session> {
        let slot = self.sessions.clone().acquire_owned().await?;
        Session::for_job(self.core.clone(), self.info.clone(), op, dir, slot, self.keep)
    }

    /// Runs `describe` again.
    pub async fn describe(&self) -> Call<ConnectorInfo> {
        self.limited(Operation::Describe, self.core.describe()).await
    }

    /// Runs `test` with `config`.
    pub async fn test(&self, config: Vec<Property>) -> Call<String> {
        self.limited(Operation::Test, self.test_call(config)).await
    }

    /// Runs `list-tables` with `config`, a schema filter and a type filter
    /// (empty: every type).
    pub async fn list_tables(
        &self,
        config: Vec<Property>,
        schema: Option<String>,
        types: Vec<TableType>,
    ) -> Call<Vec<TableInfo>> {
        self.limited(Operation::ListTables, self.list_tables_call(config, schema, types)).await
    }

    /// Runs `list-columns` of `table` (optionally schema-qualified).
    pub async fn list_columns(&self, config: Vec<Property>, table: String) -> Call<Vec<ColumnInfo>> {
        self.limited(Operation::ListColumns, self.list_columns_call(config, table)).await
    }

    /// Runs `reset-metadata` with `config`.
    pub async fn reset_metadata(&self, config: Vec<Property>) -> Call<()> {
        self.limited(Operation::ResetMetadata, self.reset_metadata_call(config)).await
    }

    /// `describe` on this thread.
    pub fn describe_blocking(&self) -> Call<ConnectorInfo> {
        block_on(self.core.describe())
    }

    /// `test` on this thread.
    pub fn test_blocking(&self, config: &[Property]) -> Call<String> {
        block_on(self.test_call(config.to_vec()))
    }

    /// `list-tables` on this thread.
    pub fn list_tables_blocking(
        &self,
        config: &[Property],
        schema: Option<&str>,
        types: &[TableType],
    ) -> Call<Vec<TableInfo>> {
        block_on(self.list_tables_call(config.to_vec(), schema.map(str::to_string), types.to_vec()))
    }

    /// `list-columns` on this thread.
    pub fn list_columns_blocking(&self, config: &[Property], table: &str) -> Call<Vec<ColumnInfo>> {
        block_on(self.list_columns_call(config.to_vec(), table.to_string()))
    }

    /// `reset-metadata` on this thread.
    pub fn reset_metadata_blocking(&self, config: &[Property]) -> Call<()> {
        block_on(self.reset_metadata_call(config.to_vec()))
    }

    async fn test_call(&self, config: Vec<Property>) -> Call<String> {
        let access = self.setup(&config);
        self.core.run(Operation::Test, access, move |i, s| Box::pin(async move { i.test(s, &config).await })).await
    }

    async fn list_tables_call(
        &self,
        config: Vec<Property>,
        schema: Option<String>,
        types: Vec<TableType>,
    ) -> Call<Vec<TableInfo>> {
        let access = self.setup(&config);
        let call = self
            .core
            .run(Operation::ListTables, access, move |i, s| {
                Box::pin(async move { i.list_tables(s, &config, schema.as_deref(), &types).await })
            })
            .await;
        self.core.check_size(Operation::ListTables, "tables", self.core.limits.max_tables, call)
    }

    async fn list_columns_call(&self, config: Vec<Property>, table: String) -> Call<Vec<ColumnInfo>> {
        let access = self.setup(&config);
        let call = self
            .core
            .run(Operation::ListColumns, access, move |i, s| {
                Box::pin(async move { i.list_columns(s, &config, &table).await })
            })
            .await;
        self.core.check_size(Operation::ListColumns, "columns", self.core.limits.max_columns, call)
    }

    async fn reset_metadata_call(&self, config: Vec<Property>) -> Call<()> {
        let access = self.setup(&config);
        self.core
            .run(Operation::ResetMetadata, access, move |i, s| {
                Box::pin(async move { i.reset_metadata(s, &config).await })
            })
            .await
    }

    /// What a call with `config` masks, keeps and may reach.
    fn setup(&self, config: &[Property]) -> Access {
        let grant = Grant::new(&self.info, config, &self.core.limits.egress);
        Access { redactor: Redactor::new(Some(&self.info), config), keep: self.keep, grant: Arc::new(grant) }
    }

    /// Waits in line for a slot (up to the queue timeout), then runs `call`
    /// on this task; a panic in the host fails this call only. The call is
    /// counted in the metrics however it ends.
    async fn limited<T>(&self, op: Operation, call: impl Future<Output = Call<T>>) -> Call<T> {
        let call = self.limited_call(op, call).await;
        self.core.observe(op, &call);
        call
    }

    async fn limited_call<T>(&self, op: Operation, call: impl Future<Output = Call<T>>) -> Call<T> {
        let start = Instant::now();
        let queue_timeout = self.core.limits.queue_timeout;
        let queued = self.core.series.queued();
        let slot = acquire_within(&self.calls, 1, queue_timeout).await;
        drop(queued);
        let Some(_slot) = slot else {
            return self.core.failed(op, FaultKind::Overloaded { waited: start.elapsed() }, start);
        };
        match AssertUnwindSafe(call).catch_unwind().await {
            Ok(call) => call,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("(no message)");
                tracing::error!(panic = message, "a connector call panicked in the host");
                self.core.failed(
                    op,
                    FaultKind::Trap { message: "the host's call task failed".into(), panic: None },
                    start,
                )
            }
        }
    }
}

/// Runs a call's future (of a [`Plugin`] or a [`Session`]) to its end on
/// this thread, for tools, tests and benchmarks: on a blocking thread of a
/// tokio runtime on that runtime, elsewhere on a runtime of wasmtime-wasi's
/// own. Panics on a tokio worker thread (await the future there instead).
pub fn block_on<F: Future>(future: F) -> F::Output {
    wasmtime_wasi::runtime::in_tokio(future)
}

/// `n` permits of `semaphore`, waiting in line for up to `wait`; free ones
/// are taken at once, with no timer to set up.
async fn acquire_within(semaphore: &Arc<Semaphore>, n: u32, wait: Duration) -> Option<OwnedSemaphorePermit> {
    if let Ok(permit) = semaphore.clone().try_acquire_many_owned(n) {
        return Some(permit);
    }
    tokio::time::timeout(wait, semaphore.clone().acquire_many_owned(n)).await.ok()?.ok()
}

/// `work`, or a [`Trap::Interrupt`] once `deadline` passes: the future is
/// dropped at its next yield (every epoch tick) or host-call await, so the
/// deadline holds in WASI and host calls too, and the thread is free at once.
pub(crate) async fn within<T>(deadline: Instant, work: impl Future<Output = GuestResult<T>>) -> GuestResult<T> {
    match tokio::time::timeout_at(deadline.into(), work).await {
        Ok(outcome) => outcome,
        Err(_) => Err(Trap::Interrupt.into()),
    }
}

impl Core {
    /// One call: a fresh store with the operation's deadline and budgets,
    /// instantiation, `f`, and the classification of whatever went wrong.
    pub(crate) async fn run<T: Mask>(
        &self,
        op: Operation,
        Access { redactor, keep, grant }: Access,
        f: impl for<'a> FnOnce(&'a wit::Instance, &'a mut Store<HostState>) -> GuestCall<'a, T>,
    ) -> Call<T> {
        let room = match self.answer_room(op).await {
            Ok(room) => room,
            Err(kind) => return self.failed(op, kind, Instant::now()),
        };
        // The deadline runs from here: waiting for room is waiting in line.
        let start = Instant::now();
        let call_limits = self.limits.for_operation(op);
        let deadline = start + call_limits.timeout;
        let mut store = self.store(op, redactor, grant, deadline);
        store.data_mut().set_log_verbosity(keep);
        let outcome = within(deadline, async {
            let instance = self.pre.instantiate(&mut store).await?;
            f(&instance, &mut store).await
        })
        .await;
        let result = self.classify(op, call_limits, &store, outcome);
        let (logs, stderr, masked) = store.into_data().finish();
        let result = result.map_err(|e| with_panic(e, stderr));
        Call { result, logs, duration: start.elapsed(), masked, room: Some(room) }
    }

    /// Waits (up to the queue timeout) for room for an answer of `op` in the
    /// server-wide answer budget; the room is held until the call is dropped.
    pub(crate) async fn answer_room(&self, op: Operation) -> Result<OwnedSemaphorePermit, FaultKind> {
        let start = Instant::now();
        let kib = u32::try_from(self.limits.result_bytes(op).div_ceil(1024)).unwrap_or(u32::MAX);
        acquire_within(&self.answers, kib, self.limits.queue_timeout)
            .await
            .ok_or_else(|| FaultKind::Overloaded { waited: start.elapsed() })
    }

    /// A fresh store with `op`'s budgets, ending at `deadline`.
    pub(crate) fn store(
        &self,
        op: Operation,
        redactor: Redactor,
        grant: Arc<Grant>,
        deadline: Instant,
    ) -> Store<HostState> {
        self.store_with_dir(op, redactor, grant, None, deadline).expect("a store without a directory always builds")
    }

    /// [`Core::store`] that also grants `dir` (see [`HostState::new`]).
    pub(crate) fn store_with_dir(
        &self,
        op: Operation,
        redactor: Redactor,
        grant: Arc<Grant>,
        dir: Option<&std::path::Path>,
        deadline: Instant,
    ) -> wasmtime::Result<Store<HostState>> {
        let call_limits = self.limits.for_operation(op);
        let limits = &self.limits;
        let caps = OutputCaps {
            log_bytes: limits.max_log_bytes,
            log_lines: limits.max_log_lines,
            output_bytes: limits.max_output_bytes,
        };
        let mut state = HostState::new(
            call_limits.memory_bytes,
            self.footprint,
            caps,
            redactor,
            self.egress(grant, deadline),
            dir,
        )?;
        state.deadline = deadline;
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        // Lifting an answer into the host (strings counted each time they
        // appear, lists by their canonical size) stops at this many bytes.
        store.set_hostcall_fuel(limits.result_bytes(op));
        // Every tick the guest yields to the other tasks, so the call's
        // timeout can drop it; past the deadline (if the timeout was not
        // polled in time) the guest is interrupted.
        store.epoch_deadline_callback(|store| {
            if Instant::now() >= store.data().deadline {
                return Ok(UpdateDeadline::Interrupt);
            }
            Ok(UpdateDeadline::YieldCustom(1, Box::pin(tokio::task::yield_now())))
        });
        // Before instantiating: instantiation runs guest code too.
        store.set_epoch_deadline(1);
        Ok(store)
    }

    /// The egress of a call that may reach what `grant` allows until `deadline`.
    pub(crate) fn egress(&self, grant: Arc<Grant>, deadline: Instant) -> CallEgress {
        CallEgress::new(self.network.clone(), self.connections.clone(), grant, deadline)
    }

    /// What a call of `op` into `store` (created with `call_limits`) amounts
    /// to: the value (secrets masked in its text), the connector's error
    /// (secrets masked), or the fault the host stopped it for, a value with
    /// an identifier that holds a secret included (identifiers are never
    /// rewritten, see `redact.rs`).
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
            Ok(Ok(value)) => match store.data().logs.mask(Screened(Ok(value))).0 {
                Ok(value) => Ok(value),
                // Host text naming the kind of identifier, never its value,
                // so not masked (a short secret could match its words).
                Err(refused) => {
                    Err(CallError::Fault(self.fault(op, FaultKind::InvalidResult { message: refused.to_string() })))
                }
            },
            Ok(Err(error)) => Err(CallError::Connector(store.data().logs.mask(error))),
            Err(error) => {
                let kind = if let Some(kind) = store.data().logs.fault() {
                    kind
                } else if store.data().limiter.exceeded {
                    FaultKind::MemoryLimit { limit_bytes: call_limits.memory_bytes }
                } else if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
                    FaultKind::Timeout { limit: call_limits.timeout }
                } else if is_fuel_exhausted(&error) {
                    FaultKind::ResultBytes { limit_bytes: self.limits.result_bytes(op) }
                } else {
                    FaultKind::Trap { message: trap_message(&error), panic: None }
                };
                Err(CallError::Fault(self.fault(op, store.data().logs.mask(kind))))
            }
        }
    }

    /// Counts `call` of `op` in the metrics: its outcome, its time, and
    /// the kind of fault that stopped it, if one did.
    pub(crate) fn observe<T>(&self, op: Operation, call: &Call<T>) {
        use crate::telemetry::CallOutcome;
        let (outcome, fault) = match &call.result {
            Ok(_) => (CallOutcome::Ok, None),
            Err(CallError::Connector(_)) => (CallOutcome::ConnectorError, None),
            Err(CallError::Fault(fault)) => (CallOutcome::Fault, Some(fault.kind.name())),
        };
        self.series.call(op.as_str(), outcome, fault, call.duration);
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
            room: None,
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
    pub(crate) async fn describe(&self) -> Call<ConnectorInfo> {
        let call = self.run(Operation::Describe, Access::nothing(), |i, s| Box::pin(i.describe(s))).await;
        let Call { result, logs, duration, masked, room } = call;
        let result = result.and_then(|info| {
            let invalid =
                |message| CallError::Fault(self.fault(Operation::Describe, FaultKind::InvalidResult { message }));
            let info = info.map_err(invalid)?;
            validate_info(&info).map_err(invalid)?;
            Ok(info)
        });
        Call { result, logs, duration, masked, room }
    }
}

/// Whether wasmtime stopped lifting an answer at the store's hostcall fuel
/// (its error type is private; its message is stable: "too much data is
/// being copied between the host and the guest").
fn is_fuel_exhausted(error: &wasmtime::Error) -> bool {
    error.chain().any(|e| e.to_string().contains("too much data is being copied between the host and the guest"))
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
    super::egress::origin::validate(info)?;
    super::oauth_spec::validate(info)
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
