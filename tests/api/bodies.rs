//! Request bodies: a key given twice is refused by name (at any level;
//! property names compare case-insensitively), property values are
//! strings, and integers may be written `5.0` as JSON Schema allows.

use super::{assert_error, create_user, id_of, json, quickbooks_body, spawn_app, token};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_key_given_twice_is_400_naming_it_at_every_level() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let create = "/workspaces/default/connections";
    let cases = [
        (create.to_string(), r#"{"name": "a", "name": "b", "connector": "QuickBooks"}"#, "duplicate_field", "name"),
        (
            create.to_string(),
            r#"{"name": "a", "Connector": "x", "connector": "QuickBooks"}"#,
            "duplicate_field",
            "connector",
        ),
        (
            format!("/connections/{id}"),
            r#"{"settings": {"logfile_verbosity": "Info", "Logfile Verbosity": "Error"}}"#,
            "duplicate_field",
            "settings.Logfile Verbosity",
        ),
        (
            format!("/connections/{id}"),
            r#"{"properties": {"CompanyId": "1", "companyid": "2"}}"#,
            "duplicate_property",
            "properties.companyid",
        ),
        ("/workspaces".to_string(), r#"{"id": "a", "ID": "b"}"#, "duplicate_field", "ID"),
        ("/users".to_string(), r#"{"name": "a", "role": "support", "role": "admin"}"#, "duplicate_field", "role"),
        (
            "/workspaces/default/jobs".to_string(),
            r#"{"name": "a", "tables": "all", "tables": ["A"]}"#,
            "duplicate_field",
            "tables",
        ),
    ];
    for (path, body, code, target) in cases {
        let method = if path.starts_with("/connections/") { Method::PUT } else { Method::POST };
        let response = app.send_raw(method, &path, Some("application/json"), body.to_string()).await;
        let error = assert_error(response, 400, code).await;
        assert_eq!(error["error"]["target"], target, "{body}: {error}");
    }
    assert_eq!(app.connection_names("default", "").await, ["Books"], "nothing was created");
    // Names that differ other than by case are two properties, not one twice.
    let body = json!({"properties": {"Auth Scheme": "x", "Auth_Scheme": "y"}});
    let error = assert_error(app.update_connection(&id, &body).await, 400, "invalid_body").await;
    assert!(error["error"]["details"].as_array().is_some_and(|d| d.iter().all(|d| d["code"] == "unknown_property")));
}

#[tokio::test]
async fn a_property_value_that_is_a_number_or_boolean_is_refused_saying_to_send_a_string() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["properties"]["CompanyId"] = json!(9130357766_u64);
    let error = assert_error(app.create_connection("default", &body).await, 400, "invalid_property_value").await;
    assert_eq!(error["error"]["target"], "properties.CompanyId");
    let message = error["error"]["message"].as_str().expect("message");
    assert!(message.contains("string") && message.contains("\"100\""), "{message}");
    assert_eq!(app.connection_names("default", "").await, Vec::<String>::new());

    let id = id_of(&app.create_quickbooks("Books").await);
    let before = app.get_ok(&id).await;
    for value in [json!(true), json!(1e2), json!(0)] {
        let body = json!({"properties": {"UseSandbox": value}});
        let error = assert_error(app.update_connection(&id, &body).await, 400, "invalid_property_value").await;
        assert_eq!(error["error"]["target"], "properties.UseSandbox", "{error}");
    }
    assert_eq!(app.get_ok(&id).await, before, "nothing changed");
    // The same values as strings are kept exactly as sent; null still removes.
    let (status, updated) =
        json(app.update_connection(&id, &json!({"properties": {"UseSandbox": "true"}})).await).await;
    assert_eq!((status, &updated["properties"]["UseSandbox"]), (200, &json!("true")), "{updated}");
    let (status, updated) = json(app.update_connection(&id, &json!({"properties": {"UseSandbox": null}})).await).await;
    assert_eq!(status, 200, "{updated}");
    assert!(updated["properties"].get("UseSandbox").is_none(), "{updated}");
}

#[tokio::test]
async fn integers_may_be_written_with_a_zero_fraction_and_limits_hold() {
    let app = spawn_app().await;
    let response = app
        .request(Method::POST, "/users")
        .json(&json!({"name": "una", "role": "Support", "expires_in_days": 30.0}))
        .send()
        .await
        .expect("sent");
    let (status, user) = json(response).await;
    assert_eq!(status, 201, "{user}");
    for days in [json!(0), json!(3651), json!(1.5), json!("30")] {
        let response = app
            .request(Method::POST, &format!("/users/{}/generate-token", id_of(&user)))
            .json(&json!({"expires_in_days": days}))
            .send()
            .await
            .expect("sent");
        let error = assert_error(response, 400, "invalid_field").await;
        assert_eq!(error["error"]["target"], "expires_in_days", "{days}: {error}");
    }
}

#[tokio::test]
async fn a_caller_who_may_not_act_gets_403_or_404_before_any_report_on_the_body() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let support = token(&create_user(&app, "sue", "support", &["default"]).await);
    let bad = r#"{"colour": 1, "name": ""}"#;
    let cases = [
        (Method::POST, "/workspaces/default/connections".to_string(), 403, "forbidden"),
        (Method::PUT, format!("/connections/{id}"), 403, "forbidden"),
        (Method::POST, "/workspaces/default/jobs".to_string(), 403, "forbidden"),
        (Method::POST, "/users".to_string(), 403, "forbidden"),
        (Method::POST, "/workspaces".to_string(), 403, "forbidden"),
        (Method::POST, "/workspaces/nowhere/connections".to_string(), 404, "workspace_not_found"),
    ];
    for (method, path, status, code) in cases {
        let response = app
            .request_as(&support, method.clone(), &path)
            .header("content-type", "application/json")
            .body(bad)
            .send()
            .await
            .expect("sent");
        let error = assert_error(response, status, code).await;
        assert!(error["error"]["target"].is_null(), "{method} {path}: {error}");
    }
}

#[tokio::test]
async fn a_refused_key_is_named_as_sent_and_errors_speak_json_not_rust() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let cases = [
        (json!({"Colour": "red"}), "unknown_field", "Colour"),
        (json!({"Refresh Every": "Daily"}), "unknown_field", "Refresh Every"),
        (json!({"settings": "Daily"}), "invalid_field", "settings"),
    ];
    for (body, code, target) in cases {
        let error = assert_error(app.update_connection(&id, &body).await, 400, code).await;
        assert_eq!(error["error"]["target"], target, "{body}: {error}");
        let message = error["error"]["message"].as_str().expect("message");
        assert!(message.contains(&format!("`{target}`")), "{message}");
        assert!(!message.contains("struct") && !message.contains("Input"), "{message}");
    }
}

#[tokio::test]
async fn a_job_table_name_with_a_control_character_is_refused() {
    let app = spawn_app().await;
    let (source, destination) = ("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002");
    let body = json!({"name": "Nightly", "source_connection_id": source, "destination_connection_id": destination,
        "tables": ["Customers", "In\u{1}voices"]});
    let error = assert_error(app.create_job("default", &body).await, 400, "invalid_field").await;
    assert_eq!(error["error"]["target"], "tables", "{error}");
}
