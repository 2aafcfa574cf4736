//! The `Hostile` fixture attacks the sandbox as a third party could; each
//! attack fails its own call, within its budget, and nothing else.

use crate::helpers::{load, props, quickbooks_config, runtime};
use std::time::{Duration, Instant};
use syncport::connector::batch::ReadRequest;
use syncport::runtime::{CallError, Fault, FaultKind, Limits, Operation, block_on};

fn fault(result: Result<impl std::fmt::Debug, CallError>) -> Fault {
    match result {
        Err(CallError::Fault(f)) => f,
        other => panic!("expected a fault, got {:.300}", format!("{other:?}")),
    }
}

/// An hour-long sleep, i.e. a WASI monotonic-clock poll.
fn sleeping() -> Vec<syncport::connector::model::Property> {
    props(&[("Mode", "sleep"), ("Seconds", "3600")])
}

#[test]
fn a_guest_sleeping_in_a_host_call_is_stopped_at_its_deadline() {
    let runtime = runtime(Limits::default().with_timeout(Duration::from_millis(300)));
    let plugin = load(&runtime, "fixtures/hostile.wasm");
    let start = Instant::now();
    let test = plugin.test_blocking(&sleeping());
    let took = start.elapsed();
    assert_eq!(fault(test.result).kind, FaultKind::Timeout { limit: Duration::from_millis(300) });
    assert!(took < Duration::from_secs(2), "answered after {took:?}, not at its 300 ms deadline");
    let start = Instant::now();
    let list = plugin.list_tables_blocking(&sleeping(), None, &[]);
    assert!(fault(list.result).kind.is_timeout());
    assert!(start.elapsed() < Duration::from_secs(2), "list-tables answered after {:?}", start.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sleeping_calls_free_their_slots_at_the_deadline_so_later_callers_are_served() {
    let limits = Limits {
        max_concurrent_calls: 2,
        queue_timeout: Duration::from_secs(5),
        ..Limits::default().with_timeout(Duration::from_millis(300))
    };
    let runtime = runtime(limits);
    let plugin = tokio::task::block_in_place(|| load(&runtime, "fixtures/hostile.wasm"));
    let start = Instant::now();
    let sleepers: Vec<_> = (0..6)
        .map(|_| {
            let plugin = plugin.clone();
            tokio::spawn(async move { plugin.test(sleeping()).await })
        })
        .collect();
    for sleeper in sleepers {
        assert!(fault(sleeper.await.expect("task").result).kind.is_timeout());
    }
    // Three rounds of two: each slot freed at its call's deadline.
    assert!(start.elapsed() < Duration::from_secs(3), "six sleepers took {:?}", start.elapsed());
    let healthy = plugin.test(props(&[("Mode", "healthy")])).await;
    assert_eq!(healthy.result.expect("the slots are free"), "healthy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleeping_guest_holds_no_thread_while_it_waits() {
    // Sixteen calls sleep at once on two worker threads, and a healthy call
    // of the same version still answers at once beside them.
    let limits = Limits { max_concurrent_calls: 17, ..Limits::default().with_timeout(Duration::from_secs(2)) };
    let runtime = runtime(limits);
    let plugin = tokio::task::block_in_place(|| load(&runtime, "fixtures/hostile.wasm"));
    let sleepers: Vec<_> = (0..16)
        .map(|_| {
            let plugin = plugin.clone();
            tokio::spawn(async move { plugin.test(sleeping()).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let start = Instant::now();
    let healthy = plugin.test(props(&[("Mode", "healthy")])).await;
    assert_eq!(healthy.result.expect("healthy"), "healthy");
    assert!(start.elapsed() < Duration::from_millis(500), "the healthy call waited {:?}", start.elapsed());
    for sleeper in sleepers {
        assert!(fault(sleeper.await.expect("task").result).kind.is_timeout());
    }
}

#[test]
fn a_job_session_sleeping_in_a_read_is_stopped_at_its_deadline() {
    let runtime = runtime(Limits::default().with_timeout(Duration::from_millis(300)));
    let plugin = load(&runtime, "fixtures/hostile.wasm");
    let mut session = block_on(plugin.job_session(Operation::Read, None)).expect("a session");
    let start = Instant::now();
    let call = block_on(session.list_tables(&sleeping(), None, &[]));
    assert!(fault(call.result).kind.is_timeout());
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    assert!(!session.is_live(), "a timed-out session is dead");
}

#[test]
fn an_answer_of_aliased_strings_is_refused_at_the_result_byte_budget() {
    let runtime = runtime(Limits::default());
    let plugin = load(&runtime, "fixtures/hostile.wasm");
    let start = Instant::now();
    let call = plugin.list_tables_blocking(&props(&[("Mode", "alias"), ("Count", "10000")]), None, &[]);
    assert_eq!(fault(call.result).kind, FaultKind::ResultBytes { limit_bytes: 16 << 20 });
    assert!(start.elapsed() < Duration::from_secs(2), "refused before lifting 300 GiB: {:?}", start.elapsed());
    // Two aliased tables (64 MiB lifted) are over the budget too; none is not.
    let two = plugin.list_tables_blocking(&props(&[("Mode", "alias"), ("Count", "2")]), None, &[]);
    assert!(matches!(fault(two.result).kind, FaultKind::ResultBytes { .. }));
    let none = plugin.list_tables_blocking(&props(&[("Mode", "alias"), ("Count", "0")]), None, &[]);
    assert_eq!(none.result.expect("an empty answer").len(), 0);
}

#[test]
fn a_page_over_the_page_byte_budget_fails_its_read() {
    let runtime = runtime(Limits { max_page_bytes: 8 << 10, ..Limits::default() });
    let plugin = load(&runtime, "connectors/quickbooks-2.0.0.wasm");
    let mut session = block_on(plugin.job_session(Operation::Read, None)).expect("a session");
    let columns = vec!["Id".to_string(), "DisplayName".to_string(), "CompanyName".to_string()];
    let request =
        |batch_size| ReadRequest { table: "Customers".into(), columns: columns.clone(), cursor: None, batch_size };
    let small = block_on(session.read(&quickbooks_config(), &request(10)));
    assert_eq!(small.result.expect("ten rows fit").batch.row_count, 10);
    let big = block_on(session.read(&quickbooks_config(), &request(1_000)));
    assert_eq!(fault(big.result).kind, FaultKind::ResultBytes { limit_bytes: 8 << 10 });
}
