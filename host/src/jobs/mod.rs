//! Job runs: started by the API, run in the background on the server that
//! started them, held by a lease in the database that the run renews while
//! it lives (docs/jobs.md).
//!
//! - [`Jobs::execute`] takes the job and leases its connections in one
//!   transaction, then spawns the run ([`run`]).
//! - A run renews its lease (and records its progress) every second; a run whose
//!   server stopped is failed by any server once the lease expires
//!   ([`Jobs::sweep_every`]), or at once by the next start on SQLite,
//!   where one server owns the database.
//! - Cancels go through the database, so any server can cancel any run.
//! - [`rules`]: what the API asks of jobs (create, update, delete,
//!   execute, cancel) and the checks on their connections.

mod copy;
pub mod rules;
mod run;

use crate::service::{ConnectionFiles, Services};
use crate::store::{Job, Start, StoreError, TableProgress, TableStatus};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// The default lease of a run: how long after its server stops renewing it
/// its connections stay held.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// The runs of this server, and where destinations write.
pub struct Jobs {
    /// This server's id in `job_runs.lease_owner`.
    server: String,
    /// How long a renewal holds a run.
    lease: Duration,
    /// Each connection's own directory.
    files: ConnectionFiles,
    /// The cancel flag of each run under way here.
    running: Mutex<HashMap<Uuid, Arc<AtomicBool>>>,
    /// Set by [`Jobs::shutdown`]: runs stop and fail.
    shutting_down: AtomicBool,
}

impl Jobs {
    /// Runs whose destinations write under `files`, held by leases of `lease`.
    pub fn new(files: PathBuf, lease: Duration) -> Self {
        Self {
            server: Uuid::new_v4().to_string(),
            lease,
            files: ConnectionFiles::new(files),
            running: Mutex::new(HashMap::new()),
            shutting_down: AtomicBool::new(false),
        }
    }

    /// How long a renewal holds a run.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The directories connections are granted as job destinations.
    pub fn files(&self) -> &ConnectionFiles {
        &self.files
    }

    /// Starts a run of `job` in the background (with `tables`, pending).
    pub async fn execute(
        self: &Arc<Self>,
        services: Services,
        job: Job,
        tables: Vec<TableProgress>,
    ) -> Result<(Uuid, Start), StoreError> {
        let id = Uuid::new_v4();
        // The lease as this server's clock sees it, taken with `until`.
        let held_until = std::time::Instant::now() + self.lease;
        let until = chrono::Utc::now() + self.lease;
        let started = services.store.start_run(&job, id, &self.server, until, &tables).await?;
        if started == Start::Started {
            let cancel = Arc::new(AtomicBool::new(false));
            self.running.lock().expect("run table lock").insert(id, cancel.clone());
            let jobs = self.clone();
            tokio::spawn(async move {
                run::run(&services, &jobs, job, id, tables, cancel, held_until).await;
                jobs.running.lock().expect("run table lock").remove(&id);
            });
        }
        Ok((id, started))
    }

    /// Whether the server is shutting down (its runs then end as Failed).
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
    }

    /// Stops every run of this server at its next page, records each as
    /// Failed ("the server shut down") and waits for them, at most `limit`.
    /// Runs that do not stop in time fail later by their lease.
    pub async fn shutdown(&self, limit: std::time::Duration) {
        self.shutting_down.store(true, Ordering::Relaxed);
        for flag in self.running.lock().expect("run table lock").values() {
            flag.store(true, Ordering::Relaxed);
        }
        let deadline = tokio::time::Instant::now() + limit;
        while !self.running.lock().expect("run table lock").is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Stops run `id` at its next page if it runs on this server.
    pub fn cancel_here(&self, id: Uuid) {
        if let Some(flag) = self.running.lock().expect("run table lock").get(&id) {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Fails every run still marked as under way: at the start of the one
    /// server of a SQLite database, before it serves, they were its last
    /// process's.
    pub async fn fail_all_at_start(store: &crate::store::Store) -> Result<(), StoreError> {
        let failed = store.fail_abandoned_runs(true).await?;
        if !failed.is_empty() {
            tracing::warn!(runs = ?failed, "failed the job runs of the server's last process");
        }
        Ok(())
    }

    /// Fails runs whose lease expired (their server stopped), now and then
    /// every lease period.
    pub fn sweep_every(self: &Arc<Self>, store: crate::store::Store) -> tokio::task::JoinHandle<()> {
        let period = self.lease;
        tokio::spawn(async move {
            loop {
                match store.fail_abandoned_runs(false).await {
                    Ok(failed) if !failed.is_empty() => {
                        tracing::warn!(runs = ?failed, "failed job runs whose server stopped");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "could not check for abandoned job runs"),
                }
                tokio::time::sleep(period).await;
            }
        })
    }
}

/// The pending progress of `tables` copied into `prefix` + their bare name.
pub fn pending(tables: &[String], prefix: &str) -> Vec<TableProgress> {
    tables
        .iter()
        .map(|table| TableProgress {
            table: table.clone(),
            destination_table: format!("{prefix}{}", bare_name(table)),
            status: TableStatus::Pending,
            rows: 0,
            duration_ms: 0,
            error: None,
        })
        .collect()
}

/// `Customers` of `QuickBooks.Customers`.
fn bare_name(table: &str) -> &str {
    table.rsplit_once('.').map_or(table, |(_, name)| name)
}
