//! Recently authenticated tokens, so most requests skip the user lookup.

use super::Principal;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Principals by token hash, each kept for a short time. Every change to
/// users or tokens made through this server clears it at once; one made
/// through another server sharing the database clears it when the
/// database's notification arrives, before that server answers the write
/// (`Store::follow`, docs/storage.md "Caches across servers").
#[derive(Debug)]
pub struct PrincipalCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
    /// Bumped by every `clear`, so a lookup that raced a change is not cached.
    generation: AtomicU64,
}

#[derive(Debug)]
struct Entry {
    principal: Principal,
    token_expires_at: Option<DateTime<Utc>>,
    cached_at: Instant,
}

/// The most tokens remembered at once.
const CAPACITY: usize = 10_000;

impl PrincipalCache {
    /// A cache keeping entries for `ttl` (zero: no caching).
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()), generation: AtomicU64::new(0) }
    }

    /// The principal of a token hash, if cached, fresh and unexpired.
    pub fn get(&self, hash: &str) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(hash)?;
        let fresh = entry.cached_at.elapsed() < self.ttl;
        let live = entry.token_expires_at.is_none_or(|at| at > Utc::now());
        (fresh && live).then(|| entry.principal.clone())
    }

    /// The current generation: read it before looking a token up, and pass
    /// it to [`put`](Self::put).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Remembers the principal of a token hash, looked up at `generation`;
    /// nothing if users or tokens changed since.
    pub fn put(&self, hash: String, principal: Principal, token_expires_at: Option<DateTime<Utc>>, generation: u64) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(hash, Entry { principal, token_expires_at, cached_at: Instant::now() });
    }

    /// Forgets everything: users or tokens changed.
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }
}
