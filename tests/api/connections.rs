//! Creating, reading, listing, updating and deleting connections.

use super::{assert_error, json, quickbooks_body, spawn_app};
use serde_json::json;

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
