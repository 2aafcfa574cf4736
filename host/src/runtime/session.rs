//! Several calls on one live instance: [`Session`].

use super::egress::Grant;
use super::limits::{CallLimits, Operation};
use super::outcome::{Call, CallError, FaultKind};
use super::plugin::{Core, GuestCall, with_panic, within};
use super::redact::{Mask, Redactor};
use super::state::HostState;
use super::wit;
use crate::connector::batch::{Batch, Page, ReadRequest};
use crate::connector::model::{ColumnInfo, ConnectorInfo, LogLevel, Property, TableInfo, TableType};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::OwnedSemaphorePermit;
use wasmtime::Store;

/// One instance of a plugin for several calls under one deadline and one
/// memory cap, those of the operation it was opened for (e.g. a job reading
/// pages). Made by [`Plugin::session`](super::Plugin::session).
///
/// Unlike [`Plugin`](super::Plugin)'s calls, which each get a fresh instance,
/// a session keeps its instance, and so whatever the plugin kept in memory,
/// from call to call:
///
/// - The deadline runs from the session's creation; the instance is created
///   by the first call, whose duration includes it.
/// - Memory the instance grew stays counted against the cap.
/// - The log budget ([`Limits::max_log_bytes`](super::Limits::max_log_bytes))
///   and secret masking are per call; the stdout and stderr capture
///   ([`Limits::max_output_bytes`](super::Limits::max_output_bytes)) is for
///   the whole session.
/// - After a fault (trap, timeout, memory or log limit) the instance is
///   dropped: wasmtime forbids entering a trapped instance again. Later
///   calls are not run and fail with the same fault kind; open a new session.
///   A connector's own error, or a result over the size limit, leaves the
///   session usable.
///
/// Calls are futures run on the caller's task, ended at the deadline as
/// [`Plugin`](super::Plugin)'s are. A session made by
/// [`Plugin::session`](super::Plugin::session) takes no slot (for tools); a
/// job's holds one of the version's
/// [`Limits::max_concurrent_sessions`](super::Limits::max_concurrent_sessions)
/// until it is dropped. A call whose future is dropped before it ends (a
/// cancelled job) leaves the session dead.
///
/// A job's session ([`Plugin::job_session`](super::Plugin::job_session))
/// differs in one way: each call gets the operation's deadline afresh, so a
/// table may take as many pages as it has.
pub struct Session {
    core: Arc<Core>,
    info: Arc<ConnectorInfo>,
    limits: CallLimits,
    state: State,
    /// When the session-wide deadline started.
    opened: Instant,
    /// Each call gets a fresh deadline (jobs).
    deadline_per_call: bool,
    /// The version's session slot, for a job's session.
    _slot: Option<OwnedSemaphorePermit>,
}

enum State {
    /// The store, and the instance once the first call made it.
    Live { store: Box<Store<HostState>>, instance: Option<wit::Instance> },
    /// A call faulted (or was abandoned mid-way); the store is gone.
    Dead(FaultKind),
}

impl Session {
    pub(crate) fn new(core: Arc<Core>, info: Arc<ConnectorInfo>, op: Operation) -> Self {
        let opened = Instant::now();
        let limits = core.limits.for_operation(op);
        let store = core.store(op, Redactor::default(), Arc::default(), opened + limits.timeout);
        let state = State::Live { store: Box::new(store), instance: None };
        Self { core, info, limits, state, opened, deadline_per_call: false, _slot: None }
    }

    pub(crate) fn for_job(
        core: Arc<Core>,
        info: Arc<ConnectorInfo>,
        op: Operation,
        dir: Option<&std::path::Path>,
        slot: OwnedSemaphorePermit,
        keep: Option<LogLevel>,
    ) -> wasmtime::Result<Self> {
        let opened = Instant::now();
        let limits = core.limits.for_operation(op);
        let mut store = core.store_with_dir(op, Redactor::default(), Arc::default(), dir, opened + limits.timeout)?;
        store.data_mut().set_log_verbosity(keep);
        let state = State::Live { store: Box::new(store), instance: None };
        Ok(Self { core, info, limits, state, opened, deadline_per_call: true, _slot: Some(slot) })
    }

    /// Whether the instance is still usable: no call has faulted.
    pub fn is_live(&self) -> bool {
        matches!(self.state, State::Live { .. })
    }

    /// Runs `test` with `config`.
    pub async fn test(&mut self, config: &[Property]) -> Call<String> {
        let owned = config.to_vec();
        self.call(Operation::Test, config, move |i, s| Box::pin(async move { i.test(s, &owned).await })).await
    }

    /// Runs `list-tables` with `config`, a schema filter and a type filter
    /// (empty: every type).
    pub async fn list_tables(
        &mut self,
        config: &[Property],
        schema: Option<&str>,
        types: &[TableType],
    ) -> Call<Vec<TableInfo>> {
        let (owned, schema, types) = (config.to_vec(), schema.map(str::to_string), types.to_vec());
        let call = self
            .run(Operation::ListTables, config, move |i, s| {
                Box::pin(async move { i.list_tables(s, &owned, schema.as_deref(), &types).await })
            })
            .await;
        self.observed(
            Operation::ListTables,
            self.core.check_size(Operation::ListTables, "tables", self.core.limits.max_tables, call),
        )
    }

