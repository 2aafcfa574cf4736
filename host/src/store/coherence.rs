//! Keeps the in-process caches of servers that share one PostgreSQL
//! database coherent (`docs/storage.md`, "Caches across servers").
//!
//! Triggers announce every committed change a cache may hold on the
//! channel [`CHANNEL`] (`notify.sql`); each server listens
//! (`listen.rs`) and drops what changed. Three more kinds of message,
//! sent by the servers themselves on the same channel, make the promise
//! exact, because PostgreSQL delivers every listener the channel's
//! messages in one order, the order of commit:
//!
//! - **pings**: every [`PING_EVERY`] a server sends itself a ping. When
//!   its own ping comes back, every change committed before the ping was
//!   sent has been received and applied, so its caches may serve reads
//!   until [`LEASE`] after that sending. A server that stops hearing its
//!   pings (a broken or slow listener) stops reading its caches within
//!   [`LEASE`]. Other servers' pings tell who is listening.
//! - **barriers and acks**: after a write commits, the writer sends a
//!   barrier; every other server that hears it acks it, having applied
//!   everything before it, the write included. The write is answered
//!   when every server heard pinging within [`LEASE`] has acked, or
//!   [`LEASE`] after its commit, when any server that did not ack has
//!   stopped reading its caches. So a write, once answered, is seen by
//!   every read that begins afterwards on any server.
//!
//! On SQLite one server is the database's only writer: its caches are
//! always fresh and a write has no one to wait for.

use super::caches::Caches;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

/// The channel every notification is sent on.
pub(super) const CHANNEL: &str = "syncport_cache";
/// How often a server pings itself.
pub(super) const PING_EVERY: Duration = Duration::from_millis(200);
/// How long after sending a ping that came back a server reads its
/// caches; also the longest a write waits for other servers' acks (plus
/// [`MARGIN`]).
pub const LEASE: Duration = Duration::from_secs(1);
/// What a write waits beyond the lease, for clocks that run a little apart.
const MARGIN: Duration = Duration::from_millis(50);

/// A change other parts of the server keep their own caches of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedChange {
    /// Users, their grants, tokens or workspaces changed.
    Principals,
    /// Connector components were installed or removed.
    Components,
    /// Changes may have been missed (the listener reconnected): forget
    /// everything cached.
    Everything,
}

/// One message on [`CHANNEL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Notice {
    /// Connection `id` was updated to `revision` (trigger).
    Connection { id: Uuid, revision: i64 },
    /// Connection `id` was deleted (trigger).
    Gone(Uuid),
    /// A cached metadata answer of connection `id` changed (trigger).
    Metadata(Uuid),
    /// Users, grants, tokens or workspaces changed (trigger).
    Principals,
    /// Connector components changed (trigger).
    Components,
    /// Server `server`'s ping number `seq`.
    Ping { server: u64, seq: u64 },
    /// Server `server`'s barrier number `seq`, sent after a write.
    Barrier { server: u64, seq: u64 },
    /// Server `from` heard barrier `seq` of server `to`.
    Ack { from: u64, to: u64, seq: u64 },
}

impl Notice {
    /// Reads a payload; `None` for one this version does not know.
    pub(super) fn parse(payload: &str) -> Option<Self> {
        let mut parts = payload.split(':');
        let kind = parts.next()?;
        let mut next = || parts.next();
        let number = |s: Option<&str>| s?.parse::<u64>().ok();
        let uuid = |s: Option<&str>| Uuid::parse_str(s?).ok();
        let notice = match kind {
            "conn" => Notice::Connection { id: uuid(next())?, revision: next()?.parse().ok()? },
            "gone" => Notice::Gone(uuid(next())?),
            "meta" => Notice::Metadata(uuid(next())?),
            "auth" => Notice::Principals,
            "components" => Notice::Components,
            "ping" => Notice::Ping { server: number(next())?, seq: number(next())? },
            "barrier" => Notice::Barrier { server: number(next())?, seq: number(next())? },
            "ack" => Notice::Ack { from: number(next())?, to: number(next())?, seq: number(next())? },
            _ => return None,
        };
        parts.next().is_none().then_some(notice)
    }

    /// The payload of a message a server sends.
    pub(super) fn payload(&self) -> String {
        match self {
            Notice::Connection { id, revision } => format!("conn:{id}:{revision}"),
            Notice::Gone(id) => format!("gone:{id}"),
            Notice::Metadata(id) => format!("meta:{id}"),
            Notice::Principals => "auth".into(),
            Notice::Components => "components".into(),
            Notice::Ping { server, seq } => format!("ping:{server}:{seq}"),
            Notice::Barrier { server, seq } => format!("barrier:{server}:{seq}"),
            Notice::Ack { from, to, seq } => format!("ack:{from}:{to}:{seq}"),
        }
    }
}

