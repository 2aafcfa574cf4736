//! A session keeps one instance for several calls: per-call logs and masking,
//! one deadline, and no call after a fault.

use crate::helpers::{eventually_blocking, load, props, runtime};
use std::time::{Duration, Instant};
use syncport::runtime::{CallError, FaultKind, Limits, MASK, Operation, block_on};

#[test]
fn a_session_serves_several_calls_until_a_fault_then_refuses() {
    let runtime = runtime(Limits::default().with_timeout(Duration::from_millis(300)));
    let plugin = load(&runtime, "fixtures/misbehave.wasm");
    let healthy = props(&[("Mode", "healthy")]);

    let mut session = plugin.session(Operation::ListTables);
    for _ in 0..3 {
        let call = block_on(session.list_tables(&healthy, None, &[]));
        assert_eq!(call.result.expect("healthy").len(), 1);
        assert!(call.logs.is_empty(), "{:?}", call.logs);
    }

    // A connector error leaves the session usable; its logs are that call's only, masked.
    let canary = "hunter2-canary";
    let call = block_on(session.test(&props(&[("Mode", "leak"), ("Password", canary)])));
    match call.result {
        Err(CallError::Connector(e)) => assert_eq!(e.message, format!("password {MASK} refused")),
        other => panic!("leak fails with its own error: {other:?}"),
    }
    assert_eq!(call.logs.len(), 3, "{:?}", call.logs);
    assert!(call.logs.iter().all(|l| !l.message.contains(canary) && l.message.contains(MASK)), "{:?}", call.logs);
    let call = block_on(session.test(&healthy));
    assert_eq!(call.result.expect("still live"), "healthy");
    assert!(call.logs.is_empty(), "{:?}", call.logs);

    // A trap drops the instance: later calls are not run and fail the same way.
    let call = block_on(session.list_tables(&props(&[("Mode", "panic")]), None, &[]));
    let Err(CallError::Fault(fault)) = call.result else { panic!("a panic faults: {:?}", call.result) };
    assert!(matches!(&fault.kind, FaultKind::Trap { panic: Some(p), .. } if p.contains("deliberate panic")));
    assert!(!session.is_live());
    let call = block_on(session.test(&healthy));
    let Err(CallError::Fault(again)) = call.result else { panic!("refused after a fault: {:?}", call.result) };
    assert_eq!((again.kind, again.operation), (fault.kind, Operation::Test));

    // The deadline covers the whole session, not each call: quick calls
    // succeed until 300 ms have passed since it opened (epoch ticks run late
    // under load, so poll rather than sleep once).
    let start = Instant::now();
    let mut session = plugin.session(Operation::Test);
    let fault = eventually_blocking(Duration::from_secs(10), "the 300 ms session times out", || {
        match block_on(session.test(&healthy)).result {
            Ok(answer) => Err(answer),
            Err(CallError::Fault(fault)) => Ok(fault),
            Err(other) => panic!("healthy test fails only by the deadline: {other:?}"),
        }
    });
    assert!(start.elapsed() >= Duration::from_millis(300), "timed out early: {:?}", start.elapsed());
    assert_eq!(fault.kind, FaultKind::Timeout { limit: Duration::from_millis(300) });
}