    /// Runs `list-columns` of `table` (optionally schema-qualified).
    pub async fn list_columns(&mut self, config: &[Property], table: &str) -> Call<Vec<ColumnInfo>> {
        let (owned, table) = (config.to_vec(), table.to_string());
        let call = self
            .run(Operation::ListColumns, config, move |i, s| {
                Box::pin(async move { i.list_columns(s, &owned, &table).await })
            })
            .await;
        let max = self.core.limits.max_columns;
        self.observed(Operation::ListColumns, self.core.check_size(Operation::ListColumns, "columns", max, call))
    }

    /// Runs `reset-metadata` with `config`.
    pub async fn reset_metadata(&mut self, config: &[Property]) -> Call<()> {
        let owned = config.to_vec();
        self.call(Operation::ResetMetadata, config, move |i, s| {
            Box::pin(async move { i.reset_metadata(s, &owned).await })
        })
        .await
    }

    /// Runs `read` of one page.
    pub async fn read(&mut self, config: &[Property], request: &ReadRequest) -> Call<Page> {
        let (owned, request) = (config.to_vec(), request.clone());
        self.call(Operation::Read, config, move |i, s| Box::pin(async move { i.read(s, &owned, &request).await })).await
    }

    /// Runs `prepare` of `table` for `columns`.
    pub async fn prepare(&mut self, config: &[Property], table: &str, columns: &[ColumnInfo]) -> Call<()> {
        let (owned, table, columns) = (config.to_vec(), table.to_string(), columns.to_vec());
        self.call(Operation::Write, config, move |i, s| {
            Box::pin(async move { i.prepare(s, &owned, &table, &columns).await })
        })
        .await
    }

    /// Runs `write` of `rows` into `table`; the rows written.
    pub async fn write(&mut self, config: &[Property], table: &str, rows: Batch) -> Call<u64> {
        let (owned, table) = (config.to_vec(), table.to_string());
        self.call(Operation::Write, config, move |i, s| Box::pin(async move { i.write(s, &owned, &table, rows).await }))
            .await
    }

    /// Runs `finish` of `table`.
    pub async fn finish(&mut self, config: &[Property], table: &str) -> Call<()> {
        let (owned, table) = (config.to_vec(), table.to_string());
        self.call(Operation::Write, config, move |i, s| Box::pin(async move { i.finish(s, &owned, &table).await }))
            .await
    }

    /// [`Session::run`], counted in the metrics.
    async fn call<T: Mask>(
        &mut self,
        op: Operation,
        config: &[Property],
        f: impl for<'a> FnOnce(&'a wit::Instance, &'a mut Store<HostState>) -> GuestCall<'a, T>,
    ) -> Call<T> {
        let call = self.run(op, config, f).await;
        self.observed(op, call)
    }

    /// `call`, counted in the metrics.
    fn observed<T>(&self, op: Operation, call: Call<T>) -> Call<T> {
        self.core.observe(op, &call);
        call
    }

    /// One call on the live instance (made first if need be), classified as
    /// [`Core::run`] does; a fault drops the store. If the returned future is
    /// dropped before it ends (a cancelled job), the session is dead.
    async fn run<T: Mask>(
        &mut self,
        op: Operation,
        config: &[Property],
        f: impl for<'a> FnOnce(&'a wit::Instance, &'a mut Store<HostState>) -> GuestCall<'a, T>,
    ) -> Call<T> {
        let start = Instant::now();
        if let State::Dead(kind) = &self.state {
            return self.core.failed(op, kind.clone(), start);
        }
        let room = match self.core.answer_room(op).await {
            Ok(room) => room,
            Err(kind) => return self.core.failed(op, kind, start),
        };
        let start = Instant::now();
        let deadline = if self.deadline_per_call { start } else { self.opened } + self.limits.timeout;
        let redactor = Redactor::new(Some(&self.info), config);
        // Taken out while the call runs: if this future is dropped half-way,
        // the instance is gone with it and the session stays dead.
        let abandoned = FaultKind::Trap { message: "an earlier call was abandoned".into(), panic: None };
        let State::Live { mut store, instance } = std::mem::replace(&mut self.state, State::Dead(abandoned)) else {
            unreachable!("checked live above")
        };
        let grant = Grant::new(&self.info, config, &self.core.limits.egress);
        store.data_mut().start_call(redactor, self.core.egress(Arc::new(grant), deadline));
        store.data_mut().deadline = deadline;
        let mut instance = instance;
        let outcome = {
            let (store, instance, pre) = (&mut *store, &mut instance, &self.core.pre);
            within(deadline, async move {
                if instance.is_none() {
                    *instance = Some(pre.instantiate(&mut *store).await?);
                }
                let live = instance.as_ref().expect("made above");
                f(live, store).await
            })
            .await
        };
        let result = self.core.classify(op, self.limits, &store, outcome);
        let (logs, stderr) = store.data_mut().drain();
        let masked = store.data().logs.masked();
        let result = result.map_err(|e| with_panic(e, stderr));
        self.state = match &result {
            Err(CallError::Fault(fault)) => State::Dead(fault.kind.clone()),
            _ => State::Live { store, instance },
        };
        Call { result, logs, duration: start.elapsed(), masked, room: Some(room) }
    }
}
