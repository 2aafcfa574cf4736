//! What a store holds for one call: an empty WASI context, the memory
//! limiter, and the log lines the call produced.

use super::egress::CallEgress;
use super::outcome::{FaultKind, LogBudget};
use super::pool::Footprint;
use super::redact::Redactor;
use crate::connector::model::LogLevel;
use serde::Serialize;
use std::path::Path;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Where a destination's connection directory appears inside the sandbox.
pub const DATA_DIR: &str = "/data";

/// Where a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogSource {
    /// The plugin's `log` calls.
    Plugin,
    /// The plugin's stdout.
    Stdout,
    /// The plugin's stderr (panic messages land here).
    Stderr,
    /// The host, on the plugin's outbound requests (WIT 0.3.0).
    Egress,
}

/// One line a plugin produced during a call; secret values already masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// Its level; stdout lines are Info, stderr lines Error.
    pub level: LogLevel,
    /// Where it came from.
    pub source: LogSource,
    /// The text.
    pub message: String,
}

/// What each log line costs against [`Limits::max_log_bytes`] on top of its
/// text: about what a kept line takes besides its text (a `LogLine`, 32
/// bytes, the allocator's overhead for its string, and the timestamp, level
/// and source a stored log line adds). So a flood of empty lines runs out of
/// budget as surely as one of long lines.
///
/// [`Limits::max_log_bytes`]: super::Limits::max_log_bytes
pub const LOG_LINE_COST: usize = 64;

/// What a call may write: log bytes and lines, and stdout and stderr bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutputCaps {
    /// Bytes of log lines, framing included (see [`LOG_LINE_COST`]).
    pub(crate) log_bytes: usize,
    /// Log lines.
    pub(crate) log_lines: usize,
    /// Bytes kept of stdout, and of stderr.
    pub(crate) output_bytes: usize,
}

/// The per-call state of a store.
pub(crate) struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    http: WasiHttpCtx,
    /// The call's outbound requests: what they may reach, their budget.
    egress: CallEgress,
    pub(crate) limiter: MemoryLimiter,
    /// When the call under way must end; the epoch callback interrupts a
    /// guest still running past it (a backstop: the call's own timeout
    /// normally drops it first).
    pub(crate) deadline: std::time::Instant,
    pub(crate) logs: LogSink,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    /// Bytes of stdout and stderr already returned by [`HostState::drain`].
    seen: (usize, usize),
}

impl HostState {
    /// A state that grants nothing but `dir`, if given (preopened at
    /// [`DATA_DIR`], read and write), and the outbound requests `egress`
    /// allows: no other files, no environment, arguments or sockets; stdin
    /// closed; stdout and stderr captured up to `caps.output_bytes` bytes
    /// each. A call may log `caps.log_bytes` bytes and `caps.log_lines` lines
    /// (see [`LogSink`]); every level is kept until
    /// [`HostState::set_log_verbosity`] says otherwise.
    pub(crate) fn new(
        memory_cap: usize,
        footprint: Footprint,
        caps: OutputCaps,
        redactor: Redactor,
        egress: CallEgress,
        dir: Option<&Path>,
    ) -> Result<Self> {
        let stdout = MemoryOutputPipe::new(caps.output_bytes);
        let stderr = MemoryOutputPipe::new(caps.output_bytes);
        let mut wasi = WasiCtx::builder();
        wasi.stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        if let Some(dir) = dir {
            wasi.preopened_dir(dir, DATA_DIR, FsPerms::ReadWrite)?;
        }
        let wasi = wasi.build();
        Ok(Self {
            wasi,
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            egress,
            limiter: MemoryLimiter::new(memory_cap, footprint),
            deadline: std::time::Instant::now(),
            logs: LogSink {
                lines: Vec::new(),
                bytes: 0,
                count: 0,
                max_bytes: caps.log_bytes,
                max_lines: caps.log_lines,
                keep: Some(LogLevel::Verbose),
                exceeded: None,
                redactor,
            },
            stdout,
            stderr,
            seen: (0, 0),
        })
    }

    /// Keeps the lines at `level` or more important (Error < Info <
    /// Transfer < Verbose); `None` keeps none. Lines it discards still count
    /// against the call's log budget, but are never stored.
    pub(crate) fn set_log_verbosity(&mut self, level: Option<LogLevel>) {
        self.logs.keep = level;
    }

    /// The log lines of the call: the plugin's own, then stdout, then stderr;
    /// that stderr text; and the copies of secret values masked in the call.
    pub(crate) fn finish(mut self) -> (Vec<LogLine>, String, usize) {
        // Responses still open are dropped first, so their lines are logged.
        drop(std::mem::take(&mut self.table));
        let (lines, stderr) = self.drain();
        (lines, stderr, self.logs.redactor.masked())
    }

