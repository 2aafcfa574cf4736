//! Log capture in native builds: the macros fill a per-thread buffer that
//! `testing::take_logs` drains.

use syncport_connector_sdk::testing::take_logs;
use syncport_connector_sdk::{self as sdk, LogLevel};

#[test]
fn macros_log_at_their_levels_in_order() {
    take_logs();
    let user = "bob@example.com";
    sdk::error!("login as {user} failed");
    sdk::info!("listing tables");
    sdk::transfer!("listed {} tables", 42);
    sdk::verbose!("filter: {:?}", Some("Sales"));
    assert_eq!(
        take_logs(),
        [
            (LogLevel::Error, "login as bob@example.com failed".to_string()),
            (LogLevel::Info, "listing tables".to_string()),
            (LogLevel::Transfer, "listed 42 tables".to_string()),
            (LogLevel::Verbose, "filter: Some(\"Sales\")".to_string()),
        ]
    );
}

#[test]
fn take_logs_drains_the_buffer() {
    take_logs();
    assert!(take_logs().is_empty());
    sdk::info!("one");
    assert_eq!(take_logs().len(), 1);
    assert!(take_logs().is_empty(), "taken lines are gone");
    sdk::log::write(LogLevel::Verbose, "direct");
    assert_eq!(take_logs(), [(LogLevel::Verbose, "direct".to_string())]);
}

#[test]
fn each_thread_has_its_own_buffer() {
    take_logs();
    sdk::info!("main thread");
    let other = std::thread::spawn(|| {
        sdk::error!("other thread");
        take_logs()
    })
    .join()
    .expect("the thread runs");
    assert_eq!(other, [(LogLevel::Error, "other thread".to_string())]);
    assert_eq!(take_logs(), [(LogLevel::Info, "main thread".to_string())]);
}

#[test]
fn log_levels_are_plain_values() {
    // What tests rely on: copy, compare, print.
    let level = LogLevel::Transfer;
    let copy = level;
    assert_eq!(level, copy);
    assert_ne!(LogLevel::Error, LogLevel::Info);
    assert!(!format!("{level:?}").is_empty());
}
