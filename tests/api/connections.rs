//! Creating, reading, listing, updating and deleting connections.

use super::{assert_error, id_of, json, quickbooks_body, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn create_returns_201_with_location_and_pins_the_newest_version() {
    let app = spawn_app().await;
    let response = app.create_connection("default", &quickbooks_body("Books")).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().expect("location").to_string();
    let (_, body) = json(response).await;
    assert_eq!(location, format!("/api.rsc/v2/connections/{}", body["id"].as_str().expect("id")));
    assert_eq!(body["connector"], "QuickBooks");
    assert_eq!(body["connector_version"], "1.1.0");
    assert_eq!(body["workspace_id"], "default");
    assert_eq!(body["status"], "untested");
    assert_eq!(body["properties"]["OAuthClientSecret"], "********");
    assert_eq!(body["properties"]["CompanyId"], "9130357766");
    assert_eq!(
        body["settings"],
        json!({"metadata_refresh_interval": "Daily", "logfile_verbosity": "Info", "use_cdata_callback_url": false})
    );
}

#[tokio::test]
async fn the_specs_create_example_is_malformed_json_and_gets_a_400_saying_where() {
    let app = spawn_app().await;
    // Verbatim from the spec: a comma is missing after "admin".
    let body = "{\n  \"name\": \"MySourceConnection\",\n  \"connector\": \"CData QuickBooks\",\n  \"properties\": {\n    \"URL\": \"URL\",\n    \"User\": \"admin\"\n    \"Password\": \"MyPassword\"\n  }\n}";
    let response = app
        .request(reqwest::Method::POST, "/workspaces/default/connections")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("sent");
    let error = assert_error(response, 400, "malformed_json").await;
    let message = error["error"]["message"].as_str().expect("message");
    assert!(message.contains("line 7, column 5"), "{message}");
}

#[tokio::test]
async fn create_accepts_the_vendor_prefixed_connector_and_case_insensitive_keys_and_values() {
    let app = spawn_app().await;
    let body = json!({
        "Name": "Books",
        "Connector": "CData QuickBooks",
        "Connector Version": "1.1.0",
        "Properties": {
            "companyid": "9130357766",
            "OAuthClientId": "client-id",
            "OAuthClientSecret": "client-secret"
        },
        "Settings": {"Metadata_Refresh_Interval": "daily", "LOGFILE_VERBOSITY": "verbose", "use_cdata_callback_url": true},
        "Labels": ["prod", "finance"]
    });
    let created = app.create_ok("default", &body).await;
    assert_eq!(created["name"], "Books");
    assert_eq!(created["connector"], "QuickBooks");
    assert_eq!(created["connector_version"], "1.1.0");
    assert_eq!(created["properties"]["CompanyId"], "9130357766");
    assert_eq!(created["properties"]["OAuthClientSecret"], "********");
    assert_eq!(
        created["settings"],
        json!({"metadata_refresh_interval": "Daily", "logfile_verbosity": "Verbose", "use_cdata_callback_url": true})
    );
    assert_eq!(created["labels"], json!(["prod", "finance"]));
    assert_eq!(created["last_tested_at"], Value::Null);
    assert!(created["created_at"].is_string() && created["updated_at"].is_string(), "{created}");
}

#[tokio::test]
async fn a_created_connection_reads_back_the_same_with_every_secret_masked() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["properties"]["OAuthRefreshToken"] = json!("refresh-token");
    let created = app.create_ok("default", &body).await;
    let read = app.get_ok(&id_of(&created)).await;
    assert_eq!(read, created);
    assert_eq!(
        read["properties"],
        json!({
            "CompanyId": "9130357766",
            "OAuthClientId": "client-id",
            "OAuthClientSecret": "********",
            "OAuthAccessToken": "********",
            "OAuthRefreshToken": "********"
        })
    );
    let listed = app.list_connections("default", "").await;
    let (_, listed) = json(listed).await;
    assert_eq!(listed["value"][0], read);
}

#[tokio::test]
async fn list_is_sorted_by_name_case_insensitively() {
    let app = spawn_app().await;
    for name in ["charlie", "Bravo", "alpha", "Delta"] {
        app.create_quickbooks(name).await;
    }
    assert_eq!(app.connection_names("default", "").await, ["alpha", "Bravo", "charlie", "Delta"]);
}

