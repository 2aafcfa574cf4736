//! The calls of one connector version: at most `max` run at once, each on
//! a thread of tokio's blocking pool; the others wait in line, first come
//! first served, for up to the queue timeout.
//!
//! A call does not get a blocking task of its own. A *runner* (one blocking
//! task) takes calls from the line until the line is empty, and there are
//! at most `max` runners. Under load a runner goes straight from one call
//! to the next, instead of its thread going to sleep and being woken again
//! for every call: on a 2-core machine that hand-off cost more than the
//! call (`BENCHMARKS.md`, "`test`: one runner per slot").

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Why a call did not return a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotRun {
    /// It waited in line for the whole queue timeout; it will not run.
    Overloaded {
        /// How long it waited.
        waited: Duration,
    },
    /// It panicked in the host.
    Panicked,
}

/// The line of one connector version's calls. Shared by its clones.
pub(crate) struct CallQueue {
    max: usize,
    state: Mutex<State>,
}

struct State {
    line: VecDeque<Queued>,
    /// Runners alive: each is taking calls or about to stop.
    runners: usize,
}

/// A call in line, and whether a runner or its caller has claimed it.
struct Queued {
    claim: Arc<AtomicU8>,
    call: Box<dyn FnOnce() + Send>,
}

/// [`Queued::claim`]: still in line.
const WAITING: u8 = 0;
/// [`Queued::claim`]: a runner took it; it runs to its end.
const TAKEN: u8 = 1;
/// [`Queued::claim`]: its caller gave up waiting; it never runs.
const ABANDONED: u8 = 2;

/// The caller's hold on a call in line: dropped while the call still
/// waits, it abandons the call.
struct Claim(Arc<AtomicU8>);

impl Claim {
    /// Abandons the call if no runner took it yet; whether it did.
    fn abandon(&self) -> bool {
        self.0.compare_exchange(WAITING, ABANDONED, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.abandon();
    }
}

impl CallQueue {
    /// A line whose calls run at most `max` (at least 1) at once.
    pub(crate) fn new(max: usize) -> Self {
        Self { max: max.max(1), state: Mutex::new(State { line: VecDeque::new(), runners: 0 }) }
    }

    /// Runs `call` on a blocking thread once a runner takes it from the
    /// line. If no runner took it within `queue_timeout`, or the returned
    /// future is dropped first (the client went away), it never runs.
    /// Must be called within a tokio runtime.
    pub(crate) async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        queue_timeout: Duration,
        call: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, NotRun> {
        let start = Instant::now();
        let claim = Claim(Arc::new(AtomicU8::new(WAITING)));
        let (done, mut answer) = oneshot::channel();
        let call = Box::new(move || {
            let _ = done.send(call());
        });
        self.enqueue(Queued { claim: claim.0.clone(), call });
        if let Ok(result) = tokio::time::timeout(queue_timeout, &mut answer).await {
            return result.map_err(|_| NotRun::Panicked);
        }
        if claim.abandon() {
            return Err(NotRun::Overloaded { waited: start.elapsed() });
        }
        // Taken just in time: it runs to its end (its own deadline bounds it).
        answer.await.map_err(|_| NotRun::Panicked)
    }

    /// Puts `queued` in line and starts a runner if fewer than `max` run.
    fn enqueue(self: &Arc<Self>, queued: Queued) {
        let mut state = self.lock();
        state.line.push_back(queued);
        if state.runners < self.max {
            state.runners += 1;
            drop(state);
            let queue = self.clone();
            tokio::task::spawn_blocking(move || queue.drain());
        }
    }

    /// A runner: takes calls from the line until it is empty.
    fn drain(&self) {
        loop {
            let next = {
                let mut state = self.lock();
                let next = state.line.pop_front();
                if next.is_none() {
                    state.runners -= 1;
                }
                next
            };
            let Some(queued) = next else { return };
            if queued.claim.compare_exchange(WAITING, TAKEN, Ordering::AcqRel, Ordering::Acquire).is_err() {
                continue;
            }
            // A panic drops the caller's answer channel, which tells it.
            if catch_unwind(AssertUnwindSafe(queued.call)).is_err() {
                tracing::error!("a connector call panicked in the host");
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is two plain fields, changed in single steps: still
        // whole after a panic elsewhere.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_max_calls_run_at_once_and_every_call_runs() {
        let queue = Arc::new(CallQueue::new(3));
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let calls: Vec<_> = (0..40)
            .map(|i| {
                let (queue, now, most) = (queue.clone(), now.clone(), most.clone());
                tokio::spawn(async move {
                    queue
                        .run(Duration::from_secs(30), move || {
                            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(running, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(5));
                            now.fetch_sub(1, Ordering::SeqCst);
                            i
                        })
                        .await
                })
            })
            .collect();
        for (i, call) in calls.into_iter().enumerate() {
            assert_eq!(call.await.expect("task"), Ok(i));
        }
        assert_eq!(most.load(Ordering::SeqCst), 3, "three at once, not more");
        assert_eq!(queue.lock().runners, 0, "every runner stopped once the line was empty");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_that_waits_past_the_queue_timeout_never_runs() {
        let queue = Arc::new(CallQueue::new(1));
        let (ran, release) = (Arc::new(AtomicUsize::new(0)), Arc::new(std::sync::Barrier::new(2)));
        let blocker = {
            let (queue, release) = (queue.clone(), release.clone());
            tokio::spawn(async move { queue.run(Duration::from_secs(30), move || release.wait()).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let counted = ran.clone();
        let late = queue.run(Duration::from_millis(30), move || counted.fetch_add(1, Ordering::SeqCst)).await;
        assert!(matches!(late, Err(NotRun::Overloaded { waited }) if waited >= Duration::from_millis(30)), "{late:?}");
        release.wait();
        blocker.await.expect("task").expect("the first call ran");
        let after = queue.run(Duration::from_secs(30), || 7).await;
        assert_eq!(after, Ok(7), "the line works on");
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the abandoned call was skipped");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_whose_caller_went_away_while_it_waited_never_runs() {
        let queue = Arc::new(CallQueue::new(1));
        let release = Arc::new(std::sync::Barrier::new(2));
        let blocker = {
            let (queue, release) = (queue.clone(), release.clone());
            tokio::spawn(async move { queue.run(Duration::from_secs(30), move || release.wait()).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let ran = Arc::new(AtomicUsize::new(0));
        let counted = ran.clone();
        let waiting = queue.run(Duration::from_secs(30), move || counted.fetch_add(1, Ordering::SeqCst));
        assert!(tokio::time::timeout(Duration::from_millis(20), waiting).await.is_err(), "it waits behind the first");
        release.wait();
        blocker.await.expect("task").expect("the first call ran");
        assert_eq!(queue.run(Duration::from_secs(30), || 7).await, Ok(7));
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the dropped call was skipped");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_that_panics_fails_alone() {
        let queue = Arc::new(CallQueue::new(1));
        let panicked = queue.run(Duration::from_secs(30), || -> u8 { panic!("host bug") }).await;
        assert_eq!(panicked, Err(NotRun::Panicked));
        assert_eq!(queue.run(Duration::from_secs(30), || 1).await, Ok(1), "the runner's slot was given back");
    }
}
