//! The database: SQLite (a file in the data directory, WAL mode) by
//! default, PostgreSQL by URL. One set of portable SQL through sqlx's `Any`
//! driver; see `docs/storage.md`.

mod caches;
pub mod coherence;
mod components;
mod connections;
mod group_commit;
mod guarded;
mod jobs;
pub mod keys;
mod listen;
mod logs;
mod metadata;
mod oauth;
mod pins;
mod rows;
mod users;
mod workspaces;

pub use coherence::SharedChange;
pub use components::{Stored, StoredComponent};
pub use connections::{ConnectionFilter, NewConnection, Reseal, WriteOutcome};
pub use group_commit::Recorded;
pub use jobs::{Job, JobWrite, LEASE_EXPIRED, Renewal, Run, RunStatus, Start, TableProgress, TableStatus};
pub use keys::{Rotation, SecretsError, open_store, rotate_key};
pub use logs::LogEntry;
pub use metadata::CachedItem;
pub use oauth::OAuthState;
pub use pins::PinnedConnection;
pub use users::{TokenInfo, User};
pub use workspaces::Workspace;

use crate::secrets::{KeyError, Keyring};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A secret could not be encrypted.
    #[error("encrypting secrets: {0}")]
    Encrypt(KeyError),
}

impl StoreError {
    /// Whether the database could not be reached: no connection within the
    /// pool's wait, a connection that broke, or a server that is shutting
    /// down or refusing connections (PostgreSQL classes 08 and 57P). Worth
    /// trying again shortly; nothing was written.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::Tls(_)) => true,
            StoreError::Database(sqlx::Error::Database(error)) => {
                error.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P"))
            }
            _ => false,
        }
    }
}

/// Where the database is, and how many connections this server opens to it.
#[derive(Debug, Clone, Copy)]
pub struct Database<'a> {
    /// `sqlite://…` or `postgres://…`.
    pub url: &'a str,
    /// The most connections the pool opens (`--database-max-connections`);
    /// default: 8 on SQLite, 16 on PostgreSQL (docs/deploy.md, "Connection
    /// pools").
    pub max_connections: Option<u32>,
}

impl<'a> Database<'a> {
    /// The database at `url`, with the default pool size.
    pub fn at(url: &'a str) -> Self {
        Database { url, max_connections: None }
    }
}

/// The database connection pool at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open, idle or in use.
    pub open: u32,
    /// Open connections no one uses.
    pub idle: usize,
    /// The most the pool opens.
    pub max: u32,
}

/// The database behind the API. Cheap to clone: one reference count (it is
/// cloned with the API state on every request).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    pool: AnyPool,
    /// Encrypts connection properties at the row boundary (`docs/security.md`).
    keyring: Keyring,
    sqlite: bool,
    /// The in-process caches and what keeps them coherent with other
    /// servers' writes ([`coherence`]).
    coherence: Arc<coherence::Coherence>,
    /// PostgreSQL: the cache listener and notifier.
    listening: Option<listen::Tasks>,
    /// Test results waiting to be committed together.
    group_commit: group_commit::GroupCommit,
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and runs the
    /// migrations. SQLite files are created if missing and put in WAL mode
    /// with full fsync, so an acknowledged write survives a crash; this
    /// server must then be the database's only writer (one server per data
    /// directory), as its in-process caches assume. On PostgreSQL, which
    /// several servers may share, it installs the triggers that announce
    /// changes and starts listening to them ([`coherence`]). Must be called
    /// within a tokio runtime: it starts the group-commit writer task.
    /// Connection properties are encrypted with `keyring`'s first key and
    /// decrypted with any of its keys.
    pub async fn open(database: Database<'_>, keyring: Keyring) -> Result<Self, StoreError> {
        install_default_drivers();
        let url = database.url;
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(database.max_connections.unwrap_or(if sqlite { 8 } else { 16 }))
            .acquire_timeout(Duration::from_secs(10))
            // An embedded file cannot drop the connection; a ping per
            // acquire would cost a round trip to SQLite's worker thread.
            .test_before_acquire(!sqlite)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&sqlite_create(url))
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let caches = Arc::new(caches::Caches::new());
        let (coherence, listening) = if sqlite {
            (coherence::Coherence::local(caches.clone()), None)
        } else {
            listen::install_triggers(&pool).await?;
            let (coherence, outbox) = coherence::Coherence::shared(caches.clone());
            let tasks = listen::start(url, coherence.clone(), outbox)?;
            (coherence, Some(tasks))
        };
        let group_commit = group_commit::GroupCommit::start(pool.clone(), test_recorded(caches));
        let inner = Inner { pool, keyring, sqlite, coherence, listening, group_commit };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// The keys properties are encrypted with.
    pub fn keyring(&self) -> &Keyring {
        &self.inner.keyring
    }

    /// PostgreSQL: the `application_name` of the connection the cache
    /// listener holds (`pg_stat_activity`).
    pub fn listener_name(&self) -> Option<&str> {
        self.inner.listening.as_ref().map(|tasks| tasks.listener_name.as_str())
    }

    /// Whether the database is SQLite.
    pub(crate) fn is_sqlite(&self) -> bool {
        self.inner.sqlite
    }

    /// Closes every connection of the pool, and stops listening.
    pub async fn close(&self) {
        if let Some(tasks) = &self.inner.listening {
            tasks.stop();
        }
        self.inner.pool.close().await;
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    /// The connection pool as it is now.
    pub fn pool_status(&self) -> PoolStatus {
        let pool = self.pool();
        PoolStatus { open: pool.size(), idle: pool.num_idle(), max: pool.options().get_max_connections() }
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    fn group_commit(&self) -> &group_commit::GroupCommit {
        &self.inner.group_commit
    }
}

/// What the row cache makes of a committed test result.
fn test_recorded(caches: Arc<caches::Caches>) -> group_commit::OnCommit {
    Box::new(move |write, recorded| {
        if recorded == Recorded::Applied {
            caches.row_written(write.id, write.revision, |row| row.tested(write.status, write.at));
        } else {
            caches.row_stale(write.id, write.revision);
        }
    })
}

/// SQLite URLs get `mode=rwc` so a missing file is created.
fn sqlite_create(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains("mode=") {
        format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
    } else {
        url.to_string()
    }
}

/// Now, at the precision timestamps are stored with (milliseconds), so what
/// a write returns is what a later read gives.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 3)
}

/// A timestamp as stored: RFC 3339 UTC with milliseconds (sorts as text).
pub(crate) fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Parses a stored timestamp.
pub(crate) fn parse_timestamp(s: &str) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp `{s}`: {e}")))
}

/// Whether `error` is a unique-constraint violation.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
