//! Connection logs: one folder per connection under the data directory, one
//! file per day (`2026-11-27.log`, then `2026-11-27.1.log` past the size
//! cap), old days pruned after the retention period.
//!
//! Every operation on a connection writes a line; plugin lines are kept as
//! the connection's `logfile_verbosity` says. Secret values never get here:
//! the runtime masks them in plugin output, and operation lines carry no
//! property values.

use crate::connections::Verbosity;
use crate::connector::model::LogLevel;
use crate::runtime::{LogLine, LogSource};
use chrono::{DateTime, NaiveDate, Utc};
mod open;
mod shared;

use open::{OpenFile, OpenFiles};
use shared::SharedLogs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// One log file of a connection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LogFile {
    /// Its name, e.g. `2026-11-27.log`.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written.
    pub modified_at: DateTime<Utc>,
}

/// Why a log file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The name is not a plain log file name (a path, `..`, ...).
    #[error("`{0}` is not a log file name")]
    InvalidName(String),
    /// No such log file for this connection.
    #[error("no log file `{0}`")]
    NotFound(String),
    /// The file system failed.
    #[error("log files: {0}")]
    Io(#[from] std::io::Error),
}

/// The log files of every connection. Cheap to clone.
#[derive(Clone)]
pub struct ConnectionLogs {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    max_file_bytes: u64,
    retention_days: u32,
    /// The files being appended to, kept open (see [`open`]).
    open: OpenFiles,
    /// When set, logs live in the shared database instead of files.
    shared: Option<SharedLogs>,
}

/// What an operation did, for its log lines.
#[derive(Debug, Clone)]
pub struct OperationRecord<'a> {
    /// The operation, e.g. `test`.
    pub operation: &'a str,
    /// Whether it succeeded.
    pub ok: bool,
    /// A short outcome, e.g. `50 tables` or the error code; no secrets.
    pub outcome: String,
    /// How long it took.
    pub duration: Duration,
    /// Sizes of what was returned, kept at Transfer verbosity.
    pub transfer: Option<String>,
    /// What was returned, kept at Verbose (capped at [`MAX_PAYLOAD`] bytes).
    pub payload: Option<String>,
    /// What the plugin logged and printed.
    pub plugin: &'a [LogLine],
}

/// How often every connection's expired log days are deleted.
pub const PRUNE_PERIOD: Duration = Duration::from_secs(6 * 60 * 60);

/// The most payload bytes a Verbose line keeps.
pub const MAX_PAYLOAD: usize = 64 << 10;

impl<'a> OperationRecord<'a> {
    /// An operation's outcome, with nothing else.
    pub fn new(operation: &'a str, ok: bool, outcome: impl Into<String>, duration: Duration) -> Self {
        Self { operation, ok, outcome: outcome.into(), duration, transfer: None, payload: None, plugin: &[] }
    }

    /// Adds what the payload was: its size (Transfer) and itself (Verbose).
    pub fn with_payload(mut self, payload: Option<&str>) -> Self {
        if let Some(payload) = payload {
            self.transfer = Some(format!("{} bytes", payload.len()));
            let cut = (0..=MAX_PAYLOAD.min(payload.len())).rev().find(|i| payload.is_char_boundary(*i)).unwrap_or(0);
            let more = if cut < payload.len() { " …(truncated)" } else { "" };
            self.payload = Some(format!("{}{more}", &payload[..cut]));
        }
        self
    }

    /// Adds what the plugin logged and printed.
    pub fn with_plugin(mut self, plugin: &'a [LogLine]) -> Self {
        self.plugin = plugin;
        self
    }
}

impl ConnectionLogs {
    /// Logs under `dir`, with files capped at `max_file_bytes` and kept for
    /// `retention_days` days.
    pub fn new(dir: impl Into<PathBuf>, max_file_bytes: u64, retention_days: u32) -> Self {
        let inner = Inner { dir: dir.into(), max_file_bytes, retention_days, open: OpenFiles::new(), shared: None };
        Self { inner: Arc::new(inner) }
    }

    /// Logs in `store` (for servers sharing a database), with the same
    /// files, size cap and retention as [`ConnectionLogs::new`].
    pub fn in_database(store: crate::store::Store, max_file_bytes: u64, retention_days: u32) -> Self {
        let shared = Some(SharedLogs::new(store, max_file_bytes, retention_days));
        let inner = Inner { dir: PathBuf::new(), max_file_bytes, retention_days, open: OpenFiles::new(), shared };
        Self { inner: Arc::new(inner) }
    }

