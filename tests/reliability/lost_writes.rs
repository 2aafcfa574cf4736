//! No lost writes: concurrent updates of one connection all land, and a
//! server killed with SIGKILL mid-storm keeps every write it acknowledged.

use super::server::{Server, bundle, random_token, seed_compile_cache};
use crate::api::{id_of, json, spawn_app};
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// `P01`..`P50`, the Wide fixture's optional properties.
fn wide_property(i: usize) -> String {
    format!("P{i:02}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_puts_each_setting_a_different_property_all_land() {
    let app = Arc::new(spawn_app().await);
    let id = id_of(&app.create_ok("default", &json!({"name": "Wide", "connector": "Wide"})).await);
    let mut puts = JoinSet::new();
    for i in 1..=50 {
        let (app, id) = (app.clone(), id.clone());
        puts.spawn(async move {
            let body = json!({"properties": {wide_property(i): format!("value {i}")}});
            let (status, json) = json(app.update_connection(&id, &body).await).await;
            (i, status, json)
        });
    }
    while let Some(put) = puts.join_next().await {
        let (i, status, json) = put.expect("the PUT task");
        assert_eq!(status, 200, "PUT of {}: {json}", wide_property(i));
    }
    let expected: Map<String, Value> = (1..=50).map(|i| (wide_property(i), json!(format!("value {i}")))).collect();
    let stored = app.get_ok(&id).await;
    assert_eq!(stored["properties"], Value::Object(expected), "every one of the 50 PUTs landed");
    // The connector sees them too.
    let result = app.test_ok(&id).await;
    assert_eq!(result["message"], "50 of 50 properties set.", "{result}");
}

/// Writers in the storm.
const CLIENTS: usize = 6;
/// Updates each writer sends to a connection it created before creating the next.
const UPDATES_PER_CONNECTION: u32 = 8;
/// Acknowledged writes after which the server is killed (unless `STORM_LIMIT` passes first).
const KILL_AFTER_WRITES: usize = 300;
/// The longest the storm runs before the kill.
const STORM_LIMIT: Duration = Duration::from_secs(20);

/// A connection as one writer created and updated it.
#[derive(Debug, Clone)]
struct Tracked {
    name: String,
    /// Set when the create was acknowledged.
    id: Option<String>,
    /// Updates acknowledged (`1..=acked` landed for sure).
    acked: u32,
    /// An update or create sent and not answered when the server died.
    in_flight: bool,
}

/// The properties and labels of `name` after `rev` updates: every update `i`
/// sets `P01` (the revision) and one other property, and replaces the labels.
fn expected_state(name: &str, rev: u32) -> (Value, Value) {
    let mut properties = Map::new();
    properties.insert("P01".into(), json!(rev.to_string()));
    properties.insert("P02".into(), json!(name));
    for i in 1..=rev {
        properties.insert(wide_property(i as usize % 48 + 3), json!(format!("update {i} of {name}")));
    }
    (Value::Object(properties), json!([format!("rev-{rev}")]))
}

/// The body that brings a connection from `rev - 1` to `rev` updates.
fn update_body(name: &str, rev: u32) -> Value {
    json!({
        "properties": {"P01": rev.to_string(), wide_property(rev as usize % 48 + 3): format!("update {rev} of {name}")},
        "labels": [format!("rev-{rev}")]
    })
}

/// What a writer did: its connections, and an HTTP failure seen while the
/// server was up (none is expected).
struct Writer {
    tracked: Vec<Tracked>,
    failure: Option<String>,
}

/// Creates connections and updates each a few times, until a request fails
/// (the server died) or `stop` is set.
async fn writer(
    client: reqwest::Client,
    base: String,
    number: usize,
    killed: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
) -> Writer {
    let mut tracked: Vec<Tracked> = Vec::new();
    for n in 0.. {
        if killed.load(Ordering::SeqCst) {
            break;
        }
        let name = format!("storm {number}-{n}");
        let (properties, labels) = expected_state(&name, 0);
        let body = json!({"name": name, "connector": "Wide", "properties": properties, "labels": labels});
        tracked.push(Tracked { name: name.clone(), id: None, acked: 0, in_flight: true });
        let response = client.post(format!("{base}/workspaces/default/connections")).json(&body).send().await;
        let id = match response {
            Err(e) => return writer_stopped(tracked, &killed, format!("create {name}: {e}")),
            Ok(r) if r.status() != 201 => {
                return Writer { failure: Some(format!("create {name}: {}", r.status())), tracked };
            }
            Ok(r) => match r.json::<Value>().await {
                Ok(created) => id_of(&created),
                Err(e) => return writer_stopped(tracked, &killed, format!("create {name}: reading the answer: {e}")),
            },
        };
        acked.fetch_add(1, Ordering::SeqCst);
        let last = tracked.last_mut().expect("pushed");
        last.id = Some(id.clone());
        last.in_flight = false;
        for rev in 1..=UPDATES_PER_CONNECTION {
            tracked.last_mut().expect("pushed").in_flight = true;
            let response = client.put(format!("{base}/connections/{id}")).json(&update_body(&name, rev)).send().await;
            match response {
                Err(e) => return writer_stopped(tracked, &killed, format!("update {rev} of {name}: {e}")),
                Ok(r) if r.status() != 200 => {
                    return Writer { failure: Some(format!("update {rev} of {name}: {}", r.status())), tracked };
                }
                // The status line came back: the server acknowledged the write.
                Ok(_) => {}
            }
            acked.fetch_add(1, Ordering::SeqCst);
            let last = tracked.last_mut().expect("pushed");
            last.acked = rev;
            last.in_flight = false;
        }
    }
    Writer { tracked, failure: None }
}

/// A transport error: expected once the server is killed, a failure before.
fn writer_stopped(tracked: Vec<Tracked>, killed: &AtomicBool, error: String) -> Writer {
    let failure = (!killed.load(Ordering::SeqCst)).then(|| format!("{error} (before the kill)"));
    Writer { tracked, failure }
}

/// `PRAGMA integrity_check` on the SQLite file: its rows, and the number of
/// connection rows.
async fn integrity_check(db: &Path) -> (Vec<String>, i64) {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let options = SqliteConnectOptions::new().filename(db).create_if_missing(false);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("the database opens");
    let rows: Vec<(String,)> =
        sqlx::query_as("PRAGMA integrity_check").fetch_all(&pool).await.expect("integrity_check");
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM connections").fetch_one(&pool).await.expect("count");
    pool.close().await;
    (rows.into_iter().map(|(r,)| r).collect(), count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "starts the real binary and loads the machine: `cargo xtask test` runs it alone, after the suite"]
async fn a_sigkill_during_a_storm_of_writes_loses_no_acknowledged_write() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("data");
    let connectors = bundle(&root.path().join("bundled"), &["fixtures/wide.wasm"]);
    seed_compile_cache(&data);
    let token = random_token();
    let mut server = Server::start(&data, &connectors, &token, &[]).await;

    // The storm: several writers creating and updating their own connections.
    let killed = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicUsize::new(0));
    let mut writers = JoinSet::new();
    for number in 0..CLIENTS {
        let (client, base) = (server.client.clone(), server.base.clone());
        writers.spawn(writer(client, base, number, killed.clone(), acked.clone()));
    }
    let started = Instant::now();
    while acked.load(Ordering::SeqCst) < KILL_AFTER_WRITES && started.elapsed() < STORM_LIMIT {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    killed.store(true, Ordering::SeqCst);
    server.kill();
    let acknowledged = acked.load(Ordering::SeqCst);
    let mut tracked = Vec::new();
    while let Some(writer) = writers.join_next().await {
        let writer = writer.expect("the writer task");
        assert_eq!(writer.failure, None, "a write failed while the server was up");
        tracked.extend(writer.tracked);
    }
    assert!(acknowledged > 0, "the storm acknowledged writes before the kill");
    eprintln!(
        "storm: {acknowledged} acknowledged writes, {} in flight at the kill, in {:?}",
        tracked.iter().filter(|t| t.in_flight).count(),
        started.elapsed()
    );

    // The file the crash left behind is a sound database, with a row for
    // every acknowledged create (and maybe the ones in flight).
    let (check, rows) = integrity_check(&data.join("syncport.db")).await;
    assert_eq!(check, ["ok"], "integrity check after SIGKILL");
    let created = tracked.iter().filter(|t| t.id.is_some()).count();
    let in_flight = tracked.iter().filter(|t| t.id.is_none()).count();
    assert!(
        (created..=created + in_flight).contains(&(rows as usize)),
        "{rows} rows for {created} acknowledged creates"
    );

    // Restarted on the same data directory, every acknowledged write is there, intact.
    let mut server = Server::start(&data, &connectors, &token, &[]).await;
    let listed = list_all(&server).await;
    let mut expected_names = BTreeSet::new();
    for t in &tracked {
        let Some(id) = &t.id else {
            // A create that was never acknowledged may or may not have landed;
            // if it did, it is whole.
            if let Some(stored) = listed.get(&t.name) {
                let (properties, labels) = expected_state(&t.name, 0);
                assert_eq!(stored["properties"], properties, "{stored}");
                assert_eq!(stored["labels"], labels, "{stored}");
                expected_names.insert(t.name.clone());
            }
            continue;
        };
        expected_names.insert(t.name.clone());
        let (status, stored) =
            json(server.request(Method::GET, &format!("/connections/{id}")).send().await.expect("get")).await;
        assert_eq!(status, 200, "acknowledged create of {} ({id}) is gone: {stored}", t.name);
        assert_eq!(stored["name"], t.name.as_str(), "{stored}");
        assert_eq!(stored["connector"], "Wide", "{stored}");
        let rev: u32 = stored["properties"]["P01"].as_str().and_then(|r| r.parse().ok()).expect("P01 is a revision");
        // The last acknowledged update landed; an unanswered one may have too.
        let newest = t.acked + u32::from(t.in_flight);
        assert!(
            (t.acked..=newest).contains(&rev),
            "{}: revision {rev} stored, {} acknowledged{}",
            t.name,
            t.acked,
            if t.in_flight { " (+1 in flight)" } else { "" }
        );
        let (properties, labels) = expected_state(&t.name, rev);
        assert_eq!(stored["properties"], properties, "{} at revision {rev} is intact", t.name);
        assert_eq!(stored["labels"], labels, "{} at revision {rev} is intact", t.name);
    }
    let names: BTreeSet<String> = listed.keys().cloned().collect();
    assert_eq!(names, expected_names, "nothing was lost and nothing appeared that no writer sent");

    // The restarted server takes writes again.
    if let Some(t) = tracked.iter().find(|t| t.id.is_some()) {
        let id = t.id.as_deref().expect("acknowledged");
        let body = json!({"properties": {"P50": "after the restart"}});
        let (status, updated) =
            json(server.request(Method::PUT, &format!("/connections/{id}")).json(&body).send().await.expect("put"))
                .await;
        assert_eq!(status, 200, "{updated}");
        assert_eq!(updated["properties"]["P50"], "after the restart");
    }
    server.kill();
    assert_eq!(integrity_check(&data.join("syncport.db")).await.0, ["ok"], "integrity check after the restart");
}

/// Every connection in `default`, by name, following `@odata.nextLink`.
async fn list_all(server: &Server) -> BTreeMap<String, Value> {
    let mut all = BTreeMap::new();
    let mut skip = 0;
    loop {
        let path = format!("/workspaces/default/connections?$top=1000&$skip={skip}");
        let (status, page) = json(server.request(Method::GET, &path).send().await.expect("list")).await;
        assert_eq!(status, 200, "{page}");
        let items = page["value"].as_array().expect("value");
        for item in items {
            let name = item["name"].as_str().expect("name").to_string();
            assert!(all.insert(name.clone(), item.clone()).is_none(), "{name} listed twice");
        }
        if page.get("@odata.nextLink").is_none() || items.is_empty() {
            return all;
        }
        skip += items.len();
    }
}
