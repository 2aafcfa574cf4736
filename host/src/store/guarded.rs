//! An in-process cache of database rows that a slow reader can never make
//! stale: every change made through this server goes through
//! [`Guarded::change`], which bumps a generation, and a reader that missed
//! only puts what it read back if no change happened since it started
//! ([`Guarded::generation`] before the query, [`Guarded::fill`] after).
//!
//! Changes made by other servers sharing a PostgreSQL database arrive
//! through the same [`Guarded::change`], from their notifications
//! (`super::coherence`); see `docs/storage.md` ("In-process caches").

use moka::sync::Cache;
use std::hash::Hash;
use std::sync::Mutex;

/// Values by key, bounded, with fills guarded against concurrent changes.
pub(crate) struct Guarded<K, V> {
    entries: Cache<K, V>,
    /// Bumped by every change; taken by fills and changes so a fill's check
    /// and insert are one step with respect to changes.
    generation: Mutex<u64>,
}

impl<K, V> Guarded<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// A cache of at most `capacity` bytes, as `weigh` estimates an entry's size.
    pub(crate) fn new(capacity: u64, weigh: fn(&V) -> u32) -> Self {
        let entries = Cache::builder().max_capacity(capacity).weigher(move |_: &K, v: &V| weigh(v)).build();
        Self { entries, generation: Mutex::new(0) }
    }

    /// The cached value of `key`.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.entries.get(key)
    }

    /// The current generation: read it before querying the database, and
    /// pass it to [`fill`](Self::fill) with what the query returned.
    pub(crate) fn generation(&self) -> u64 {
        *self.lock()
    }

    /// Caches `value`, read from the database at `generation`, unless a
    /// change happened since (the value may predate it).
    pub(crate) fn fill(&self, key: K, value: V, generation: u64) {
        let current = self.lock();
        if *current == generation {
            self.entries.insert(key, value);
        }
    }

    /// Records a committed change of `key`: `update` gets the cached value
    /// and returns what to cache instead (`None` drops it). Call it after
    /// the commit and before answering the client, so a later read on this
    /// server sees the change.
    pub(crate) fn change(&self, key: K, update: impl FnOnce(Option<V>) -> Option<V>) {
        let mut current = self.lock();
        *current += 1;
        match update(self.entries.get(&key)) {
            Some(value) => self.entries.insert(key, value),
            None => self.entries.invalidate(&key),
        }
    }

    /// Drops every entry: many rows changed at once.
    pub(crate) fn clear(&self) {
        let mut current = self.lock();
        *current += 1;
        // One by one, so the next fill is never caught by a lazy `invalidate_all`.
        for (key, _) in &self.entries {
            self.entries.invalidate(&*key);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        self.generation.lock().unwrap_or_else(|e| e.into_inner())
    }
}
