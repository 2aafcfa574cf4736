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
        let text = render(verbosity, &record, now);
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

/// The lines an operation leaves at `verbosity`.
fn render(verbosity: Verbosity, record: &OperationRecord<'_>, at: DateTime<Utc>) -> String {
    let keeps = |level: LogLevel| match verbosity {
        Verbosity::None => false,
        Verbosity::Error => level == LogLevel::Error,
        Verbosity::Info => level <= LogLevel::Info,
        Verbosity::Transfer => level <= LogLevel::Transfer,
        Verbosity::Verbose => true,
    };
    let ts = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut out = String::new();
    let level = if record.ok { LogLevel::Info } else { LogLevel::Error };
    if keeps(level) {
        out.push_str(&format!(
            "{ts} {level:<8} [syncport] {} {} ({} ms): {}\n",
            record.operation,
            if record.ok { "succeeded" } else { "failed" },
            record.duration.as_millis(),
            one_line(&record.outcome)
        ));
    }
    for (level, text) in [(LogLevel::Transfer, &record.transfer), (LogLevel::Verbose, &record.payload)] {
        if let Some(text) = text.as_deref().filter(|_| keeps(level)) {
            out.push_str(&format!("{ts} {level:<8} [syncport] {}: {}\n", record.operation, one_line(text)));
        }
    }
    for line in record.plugin.iter().filter(|l| keeps(l.level)) {
        let source = match line.source {
            LogSource::Plugin => "plugin",
            LogSource::Stdout => "stdout",
            LogSource::Stderr => "stderr",
        };
        out.push_str(&format!("{ts} {:<8} [{source}] {}\n", line.level, one_line(&line.message)));
    }
    out
}

/// Keeps a log entry on one line.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
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
