//! Kept-alive connections of one connector version, for the next request
//! to the same origin at the same checked address: no new TCP connection,
//! no new TLS handshake. A connection is kept only after a response was read
//! to its end, for [`IDLE_TIMEOUT`], and is looked up only after the request
//! passed every check a new connection would (its origin declared, its host
//! resolved again and the address allowed), so reuse grants nothing a new
//! connection would not. Connector versions never share a pool.

use super::origin::{Origin, Scheme};
use hyper::client::conn::http1::SendRequest;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use wasmtime_wasi_http::WasiBody;

/// How long an unused connection is kept.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Unused connections kept for one origin and address.
const MAX_IDLE_PER_KEY: usize = 8;
/// Unused connections kept in all.
const MAX_IDLE: usize = 64;

/// What a kept connection is for: the scheme, the host (the TLS name) and
/// the address it is connected to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    scheme: Scheme,
    host: String,
    addr: SocketAddr,
}

impl Key {
    /// The key of a connection to `origin` at `addr`.
    pub(crate) fn new(origin: &Origin, addr: SocketAddr) -> Self {
        Self { scheme: origin.scheme, host: origin.host.clone(), addr }
    }
}

/// An unused connection, and since when.
type Idle = (SendRequest<WasiBody>, Instant);

/// A connector version's unused connections.
#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<HashMap<Key, Vec<Idle>>>,
}

impl Pool {
    /// An open, unused connection to `origin` at one of `addrs` (in their
    /// order), with its key.
    pub(crate) fn take(&self, origin: &Origin, addrs: &[SocketAddr]) -> Option<(Key, SendRequest<WasiBody>)> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        for addr in addrs {
            let key = Key::new(origin, *addr);
            let Some(kept) = idle.get_mut(&key) else { continue };
            while let Some((sender, since)) = kept.pop() {
                if since.elapsed() < IDLE_TIMEOUT && !sender.is_closed() {
                    return Some((key, sender));
                }
            }
        }
        None
    }

    /// Keeps `sender` for the next request, unless it is closed or the pool
    /// is full; drops the connections unused past [`IDLE_TIMEOUT`].
    pub(crate) fn put(&self, key: Key, sender: SendRequest<WasiBody>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|_, kept| {
            kept.retain(|(sender, since)| since.elapsed() < IDLE_TIMEOUT && !sender.is_closed());
            !kept.is_empty()
        });
        let total: usize = idle.values().map(Vec::len).sum();
        let kept = idle.entry(key).or_default();
        if !sender.is_closed() && kept.len() < MAX_IDLE_PER_KEY && total < MAX_IDLE {
            kept.push((sender, Instant::now()));
        }
    }
}
