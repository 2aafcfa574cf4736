//! The in-process caches of the database: connection rows (properties
//! still encrypted) and what is known of each connection's cached
//! metadata. Every write through this server updates them; on PostgreSQL,
//! which several servers may share, the others' writes reach them through
//! notifications and reads use them only while those are heard
//! ([`super::coherence`]). See `docs/storage.md` ("In-process caches").

use super::Store;
use super::coherence::SharedChange;
use super::guarded::Guarded;
use super::metadata::Known;
use super::rows::StoredConnection;
use std::sync::Arc;
use uuid::Uuid;

/// The most bytes of connection rows kept (estimated).
const ROWS_BYTES: u64 = 32 << 20;
/// The most bytes of cached metadata answers kept (estimated).
const METADATA_BYTES: u64 = 64 << 20;

/// The caches of one store.
pub(super) struct Caches {
    /// Connection rows by id.
    pub rows: Guarded<Uuid, Arc<StoredConnection>>,
    /// Per connection, the metadata cache rows read so far (or their absence).
    pub metadata: Guarded<Uuid, Known>,
}

impl Caches {
    pub(super) fn new() -> Self {
        Self {
            rows: Guarded::new(ROWS_BYTES, |row| row.weight()),
            metadata: Guarded::new(METADATA_BYTES, super::metadata::weight),
        }
    }

    /// A write from `from` (a revision) committed: a cached row at `from`
    /// becomes `next` of it; any other cached row of `id` is dropped.
    pub(super) fn row_written(&self, id: Uuid, from: i64, next: impl FnOnce(&StoredConnection) -> StoredConnection) {
        self.rows.change(id, |cached| cached.filter(|row| row.revision() == from).map(|row| Arc::new(next(&row))));
    }

    /// A write from `from` found the row elsewhere: a cached row still at
    /// `from` is out of date (a writer outside this server) and is dropped.
    pub(super) fn row_stale(&self, id: Uuid, from: i64) {
        self.rows.change(id, |cached| cached.filter(|row| row.revision() != from));
    }

    /// Connection `id` was deleted, and its cached metadata with it.
    pub(super) fn connection_gone(&self, id: Uuid) {
        self.rows.change(id, |_| None);
        self.metadata.change(id, |_| None);
    }

    /// Many rows changed at once, or changes were missed: forget everything.
    pub(super) fn forget_all(&self) {
        self.rows.clear();
        self.metadata.clear();
    }
}

impl Store {
    /// The caches, to record a write in: every write updates them, fresh
    /// or not, so they hold it when they are read again.
    pub(super) fn caches(&self) -> &Caches {
        self.inner.coherence.caches()
    }

    /// The caches, to read from: `None` while they may miss another
    /// server's change (PostgreSQL, listener not heard within the lease).
    fn fresh_caches(&self) -> Option<&Caches> {
        self.inner.coherence.fresh().then(|| self.caches())
    }

    /// Whether the in-process caches (this store's and the server's
    /// principals) may serve reads now.
    pub fn caches_fresh(&self) -> bool {
        self.inner.coherence.fresh()
    }

    /// Calls `follower` on every change of what other parts of the server
    /// cache (principals, components) made through another server on the
    /// database, before this server acks it; never on SQLite.
    pub fn follow(&self, follower: impl Fn(SharedChange) + Send + Sync + 'static) {
        self.inner.coherence.follow(Box::new(follower));
    }

    /// Waits until every server on the database that reads its caches has
    /// applied the writes this server committed so far, or the lease
    /// passed ([`super::coherence`]). At once on SQLite.
    pub(super) async fn settle(&self) {
        self.inner.coherence.settle().await;
    }

    /// The connection row cache, to read from.
    pub(super) fn rows(&self) -> Option<&Guarded<Uuid, Arc<StoredConnection>>> {
        self.fresh_caches().map(|c| &c.rows)
    }

    /// The metadata cache, to read from.
    pub(super) fn metadata_known(&self) -> Option<&Guarded<Uuid, Known>> {
        self.fresh_caches().map(|c| &c.metadata)
    }

    /// See [`Caches::row_written`].
    pub(super) fn row_written(&self, id: Uuid, from: i64, next: impl FnOnce(&StoredConnection) -> StoredConnection) {
        self.caches().row_written(id, from, next);
    }

    /// See [`Caches::row_stale`].
    pub(super) fn row_stale(&self, id: Uuid, from: i64) {
        self.caches().row_stale(id, from);
    }

    /// Connection `id` was deleted, and its cached metadata with it.
    pub(super) fn connection_gone(&self, id: Uuid) {
        self.caches().connection_gone(id);
    }

    /// Many rows changed at once (re-encryption): forget everything.
    pub(super) fn forget_all(&self) {
        self.caches().forget_all();
    }
}