    /// Starts another call on the same store (a session): a fresh log budget,
    /// `redactor` for that call's configuration and `egress` for its requests.
    pub(crate) fn start_call(&mut self, redactor: Redactor, egress: CallEgress) {
        self.egress = egress;
        self.logs.bytes = 0;
        self.logs.count = 0;
        self.logs.exceeded = None;
        self.logs.redactor = redactor;
    }

    /// The log lines since the last drain: the plugin's own, then stdout,
    /// then stderr; and that stderr text, secrets masked. Stdout lines are
    /// Info, stderr lines Error; they count against the call's log budget
    /// like the plugin's own, and those past it are dropped (the call has
    /// ended: it is not failed for them).
    pub(crate) fn drain(&mut self) -> (Vec<LogLine>, String) {
        let unseen = |pipe: &MemoryOutputPipe, seen: &mut usize| {
            let contents = pipe.contents();
            let start = (*seen).min(contents.len());
            *seen = contents.len();
            String::from_utf8_lossy(&contents[start..]).into_owned()
        };
        // The host's lines on the call's requests: not charged to the
        // plugin's budget (the request limit bounds them), masked like all.
        for (level, line) in self.egress.take_lines() {
            self.logs.keep(level, LogSource::Egress, &line);
        }
        let stdout = unseen(&self.stdout, &mut self.seen.0);
        let stderr = self.logs.redactor.apply(&unseen(&self.stderr, &mut self.seen.1));
        for (text, source, level) in
            [(&stdout, LogSource::Stdout, LogLevel::Info), (&stderr, LogSource::Stderr, LogLevel::Error)]
        {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                if self.logs.charge(line.len()).is_ok() {
                    self.logs.keep(level, source, line);
                }
            }
        }
        (std::mem::take(&mut self.logs.lines), stderr)
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.egress }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// One budget for every linear memory and table of a call's store: a grow
/// that would take their sum past the cap traps the guest at once. It also
/// caps how many core instances, memories and tables the store may create,
/// at the component's footprint, so a call never takes more of the instance
/// pool than its connector version reserved.
pub(crate) struct MemoryLimiter {
    cap: usize,
    /// Bytes of memories and tables granted so far.
    used: usize,
    /// What the last grant added, taken back if that grow then fails.
    last: usize,
    footprint: Footprint,
    /// Set when the guest tried to grow past the cap.
    pub(crate) exceeded: bool,
}

/// The bytes a table element costs against the budget (a pointer).
const TABLE_ELEMENT_BYTES: usize = size_of::<usize>();

impl MemoryLimiter {
    /// A limiter with `cap` bytes for all memories and tables together.
    pub(crate) fn new(cap: usize, footprint: Footprint) -> Self {
        Self { cap, used: 0, last: 0, footprint, exceeded: false }
    }

    fn grant(&mut self, extra: usize, what: &str) -> Result<bool> {
        let total = self.used.saturating_add(extra);
        if total > self.cap {
            self.exceeded = true;
            wasmtime::bail!(
                "memory limit of {} bytes for all memories and tables exceeded ({what} wanted {total})",
                self.cap
            );
        }
        self.used = total;
        self.last = extra;
        Ok(true)
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        self.grant(desired.saturating_sub(current), "a memory")
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> Result<()> {
        self.used = self.used.saturating_sub(std::mem::take(&mut self.last));
        Ok(())
    }

    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        self.grant(desired.saturating_sub(current).saturating_mul(TABLE_ELEMENT_BYTES), "a table")
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> Result<()> {
        self.used = self.used.saturating_sub(std::mem::take(&mut self.last));
        Ok(())
    }

    fn instances(&self) -> usize {
        self.footprint.core_instances as usize
    }

    fn memories(&self) -> usize {
        self.footprint.memories as usize
    }

    fn tables(&self) -> usize {
        self.footprint.tables as usize
    }
}

/// The log lines of a call, within its budget: at most `max_lines` lines,
/// and `max_bytes` bytes counting each line's text plus [`LOG_LINE_COST`].
/// Only lines at the kept verbosity are stored; the others are counted and
/// dropped.
pub(crate) struct LogSink {
    lines: Vec<LogLine>,
    /// Bytes counted this call (text plus framing).
    bytes: usize,
    /// Lines counted this call.
    count: usize,
    max_bytes: usize,
    max_lines: usize,
    /// The least important level stored; `None` stores nothing.
    keep: Option<LogLevel>,
    /// The budget the plugin's `log` calls ran out of, if they did.
    exceeded: Option<LogBudget>,
    redactor: Redactor,
}

impl LogSink {
    /// Counts one plugin log line and keeps it if the verbosity says so;
    /// past either budget, fails the call.
    pub(crate) fn push(&mut self, level: LogLevel, message: String) -> Result<()> {
        if let Err(budget) = self.charge(message.len()) {
            self.exceeded = Some(budget);
            wasmtime::bail!("log limit of {} {budget} per call exceeded", self.limit(budget));
        }
        self.keep(level, LogSource::Plugin, &message);
        Ok(())
    }

