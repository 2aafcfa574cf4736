//! The in-process caches of the embedded SQLite database: connection rows
//! (properties still encrypted) and what is known of each connection's
//! cached metadata. Enabled only on SQLite, where one server owns the data
//! directory and so makes every write; on PostgreSQL, which several
//! servers may share, every read goes to the database. See
//! `docs/storage.md` ("In-process caches").

use super::Store;
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
}

impl Store {
    /// The caches, if enabled.
    fn caches(&self) -> Option<&Caches> {
        self.inner.caches.as_deref()
    }

    /// The connection row cache, if enabled.
    pub(super) fn rows(&self) -> Option<&Guarded<Uuid, Arc<StoredConnection>>> {
        self.caches().map(|c| &c.rows)
    }

    /// The metadata cache, if enabled.
    pub(super) fn metadata_known(&self) -> Option<&Guarded<Uuid, Known>> {
        self.caches().map(|c| &c.metadata)
    }

    /// See [`Caches::row_written`].
    pub(super) fn row_written(&self, id: Uuid, from: i64, next: impl FnOnce(&StoredConnection) -> StoredConnection) {
        if let Some(caches) = self.caches() {
            caches.row_written(id, from, next);
        }
    }

    /// See [`Caches::row_stale`].
    pub(super) fn row_stale(&self, id: Uuid, from: i64) {
        if let Some(caches) = self.caches() {
            caches.row_stale(id, from);
        }
    }

    /// Connection `id` was deleted, and its cached metadata with it.
    pub(super) fn connection_gone(&self, id: Uuid) {
        if let Some(caches) = self.caches() {
            caches.rows.change(id, |_| None);
            caches.metadata.change(id, |_| None);
        }
    }

    /// Many rows changed at once (re-encryption): forget everything.
    pub(super) fn forget_all(&self) {
        if let Some(caches) = self.caches() {
            caches.rows.clear();
            caches.metadata.clear();
        }
    }
}
