//! The `Hostile` fixture attacks the sandbox as a third party could; each
//! attack fails its own call, within its budget, and nothing else.

use crate::api::{capture_server_log, server_log_mark, server_log_since};
use crate::helpers::{eventually, load, props, quickbooks_config, runtime};
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
    // A length of sleep no other test uses: wasmtime-wasi traces each clock
    // poll with it (`when=` nanoseconds), so the log says when all sixteen sleep.
    let seconds = "3594";
    let asleep = format!("when={seconds}000000000");
    capture_server_log();
    let mark = server_log_mark();
    let sleepers: Vec<_> = (0..16)
        .map(|_| {
            let plugin = plugin.clone();
            tokio::spawn(async move { plugin.test(props(&[("Mode", "sleep"), ("Seconds", seconds)])).await })
        })
        .collect();
    eventually(Duration::from_secs(30), "sixteen guests sleep", || async {
        let sleeping = server_log_since(mark).matches(&asleep).count();
        if sleeping >= 16 { Ok(()) } else { Err(format!("{sleeping} asleep")) }
    })
    .await;
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

#[test]
fn the_memory_cap_is_the_sum_of_every_memory_of_the_call() {
    // Eight 16 MiB memories: each under describe's 32 MiB cap, 128 MiB together.
    let defaults = runtime(Limits::default());
    let bytes = crate::hostile::with_extra_memories(&crate::helpers::component("fixtures/stub.wasm"), 8, 256);
    match defaults.load(&bytes) {
        Err(syncport::runtime::LoadError::Describe(error)) => match *error {
            CallError::Fault(fault) => {
                assert_eq!(fault.kind, FaultKind::MemoryLimit { limit_bytes: 32 << 20 }, "describe's cap: {fault}")
            }
            other => panic!("expected a memory fault, got {other}"),
        },
        Err(other) => panic!("expected describe to fail on its memory cap, got {other}"),
        Ok(_) => panic!("128 MiB of memories passed a 32 MiB cap"),
    }
    // Two of them (32 MiB with the stub's own memory) fit `test`'s 64 MiB.
    let bytes = crate::hostile::with_extra_memories(&crate::helpers::component("fixtures/stub.wasm"), 2, 256);
    let limits = Limits { describe: Limits::default().test, ..Limits::default() };
    let plugin = runtime(limits).load(&bytes).expect("two memories fit");
    assert_eq!(plugin.footprint().memories, 3, "{:?}", plugin.footprint());
    assert!(plugin.test_blocking(&[]).result.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_with_many_core_instances_cannot_take_the_slots_other_versions_reserved() {
    // On wasmtime's default pool (1,000 core instances) a version whose calls
    // could take 13 x 151 of them is refused at load, instead of filling the
    // pool under load so that every other version's calls fail.
    let mut small = Limits::default();
    small.pool.total_core_instances = 1_000;
    let small = runtime(small);
    let renamable = crate::helpers::component("fixtures/stub-renamable.wasm");
    let crowd =
        |version| crate::hostile::with_extra_instances(&crate::hostile::renamed(&renamable, "Crowd", version), 150);
    let refused = tokio::task::block_in_place(|| small.load(&crowd("0.1.0")).err());
    assert!(matches!(refused, Some(syncport::runtime::LoadError::PoolFull(_))), "{refused:?}");

    let mut limits = Limits { queue_timeout: Duration::from_secs(30), ..Limits::default() };
    limits.pool.total_core_instances = 3_000;
    limits.pool.total_component_instances = 200;
    let runtime = runtime(limits);
    let stub = crate::helpers::component("fixtures/stub.wasm");
    let renamable = crate::helpers::component("fixtures/stub-renamable.wasm");
    let (healthy, crowded, refused) = tokio::task::block_in_place(|| {
        let healthy = runtime.load(&stub).expect("the stub loads");
        // 150 more core instances per call, 13 calls reserved: about 2,000 of 3,000.
        let crowd =
            |version| crate::hostile::with_extra_instances(&crate::hostile::renamed(&renamable, "Crowd", version), 150);
        let crowded = runtime.load(&crowd("1.0.0")).expect("one crowd fits the pool");
        (healthy, crowded, runtime.load(&crowd("2.0.0")).err())
    });
    assert!(crowded.footprint().core_instances > 150, "{:?}", crowded.footprint());
    match refused {
        Some(syncport::runtime::LoadError::PoolFull(full)) => assert_eq!(full.what, "core instances", "{full}"),
        other => panic!("a second crowd does not fit the pool: {other:?}"),
    }
    // Every crowd call at once, beside healthy calls: none of the healthy ones fails.
    let crowd: Vec<_> = (0..64)
        .map(|_| {
            let plugin = crowded.clone();
            // The answer is dropped at once, as the API does once it has answered.
            tokio::spawn(async move { plugin.list_tables(Vec::new(), None, Vec::new()).await.result.is_ok() })
        })
        .collect();
    for _ in 0..64 {
        let call = healthy.list_tables(Vec::new(), None, Vec::new()).await;
        assert_eq!(call.result.expect("the healthy version's slots are its own").len(), 10);
    }
    for call in crowd {
        assert!(call.await.expect("task"), "the crowd's own calls run in its share");
    }
}