    /// Writes an operation's lines as `verbosity` keeps them. Failures to
    /// write are logged, never returned: a log must not fail the operation.
    pub async fn record(&self, connection: Uuid, verbosity: Verbosity, record: OperationRecord<'_>) {
        let now = Utc::now();
        let max = usize::try_from(self.inner.max_file_bytes).unwrap_or(usize::MAX);
        let text = render(verbosity, &record, now, max);
        if text.is_empty() {
            return;
        }
        if let Some(shared) = &self.inner.shared {
            if let Err(error) = shared.record(connection, &text, now).await {
                tracing::warn!(%connection, %error, "could not write the connection log");
            }
            return;
        }
        // Usually one `write` to a file already open: done here, without a
        // hop to the blocking pool. Opening a file (a new day or part, or
        // the first line since start) is left to the blocking pool.
        let slot = self.inner.open.slot(connection);
        match slot.append_if_current(now.date_naive(), self.inner.max_file_bytes, text.as_bytes()) {
            Some(Ok(())) => return,
            Some(Err(error)) => {
                tracing::warn!(%connection, %error, "could not write the connection log");
                return;
            }
            None => {}
        }
        let this = self.clone();
        let written = tokio::task::spawn_blocking(move || this.append(connection, text.as_bytes())).await;
        if let Ok(Err(error)) | Err(error) = written.map_err(std::io::Error::other) {
            tracing::warn!(%connection, %error, "could not write the connection log");
        }
    }

    /// The log files of a connection, newest first.
    pub async fn list(&self, connection: Uuid) -> Result<Vec<LogFile>, LogError> {
        if let Some(shared) = &self.inner.shared {
            return shared.list(connection).await;
        }
        let dir = self.dir(connection);
        let files = tokio::task::spawn_blocking(move || list(&dir)).await.map_err(std::io::Error::other)??;
        Ok(files)
    }

    /// The content of one log file of a connection.
    pub async fn read(&self, connection: Uuid, name: &str) -> Result<Vec<u8>, LogError> {
        if !is_plain_name(name) {
            return Err(LogError::InvalidName(name.to_string()));
        }
        if parse_name(name).is_none() {
            return Err(LogError::NotFound(name.to_string()));
        }
        if let Some(shared) = &self.inner.shared {
            return shared.read(connection, name).await;
        }
        let path = self.dir(connection).join(name);
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LogError::NotFound(name.to_string())),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes every log file of a connection.
    pub async fn remove(&self, connection: Uuid) -> Result<(), LogError> {
        if let Some(shared) = &self.inner.shared {
            return shared.remove(connection).await;
        }
        self.inner.open.close(connection);
        match tokio::fs::remove_dir_all(self.dir(connection)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Deletes the expired days of every connection's logs, those of
    /// connections that have stopped writing (or were deleted) too: the
    /// pruning when a connection starts a new file never reaches them. The
    /// server runs it at start and every [`PRUNE_PERIOD`].
    pub async fn prune_all(&self) -> Result<(), LogError> {
        let today = Utc::now().date_naive();
        if let Some(shared) = &self.inner.shared {
            return shared.prune(today).await;
        }
        let (dir, days) = (self.inner.dir.clone(), self.inner.retention_days);
        tokio::task::spawn_blocking(move || {
            let folders = match std::fs::read_dir(&dir) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                folders => folders?,
            };
            for folder in folders {
                let folder = folder?.path();
                if folder.is_dir() {
                    prune(&folder, today, days)?;
                }
            }
            Ok(())
        })
        .await
        .map_err(std::io::Error::other)?
    }

    /// Runs [`ConnectionLogs::prune_all`] now and every [`PRUNE_PERIOD`];
    /// failures are logged.
    pub fn prune_every(&self) -> tokio::task::JoinHandle<()> {
        let logs = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = logs.prune_all().await {
                    tracing::warn!(%error, "could not delete expired connection logs");
                }
                tokio::time::sleep(PRUNE_PERIOD).await;
            }
        })
    }

    fn dir(&self, connection: Uuid) -> PathBuf {
        self.inner.dir.join(connection.to_string())
    }

    /// Appends to today's file, starting a new part past the size cap and
    /// pruning expired days when a new file starts.
    fn append(&self, connection: Uuid, bytes: &[u8]) -> std::io::Result<()> {
        let slot = self.inner.open.slot(connection);
        let mut open = slot.lock();
        let today = Utc::now().date_naive();
        let max = self.inner.max_file_bytes;
        let mut file = match open.take() {
            Some(file) if file.takes(today, max, bytes.len()) => file,
            _ => self.open_file(connection, today, bytes.len())?,
        };
        file.append(bytes)?;
        *open = Some(file);
        Ok(())
    }

    /// Opens today's last part for appending `len` bytes, or a new part if
    /// they do not fit in it (pruning expired days then).
    fn open_file(&self, connection: Uuid, today: NaiveDate, len: usize) -> std::io::Result<OpenFile> {
        let dir = self.dir(connection);
        std::fs::create_dir_all(&dir)?;
        let path = |part| dir.join(file_name(today, part));
        let size = |part| std::fs::metadata(path(part)).map(|m| m.len()).ok();
        let next = (0..).find(|part| size(*part).is_none()).expect("some part is missing");
        let last = next.checked_sub(1).and_then(|part| Some((part, size(part)?)));
        match last {
            Some((part, size)) if open::fits(size, len as u64, self.inner.max_file_bytes) => {
                OpenFile::open(&path(part), today, size)
            }
            _ => {
                prune(&dir, today, self.inner.retention_days)?;
                OpenFile::open(&path(next), today, 0)
            }
        }
    }
}