/// The coherence state of one store.
pub(crate) struct Coherence {
    /// SQLite: the only writer, always fresh.
    local: bool,
    /// This server's id in pings, barriers and acks.
    server: u64,
    /// The caches kept coherent.
    caches: Arc<Caches>,
    /// Milliseconds after `epoch` until which the caches may serve reads.
    fresh_until: AtomicU64,
    epoch: Instant,
    state: Mutex<State>,
    /// The highest barrier every server acked (or that timed out for them).
    settled: watch::Sender<u64>,
    /// Messages for the notifier task to send.
    outbox: mpsc::UnboundedSender<Notice>,
    /// Called on every [`SharedChange`], before the change is acked.
    followers: Mutex<Vec<Follower>>,
}

/// What another cache does on a [`SharedChange`]; called on the listener
/// task, so it must not block.
pub type Follower = Box<dyn Fn(SharedChange) + Send + Sync>;

#[derive(Default)]
struct State {
    /// Since when the listener listens on its current connection; `None`
    /// while it is not listening.
    listening_since: Option<Instant>,
    /// When an own ping last came back (or listening began).
    heard_own: Option<Instant>,
    /// Own pings sent and not heard yet: when each was sent.
    pings: BTreeMap<u64, Instant>,
    next_ping: u64,
    /// Other servers, and when each was last heard pinging.
    servers: HashMap<u64, Instant>,
    /// Own barriers heard: when, and the servers that have not acked yet.
    unacked: BTreeMap<u64, (Instant, HashSet<u64>)>,
    /// A barrier queued and not sent yet: a write may join it.
    queued: Option<u64>,
    next_barrier: u64,
}

/// The receiving end of a store's outbox: what its notifier sends.
pub(super) type Outbox = mpsc::UnboundedReceiver<Notice>;

impl Coherence {
    /// The coherence of the only writer of its database (SQLite).
    pub(super) fn local(caches: Arc<Caches>) -> Arc<Self> {
        Self::build(true, caches).0
    }

    /// The coherence of one of several servers on a database, with the
    /// outbox its notifier sends from. Not fresh until its first ping
    /// comes back.
    pub(super) fn shared(caches: Arc<Caches>) -> (Arc<Self>, Outbox) {
        Self::build(false, caches)
    }

    fn build(local: bool, caches: Arc<Caches>) -> (Arc<Self>, Outbox) {
        let (outbox, rx) = mpsc::unbounded_channel();
        let coherence = Self {
            local,
            server: Uuid::new_v4().as_u64_pair().0 >> 1,
            caches,
            fresh_until: AtomicU64::new(0),
            epoch: Instant::now(),
            state: Mutex::new(State::default()),
            settled: watch::Sender::new(0),
            outbox,
            followers: Mutex::new(Vec::new()),
        };
        (Arc::new(coherence), rx)
    }

    /// This server's id in pings, barriers and acks.
    pub(super) fn server(&self) -> u64 {
        self.server
    }

    /// The caches.
    pub(super) fn caches(&self) -> &Caches {
        &self.caches
    }

    /// Whether the caches may serve reads now.
    pub(crate) fn fresh(&self) -> bool {
        self.local || self.millis(Instant::now()) < self.fresh_until.load(Ordering::SeqCst)
    }

    /// Calls `follower` on every change to principals or components made
    /// through any server, and when changes may have been missed. On
    /// PostgreSQL only: on SQLite every change is made by this server.
    pub(crate) fn follow(&self, follower: Follower) {
        self.followers.lock().unwrap_or_else(|e| e.into_inner()).push(follower);
    }

