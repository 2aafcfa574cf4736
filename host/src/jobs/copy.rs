//! Copies one table: a reader thread pulls pages from the source's
//! instance while this thread writes the previous page into the
//! destination's, with at most [`PAGES_IN_FLIGHT`] pages between them.

use crate::connector::batch::{Page, ReadRequest};
use crate::connector::model::{ColumnInfo, Property};
use crate::runtime::{Call, Operation, Plugin};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;

/// Pages read ahead of the writer.
const PAGES_IN_FLIGHT: usize = 2;

/// One side of a copy: a connector version and the connection's properties.
pub(crate) struct Endpoint<'a> {
    /// The pinned connector version.
    pub plugin: &'a Plugin,
    /// The connection's properties, in clear.
    pub config: &'a [Property],
}

/// What to copy, and where progress goes.
pub(crate) struct TableCopy<'a> {
    /// Read from here.
    pub source: Endpoint<'a>,
    /// Write there.
    pub destination: Endpoint<'a>,
    /// The destination connection's own directory.
    pub destination_dir: &'a Path,
    /// The source table (optionally schema-qualified).
    pub table: &'a str,
    /// The table written in the destination.
    pub destination_table: &'a str,
    /// The source table's columns, all read, in order.
    pub columns: &'a [ColumnInfo],
    /// Rows per page.
    pub batch_size: u32,
    /// Set to stop between pages.
    pub cancel: &'a AtomicBool,
    /// Rows written so far.
    pub rows: &'a AtomicU64,
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

impl TableCopy<'_> {
    /// Runs the copy on this thread and one reader thread.
    pub(crate) fn run(&self) -> Result<Copied, String> {
        let mut writer = self
            .destination
            .plugin
            .job_session(Operation::Write, Some(self.destination_dir))
            .map_err(|e| format!("granting the destination its directory: {e}"))?;
        let (config, table) = (self.destination.config, self.destination_table);
        value("prepare", writer.prepare(config, table, self.columns))?;
        let (pages, received) = mpsc::sync_channel::<Page>(PAGES_IN_FLIGHT);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || self.read_all(pages));
            let (mut written, mut cancelled) = (Ok(()), false);
            for page in received {
                // Nothing more is written once the run is cancelled or lost.
                if self.cancel.load(Ordering::Relaxed) {
                    cancelled = true;
                    break;
                }
                let call = writer.write(config, table, page.batch);
                match value("write", call) {
                    Ok(rows) => {
                        self.rows.fetch_add(rows, Ordering::Relaxed);
                    }
                    Err(e) => {
                        written = Err(e);
                        break;
                    }
                }
            }
            // Dropping the receiver (the loop's end) stops the reader at its next page.
            let read = reader.join().unwrap_or_else(|_| Err("the reader thread panicked".into()));
            written?;
            match read? {
                Copied::Whole if !cancelled => value("finish", writer.finish(config, table)).map(|()| Copied::Whole),
                _ => Ok(Copied::Cancelled),
            }
        })
    }

    /// Reads every page into `pages`, checking each against the columns.
    fn read_all(&self, pages: mpsc::SyncSender<Page>) -> Result<Copied, String> {
        let mut reader =
            self.source.plugin.job_session(Operation::Read, None).map_err(|e| format!("starting the source: {e}"))?;
        let columns: Vec<String> = self.columns.iter().map(|c| c.name.clone()).collect();
        let mut request =
            ReadRequest { table: self.table.to_string(), columns, cursor: None, batch_size: self.batch_size };
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                return Ok(Copied::Cancelled);
            }
            let page = value("read", reader.read(self.source.config, &request))?;
            page.batch.check(self.columns).map_err(|e| format!("read: the source broke the contract: {e}"))?;
            if page.batch.row_count > self.batch_size {
                return Err(format!(
                    "read: the source returned {} rows for a batch size of {}",
                    page.batch.row_count, self.batch_size
                ));
            }
            if page.next_cursor.is_some() && page.next_cursor == request.cursor {
                return Err("read: the source returned the cursor it was given; it would never end".into());
            }
            let next = page.next_cursor.clone();
            if pages.send(page).is_err() {
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
