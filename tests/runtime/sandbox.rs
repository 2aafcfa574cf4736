//! Misbehaving plugins break every limit on purpose: each failure is that
//! call's alone, and the next call succeeds.

use crate::helpers::{load, most_at_once, props, runtime};
use std::time::{Duration, Instant};
use syncport::connector::model::{ErrorKind, LogLevel};
use syncport::runtime::{
    CallError, Fault, FaultKind, LOG_LINE_COST, Limits, LogBudget, LogSource, MASK, Plugin, Runtime, block_on,
};

/// Limits small enough that broken calls fail fast.
fn tight() -> Limits {
    Limits::default().with_timeout(Duration::from_millis(300)).with_memory(32 << 20)
}

fn misbehave(runtime: &Runtime) -> Plugin {
    load(runtime, "fixtures/misbehave.wasm")
}

fn fault(result: Result<impl std::fmt::Debug, CallError>) -> Fault {
    match result {
        Err(CallError::Fault(f)) => f,
        other => panic!("expected a fault, got {other:?}"),
    }
}

/// The healthy calls that must keep working after each broken one.
fn assert_healthy(runtime: &Runtime, plugin: &Plugin) {
    let healthy = props(&[("Mode", "healthy")]);
    assert_eq!(plugin.test_blocking(&healthy).result.expect("same plugin, healthy mode"), "healthy");
    let stub = load(runtime, "fixtures/stub.wasm");
    assert_eq!(stub.list_tables_blocking(&[], None, &[]).result.expect("another plugin").len(), 10);
}

#[test]
fn each_misbehaving_mode_fails_its_own_call_with_the_right_fault() {
    let runtime = runtime(tight());
    let plugin = misbehave(&runtime);
    type Expect = fn(&FaultKind) -> bool;
    let cases: [(&str, Expect); 5] = [
        ("loop", |k| matches!(k, FaultKind::Timeout { limit } if *limit == Duration::from_millis(300))),
        ("memory", |k| matches!(k, FaultKind::MemoryLimit { limit_bytes } if *limit_bytes == 32 << 20)),
        ("huge", |k| matches!(k, FaultKind::MemoryLimit { .. })),
        ("flood", |k| matches!(k, FaultKind::LogLimit { budget: LogBudget::Bytes, limit } if *limit == 1 << 20)),
        ("panic", |k| matches!(k, FaultKind::Trap { panic: Some(p), .. } if p.contains("misbehave: deliberate panic"))),
    ];
    for (mode, expected) in cases {
        let config = props(&[("Mode", mode)]);
        for (op, result) in [
            ("test", plugin.test_blocking(&config).result.map(drop)),
            ("list-tables", plugin.list_tables_blocking(&config, None, &[]).result.map(drop)),
            ("list-columns", plugin.list_columns_blocking(&config, "Healthy").result.map(drop)),
        ] {
            if mode == "huge" && op != "list-tables" {
                continue;
            }
            let fault = fault(result);
            assert!(expected(&fault.kind), "{mode} {op}: {fault}");
            assert_eq!((fault.connector.as_str(), fault.version.as_str()), ("Misbehave", "0.1.0"), "{mode}");
            assert_eq!(fault.operation.to_string(), op);
        }
        assert_healthy(&runtime, &plugin);
    }
}

#[test]
fn a_panic_message_reaches_the_call_log_at_error_level() {
    let runtime = runtime(tight());
    let call = misbehave(&runtime).test_blocking(&props(&[("Mode", "panic")]));
    assert!(
        call.logs.iter().any(|l| l.source == LogSource::Stderr
            && l.level == LogLevel::Error
            && l.message.contains("misbehave: deliberate panic")),
        "{:?}",
        call.logs
    );
}

#[test]
fn a_result_over_the_table_limit_is_refused() {
    let limits = Limits { max_tables: 1_000, ..tight() };
    let runtime = runtime(limits);
    let call = misbehave(&runtime).list_tables_blocking(&props(&[("Mode", "huge"), ("Count", "5000")]), None, &[]);
    let fault = fault(call.result);
    assert!(matches!(fault.kind, FaultKind::ResultTooLarge { what: "tables", count: 5000, limit: 1000 }), "{fault}");
}