/// The lines an operation leaves at `verbosity`, at most `max_bytes` of
/// them (the log file cap): lines past it are cut, and the last line that
/// fits says so. Every text is [`escape`]d.
fn render(verbosity: Verbosity, record: &OperationRecord<'_>, at: DateTime<Utc>, max_bytes: usize) -> String {
    let keeps = |level: LogLevel| verbosity.max_level().is_some_and(|max| level <= max);
    let ts = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut lines: Vec<String> = Vec::new();
    let level = if record.ok { LogLevel::Info } else { LogLevel::Error };
    if keeps(level) {
        lines.push(format!(
            "{ts} {level:<8} [syncport] {} {} ({} ms): {}\n",
            escape(record.operation),
            if record.ok { "succeeded" } else { "failed" },
            record.duration.as_millis(),
            escape(&record.outcome)
        ));
    }
    for (level, text) in [(LogLevel::Transfer, &record.transfer), (LogLevel::Verbose, &record.payload)] {
        if let Some(text) = text.as_deref().filter(|_| keeps(level)) {
            lines.push(format!("{ts} {level:<8} [syncport] {}: {}\n", escape(record.operation), escape(text)));
        }
    }
    let plugin = record.plugin.iter().filter(|l| keeps(l.level)).map(|line| {
        let source = match line.source {
            LogSource::Plugin => "plugin",
            LogSource::Stdout => "stdout",
            LogSource::Stderr => "stderr",
            LogSource::Egress => "egress",
        };
        format!("{ts} {:<8} [{source}] {}\n", line.level, escape(&line.message))
    });
    let cut = format!(
        "{ts} {:<8} [syncport] {}: the rest of this operation's lines were cut at the log file cap of {max_bytes} bytes\n",
        LogLevel::Error,
        escape(record.operation)
    );
    within(lines.into_iter().chain(plugin), max_bytes, &cut)
}

/// `lines` joined, up to `max_bytes`: when they do not all fit, as many
/// whole lines as fit with `cut` after them (and if not even `cut` fits, as
/// much of it as does), so a record never passes the cap.
fn within(lines: impl Iterator<Item = String>, max_bytes: usize, cut: &str) -> String {
    let mut out = String::new();
    // The longest run of whole lines that still leaves room for `cut`.
    let mut room_for_cut = 0;
    for line in lines {
        if out.len() + line.len() > max_bytes {
            out.truncate(room_for_cut);
            let room = max_bytes.saturating_sub(out.len()).min(cut.len());
            let end = (0..=room).rev().find(|i| cut.is_char_boundary(*i)).unwrap_or(0);
            out.push_str(&cut[..end]);
            return out;
        }
        out.push_str(&line);
        if out.len() + cut.len() <= max_bytes {
            room_for_cut = out.len();
        }
    }
    out
}

/// `text` with every character that could break a log line or drive a
/// terminal written as a visible escape (`\u{1b}`): every C0 control (TAB,
/// LF and CR among them), DEL, every C1 control (NEL among them), the line
/// and paragraph separators U+2028 and U+2029, and the bidirectional
/// formatting characters (U+200E, U+200F, U+202A to U+202E, U+2066 to
/// U+2069) that reorder how a line reads. The one rule for every text
/// written to a connection log, and for guest text in the server's own log.
/// A backslash is kept as it is, so a literal `\u{1b}` in the text reads the
/// same as an escaped ESC: the escape keeps logs safe to read, not
/// reversible.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    use std::fmt::Write as _;
    let escaped = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            // Writing to a `String` cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn file_name(day: NaiveDate, part: u32) -> String {
    match part {
        0 => format!("{day}.log"),
        n => format!("{day}.{n}.log"),
    }
}

