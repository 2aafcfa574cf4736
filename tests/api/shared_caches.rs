//! Servers on one PostgreSQL database keep in-process caches (connection
//! rows, metadata, principals) that stay coherent: a write answered by one
//! server is seen by every read that begins afterwards on any server, even
//! while a server's listener connection is being killed
//! (`docs/storage.md`, "Caches across servers"). PostgreSQL only:
//! `#[ignore]`d without it.

use super::{create_user, id_of, json, spawn_pair, token};
use crate::helpers::eventually;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The `P01` property of a connection as read (0 when unset).
fn seq(connection: &Value) -> u64 {
    connection["properties"]["P01"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Waits until `app` reads its caches (its first ping came back).
async fn caches_on(app: &super::TestApp) {
    eventually(Duration::from_secs(10), "the server's caches are on", || async {
        if app.store.caches_fresh() { Ok(()) } else { Err("off") }
    })
    .await;
}

/// Two servers on one database, a `Wide` connection made through A and
/// read through B once its caches are on; its id.
async fn pair_with_a_connection_cached_on_b() -> (super::TestApp, super::TestApp, String) {
    let (a, b) = spawn_pair().await;
    let id = id_of(&a.create_ok("default", &json!({"name": "Wide", "connector": "Wide"})).await);
    caches_on(&b).await;
    b.get_ok(&id).await;
    (a, b, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn every_read_on_another_server_begun_after_a_write_was_answered_sees_it_on_postgres() {
    let (a, b, id) = pair_with_a_connection_cached_on_b().await;
    let (a, b) = (Arc::new(a), Arc::new(b));
    let writing = Arc::new(AtomicBool::new(true));
    // B reads in a tight loop, noting when each read began and what it saw.
    let reader = tokio::spawn({
        let (b, id, writing) = (b.clone(), id.clone(), writing.clone());
        async move {
            let mut reads = Vec::new();
            while writing.load(Ordering::SeqCst) {
                let began = Instant::now();
                reads.push((began, seq(&b.get_ok(&id).await)));
            }
            reads
        }
    });
    // A writes, noting when each write was answered.
    let mut answered = Vec::new();
    for i in 1..=100u64 {
        a.update_ok(&id, &json!({"properties": {"P01": i.to_string()}})).await;
        answered.push((Instant::now(), i));
        // And B, asked right after, sees it.
        assert_eq!(seq(&b.get_ok(&id).await), i, "B's read right after A answered write {i}");
    }
    writing.store(false, Ordering::SeqCst);
    let reads = reader.await.expect("the reader");
    assert!(reads.len() >= 100, "B read in a tight loop: {} reads", reads.len());
    for (began, saw) in &reads {
        let latest = answered.iter().filter(|(at, _)| at < began).map(|(_, i)| *i).max().unwrap_or(0);
        assert!(*saw >= latest, "a read begun after write {latest} was answered saw {saw}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn tests_deletes_and_cached_tables_through_one_server_are_seen_at_once_on_the_other_on_postgres() {
    let (a, b) = spawn_pair().await;
    let id = id_of(&a.create_quickbooks("Books").await);
    caches_on(&b).await;
    assert_eq!(b.get_ok(&id).await["status"], "untested");
    assert_eq!(a.test_ok(&id).await["success"], true);
    assert_eq!(b.get_ok(&id).await["status"], "ok", "a test answered on A");
    let tables = b.tables_ok(&id, "").await;
    a.update_ok(&id, &json!({"properties": {"UseSandbox": "true"}})).await;
    assert_eq!(b.get_ok(&id).await["properties"]["UseSandbox"], "true");
    assert_eq!(b.tables_ok(&id, "").await, tables, "tables fetched again under the new properties");
    assert_eq!(a.delete_connection(&id).await.status(), 204);
    super::assert_error(b.get_connection(&id).await, 404, "connection_not_found").await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_token_revoked_through_one_server_is_refused_at_once_by_the_other_on_postgres() {
    let (a, b) = spawn_pair().await;
    caches_on(&b).await;
    let user = create_user(&a, "reader", "standard", &["default"]).await;
    let presented = token(&user);
    let list = |app: &super::TestApp| app.request_as(&presented, Method::GET, "/workspaces/default/connections").send();
    assert_eq!(list(&b).await.expect("sent").status(), 200, "B caches the principal");
    let user_id = user["id"].as_str().expect("id");
    let token_id = user["tokens"][0]["id"].as_str().expect("its token's id");
    let revoked = a.request(Method::DELETE, &format!("/users/{user_id}/tokens/{token_id}")).send().await.expect("sent");
    assert_eq!(revoked.status(), 204);
    assert_eq!(list(&b).await.expect("sent").status(), 401, "B refuses the revoked token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_server_whose_listener_connection_is_killed_serves_no_stale_read_and_listens_again_on_postgres() {
    let (a, b, id) = pair_with_a_connection_cached_on_b().await;
    let pool = b.postgres_pool().await.expect("PostgreSQL");
    // The reader's listener, then the writer's (which must not answer a
    // write before it has heard every server reading its caches), twice.
    for (round, killed) in [(1u64, &b), (2, &a), (3, &b), (4, &a)] {
        let listener = killed.store.listener_name().expect("it listens").to_string();
        let terminated: Vec<bool> =
            sqlx::query_scalar("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1")
                .bind(&listener)
                .fetch_all(&pool)
                .await
                .expect("terminate the listener");
        assert_eq!(terminated, [true], "round {round}: that listener connection, and only it");
        // Written at once, while the server has not heard it lost its listener.
        for i in 1..=10 {
            let n = round * 100 + i;
            a.update_ok(&id, &json!({"properties": {"P01": n.to_string()}})).await;
            assert_eq!(seq(&b.get_ok(&id).await), n, "round {round}: B's read right after A answered {n}");
        }
        caches_on(killed).await;
    }
    let (status, read) = json(b.get_connection(&id).await).await;
    assert_eq!((status, seq(&read)), (200, 410), "{read}");
}
