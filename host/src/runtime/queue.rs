//! The calls of one connector version: at most `max` run at once, each on
//! a thread of tokio's blocking pool; the others wait in line, first come
//! first served, for up to the queue timeout.
//!
//! A call does not get a blocking task of its own. A *runner* (one blocking
//! task) takes calls from the line until the line is empty, and there are
//! at most `max` runners. Under load a runner goes straight from one call
//! to the next, instead of its thread going to sleep and being woken again
//! for every call: on a 2-core machine that hand-off cost more than the
//! call (`BENCHMARKS.md`, "`test`: the row cache in commit order, one runner
//! per slot").

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Why a call did not return a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotRun {
    /// Every slot stayed busy for the whole queue timeout; it will not run.
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
    line: VecDeque<Slot>,
    /// Runners started and not yet stopped (at most `max`).
    runners: usize,
}

/// A call, shared by the line and its caller: whoever takes it first
/// decides, a runner (it runs) or the caller giving up (it never runs, and
/// what it holds is freed at once).
type Slot = Arc<Mutex<Option<Box<dyn FnOnce() + Send>>>>;

/// Takes the call out of `slot`, if no one did yet.
fn take(slot: &Slot) -> Option<Box<dyn FnOnce() + Send>> {
    slot.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// The caller's hold on its call: dropped while the call still waits (the
/// request went away), it abandons the call.
struct Claim(Slot);

impl Drop for Claim {
    fn drop(&mut self) {
        take(&self.0);
    }
}

impl CallQueue {
    /// A line whose calls run at most `max` (at least 1) at once.
    pub(crate) fn new(max: usize) -> Self {
        Self { max: max.max(1), state: Mutex::new(State { line: VecDeque::new(), runners: 0 }) }
    }

    /// Runs `call` on a blocking thread once a runner takes it from the
    /// line. A call that found a slot free waits for its runner however
    /// long that takes to start. One that found every slot busy and was
    /// not taken within `queue_timeout` never runs; nor does one whose
    /// returned future is dropped first (the client went away).
    /// Must be called within a tokio runtime.
    pub(crate) async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        queue_timeout: Duration,
        call: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, NotRun> {
        let start = Instant::now();
        let (done, mut answer) = oneshot::channel();
        let call: Box<dyn FnOnce() + Send> = Box::new(move || {
            let _ = done.send(call());
        });
        let claim = Claim(Arc::new(Mutex::new(Some(call))));
        if !self.enqueue(claim.0.clone()) {
            match tokio::time::timeout(queue_timeout, &mut answer).await {
                Ok(result) => return result.map_err(|_| NotRun::Panicked),
                Err(_) if take(&claim.0).is_some() => return Err(NotRun::Overloaded { waited: start.elapsed() }),
                // Taken just in time: it runs to its end (its own deadline bounds it).
                Err(_) => {}
            }
        }
        answer.await.map_err(|_| NotRun::Panicked)
    }

    /// Puts `slot` in line and, if fewer than `max` runners run, starts
    /// one; whether it did (the call found a slot free).
    fn enqueue(self: &Arc<Self>, slot: Slot) -> bool {
        let mut state = self.lock();
        state.line.push_back(slot);
        if state.runners == self.max {
            return false;
        }
        state.runners += 1;
        drop(state);
        let queue = self.clone();
        tokio::task::spawn_blocking(move || queue.drain());
        true
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
            let Some(slot) = next else { return };
            // None: its caller gave up on it.
            let Some(call) = take(&slot) else { continue };
            // A panic drops the caller's answer channel, which tells it.
            if let Err(panic) = catch_unwind(AssertUnwindSafe(call)) {
                let message = panic
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("(no message)");
                tracing::error!(panic = message, "a connector call panicked in the host");
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is two plain fields, changed in single steps: still
        // whole after a panic elsewhere.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_max_calls_run_at_once_and_every_call_runs() {
        let queue = Arc::new(CallQueue::new(3));
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let calls: Vec<_> = (0..24)
            .map(|i| {
                let (queue, now, most) = (queue.clone(), now.clone(), most.clone());
                tokio::spawn(async move {
                    queue
                        .run(Duration::from_secs(30), move || {
                            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(running, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
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
        // A runner stops just after sending its last answer.
        let deadline = Instant::now() + Duration::from_secs(5);
        while queue.lock().runners > 0 {
            assert!(Instant::now() < deadline, "every runner stops once the line is empty");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
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
        let (counted, held) = (ran.clone(), Arc::new(()));
        let holding = held.clone();
        let late = queue
            .run(Duration::from_millis(30), move || {
                let _held = holding;
                counted.fetch_add(1, Ordering::SeqCst)
            })
            .await;
        assert!(matches!(late, Err(NotRun::Overloaded { waited }) if waited >= Duration::from_millis(30)), "{late:?}");
        assert_eq!(
            Arc::strong_count(&held),
            1,
            "what the abandoned call held is freed at once, not when its turn comes"
        );
        release.wait();
        blocker.await.expect("task").expect("the first call ran");
        let after = queue.run(Duration::from_secs(30), || 7).await;
        assert_eq!(after, Ok(7), "the line works on");
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the abandoned call was skipped");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_that_finds_a_slot_free_waits_for_its_runner_to_start_however_long() {
        let queue = Arc::new(CallQueue::new(2));
        for i in 0..20 {
            assert_eq!(queue.run(Duration::ZERO, move || i).await, Ok(i), "call {i}");
        }
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
