//! Version pinning: a connection keeps its connector version until a caller
//! moves it, and a move is checked against the target version's specs.

use super::{assert_error, id_of, json as read_json, quickbooks_body, spawn_app, spawn_app_with};
use crate::helpers::component;
use serde_json::json;

fn at_version(name: &str, version: &str) -> serde_json::Value {
    let mut body = quickbooks_body(name);
    body["connector_version"] = json!(version);
    body
}

#[tokio::test]
async fn a_connection_created_at_an_older_version_stays_there() {
    let app = spawn_app().await;
    let old = app.create_ok("default", &at_version("Old", "1.0.0")).await;
    assert_eq!(old["connector_version"], "1.0.0");
    let new = app.create_quickbooks("New").await;
    assert_eq!(new["connector_version"], "1.1.0");

    let id = id_of(&old);
    assert_eq!(app.get_ok(&id).await["connector_version"], "1.0.0");
    app.update_ok(&id, &json!({"name": "Still old", "properties": {"UseSandbox": "true"}})).await;
    assert_eq!(app.get_ok(&id).await["connector_version"], "1.0.0");
    let (_, list) = super::json(app.list_connections("default", "").await).await;
    let versions: Vec<_> =
        list["value"].as_array().expect("value").iter().map(|c| c["connector_version"].clone()).collect();
    assert_eq!(versions, [json!("1.1.0"), json!("1.0.0")], "New, then Still old");
    // It runs the old version: 47 tables, not 50.
    assert_eq!(app.tables_ok(&id, "").await.len(), 47);
    assert_eq!(app.tables_ok(&id_of(&new), "").await.len(), 50);
}

#[tokio::test]
async fn connect_version_moves_a_connection_and_its_metadata_follows() {
    let app = spawn_app().await;
    let id = id_of(&app.create_ok("default", &at_version("Books", "1.0.0")).await);
    assert_eq!(app.tables_ok(&id, "").await.len(), 47);

    let moved = app.update_ok(&id, &json!({"connect_version": "1.1.0"})).await;
    assert_eq!(moved["connector_version"], "1.1.0");
    assert_eq!(moved["status"], "untested");
    assert_eq!(app.get_ok(&id).await["connector_version"], "1.1.0");
    let tables = app.tables_ok(&id, "").await;
    assert_eq!(tables.len(), 50, "the cache of 1.0.0 is not served to 1.1.0");
    assert!(tables.iter().any(|t| t["name"] == "Budgets"));

    let back = app.update_ok(&id, &json!({"connector_version": "1.0.0"})).await;
    assert_eq!(back["connector_version"], "1.0.0");
    assert_eq!(app.tables_ok(&id, "").await.len(), 47);
    let back = app.update_ok(&id, &json!({"Connect_Version": "1.1.0"})).await;
    assert_eq!(back["connector_version"], "1.1.0");
}

#[tokio::test]
async fn a_move_is_checked_against_the_target_versions_properties() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["properties"]["MinorVersion"] = json!("70");
    let id = id_of(&app.create_ok("default", &body).await);

    let error =
        assert_error(app.update_connection(&id, &json!({"connect_version": "1.0.0"})).await, 400, "unknown_property")
            .await;
    assert_eq!(error["error"]["target"], "properties.MinorVersion");
    let message = error["error"]["message"].as_str().expect("message");
    assert!(message.contains("1.0.0") && message.contains("CompanyId"), "{message}");
    assert_eq!(app.get_ok(&id).await["connector_version"], "1.1.0", "nothing changed");

    // Removing the property in the same request makes the move valid.
    let moved = app.update_ok(&id, &json!({"connect_version": "1.0.0", "properties": {"MinorVersion": null}})).await;
    assert_eq!(moved["connector_version"], "1.0.0");
    assert!(moved["properties"].get("MinorVersion").is_none());

    // And 1.0.0 does not know MinorVersion at all.
    let error = assert_error(
        app.update_connection(&id, &json!({"properties": {"MinorVersion": "70"}})).await,
        400,
        "unknown_property",
    )
    .await;
    assert_eq!(error["error"]["target"], "properties.MinorVersion");
}

#[tokio::test]
async fn moving_to_a_version_that_is_not_installed_lists_the_installed_ones() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let error = assert_error(
        app.update_connection(&id, &json!({"connector_version": "9.9.9"})).await,
        400,
        "unknown_connector_version",
    )
    .await;
    let message = error["error"]["message"].as_str().expect("message");
    assert!(message.contains("1.0.0") && message.contains("1.1.0"), "{message}");
    assert_eq!(error["error"]["target"], "connector_version");
}

#[tokio::test]
async fn a_move_to_a_version_with_a_new_required_secret_needs_that_secret() {
    // Wide is bundled, so its name is the bundled publisher's: its next
    // release comes the same way.
    let app = spawn_app_with(|config| {
        let bundled = config.bundled_dir.clone().expect("bundled dir");
        std::fs::copy(crate::helpers::dist().join("fixtures/wide-0.2.0.wasm"), bundled.join("wide-0.2.0.wasm"))
            .expect("copy");
    })
    .await;
    let (status, installed) = read_json(app.install_connector(component("fixtures/wide-0.2.0.wasm"), None).await).await;
    assert_eq!(status, 200, "the bundled bytes are installed already: {installed}");
    let body = json!({"name": "Wide", "connector": "Wide", "connector_version": "0.1.0", "properties": {"P01": "1"}});
    let id = id_of(&app.create_ok("default", &body).await);

    let missing =
        assert_error(app.update_connection(&id, &json!({"connector_version": "0.2.0"})).await, 400, "missing_property")
            .await;
    assert!(missing.to_string().contains("ApiKey"), "{missing}");
    assert_eq!(app.get_ok(&id).await["connector_version"], "0.1.0", "a refused move changes nothing");

    let moved = app.update_ok(&id, &json!({"connector_version": "0.2.0", "properties": {"ApiKey": "k"}})).await;
    assert_eq!((&moved["connector_version"], &moved["properties"]["ApiKey"]), (&json!("0.2.0"), &json!("********")));
    // Once there, an update that does not touch the secret needs nothing more.
    assert_eq!(app.update_ok(&id, &json!({"labels": ["x"]})).await["labels"], json!(["x"]));

    // A connection waiting for credentials may move without them, and waits on.
    let waiting = json!({"name": "Waiting", "connector": "Wide", "connector_version": "0.1.0"});
    let waiting = id_of(&app.create_ok("default", &waiting).await);
    assert_eq!(app.reset_credentials(&waiting).await.status(), 200);
    let moved = app.update_ok(&waiting, &json!({"connector_version": "0.2.0"})).await;
    assert_eq!((&moved["connector_version"], &moved["status"]), (&json!("0.2.0"), &json!("needs_credentials")));
    let given = app.update_ok(&waiting, &json!({"properties": {"ApiKey": "k"}})).await;
    assert_eq!(given["status"], "untested", "{given}");
}
