//! Throttles authentication failures per client address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failed authentications per address in a fixed window; past the
/// limit, the address is refused until the window ends.
#[derive(Debug)]
pub struct FailureLimiter {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl FailureLimiter {
    /// At most `limit` failures per `window` per address.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Some(wait)` if `ip` is blocked for `wait` more.
    pub fn blocked(&self, ip: IpAddr) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (start, count) = failures.get(&ip)?;
        let elapsed = start.elapsed();
        (*count >= self.limit && elapsed < self.window).then(|| self.window - elapsed)
    }

    /// Records a failure of `ip`.
    pub fn fail(&self, ip: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        // Forget finished windows so the map stays small.
        if failures.len() > 10_000 {
            failures.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = failures.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}