/// The day and part of a log file name, if it is one.
fn parse_name(name: &str) -> Option<(NaiveDate, u32)> {
    let stem = name.strip_suffix(".log")?;
    let (day, part) = match stem.split_once('.') {
        Some((day, part)) if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) => (day, part.parse().ok()?),
        Some(_) => return None,
        None => (stem, 0),
    };
    if day.len() != 10 {
        return None;
    }
    Some((NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?, part))
}

/// A file name with no path in it: no separators, no `..`, no control characters.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\\'])
        && name != "."
        && !name.contains("..")
        && !name.chars().any(char::is_control)
        && !Path::new(name).is_absolute()
}

fn list(dir: &Path) -> Result<Vec<LogFile>, LogError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if parse_name(&name).is_none() {
            continue;
        }
        let meta = entry.metadata()?;
        let modified_at = meta.modified().map(DateTime::<Utc>::from).unwrap_or_else(|_| Utc::now());
        files.push(LogFile { name, size: meta.len(), modified_at });
    }
    files.sort_by_key(|f| std::cmp::Reverse(parse_name(&f.name)));
    Ok(files)
}

/// Deletes the files of days older than `retention_days` before `today`
/// (today's and those of the `retention_days` days before it stay).
fn prune(dir: &Path, today: NaiveDate, retention_days: u32) -> std::io::Result<()> {
    let oldest = today - chrono::Days::new(u64::from(retention_days));
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let expired =
            path.file_name().and_then(|n| n.to_str()).and_then(parse_name).is_some_and(|(day, _)| day < oldest);
        if expired {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_character_and_line_separator_is_escaped_visibly() {
        let raw =
            "a\x1b[31mb\x1b]8;;https://x\x07c\u{2028}d\u{2029}e\u{85}f\x0bg\x0ch\0i\tj\nk\rl\x7fm\u{9b}n\u{202e}o";
        let escaped = escape(raw);
        assert_eq!(
            escaped,
            "a\\u{1b}[31mb\\u{1b}]8;;https://x\\u{7}c\\u{2028}d\\u{2029}e\\u{85}f\\u{b}g\\u{c}h\\u{0}i\\u{9}j\\u{a}k\\u{d}l\\u{7f}m\\u{9b}n\\u{202e}o"
        );
        assert!(!escaped.chars().any(|c| c.is_control() || c == '\u{2028}'), "{escaped}");
        assert!(matches!(escape("plain text, ünïcode, \\ backslash"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn every_text_of_a_record_is_escaped() {
        let plugin =
            [LogLine { level: LogLevel::Info, source: LogSource::Stdout, message: "x\u{1b}[2Jy\u{85}z".into() }];
        let record = OperationRecord::new("test", false, "bad\nline\u{2028}", Duration::from_millis(3))
            .with_payload(Some("{\"a\":\"\u{1b}]8;;\u{7}\"}"))
            .with_plugin(&plugin);
        let text = render(Verbosity::Verbose, &record, Utc::now(), 1 << 20);
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(!text.chars().any(|c| c != '\n' && (c.is_control() || c == '\u{2028}')), "{text:?}");
        assert!(text.contains("bad\\u{a}line\\u{2028}") && text.contains("x\\u{1b}[2Jy\\u{85}z"), "{text}");
    }

    #[test]
    fn a_record_over_the_file_cap_is_cut_to_it_with_a_line_saying_so() {
        let plugin: Vec<LogLine> = (0..100)
            .map(|i| LogLine { level: LogLevel::Info, source: LogSource::Plugin, message: format!("line {i}") })
            .collect();
        let record = OperationRecord::new("test", true, "ok", Duration::ZERO).with_plugin(&plugin);
        let at = Utc::now();
        let whole = render(Verbosity::Info, &record, at, usize::MAX);
        assert_eq!(whole.lines().count(), 101);
        for cap in [1_000, 2_000, whole.len() - 1] {
            let text = render(Verbosity::Info, &record, at, cap);
            assert!(text.len() <= cap, "{cap}: {}", text.len());
            assert!(text.ends_with(&format!("were cut at the log file cap of {cap} bytes\n")), "{text}");
            assert!(text.lines().take(text.lines().count() - 1).all(|l| whole.contains(l)), "whole lines: {text}");
        }
        assert_eq!(render(Verbosity::Info, &record, at, whole.len()).len(), whole.len(), "it fits");
        let tiny = render(Verbosity::Info, &record, at, 20);
        assert!(tiny.len() <= 20, "{tiny}");
    }
}
