//! Helpers for native unit tests of connectors.
//!
//! A connector's unit tests run natively (`cargo test --target
//! x86_64-unknown-linux-gnu`), where there is no host. There the SDK's log
//! macros ([`error!`](crate::error!), [`info!`](crate::info!),
//! [`transfer!`](crate::transfer!), [`verbose!`](crate::verbose!)) keep each
//! line in a per-thread buffer instead of calling the host's `log` import, and
//! [`take_logs`] hands them to the test:
//!
//! ```
//! use syncport_connector_sdk::{self as sdk, LogLevel, testing::take_logs};
//!
//! take_logs(); // start from an empty buffer
//! sdk::info!("listed {} tables", 3);
//! assert_eq!(take_logs(), [(LogLevel::Info, "listed 3 tables".to_string())]);
//! assert!(take_logs().is_empty());
//! ```
//!
//! The buffer is per thread, and the test harness runs each test on its own
//! thread, so tests do not see each other's lines. It keeps the latest 10,000
//! lines; older ones are dropped.

use crate::LogLevel;

/// Takes the lines logged on this thread since the last call, oldest first,
/// leaving the buffer empty.
///
/// In the component (`wasm32`) lines go to the host and are not kept, so
/// there this always returns an empty list.
#[cfg(not(target_arch = "wasm32"))]
pub fn take_logs() -> Vec<(LogLevel, String)> {
    crate::log::native::take()
}

/// Takes the lines logged on this thread since the last call: in the
/// component (`wasm32`) lines go to the host and are not kept, so this is
/// always empty.
#[cfg(target_arch = "wasm32")]
pub fn take_logs() -> Vec<(LogLevel, String)> {
    Vec::new()
}