    fn announce(&self, change: SharedChange) {
        for follower in self.followers.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            follower(change);
        }
    }

    /// Waits, after a write committed, until every listening server has
    /// applied it, or [`LEASE`] passed. Returns at once on SQLite.
    pub(crate) async fn settle(&self) {
        if self.local {
            return;
        }
        let barrier = {
            let mut state = self.lock();
            match state.queued {
                Some(barrier) => barrier,
                None => {
                    state.next_barrier += 1;
                    let seq = state.next_barrier;
                    state.queued = Some(seq);
                    self.send(Notice::Barrier { server: self.server, seq });
                    seq
                }
            }
        };
        let mut settled = self.settled.subscribe();
        if tokio::time::timeout(LEASE + MARGIN, settled.wait_for(|done| *done >= barrier)).await.is_err() {
            tracing::debug!(barrier, "not every server acked a write within the lease; theirs has lapsed");
        }
    }

    /// The notifier took the queued messages: a later write needs a
    /// barrier of its own.
    pub(super) fn taken(&self) {
        self.lock().queued = None;
    }

    /// A ping to send now; none while this server does not hear its own
    /// (no listener, or one that hears nothing), so that the others stop
    /// waiting for its acks within the lease.
    pub(super) fn ping(&self) -> Option<Notice> {
        let mut state = self.lock();
        let now = Instant::now();
        // A ping older than the lease gives no lease when it comes back.
        state.pings.retain(|_, sent| now.duration_since(*sent) < LEASE);
        let hears = state.listening_since.is_some() && state.heard_own.is_some_and(|at| now.duration_since(at) < LEASE);
        if !hears {
            return None;
        }
        state.next_ping += 1;
        let seq = state.next_ping;
        state.pings.insert(seq, now);
        Some(Notice::Ping { server: self.server, seq })
    }

    /// The listener listens (again): anything cached may predate a change
    /// it missed. Reads stay off until the next ping comes back.
    pub(super) fn listening(&self) {
        self.stop_reading(Some(Instant::now()));
    }

    /// The listener's connection was lost: stop reading the caches, and
    /// stop pinging until it listens again.
    pub(super) fn lost(&self) {
        self.stop_reading(None);
    }

    fn stop_reading(&self, listening_since: Option<Instant>) {
        self.fresh_until.store(0, Ordering::SeqCst);
        {
            let mut state = self.lock();
            state.listening_since = listening_since;
            state.heard_own = listening_since;
            state.pings.clear();
        }
        self.caches.forget_all();
        self.announce(SharedChange::Everything);
    }

    /// Applies one message heard on [`CHANNEL`].
    pub(super) fn receive(&self, payload: &str) {
        let Some(notice) = Notice::parse(payload) else {
            tracing::debug!(payload, "ignored an unknown cache notification");
            return;
        };
        match notice {
            Notice::Connection { id, revision } => {
                self.caches.rows.change(id, |cached| cached.filter(|row| row.revision() >= revision));
            }
            Notice::Gone(id) => self.caches.connection_gone(id),
            Notice::Metadata(id) => self.caches.metadata.change(id, |_| None),
            Notice::Principals => self.announce(SharedChange::Principals),
            Notice::Components => self.announce(SharedChange::Components),
            Notice::Ping { server, seq } if server == self.server => self.pinged(seq),
            Notice::Ping { server, .. } => drop(self.lock().servers.insert(server, Instant::now())),
            Notice::Barrier { server, seq } if server == self.server => self.barrier_heard(seq),
            Notice::Barrier { server, seq } => self.send(Notice::Ack { from: self.server, to: server, seq }),
            Notice::Ack { from, to, seq } if to == self.server => {
                let mut state = self.lock();
                if let Some((_, waiting)) = state.unacked.get_mut(&seq) {
                    waiting.remove(&from);
                }
                self.settle_acked(&mut state);
            }
            Notice::Ack { .. } => {}
        }
    }

    /// Own ping `seq` came back: everything committed before it was sent
    /// is applied.
    fn pinged(&self, seq: u64) {
        let mut state = self.lock();
        let Some(sent) = state.pings.get(&seq).copied() else { return };
        state.pings = state.pings.split_off(&(seq + 1));
        let until = self.millis(sent + LEASE);
        self.fresh_until.fetch_max(until, Ordering::SeqCst);
        let now = Instant::now();
        state.heard_own = Some(now);
        // Servers not heard within the lease no longer read their caches;
        // barriers older than it no longer have a write waiting.
        state.servers.retain(|_, heard| now.duration_since(*heard) < LEASE);
        let State { servers, unacked, .. } = &mut *state;
        unacked.retain(|_, (heard, _)| now.duration_since(*heard) < LEASE + MARGIN);
        for (_, waiting) in unacked.values_mut() {
            waiting.retain(|server| servers.contains_key(server));
        }
        self.settle_acked(&mut state);
    }

    /// Own barrier `seq` came back: it now waits for the servers listening.
    /// Unless this server has listened for less than a lease: it may not
    /// have heard every server that reads its caches yet, so the write
    /// waits out the lease (or a later barrier settles it).
    fn barrier_heard(&self, seq: u64) {
        let mut state = self.lock();
        let now = Instant::now();
        if state.listening_since.is_none_or(|since| now.duration_since(since) < LEASE) {
            return;
        }
        let waiting =
            state.servers.iter().filter(|(_, heard)| now.duration_since(**heard) < LEASE).map(|(s, _)| *s).collect();
        state.unacked.insert(seq, (now, waiting));
        self.settle_acked(&mut state);
    }

    /// Marks the barriers every server acked as settled.
    fn settle_acked(&self, state: &mut State) {
        let done: Vec<u64> = state.unacked.iter().filter(|(_, (_, w))| w.is_empty()).map(|(seq, _)| *seq).collect();
        for seq in done {
            state.unacked.remove(&seq);
            self.settled.send_if_modified(|settled| {
                let later = seq > *settled;
                *settled = (*settled).max(seq);
                later
            });
        }
    }

    fn send(&self, notice: Notice) {
        // Closed only when the store is gone.
        let _ = self.outbox.send(notice);
    }

    fn millis(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_millis()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_reads_back_from_its_payload() {
        let id = Uuid::new_v4();
        for notice in [
            Notice::Connection { id, revision: 42 },
            Notice::Gone(id),
            Notice::Metadata(id),
            Notice::Principals,
            Notice::Components,
            Notice::Ping { server: 7, seq: 1 },
            Notice::Barrier { server: 7, seq: 2 },
            Notice::Ack { from: 8, to: 7, seq: 2 },
        ] {
            assert_eq!(Notice::parse(&notice.payload()), Some(notice));
        }
        for unknown in ["", "conn:x:1", "conn", "ping:1", "ping:1:2:3", "later:1"] {
            assert_eq!(Notice::parse(unknown), None, "{unknown}");
        }
    }

    #[tokio::test]
    async fn caches_are_fresh_only_after_an_own_ping_comes_back_and_for_the_lease() {
        let (coherence, _outbox) = Coherence::shared(Arc::new(Caches::new()));
        assert_eq!(coherence.ping(), None, "a ping before the listener listens");
        coherence.listening();
        assert!(!coherence.fresh(), "fresh before any ping");
        let Some(Notice::Ping { seq, .. }) = coherence.ping() else { panic!("no ping while listening") };
        assert!(!coherence.fresh(), "fresh before the ping came back");
        coherence.receive(&Notice::Ping { server: coherence.server + 1, seq }.payload());
        assert!(!coherence.fresh(), "another server's ping counted as own");
        coherence.receive(&Notice::Ping { server: coherence.server, seq }.payload());
        assert!(coherence.fresh());
        coherence.lost();
        assert!(!coherence.fresh(), "fresh after the listener was lost");
        assert_eq!(coherence.ping(), None, "a ping while the listener is lost");
        coherence.receive(&Notice::Ping { server: coherence.server, seq }.payload());
        assert!(!coherence.fresh(), "a ping sent before the loss counted");
    }

    #[tokio::test]
    async fn a_write_settles_when_every_listening_server_acked_its_barrier() {
        let (coherence, mut outbox) = Coherence::shared(Arc::new(Caches::new()));
        // Listening for longer than a lease: it has heard every server.
        coherence.stop_reading(Instant::now().checked_sub(2 * LEASE));
        let other = coherence.server + 1;
        coherence.receive(&Notice::Ping { server: other, seq: 1 }.payload());
        let settle = tokio::spawn({
            let coherence = coherence.clone();
            async move { coherence.settle().await }
        });
        let barrier = loop {
            match outbox.recv().await {
                Some(Notice::Barrier { server, seq }) if server == coherence.server => break seq,
                Some(_) => {}
                None => panic!("outbox closed"),
            }
        };
        coherence.taken();
        coherence.receive(&Notice::Barrier { server: coherence.server, seq: barrier }.payload());
        tokio::task::yield_now().await;
        assert!(!settle.is_finished(), "settled before the other server acked");
        coherence.receive(&Notice::Ack { from: other, to: coherence.server, seq: barrier }.payload());
        tokio::time::timeout(Duration::from_millis(500), settle).await.expect("settled on the ack").expect("task");
    }

    #[tokio::test]
    async fn a_write_waits_out_the_lease_when_the_writer_has_listened_for_less_than_one() {
        let (coherence, mut outbox) = Coherence::shared(Arc::new(Caches::new()));
        coherence.listening();
        let started = Instant::now();
        let settle = tokio::spawn({
            let coherence = coherence.clone();
            async move { coherence.settle().await }
        });
        let Some(Notice::Barrier { seq, .. }) = outbox.recv().await else { panic!("no barrier") };
        coherence.taken();
        // No other server heard yet: but one may be reading its caches.
        coherence.receive(&Notice::Barrier { server: coherence.server, seq }.payload());
        tokio::task::yield_now().await;
        assert!(!settle.is_finished(), "settled with no server known, a moment after listening");
        settle.await.expect("task");
        assert!(started.elapsed() >= LEASE, "settled after {:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_server_acks_the_barriers_of_others() {
        let (coherence, mut outbox) = Coherence::shared(Arc::new(Caches::new()));
        coherence.receive(&Notice::Barrier { server: 5, seq: 9 }.payload());
        assert_eq!(outbox.recv().await, Some(Notice::Ack { from: coherence.server, to: 5, seq: 9 }));
    }
}
