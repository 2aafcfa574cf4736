//! Several servers on one PostgreSQL database: any server answers for any
//! connection. PostgreSQL only: each test is `#[ignore]`d (a plain `cargo
//! test` lists it as ignored) and the PostgreSQL run of `cargo xtask test`
//! includes it; run without PostgreSQL, it fails saying how to run it.

use super::{assert_error, id_of, json, quickbooks_body, spawn_pair, spawn_shared};
use serde_json::{Map, Value, json};
use std::sync::Arc;

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_connection_created_on_one_server_is_read_updated_and_tested_on_another_on_postgres() {
    let (a, b) = spawn_pair().await;
    let created = a.create_quickbooks("Books").await;
    let id = id_of(&created);
    assert_eq!(b.get_ok(&id).await["name"], "Books");
    b.update_ok(&id, &json!({"name": "Ledger", "properties": {"UseSandbox": "true"}})).await;
    let read = a.get_ok(&id).await;
    assert_eq!((read["name"].as_str(), read["properties"]["UseSandbox"].as_str()), (Some("Ledger"), Some("true")));
    assert_eq!(read["properties"]["OAuthClientSecret"], "********", "the secret decrypts on both and stays masked");
    assert_eq!(b.test_ok(&id).await["success"], true);
    assert_eq!(a.get_ok(&id).await["status"], "ok", "a test on one server is seen on the other");
    let tables = a.tables_ok(&id, "").await;
    assert_eq!(b.tables_ok(&id, "").await, tables, "the metadata cache is shared");
    assert_eq!(b.delete_connection(&id).await.status(), 204);
    assert_error(a.get_connection(&id).await, 404, "connection_not_found").await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_name_taken_on_one_server_is_a_409_on_the_other_on_postgres() {
    let (a, b) = spawn_pair().await;
    a.create_quickbooks("Books").await;
    let body = assert_error(b.create_connection("default", &quickbooks_body("BOOKS")).await, 409, "name_taken").await;
    assert_eq!(body["error"]["target"], "name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn concurrent_updates_through_both_servers_lose_no_property_on_postgres() {
    let (a, b) = spawn_pair().await;
    let id = id_of(&a.create_ok("default", &json!({"name": "Wide", "connector": "Wide"})).await);
    let (a, b) = (Arc::new(a), Arc::new(b));
    let mut puts = tokio::task::JoinSet::new();
    for i in 1..=40 {
        let (server, id) = (if i % 2 == 0 { a.clone() } else { b.clone() }, id.clone());
        puts.spawn(async move {
            let body = json!({"properties": {format!("P{i:02}"): format!("value {i}")}});
            (i, json(server.update_connection(&id, &body).await).await)
        });
    }
    while let Some(put) = puts.join_next().await {
        let (i, (status, body)) = put.expect("the PUT task");
        assert_eq!(status, 200, "PUT {i}: {body}");
    }
    let expected: Map<String, Value> = (1..=40).map(|i| (format!("P{i:02}"), json!(format!("value {i}")))).collect();
    assert_eq!(a.get_ok(&id).await["properties"], Value::Object(expected.clone()));
    assert_eq!(b.get_ok(&id).await["properties"], Value::Object(expected));
}

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_connector_installed_through_one_server_runs_on_the_other_and_a_removal_reaches_both_on_postgres() {
    let (a, b) = spawn_pair().await;
    let (status, installed) =
        json(a.install_connector(crate::helpers::component("fixtures/sloppy.wasm"), None).await).await;
    assert_eq!(status, 201, "{installed}");
    let body = json!({"name": "Careless", "connector": "Sloppy", "properties": {"Mode": "tidy"}});
    let id = id_of(&b.create_ok("default", &body).await);
    assert_eq!(b.test_ok(&id).await["success"], true, "B runs the component A installed");
    assert_error(b.remove_connector_version("Sloppy", "0.1.0").await, 409, "connector_version_in_use").await;
    assert_eq!(a.delete_connection(&id).await.status(), 204);
    assert_eq!(b.remove_connector_version("Sloppy", "0.1.0").await.status(), 204);
    assert_error(a.get_connector("Sloppy").await, 404, "connector_not_found").await;
    let (again, _) = json(b.install_connector(crate::helpers::component("fixtures/sloppy.wasm"), None).await).await;
    assert_eq!(again, 201, "a removed version can be installed again");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn other_bytes_under_a_name_and_version_installed_on_one_server_are_a_409_on_the_other_on_postgres() {
    let (a, b) = spawn_pair().await;
    let stub = crate::helpers::component("fixtures/stub-variant.wasm");
    assert_error(b.install_connector(stub, None).await, 409, "connector_version_conflict").await;
    let (_, stub) = json(a.get_connector_version("Stub", "1.0.0").await).await;
    assert_eq!(stub["description"], "Test fixture: ten fixed tables.");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_log_written_through_one_server_downloads_from_the_other_on_postgres() {
    let (a, b) = spawn_pair().await;
    let id = id_of(&a.create_quickbooks("Books").await);
    a.test_ok(&id).await;
    b.test_ok(&id).await;
    let (status, logs) = json(b.list_logs(&id).await).await;
    assert_eq!(status, 200, "{logs}");
    let name = logs["value"][0]["name"].as_str().expect("a log file").to_string();
    let (status, text) = super::text(b.download_log(&id, &name).await).await;
    assert_eq!(status, 200);
    assert_eq!(text.matches("test succeeded").count(), 2, "both servers' lines, in one file: {text}");
    assert!(text.contains("create succeeded"), "the create through A: {text}");
    assert_eq!(super::text(a.download_log(&id, &name).await).await.1, text, "the same file on both");
    assert_eq!(logs["value"][0]["size"].as_u64(), Some(text.len() as u64));
}

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_version_removed_through_one_server_stays_removed_when_another_starts_with_it_bundled_on_postgres() {
    let a = spawn_shared().await;
    assert_eq!(a.remove_connector_version("Salesforce", "1.0.0").await.status(), 204);
    // A server started later has Salesforce 1.0.0 in its bundled directory.
    let late = a.spawn_peer().await;
    assert_error(late.get_connector("Salesforce").await, 404, "connector_not_found").await;
    assert_error(a.get_connector("Salesforce").await, 404, "connector_not_found").await;
    let (status, _) =
        json(late.install_connector(crate::helpers::component("connectors/salesforce-1.0.0.wasm"), None).await).await;
    assert_eq!(status, 201, "installing the same bytes again brings it back");
    assert_eq!(json(a.get_connector("Salesforce").await).await.0, 200, "on every server");
}
