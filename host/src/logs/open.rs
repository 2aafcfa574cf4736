//! The log files being appended to, kept open between operations so an
//! operation's lines cost one `write`, not an open, a stat per part and a
//! close. At most [`MAX_OPEN`] stay open (least recently used first out);
//! each connection's file has its own lock, so connections do not wait on
//! each other.

use chrono::NaiveDate;
use moka::sync::Cache;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

/// The most log files kept open at once.
const MAX_OPEN: u64 = 256;

/// One connection's file being appended to.
pub(super) struct OpenFile {
    file: File,
    day: NaiveDate,
    size: u64,
}

impl OpenFile {
    /// Opens `path`, of `day`, holding `size` bytes, for appending.
    pub(super) fn open(path: &Path, day: NaiveDate, size: u64) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self { file, day, size })
    }

    /// Whether `len` bytes of lines of `today` go to this file: same day,
    /// and room for them under the cap (see [`fits`]).
    pub(super) fn takes(&self, today: NaiveDate, max_bytes: u64, len: usize) -> bool {
        self.day == today && fits(self.size, len as u64, max_bytes)
    }

    /// Appends `bytes`. Not fsynced: a log line is a diagnostic, not an
    /// acknowledged change, and an fsync per operation would halve the
    /// throughput of tests and metadata calls.
    pub(super) fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.size += bytes.len() as u64;
        Ok(())
    }
}

/// Whether an operation's `len` bytes of lines go into a part holding
/// `size`: they fit under `max_bytes`. An operation's lines are never split
/// across parts, and never pass the cap (`render` cuts them to it, with a
/// line saying so), so an empty part always takes them and no part passes
/// the cap. The files on disk and the parts made of entries in PostgreSQL
/// (`shared.rs`) are cut by this one rule.
pub(super) fn fits(size: u64, len: u64, max_bytes: u64) -> bool {
    size.saturating_add(len) <= max_bytes
}

/// The file of one connection, if open.
#[derive(Default)]
pub(super) struct Slot(Mutex<Option<OpenFile>>);

impl Slot {
    /// Locks the slot: one writer per connection at a time.
    pub(super) fn lock(&self) -> MutexGuard<'_, Option<OpenFile>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `bytes` if the open file is still the one for `today`;
    /// `None` (nothing written) if a file must be opened first.
    pub(super) fn append_if_current(
        &self,
        today: NaiveDate,
        max_bytes: u64,
        bytes: &[u8],
    ) -> Option<std::io::Result<()>> {
        let mut open = self.lock();
        let file = open.as_mut().filter(|f| f.takes(today, max_bytes, bytes.len()))?;
        let written = file.append(bytes);
        if written.is_err() {
            *open = None;
        }
        Some(written)
    }
}

/// The open files by connection.
pub(super) struct OpenFiles(Cache<Uuid, Arc<Slot>>);

impl OpenFiles {
    pub(super) fn new() -> Self {
        Self(Cache::new(MAX_OPEN))
    }

    /// The slot of `connection`, made empty if it has none.
    pub(super) fn slot(&self, connection: Uuid) -> Arc<Slot> {
        self.0.get_with(connection, || Arc::new(Slot::default()))
    }

    /// Closes the file of `connection` (once no writer holds it).
    pub(super) fn close(&self, connection: Uuid) {
        self.0.invalidate(&connection);
    }
}