    /// Counts a line of `len` bytes against the budget, unless it does not
    /// fit: then nothing is counted, and the budget it breaks is returned.
    fn charge(&mut self, len: usize) -> std::result::Result<(), LogBudget> {
        let bytes = self.bytes.saturating_add(len).saturating_add(LOG_LINE_COST);
        if self.count >= self.max_lines {
            return Err(LogBudget::Lines);
        }
        if bytes > self.max_bytes {
            return Err(LogBudget::Bytes);
        }
        (self.count, self.bytes) = (self.count + 1, bytes);
        Ok(())
    }

    /// Stores a counted line, secrets masked, if the verbosity keeps its
    /// level; otherwise only counts the secret values in it (no copy), so
    /// [`LogSink::masked`] does not depend on the verbosity.
    fn keep(&mut self, level: LogLevel, source: LogSource, text: &str) {
        if self.keep.is_some_and(|keep| level <= keep) {
            self.lines.push(LogLine { level, source, message: self.redactor.apply(text) });
        } else {
            self.redactor.count(text);
        }
    }

    fn limit(&self, budget: LogBudget) -> usize {
        match budget {
            LogBudget::Bytes => self.max_bytes,
            LogBudget::Lines => self.max_lines,
        }
    }

    /// The fault of a call whose plugin logged past its budget, if it did.
    pub(crate) fn fault(&self) -> Option<FaultKind> {
        self.exceeded.map(|budget| FaultKind::LogLimit { budget, limit: self.limit(budget) })
    }

    /// Masks secret values in everything a call hands back: its result, its
    /// error, its fault (see [`Mask`](super::redact::Mask)).
    pub(crate) fn mask<T: super::redact::Mask>(&self, value: T) -> T {
        self.redactor.mask(value)
    }

    /// Copies of secret values masked since the call started.
    pub(crate) fn masked(&self) -> usize {
        self.redactor.masked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(max_bytes: usize, max_lines: usize) -> HostState {
        let egress = CallEgress::none(std::sync::Arc::new(super::super::egress::Network::new(Default::default())));
        let caps = OutputCaps { log_bytes: max_bytes, log_lines: max_lines, output_bytes: 1 << 10 };
        HostState::new(1 << 20, Footprint::default(), caps, Redactor::default(), egress, None).expect("a state")
    }

    #[test]
    fn an_empty_line_costs_its_framing() {
        let mut state = state(10 * LOG_LINE_COST, 1_000);
        for _ in 0..10 {
            state.logs.push(LogLevel::Info, String::new()).expect("ten empty lines fit");
        }
        assert!(state.logs.push(LogLevel::Info, String::new()).is_err(), "the eleventh passes the byte budget");
        assert_eq!(state.logs.fault(), Some(FaultKind::LogLimit { budget: LogBudget::Bytes, limit: 640 }));
        assert_eq!(state.drain().0.len(), 10);
    }

    #[test]
    fn a_call_may_log_no_more_lines_than_its_line_cap() {
        let mut state = state(1 << 20, 5);
        for _ in 0..5 {
            state.logs.push(LogLevel::Info, "x".into()).expect("five lines fit");
        }
        assert!(state.logs.push(LogLevel::Info, "x".into()).is_err());
        assert_eq!(state.logs.fault(), Some(FaultKind::LogLimit { budget: LogBudget::Lines, limit: 5 }));
    }

    #[test]
    fn lines_the_verbosity_discards_are_counted_but_never_stored() {
        let mut state = state(1 << 20, 100);
        state.set_log_verbosity(None);
        let flood = (0..1_000).map(|_| state.logs.push(LogLevel::Error, String::new())).position(|r| r.is_err());
        assert_eq!(flood, Some(100), "discarded lines count against the line cap");
        assert!(state.logs.lines.is_empty() && state.logs.lines.capacity() == 0, "nothing was stored");
        assert!(state.drain().0.is_empty());

        let mut state = self::state(1 << 20, 100);
        state.set_log_verbosity(Some(LogLevel::Info));
        for level in [LogLevel::Error, LogLevel::Info, LogLevel::Transfer, LogLevel::Verbose] {
            state.logs.push(level, format!("{level}")).expect("within budget");
        }
        let kept: Vec<String> = state.drain().0.into_iter().map(|l| l.message).collect();
        assert_eq!(kept, ["ERROR", "INFO"]);
    }

    #[test]
    fn stdout_and_stderr_lines_stay_within_the_caps() {
        let mut state = state(1 << 20, 3);
        state.logs.push(LogLevel::Info, "own".into()).expect("fits");
        let mut stdout = state.stdout.clone();
        wasmtime_wasi::p2::OutputStream::write(&mut stdout, b"a\nb\nc\nd\n".as_slice().into()).expect("written");
        let lines = state.drain().0;
        let messages: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(messages, ["own", "a", "b"], "three lines in all");
    }
}