#[test]
fn a_plugin_sees_no_environment_files_or_network() {
    // A real listener on loopback: the plugin must not reach it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port().to_string();
    // What is denied is the point here, not time: a generous deadline, since
    // under the whole suite's load on two cores this call has taken over 300 ms.
    let runtime = runtime(tight().with_timeout(Duration::from_secs(5)));
    let call = misbehave(&runtime).test_blocking(&props(&[("Mode", "nosy"), ("Port", &port)]));
    let error = match call.result {
        Err(CallError::Connector(e)) => e,
        other => panic!("nosy reports what it was denied: {other:?}"),
    };
    assert_eq!(error.kind, ErrorKind::Unreachable);
    let message = &error.message;
    assert!(message.contains("env vars: 0;"), "{message}");
    assert!(message.contains("read /etc/passwd: Err("), "{message}");
    assert!(message.contains("read_dir .: Err("), "{message}");
    assert!(message.contains(&format!("connect 127.0.0.1:{port}: Err(")), "{message}");
    assert!(listener.accept().is_err(), "no connection reached the listener");
    let sources: Vec<_> = call.logs.iter().map(|l| (l.source, l.message.as_str())).collect();
    assert!(sources.contains(&(LogSource::Stdout, "nosy: stdout is captured")), "{sources:?}");
    assert!(sources.contains(&(LogSource::Stderr, "nosy: stderr is captured")), "{sources:?}");
}

#[test]
fn a_job_session_with_a_directory_still_sees_no_other_file() {
    let runtime = runtime(tight().with_timeout(Duration::from_secs(5)));
    let granted = tempfile::tempdir().expect("dir");
    std::fs::write(granted.path().join("inside.txt"), "x").expect("file");
    let plugin = misbehave(&runtime);
    let session = plugin.job_session(syncport::runtime::Operation::Write, Some(granted.path()));
    let mut session = block_on(session).expect("the directory is granted");
    let call = block_on(session.test(&props(&[("Mode", "nosy"), ("Port", "9")])));
    let message = match call.result {
        Err(CallError::Connector(e)) => e.message,
        other => panic!("nosy reports what it was denied: {other:?}"),
    };
    assert!(message.contains("read /etc/passwd: Err("), "{message}");
    assert!(message.contains("read_dir .: Err("), "only /data is preopened, not the working directory: {message}");
}

