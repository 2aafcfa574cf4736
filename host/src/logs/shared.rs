//! Connection logs in the database, for servers that share it: the same
//! files (one per day, continued in `<day>.<n>.log` past the size cap,
//! pruned after the retention period), made from stored entries, so a log
//! written through one server downloads from any other.

use super::{LogError, LogFile, file_name, parse_name};
use crate::store::{LogEntry, Store};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Mutex;
use uuid::Uuid;

/// The log files of every connection, in the database.
pub(super) struct SharedLogs {
    store: Store,
    max_file_bytes: u64,
    retention_days: u32,
    /// The day this server last pruned expired entries.
    pruned: Mutex<Option<NaiveDate>>,
}

impl SharedLogs {
    pub(super) fn new(store: Store, max_file_bytes: u64, retention_days: u32) -> Self {
        Self { store, max_file_bytes, retention_days, pruned: Mutex::new(None) }
    }

    /// Appends one operation's lines, pruning expired days once a day.
    pub(super) async fn record(&self, connection: Uuid, text: &str, now: DateTime<Utc>) -> Result<(), LogError> {
        let today = now.date_naive();
        let written_at = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let day = today.to_string();
        self.store.append_log(connection, day, written_at, text, self.max_file_bytes).await.map_err(store_error)?;
        let prune = {
            let mut pruned = self.pruned.lock().unwrap_or_else(|e| e.into_inner());
            pruned.replace(today) != Some(today)
        };
        if prune {
            self.prune(today).await?;
        }
        Ok(())
    }

    /// Deletes every connection's entries of days older than the retention
    /// period before `today`.
    pub(super) async fn prune(&self, today: NaiveDate) -> Result<(), LogError> {
        let oldest = today - chrono::Days::new(u64::from(self.retention_days));
        self.store.delete_log_entries(None, Some(&oldest.to_string())).await.map_err(store_error)?;
        Ok(())
    }

    /// The files of a connection, newest first.
    pub(super) async fn list(&self, connection: Uuid) -> Result<Vec<LogFile>, LogError> {
        let entries = self.store.log_entries(connection, None, false).await.map_err(store_error)?;
        let mut files: Vec<LogFile> = self
            .parts(&entries)
            .into_iter()
            .map(|part| LogFile {
                name: part.name,
                size: part.entries.iter().map(|e| u64::try_from(e.bytes).unwrap_or(0)).sum(),
                modified_at: part
                    .entries
                    .iter()
                    .filter_map(|e| DateTime::parse_from_rfc3339(&e.written_at).ok())
                    .max()
                    .map_or_else(Utc::now, |t| t.with_timezone(&Utc)),
            })
            .collect();
        files.sort_by_key(|f| std::cmp::Reverse(parse_name(&f.name)));
        Ok(files)
    }

    /// The content of one file of a connection (its name already checked).
    pub(super) async fn read(&self, connection: Uuid, name: &str) -> Result<Vec<u8>, LogError> {
        let not_found = || LogError::NotFound(name.to_string());
        let (day, _) = parse_name(name).ok_or_else(not_found)?;
        let entries = self.store.log_entries(connection, Some(&day.to_string()), true).await.map_err(store_error)?;
        let part = self.parts(&entries).into_iter().find(|p| p.name == name).ok_or_else(not_found)?;
        Ok(part.entries.iter().filter_map(|e| e.text.as_deref()).collect::<String>().into_bytes())
    }

    /// Deletes every entry of a connection.
    pub(super) async fn remove(&self, connection: Uuid) -> Result<(), LogError> {
        self.store.delete_log_entries(Some(connection), None).await.map_err(store_error)
    }

    /// Entries (in the order written) cut into files: per day, a new part
    /// when the next entry would take the current one past the size cap.
    fn parts<'a>(&self, entries: &'a [LogEntry]) -> Vec<Part<'a>> {
        let mut parts: Vec<(String, u32, u64, Vec<&'a LogEntry>)> = Vec::new();
        for entry in entries {
            let size = u64::try_from(entry.bytes).unwrap_or(0);
            match parts.last_mut() {
                Some((day, _, total, list))
                    if *day == entry.day && super::open::fits(*total, size, self.max_file_bytes) =>
                {
                    *total += size;
                    list.push(entry);
                }
                Some((day, part, _, _)) if *day == entry.day => {
                    let next = *part + 1;
                    parts.push((entry.day.clone(), next, size, vec![entry]));
                }
                _ => parts.push((entry.day.clone(), 0, size, vec![entry])),
            }
        }
        parts
            .into_iter()
            .filter_map(|(day, part, _, entries)| {
                let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?;
                Some(Part { name: file_name(day, part), entries })
            })
            .collect()
    }
}

/// One file made of entries.
struct Part<'a> {
    name: String,
    entries: Vec<&'a LogEntry>,
}

fn store_error(error: crate::store::StoreError) -> LogError {
    LogError::Io(std::io::Error::other(error.to_string()))
}
