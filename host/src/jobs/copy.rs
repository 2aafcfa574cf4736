//! Copies one table: a reader task pulls pages from the source's instance
//! while this task writes the previous page into the destination's, with at
//! most [`PAGES_IN_FLIGHT`] pages between them. A cancel ends the call under
//! way at once, even one waiting in a host call.

use crate::connector::batch::{Page, ReadRequest};
use crate::connector::model::LogLevel;
use crate::connector::model::{ColumnInfo, Property};
use crate::runtime::{Call, LogLine, LogSource, Operation, Plugin};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Pages read ahead of the writer.
const PAGES_IN_FLIGHT: usize = 2;

/// How often a call under way looks for a cancel.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// Log lines one side of a table's copy keeps for its connection's log
/// (each call's own are bounded by its log budget; a table has many calls).
const MAX_TABLE_LOG_LINES: usize = 10_000;

/// One side of a copy: a connector version and the connection's properties.
pub(crate) struct Endpoint {
    /// The pinned connector version.
    pub plugin: Plugin,
    /// The connection's properties, in clear.
    pub config: Vec<Property>,
    /// The log lines of its calls so far (up to [`MAX_TABLE_LOG_LINES`]),
    /// and how many more there were.
    pub logs: Mutex<(Vec<LogLine>, usize)>,
}

impl Endpoint {
    /// A side of a copy with no calls yet.
    pub(crate) fn new(plugin: Plugin, config: Vec<Property>) -> Self {
        Self { plugin, config, logs: Mutex::default() }
    }

    /// `call`, its log lines kept for the connection's log.
    fn logged<T>(&self, mut call: Call<T>) -> Call<T> {
        let mut logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        let room = MAX_TABLE_LOG_LINES.saturating_sub(logs.0.len());
        logs.1 += call.logs.len().saturating_sub(room);
        logs.0.extend(call.logs.drain(..).take(room));
        call
    }

    /// The log lines of its calls, with a last line saying how many were
    /// left out past [`MAX_TABLE_LOG_LINES`].
    pub(crate) fn take_logs(&self) -> Vec<LogLine> {
        let (mut lines, dropped) = std::mem::take(&mut *self.logs.lock().unwrap_or_else(|e| e.into_inner()));
        if dropped > 0 {
            let message = format!("{dropped} more lines of this table's calls were left out");
            lines.push(LogLine { level: LogLevel::Error, source: LogSource::Plugin, message });
        }
        lines
    }
}

/// What to copy, and where progress goes.
pub(crate) struct TableCopy {
    /// Read from here.
    pub source: Endpoint,
    /// Write there.
    pub destination: Endpoint,
    /// The destination connection's own directory.
    pub destination_dir: PathBuf,
    /// The source table (optionally schema-qualified).
    pub table: String,
    /// The table written in the destination.
    pub destination_table: String,
    /// The source table's columns, all read, in order.
    pub columns: Vec<ColumnInfo>,
    /// Rows per page.
    pub batch_size: u32,
    /// Set to stop: the call under way ends, and no other starts.
    pub cancel: Arc<AtomicBool>,
    /// Rows written so far.
    pub rows: Arc<AtomicU64>,
    /// Where rows and bytes read and written are counted.
    pub metrics: crate::telemetry::Metrics,
}

/// How a copy ended without error.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Copied {
    /// Every row, and the destination finished the table.
    Whole,
    /// Stopped by a cancel; the destination did not finish the table.
    Cancelled,
}

/// The value of a call, or its error as text.
fn value<T>(what: &str, call: Call<T>) -> Result<T, String> {
    call.result.map_err(|e| format!("{what}: {e}"))
}

/// `call`, or `None` as soon as `cancel` is set (the call is dropped where it is).
pub(crate) async fn unless_cancelled<T>(cancel: &AtomicBool, call: impl Future<Output = T>) -> Option<T> {
    let cancelled = async {
        while !cancel.load(Ordering::Relaxed) {
            tokio::time::sleep(CANCEL_POLL).await;
        }
    };
    tokio::select! {
        value = call => Some(value),
        () = cancelled => None,
    }
}