#[test]
fn secret_values_are_masked_in_logs_output_and_errors() {
    let runtime = runtime(tight());
    let canary = "canary-5d1e0b";
    let call = misbehave(&runtime).test_blocking(&props(&[("Mode", "leak"), ("Password", canary)]));
    let error = match call.result {
        Err(CallError::Connector(e)) => e,
        other => panic!("leak fails with its own error: {other:?}"),
    };
    assert_eq!(error.message, format!("password {MASK} refused"));
    assert_eq!(call.masked, 4, "the log line, stdout, stderr and the error");
    assert_eq!(call.logs.len(), 3, "{:?}", call.logs);
    for line in &call.logs {
        assert!(!line.message.contains(canary) && line.message.contains(MASK), "{line:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_beyond_the_concurrency_limit_wait_and_then_fail_as_overloaded() {
    let limits = Limits {
        max_concurrent_calls: 2,
        queue_timeout: Duration::from_millis(50),
        ..tight().with_timeout(Duration::from_millis(500))
    };
    let runtime = runtime(limits);
    let plugin = misbehave(&runtime);
    let looping = props(&[("Mode", "loop")]);
    let calls: Vec<_> = (0..3)
        .map(|_| {
            let (plugin, config) = (plugin.clone(), looping.clone());
            tokio::spawn(async move {
                let call = plugin.test(config).await;
                (Instant::now(), call)
            })
        })
        .collect();
    let (mut overloaded, mut ran) = (0, Vec::new());
    for call in calls {
        let (end, call) = call.await.expect("task");
        let duration = call.duration;
        match fault(call.result).kind {
            FaultKind::Overloaded { .. } => overloaded += 1,
            // When it ran, less its wait for a slot (at most the queue timeout).
            FaultKind::Timeout { .. } => ran.push((end - duration + Duration::from_millis(50), end)),
            other => panic!("a looping call times out or finds no slot: {other:?}"),
        }
    }
    // The limit is a bound: never more than two at once, and no call turned
    // away while a slot is free. The three calls start together, so one of
    // them is left to wait and turned away.
    assert!(most_at_once(&ran) <= 2, "more than two calls ran at once: {ran:?}");
    assert!(overloaded <= 1, "{overloaded} of three calls were turned away from two slots");
    assert!(overloaded >= 1, "none of three waited too long for two slots");
    // Every slot is free again: two looping calls at once both run (to
    // their deadline), neither is turned away.
    let (a, b) = tokio::join!(plugin.test(looping.clone()), plugin.test(looping));
    for call in [a, b] {
        assert!(matches!(fault(call.result).kind, FaultKind::Timeout { .. }), "both slots are free");
    }
    assert_eq!(plugin.test(props(&[("Mode", "healthy")])).await.result.expect("healthy"), "healthy");
}

#[test]
fn secret_values_echoed_in_a_successful_result_are_masked() {
    let runtime = runtime(tight());
    let canary = "canary-e4c40b";
    let plugin = misbehave(&runtime);
    let config = props(&[("Mode", "echo"), ("Password", canary)]);
    let call = plugin.test_blocking(&config);
    assert_eq!(call.masked, 1, "the host reports what it masked");
    assert_eq!(call.result.expect("echo succeeds"), format!("connected with password {MASK}"));
    // A name is never rewritten: one that holds the secret refuses the call
    // (tests/runtime/masking.rs).
    let listed = plugin.list_tables_blocking(&config, None, &[]);
    let refused = |f: &Fault| matches!(&f.kind, FaultKind::InvalidResult { message } if message.contains("table name that holds a secret value"));
    assert!(matches!(&listed.result, Err(CallError::Fault(f)) if refused(f)), "{:?}", listed.result);
    assert!(listed.masked >= 1, "the host reports what it held back");
}

/// The peak resident memory of this process so far, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).expect("VmHWM");
    kib.trim().trim_end_matches("kB").trim().parse::<u64>().expect("kB") << 10
}

#[test]
fn a_flood_of_empty_log_lines_fails_the_call_with_log_limit_quickly_and_in_bounded_memory() {
    let runtime = runtime(tight().with_timeout(Duration::from_secs(20)));
    let plugin = misbehave(&runtime);
    let before = peak_rss();
    let call = plugin.test_blocking(&props(&[("Mode", "blank-lines")]));
    let kind = fault(call.result).kind;
    assert_eq!(kind, FaultKind::LogLimit { budget: LogBudget::Lines, limit: 10_000 }, "{kind}");
    assert!(call.duration < Duration::from_secs(2), "failed fast: {:?}", call.duration);
    assert!(call.logs.len() <= 10_000, "{} lines kept", call.logs.len());
    let grown = peak_rss().saturating_sub(before);
    // Unbounded, the flood took 1.2 GiB; the margin leaves room for tests running alongside.
    assert!(grown < 512 << 20, "the host grew by {} MiB", grown >> 20);
    assert_healthy(&runtime, &plugin);

    // With room for more lines, the bytes run out: each empty line costs its framing.
    let lines = Limits { max_log_lines: usize::MAX, max_log_bytes: 100 * LOG_LINE_COST, ..tight() };
    let call = misbehave(&crate::helpers::runtime(lines)).test_blocking(&props(&[("Mode", "blank-lines")]));
    assert_eq!(fault(call.result).kind, FaultKind::LogLimit { budget: LogBudget::Bytes, limit: 100 * LOG_LINE_COST });
    assert_eq!(call.logs.len(), 100);
}

#[test]
fn a_secret_in_a_connector_errors_property_is_masked_with_its_message() {
    let runtime = runtime(tight());
    let canary = "canary-7f3a91";
    let call = misbehave(&runtime).test_blocking(&props(&[("Mode", "secret-target"), ("Password", canary)]));
    let error = match &call.result {
        Err(CallError::Connector(e)) => e.clone(),
        other => panic!("secret-target fails with its own error: {other:?}"),
    };
    assert_eq!(error.property.as_deref(), Some(MASK));
    assert_eq!(error.message, format!("{MASK} is not accepted"));
    assert_eq!(call.masked, 2, "the property and the message");
    assert!(!format!("{call:?}").contains(canary), "{call:?}");
}
