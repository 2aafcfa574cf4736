//! What every test needs: the built components, a runtime to run them, and
//! [`eventually`], the one way a test waits for something to happen.

use std::fmt::Display;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use syncport::connector::model::Property;
use syncport::runtime::{Limits, Plugin, Runtime};

/// How often [`eventually`] and [`eventually_blocking`] look again.
const POLL: Duration = Duration::from_millis(20);

/// Waits until `probe` answers `Ok`, looking every 20 ms for at most
/// `limit`; its value. `Err` carries what the probe saw, which the panic
/// at the deadline reports with `what` (the condition awaited).
///
/// This is how tests synchronise with a server or a runtime: on something
/// it exposes (a status, a job state, a file, a log line), never on a sleep
/// that hopes the other side got there.
pub async fn eventually<T, E: Display, F: Future<Output = Result<T, E>>>(
    limit: Duration,
    what: &str,
    mut probe: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(seen) if Instant::now() >= deadline => panic!("not within {limit:?}: {what}; last seen: {seen}"),
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// The most of `spans` (start, end) under way at any one instant: what a
/// concurrency limit bounds.
pub fn most_at_once(spans: &[(Instant, Instant)]) -> usize {
    spans
        .iter()
        .map(|&(at, _)| spans.iter().filter(|&&(start, end)| start <= at && at < end).count())
        .max()
        .unwrap_or(0)
}

/// [`eventually`] for tests without an async runtime.
pub fn eventually_blocking<T, E: Display>(limit: Duration, what: &str, mut probe: impl FnMut() -> Result<T, E>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        match probe() {
            Ok(value) => return value,
            Err(seen) if Instant::now() >= deadline => panic!("not within {limit:?}: {what}; last seen: {seen}"),
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

/// `plugins/dist/`, where `cargo xtask plugins` puts the components.
pub fn dist() -> PathBuf {
    std::env::var_os("SYNCPORT_PLUGINS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../plugins/dist"))
}

/// The bytes of a built component, e.g. `connectors/quickbooks-1.1.0.wasm`.
pub fn component(path: &str) -> Vec<u8> {
    let file = dist().join(path);
    std::fs::read(&file).unwrap_or_else(|e| {
        panic!("{}: {e}. Run the tests with `cargo xtask test`, which builds the plugins first.", file.display())
    })
}

/// A runtime with `limits`, sharing one compile cache across the test run so
/// each component is compiled once.
pub fn runtime(limits: Limits) -> Runtime {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-cache");
    Runtime::new(limits, Some(&cache)).expect("the runtime starts")
}

/// Loads `path` into a runtime with default limits.
pub fn plugin(path: &str) -> Plugin {
    load(&runtime(Limits::default()), path)
}

/// Loads `path` into `runtime`.
pub fn load(runtime: &Runtime, path: &str) -> Plugin {
    runtime.load(&component(path)).unwrap_or_else(|e| panic!("{path} loads: {e}"))
}

/// Properties from `(name, value)` pairs.
pub fn props(pairs: &[(&str, &str)]) -> Vec<Property> {
    pairs.iter().map(|(n, v)| Property::new(*n, *v)).collect()
}

/// A working QuickBooks configuration.
pub fn quickbooks_config() -> Vec<Property> {
    props(&[
        ("CompanyId", "9130357766"),
        ("OAuthClientId", "client-id"),
        ("OAuthClientSecret", "client-secret"),
        ("OAuthAccessToken", "access-token"),
    ])
}

/// A working Salesforce configuration.
pub fn salesforce_config() -> Vec<Property> {
    props(&[("User", "admin@example.com"), ("Password", "pass"), ("SecurityToken", "token")])
}

/// `config` with `name` set to `value` (added, or replaced case-insensitively).
pub fn with(config: &[Property], name: &str, value: &str) -> Vec<Property> {
    let mut config: Vec<Property> = config.iter().filter(|p| !p.name.eq_ignore_ascii_case(name)).cloned().collect();
    config.push(Property::new(name, value));
    config
}

/// `config` without `name`.
pub fn without(config: &[Property], name: &str) -> Vec<Property> {
    config.iter().filter(|p| !p.name.eq_ignore_ascii_case(name)).cloned().collect()
}
