//! Writing to the connection log through the host's `log` import; use the
//! [`error!`](crate::error!), [`info!`](crate::info!),
//! [`transfer!`](crate::transfer!) and [`verbose!`](crate::verbose!) macros.
//!
//! In the component (`wasm32`) every line goes to the host. A native build
//! (a connector's unit tests) has no host: there the lines are kept in a
//! per-thread buffer that [`crate::testing::take_logs`] drains.

use crate::LogLevel;

/// Sends one line to the host. The host keeps it according to the
/// connection's `logfile_verbosity`; never log secret values.
///
/// Off `wasm32` the line is kept for [`crate::testing::take_logs`] instead.
pub fn write(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::__private::bindings::syncport::connector::host::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    native::capture(level, message);
}

/// The per-thread buffer of a native build.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod native {
    use crate::LogLevel;
    use std::cell::RefCell;
    use std::collections::VecDeque;

    /// At most this many lines are kept per thread; older ones are dropped,
    /// so a native program that never drains the buffer stays bounded.
    pub(crate) const KEEP: usize = 10_000;

    thread_local! {
        static LINES: RefCell<VecDeque<(LogLevel, String)>> = const { RefCell::new(VecDeque::new()) };
    }

    /// Keeps one line.
    pub(crate) fn capture(level: LogLevel, message: &str) {
        LINES.with_borrow_mut(|lines| {
            if lines.len() >= KEEP {
                lines.pop_front();
            }
            lines.push_back((level, message.to_owned()));
        });
    }

    /// Takes the lines kept on this thread, oldest first.
    pub(crate) fn take() -> Vec<(LogLevel, String)> {
        LINES.with_borrow_mut(std::mem::take).into()
    }
}

/// Logs a failure: `error!("token refused for {}", user)`.
#[macro_export]
macro_rules! error {
    ($($arg:tt)*) => { $crate::log::write($crate::LogLevel::Error, &::std::format!($($arg)*)) };
}

/// Logs a step of normal work.
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => { $crate::log::write($crate::LogLevel::Info, &::std::format!($($arg)*)) };
}

/// Logs sizes of what was sent and received.
#[macro_export]
macro_rules! transfer {
    ($($arg:tt)*) => { $crate::log::write($crate::LogLevel::Transfer, &::std::format!($($arg)*)) };
}

/// Logs payloads and fine detail.
#[macro_export]
macro_rules! verbose {
    ($($arg:tt)*) => { $crate::log::write($crate::LogLevel::Verbose, &::std::format!($($arg)*)) };
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::native::KEEP;
    use crate::LogLevel;
    use crate::testing::take_logs;

    #[test]
    fn the_buffer_keeps_the_latest_lines() {
        take_logs();
        for i in 0..KEEP + 5 {
            super::write(LogLevel::Verbose, &format!("line {i}"));
        }
        let lines = take_logs();
        assert_eq!(lines.len(), KEEP);
        assert_eq!(lines[0].1, "line 5", "the oldest lines were dropped");
        assert_eq!(lines[KEEP - 1].1, format!("line {}", KEEP + 4));
    }
}