#[tokio::test]
async fn list_pages_with_top_and_skip_in_both_spellings_and_links_the_next_page() {
    let app = spawn_app().await;
    for name in ["a", "b", "c", "d", "e"] {
        app.create_quickbooks(name).await;
    }
    assert_eq!(app.connection_names("default", "$top=2").await, ["a", "b"]);
    assert_eq!(app.connection_names("default", "$top=2&$skip=2").await, ["c", "d"]);
    assert_eq!(app.connection_names("default", "top=2&skip=3").await, ["d", "e"]);
    assert_eq!(app.connection_names("default", "skip=4").await, ["e"]);
    assert!(app.connection_names("default", "$skip=9").await.is_empty());

    let (_, page) = json(app.list_connections("default", "$top=2&$skip=1").await).await;
    let next = page["@odata.nextLink"].as_str().expect("a next link while more remain");
    let query = next.split_once('?').expect("a query").1;
    assert_eq!(app.connection_names("default", query).await, ["d", "e"]);
    let (_, last) = json(app.list_connections("default", query).await).await;
    assert!(last.get("@odata.nextLink").is_none(), "no next link on the last page: {last}");
    let (_, all) = json(app.list_connections("default", "").await).await;
    assert!(all.get("@odata.nextLink").is_none(), "{all}");
    let (status, none) = json(app.list_connections("default", "$top=0").await).await;
    assert_eq!((status, &none["value"]), (200, &json!([])));
    assert!(none.get("@odata.nextLink").is_none(), "no link back to the same empty page: {none}");
}

#[tokio::test]
async fn list_filters_by_label_and_by_connector_in_any_spelling() {
    let app = spawn_app().await;
    let mut books = quickbooks_body("Books");
    books["labels"] = json!(["Prod", "finance"]);
    app.create_ok("default", &books).await;
    let mut test_books = quickbooks_body("Test books");
    test_books["labels"] = json!(["test"]);
    app.create_ok("default", &test_books).await;
    let force = json!({
        "name": "Force",
        "connector": "salesforce",
        "properties": {"User": "admin@example.com", "Password": "pass", "SecurityToken": "token"},
        "labels": ["prod"]
    });
    app.create_ok("default", &force).await;

    assert_eq!(app.connection_names("default", "label=prod").await, ["Books", "Force"]);
    assert_eq!(app.connection_names("default", "label=PROD").await, ["Books", "Force"]);
    assert_eq!(app.connection_names("default", "label=test").await, ["Test books"]);
    assert!(app.connection_names("default", "label=nothing").await.is_empty());
    assert_eq!(app.connection_names("default", "connector=QuickBooks").await, ["Books", "Test books"]);
    assert_eq!(app.connection_names("default", "connector=CData%20QuickBooks").await, ["Books", "Test books"]);
    assert_eq!(app.connection_names("default", "connector=quickbooks").await, ["Books", "Test books"]);
    assert_eq!(app.connection_names("default", "connector=Salesforce&label=prod").await, ["Force"]);
    assert_eq!(app.connection_names("default", "connector=QuickBooks&label=prod").await, ["Books"]);
}

#[tokio::test]
async fn the_specs_update_example_renames_and_merges_the_setting() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("QuickBooks-Production").await);
    app.update_ok(&id, &json!({"settings": {"metadata_refresh_interval": "Never", "logfile_verbosity": "Error"}}))
        .await;
    // Verbatim from the spec.
    let body = "{\n  \"name\": \"QuickBooks-Production-Updated\",\n  \"settings\": {\n    \"metadata_refresh_interval\": \"daily\"\n  }\n}";
    let response =
        app.send_raw(reqwest::Method::PUT, &format!("/connections/{id}"), Some("application/json"), body).await;
    let (status, updated) = json(response).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["name"], "QuickBooks-Production-Updated");
    assert_eq!(updated["settings"]["metadata_refresh_interval"], "Daily");
    assert_eq!(updated["settings"]["logfile_verbosity"], "Error", "the other settings stay");
    assert_eq!(app.get_ok(&id).await, updated);
}

#[tokio::test]
async fn delete_answers_204_then_the_connection_and_its_logs_are_gone() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.test_ok(&id).await;
    assert!(app.has_stored_logs(&id).await, "the test left a log");

    let response = app.delete_connection(&id).await;
    assert_eq!(response.status(), 204);
    assert!(response.text().await.expect("body").is_empty());

    assert_error(app.get_connection(&id).await, 404, "connection_not_found").await;
    assert_error(app.delete_connection(&id).await, 404, "connection_not_found").await;
    assert_error(app.list_logs(&id).await, 404, "connection_not_found").await;
    assert!(!app.has_stored_logs(&id).await, "its logs are deleted");
    assert!(app.connection_names("default", "").await.is_empty());
    // Its name is free again.
    app.create_quickbooks("Books").await;
}
