//! The PostgreSQL side of cache coherence ([`super::coherence`]): the
//! triggers that announce changes (`notify.sql`), the listener that
//! applies them, and the notifier that sends this server's pings,
//! barriers and acks. Each has a connection of its own, outside the pool,
//! so a busy pool never delays them (docs/deploy.md, "Connection pools").

use super::StoreError;
use super::coherence::{CHANNEL, Coherence, Outbox, PING_EVERY};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{AnyPool, Connection, Executor, PgConnection, Row};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The triggers, installed at start where missing.
const TRIGGERS: &str = include_str!("notify.sql");
/// Their name, and how many tables carry one.
const TRIGGER: &str = "syncport_cache_v1";
const TRIGGERED_TABLES: i64 = 8;
/// The `application_name`s of the listener's connection and the
/// notifier's, as `pg_stat_activity` shows them, followed by the server's id.
const LISTENER_NAME: &str = "syncport-cache-listener";
const NOTIFIER_NAME: &str = "syncport-cache-notifier";
/// How long the listener waits before connecting again.
const RETRY: Duration = Duration::from_millis(500);
/// How long the listener hears nothing (not even its own pings, sent every
/// 200 ms) before it takes its connection for dead and opens another.
const SILENCE: Duration = Duration::from_secs(2);
/// How long the notifier waits for the database to take its messages.
const SEND_TIMEOUT: Duration = Duration::from_secs(2);

/// Creates the triggers of `notify.sql` unless every table has them.
/// Under an advisory lock, so servers starting together do not race.
pub(super) async fn install_triggers(pool: &AnyPool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('syncport_cache_triggers'))").execute(&mut *tx).await?;
    let installed: i64 = sqlx::query("SELECT COUNT(*) AS n FROM pg_trigger WHERE tgname = $1")
        .bind(TRIGGER)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if installed != TRIGGERED_TABLES {
        tx.execute(TRIGGERS).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The listener and notifier tasks of a store; stopped when dropped.
pub(super) struct Tasks {
    tasks: Vec<JoinHandle<()>>,
    /// The listener connection's `application_name`.
    pub(super) listener_name: String,
}

impl Tasks {
    /// Stops both tasks, closing their connections.
    pub(super) fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Drop for Tasks {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts listening to and notifying the database at `url` for `coherence`.
pub(super) fn start(url: &str, coherence: Arc<Coherence>, outbox: Outbox) -> Result<Tasks, StoreError> {
    let options = PgConnectOptions::from_str(url)?;
    let listener_name = format!("{LISTENER_NAME}-{:016x}", coherence.server());
    let notifier_name = format!("{NOTIFIER_NAME}-{:016x}", coherence.server());
    let listener = tokio::spawn(listen(options.clone().application_name(&listener_name), coherence.clone()));
    let notifier = tokio::spawn(notify(options.application_name(&notifier_name), coherence, outbox));
    Ok(Tasks { tasks: vec![listener, notifier], listener_name })
}

/// Hears the channel and applies every message, for ever. The caches stay
/// off from a lost connection until the listener listens again and its
/// next ping comes back.
async fn listen(options: PgConnectOptions, coherence: Arc<Coherence>) {
    let mut failing = false;
    loop {
        let mut listener = match connect_listener(&options).await {
            Ok(listener) => listener,
            Err(error) => {
                if !failing {
                    tracing::warn!(%error, "the cache listener cannot connect; caches are off until it does");
                }
                failing = true;
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if failing {
            tracing::info!("the cache listener is connected again");
        }
        failing = false;
        coherence.listening();
        loop {
            match tokio::time::timeout(SILENCE, listener.try_recv()).await {
                Ok(Ok(Some(notification))) => coherence.receive(notification.payload()),
                // Lost, and listening again on a new connection.
                Ok(Ok(None)) => {
                    tracing::warn!("the cache listener lost its connection and reconnected; caches emptied");
                    coherence.listening();
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, "the cache listener failed; caches are off until it listens again");
                    break;
                }
                Err(_) => {
                    tracing::warn!(silence = ?SILENCE, "the cache listener heard nothing; connecting again");
                    break;
                }
            }
        }
        coherence.lost();
        tokio::time::sleep(RETRY).await;
    }
}

async fn connect_listener(options: &PgConnectOptions) -> Result<PgListener, sqlx::Error> {
    // A pool of one, which the listener uses to reconnect.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options.clone());
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.ignore_pool_close_event(true);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Sends a ping every [`PING_EVERY`] and what the outbox holds (barriers,
/// acks), all queued messages in one statement.
async fn notify(options: PgConnectOptions, coherence: Arc<Coherence>, mut outbox: Outbox) {
    let mut ticks = tokio::time::interval(PING_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut connection: Option<PgConnection> = None;
    let mut batch = Vec::new();
    loop {
        tokio::select! {
            _ = ticks.tick() => batch.extend(coherence.ping()),
            notice = outbox.recv() => match notice {
                Some(notice) => batch.push(notice),
                None => return,
            },
        }
        while let Ok(notice) = outbox.try_recv() {
            batch.push(notice);
        }
        // A barrier taken here is sent after every write that joined it.
        coherence.taken();
        if batch.is_empty() {
            continue;
        }
        let payloads: Vec<String> = batch.drain(..).map(|notice| notice.payload()).collect();
        if connection.is_none() {
            // Nothing sent while the database is away: a write waits out
            // the lease, and the caches turn off as pings stop coming back.
            let connecting = PgConnection::connect_with(&options);
            connection = tokio::time::timeout(Duration::from_secs(2), connecting).await.ok().and_then(Result::ok);
        }
        let Some(open) = connection.as_mut() else { continue };
        let sending = sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p").bind(CHANNEL).bind(&payloads);
        match tokio::time::timeout(SEND_TIMEOUT, sending.execute(&mut *open)).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::debug!(%error, "the cache notifier failed; connecting again");
                connection = None;
            }
            Err(_) => {
                tracing::debug!("the cache notifier's connection did not answer; connecting again");
                connection = None;
            }
        }
    }
}