impl TableCopy {
    /// Runs the copy on this task and one reader task.
    pub(crate) async fn run(self: Arc<Self>) -> Result<Copied, String> {
        let cancel = &self.cancel;
        let Some(writer) = unless_cancelled(
            cancel,
            self.destination.plugin.job_session(Operation::Write, Some(&self.destination_dir)),
        )
        .await
        else {
            return Ok(Copied::Cancelled);
        };
        let mut writer = writer.map_err(|e| format!("granting the destination its directory: {e}"))?;
        let (config, table) = (&self.destination.config, &self.destination_table);
        match unless_cancelled(cancel, writer.prepare(config, table, &self.columns)).await {
            Some(call) => value("prepare", self.destination.logged(call))?,
            None => return Ok(Copied::Cancelled),
        }
        let (pages, mut received) = mpsc::channel::<Page>(PAGES_IN_FLIGHT);
        let reader = tokio::spawn(self.clone().read_all(pages));
        let (mut written, mut cancelled) = (Ok(()), false);
        while let Some(page) = received.recv().await {
            // Nothing more is written once the run is cancelled or lost.
            let Some(call) = unless_cancelled(cancel, writer.write(config, table, page.batch)).await else {
                cancelled = true;
                break;
            };
            match value("write", self.destination.logged(call)) {
                Ok(rows) => {
                    self.rows.fetch_add(rows, Ordering::Relaxed);
                    self.metrics.job_written(rows);
                }
                Err(e) => {
                    written = Err(e);
                    break;
                }
            }
        }
        // Dropping the receiver stops the reader at its next page.
        drop(received);
        let read = reader.await.unwrap_or_else(|_| Err("the reader task panicked".into()));
        written?;
        match read? {
            Copied::Whole if !cancelled => match unless_cancelled(cancel, writer.finish(config, table)).await {
                Some(call) => value("finish", self.destination.logged(call)).map(|()| Copied::Whole),
                None => Ok(Copied::Cancelled),
            },
            _ => Ok(Copied::Cancelled),
        }
    }

    /// Reads every page into `pages`, checking each against the columns.
    async fn read_all(self: Arc<Self>, pages: mpsc::Sender<Page>) -> Result<Copied, String> {
        let cancel = &self.cancel;
        let Some(reader) = unless_cancelled(cancel, self.source.plugin.job_session(Operation::Read, None)).await else {
            return Ok(Copied::Cancelled);
        };
        let mut reader = reader.map_err(|e| format!("starting the source: {e}"))?;
        let columns: Vec<String> = self.columns.iter().map(|c| c.name.clone()).collect();
        let mut request = ReadRequest { table: self.table.clone(), columns, cursor: None, batch_size: self.batch_size };
        loop {
            let Some(call) = unless_cancelled(cancel, reader.read(&self.source.config, &request)).await else {
                return Ok(Copied::Cancelled);
            };
            let page = value("read", self.source.logged(call))?;
            page.batch.check(&self.columns).map_err(|e| format!("read: the source broke the contract: {e}"))?;
            if page.batch.row_count > self.batch_size {
                return Err(format!(
                    "read: the source returned {} rows for a batch size of {}",
                    page.batch.row_count, self.batch_size
                ));
            }
            if page.next_cursor.is_some() && page.next_cursor == request.cursor {
                return Err("read: the source returned the cursor it was given; it would never end".into());
            }
            let bytes = u64::try_from(page.batch.payload_bytes()).unwrap_or(u64::MAX);
            self.metrics.job_read(u64::from(page.batch.row_count), bytes);
            let next = page.next_cursor.clone();
            if pages.send(page).await.is_err() {
                // The writer stopped; its error is the one to report.
                return Ok(Copied::Whole);
            }
            match next {
                Some(cursor) => request.cursor = Some(cursor),
                None => return Ok(Copied::Whole),
            }
        }
    }
}
