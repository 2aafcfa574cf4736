//! `POST /connections/{id}/test` and `POST /connections/{id}/reset-credentials`.

use super::{assert_error, id_of, json, quickbooks_body, spawn_app};
use serde_json::json;

#[tokio::test]
async fn a_successful_test_answers_200_and_records_ok_with_the_time() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(result["message"], "Connected to QuickBooks Online company 9130357766 (production)");
    assert!(result["duration_ms"].is_u64(), "{result}");
    assert!(result.get("error").is_none(), "{result}");

    let read = app.get_ok(&id).await;
    assert_eq!(read["status"], "ok");
    assert!(read["last_tested_at"].is_string(), "{read}");
}

#[tokio::test]
async fn a_failed_test_answers_200_with_the_error_and_records_failed() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["properties"]["OAuthClientSecret"] = json!("wrong-secret");
    let id = id_of(&app.create_ok("default", &body).await);
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "auth_failed", "{result}");
    assert_eq!(result["error"]["property"], "OAuthClientSecret", "{result}");
    assert!(result["message"].as_str().is_some_and(|m| !m.is_empty()), "{result}");
    assert!(result["duration_ms"].is_u64(), "{result}");
    assert!(!result.to_string().contains("wrong-secret"), "{result}");

    let read = app.get_ok(&id).await;
    assert_eq!(read["status"], "failed");
    assert!(read["last_tested_at"].is_string(), "{read}");
}

#[tokio::test]
async fn a_rate_limited_test_says_when_to_retry() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["properties"]["CompanyId"] = json!("429");
    let id = id_of(&app.create_ok("default", &body).await);
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false);
    assert_eq!(result["error"]["code"], "rate_limited", "{result}");
    assert_eq!(result["error"]["retry_after"], 60, "{result}");
}

#[tokio::test]
async fn testing_an_unknown_connection_is_404() {
    let app = spawn_app().await;
    assert_error(app.test_connection("550e8400-e29b-41d4-a716-446655440000").await, 404, "connection_not_found").await;
}

#[tokio::test]
async fn reset_credentials_removes_every_secret_and_needs_credentials() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["properties"]["OAuthRefreshToken"] = json!("refresh-token");
    let id = id_of(&app.create_ok("default", &body).await);
    app.test_ok(&id).await;

    let (status, reset) = json(app.reset_credentials(&id).await).await;
    assert_eq!(status, 200, "{reset}");
    assert_eq!(reset["status"], "needs_credentials");
    assert_eq!(reset["properties"], json!({"CompanyId": "9130357766", "OAuthClientId": "client-id"}));
    assert_eq!(app.get_ok(&id).await, reset);

    // Without credentials it does not work.
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false, "{result}");
    // An update that does not supply them is still allowed.
    assert_eq!(app.update_ok(&id, &json!({"labels": ["x"]})).await["labels"], json!(["x"]));

    // Setting them again makes it usable.
    let updated = app
        .update_ok(&id, &json!({"properties": {"OAuthClientSecret": "client-secret", "OAuthAccessToken": "new-token"}}))
        .await;
    assert_eq!(updated["status"], "untested");
    assert_eq!(updated["properties"]["OAuthAccessToken"], "********");
    assert_eq!(app.test_ok(&id).await["success"], true);
    assert_eq!(app.get_ok(&id).await["status"], "ok");
    assert_eq!(app.tables_ok(&id, "").await.len(), 50);
}

#[tokio::test]
async fn reset_credentials_of_an_unknown_connection_is_404() {
    let app = spawn_app().await;
    assert_error(app.reset_credentials("not-a-uuid").await, 404, "connection_not_found").await;
}
