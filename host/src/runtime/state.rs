//! What a store holds for one call: an empty WASI context, the memory
//! limiter, and the log lines the call produced.

use super::redact::Redactor;
use crate::connector::model::LogLevel;
use serde::Serialize;
use std::path::Path;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxView, WasiView};

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

/// The per-call state of a store.
pub(crate) struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) logs: LogSink,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    /// Bytes of stdout and stderr already returned by [`HostState::drain`].
    seen: (usize, usize),
}

impl HostState {
    /// A state that grants nothing but `dir`, if given (preopened at
    /// [`DATA_DIR`], read and write): no other files, no environment,
    /// arguments or sockets; stdin closed; stdout and stderr captured up to
    /// `output_cap` bytes.
    pub(crate) fn new(
        memory_cap: usize,
        log_cap: usize,
        output_cap: usize,
        redactor: Redactor,
        dir: Option<&Path>,
    ) -> Result<Self> {
        let stdout = MemoryOutputPipe::new(output_cap);
        let stderr = MemoryOutputPipe::new(output_cap);
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
            limiter: MemoryLimiter { cap: memory_cap, exceeded: false },
            logs: LogSink { lines: Vec::new(), bytes: 0, cap: log_cap, exceeded: false, redactor },
            stdout,
            stderr,
            seen: (0, 0),
        })
    }

    /// The log lines of the call: the plugin's own, then stdout, then stderr;
    /// that stderr text; and the copies of secret values masked in the call.
    pub(crate) fn finish(mut self) -> (Vec<LogLine>, String, usize) {
        let (lines, stderr) = self.drain();
        (lines, stderr, self.logs.redactor.masked())
    }

    /// Starts another call on the same store (a session): a fresh log budget,
    /// and `redactor` for that call's configuration.
    pub(crate) fn start_call(&mut self, redactor: Redactor) {
        self.logs.bytes = 0;
        self.logs.redactor = redactor;
    }

    /// The log lines since the last drain: the plugin's own, then stdout,
    /// then stderr; and that stderr text, secrets masked.
    pub(crate) fn drain(&mut self) -> (Vec<LogLine>, String) {
        let mut lines = std::mem::take(&mut self.logs.lines);
        let redactor = &self.logs.redactor;
        let unseen = |pipe: &MemoryOutputPipe, seen: &mut usize| {
            let contents = pipe.contents();
            let start = (*seen).min(contents.len());
            *seen = contents.len();
            String::from_utf8_lossy(&contents[start..]).into_owned()
        };
        let stdout = unseen(&self.stdout, &mut self.seen.0);
        let stderr = redactor.apply(&unseen(&self.stderr, &mut self.seen.1));
        for (pipe, source, level) in
            [(stdout, LogSource::Stdout, LogLevel::Info), (stderr.clone(), LogSource::Stderr, LogLevel::Error)]
        {
            let pipe = redactor.apply(&pipe);
            lines.extend(pipe.lines().filter(|l| !l.trim().is_empty()).map(|l| LogLine {
                level,
                source,
                message: l.to_string(),
            }));
        }
        (lines, stderr)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Caps linear memory; a grow past the cap traps the guest at once.
pub(crate) struct MemoryLimiter {
    cap: usize,
    /// Set when the guest tried to grow past the cap.
    pub(crate) exceeded: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        if desired > self.cap {
            self.exceeded = true;
            wasmtime::bail!("memory limit of {} bytes exceeded (wanted {desired})", self.cap);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        // A table element is a pointer: keep tables within the memory cap too.
        Ok(desired.saturating_mul(size_of::<usize>()) <= self.cap)
    }
}

/// The plugin's `log` lines, up to a byte cap.
pub(crate) struct LogSink {
    lines: Vec<LogLine>,
    bytes: usize,
    cap: usize,
    /// Set when the plugin logged past the cap.
    pub(crate) exceeded: bool,
    redactor: Redactor,
}

impl LogSink {
    /// Keeps one plugin log line; past the cap, fails the call.
    pub(crate) fn push(&mut self, level: LogLevel, message: String) -> Result<()> {
        self.bytes = self.bytes.saturating_add(message.len());
        if self.bytes > self.cap {
            self.exceeded = true;
            wasmtime::bail!("log limit of {} bytes per call exceeded", self.cap);
        }
        let message = self.redactor.apply(&message);
        self.lines.push(LogLine { level, source: LogSource::Plugin, message });
        Ok(())
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
