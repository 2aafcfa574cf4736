//! Several calls on one live instance: [`Session`].

use super::limits::{CallLimits, Operation};
use super::outcome::{Call, CallError, FaultKind};
use super::plugin::{Core, with_panic};
use super::redact::Redactor;
use super::state::HostState;
use super::wit::{self, GuestResult};
use crate::connector::batch::{Batch, Page, ReadRequest};
use crate::connector::model::{ColumnInfo, ConnectorInfo, Property, TableInfo, TableType};
use std::sync::Arc;
use std::time::Instant;
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
/// Calls run on the caller's thread and take none of the connector version's
/// [`Limits::max_concurrent_calls`](super::Limits::max_concurrent_calls) slots,
/// like the `*_blocking` methods of [`Plugin`](super::Plugin).
///
/// A job's session ([`Plugin::job_session`](super::Plugin::job_session))
/// differs in one way: each call gets the operation's deadline afresh, so a
/// table may take as many pages as it has.
pub struct Session {
    core: Arc<Core>,
    info: Arc<ConnectorInfo>,
    limits: CallLimits,
    state: State,
    /// Each call gets a fresh deadline (jobs).
    deadline_per_call: bool,
}

enum State {
    /// The store, and the instance once the first call made it.
    Live { store: Store<HostState>, instance: Option<wit::Instance> },
    /// A call faulted; the store is gone.
    Dead(FaultKind),
}

impl Session {
    pub(crate) fn new(core: Arc<Core>, info: Arc<ConnectorInfo>, op: Operation) -> Self {
        let store = core.store(op, Redactor::default());
        let limits = core.limits.for_operation(op);
        Self { core, info, limits, state: State::Live { store, instance: None }, deadline_per_call: false }
    }

    pub(crate) fn for_job(
        core: Arc<Core>,
        info: Arc<ConnectorInfo>,
        op: Operation,
        dir: Option<&std::path::Path>,
    ) -> wasmtime::Result<Self> {
        let store = core.store_with_dir(op, Redactor::default(), dir)?;
        let limits = core.limits.for_operation(op);
        Ok(Self { core, info, limits, state: State::Live { store, instance: None }, deadline_per_call: true })
    }

    /// Whether the instance is still usable: no call has faulted.
    pub fn is_live(&self) -> bool {
        matches!(self.state, State::Live { .. })
    }

    /// Runs `test` with `config`.
    pub fn test(&mut self, config: &[Property]) -> Call<String> {
        self.call(Operation::Test, config, |i, s| i.test(s, config))
    }

    /// Runs `list-tables` with `config`, a schema filter and a type filter
    /// (empty: every type).
    pub fn list_tables(
        &mut self,
        config: &[Property],
        schema: Option<&str>,
        types: &[TableType],
    ) -> Call<Vec<TableInfo>> {
        let call = self.call(Operation::ListTables, config, |i, s| i.list_tables(s, config, schema, types));
        self.core.check_size(Operation::ListTables, "tables", self.core.limits.max_tables, call)
    }

    /// Runs `list-columns` of `table` (optionally schema-qualified).
    pub fn list_columns(&mut self, config: &[Property], table: &str) -> Call<Vec<ColumnInfo>> {
        let call = self.call(Operation::ListColumns, config, |i, s| i.list_columns(s, config, table));
        self.core.check_size(Operation::ListColumns, "columns", self.core.limits.max_columns, call)
    }

    /// Runs `reset-metadata` with `config`.
    pub fn reset_metadata(&mut self, config: &[Property]) -> Call<()> {
        self.call(Operation::ResetMetadata, config, |i, s| i.reset_metadata(s, config))
    }

    /// Runs `read` of one page.
    pub fn read(&mut self, config: &[Property], request: &ReadRequest) -> Call<Page> {
        self.call(Operation::Read, config, |i, s| i.read(s, config, request))
    }

    /// Runs `prepare` of `table` for `columns`.
    pub fn prepare(&mut self, config: &[Property], table: &str, columns: &[ColumnInfo]) -> Call<()> {
        self.call(Operation::Write, config, |i, s| i.prepare(s, config, table, columns))
    }

    /// Runs `write` of `rows` into `table`; the rows written.
    pub fn write(&mut self, config: &[Property], table: &str, rows: Batch) -> Call<u64> {
        self.call(Operation::Write, config, |i, s| i.write(s, config, table, rows))
    }

    /// Runs `finish` of `table`.
    pub fn finish(&mut self, config: &[Property], table: &str) -> Call<()> {
        self.call(Operation::Write, config, |i, s| i.finish(s, config, table))
    }

    /// One call on the live instance (made first if need be), classified as
    /// [`Core::run`] does; a fault drops the store.
    fn call<T: super::redact::Mask>(
        &mut self,
        op: Operation,
        config: &[Property],
        f: impl FnOnce(&wit::Instance, &mut Store<HostState>) -> GuestResult<T>,
    ) -> Call<T> {
        let start = Instant::now();
        let (store, instance) = match &mut self.state {
            State::Live { store, instance } => (store, instance),
            State::Dead(kind) => return self.core.failed(op, kind.clone(), start),
        };
        store.data_mut().start_call(Redactor::new(Some(&self.info), config));
        if self.deadline_per_call {
            store.set_epoch_deadline(super::plugin::ticks(self.limits.timeout, self.core.limits.epoch_tick));
        }
        let outcome = match instance {
            Some(plugin) => f(plugin, store),
            None => self.core.pre.instantiate(&mut *store).and_then(|plugin| f(instance.insert(plugin), store)),
        };
        let result = self.core.classify(op, self.limits, store, outcome);
        let (logs, stderr) = store.data_mut().drain();
        let masked = store.data().logs.masked();
        let result = result.map_err(|e| with_panic(e, stderr));
        if let Err(CallError::Fault(fault)) = &result {
            self.state = State::Dead(fault.kind.clone());
        }
        Call { result, logs, duration: start.elapsed(), masked }
    }
}
