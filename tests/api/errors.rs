//! Every failure in one shape with a stable code.

use super::{TestApp, assert_error, assert_error_shape, id_of, json, quickbooks_body, spawn_app, spawn_app_with};
use reqwest::{Method, Response};
use serde_json::{Value, json};

/// Runs each `(description, response, status, code)` case.
async fn check(cases: Vec<(&str, Response, u16, &str)>) -> Vec<Value> {
    let mut bodies = Vec::new();
    for (description, response, status, code) in cases {
        let (actual, body) = json(response).await;
        assert_eq!((actual, body["error"]["code"].as_str()), (status, Some(code)), "{description}: {body}");
        assert_error_shape(&body);
        bodies.push(body);
    }
    bodies
}

async fn raw(app: &TestApp, method: Method, path: &str, content_type: Option<&str>, body: &str) -> Response {
    app.send_raw(method, path, content_type, body.to_string()).await
}

#[tokio::test]
async fn unknown_routes_are_404_route_not_found_in_the_error_shape() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let client = reqwest::Client::new();
    let root = app.base.trim_end_matches("/api.rsc/v2").to_string();
    let cases = vec![
        ("unknown resource", app.request(Method::GET, "/nope").send().await.expect("sent"), 404, "route_not_found"),
        ("the API root", app.request(Method::GET, "").send().await.expect("sent"), 404, "route_not_found"),
        ("outside the API", client.get(format!("{root}/nope")).send().await.expect("sent"), 404, "route_not_found"),
        (
            "an older API version",
            client.get(format!("{root}/api.rsc/v1/workspaces")).send().await.expect("sent"),
            404,
            "route_not_found",
        ),
        (
            "a trailing slash",
            app.request(Method::GET, &format!("/connections/{id}/")).send().await.expect("sent"),
            404,
            "route_not_found",
        ),
        (
            "an unknown action",
            app.request(Method::POST, &format!("/connections/{id}/sync")).send().await.expect("sent"),
            404,
            "route_not_found",
        ),
    ];
    check(cases).await;
}

#[tokio::test]
async fn a_wrong_method_is_405_method_not_allowed_in_the_error_shape() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let mut cases = Vec::new();
    for (method, path) in [
        (Method::PUT, "/workspaces".to_string()),
        (Method::PATCH, format!("/connections/{id}")),
        (Method::POST, format!("/connections/{id}")),
        (Method::GET, format!("/connections/{id}/test")),
        (Method::DELETE, format!("/connections/{id}/tables")),
        (Method::POST, format!("/connections/{id}/tables/Customers/columns")),
        (Method::GET, format!("/connections/{id}/reset-metadata")),
        (Method::GET, format!("/connections/{id}/reset-credentials")),
        (Method::DELETE, format!("/connections/{id}/logs")),
        (Method::PUT, format!("/connections/{id}/logs/x.log/download")),
        (Method::PUT, "/connectors".to_string()),
        (Method::POST, "/connectors/Stub/versions/1.0.0".to_string()),
        (Method::DELETE, "/openapi.json".to_string()),
    ] {
        let response = app.request(method.clone(), &path).send().await.expect("sent");
        assert!(response.headers().contains_key("allow"), "{method} {path}: a 405 says what is allowed");
        cases.push(("wrong method", response, 405, "method_not_allowed"));
    }
    check(cases).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let body = quickbooks_body("Other").to_string();
    let create = "/workspaces/default/connections";
    let update = format!("/connections/{id}");
    let cases = vec![
        ("no content type", raw(&app, Method::POST, create, None, &body).await, 415, "unsupported_media_type"),
        ("text/plain", raw(&app, Method::POST, create, Some("text/plain"), &body).await, 415, "unsupported_media_type"),
        (
            "a form",
            raw(&app, Method::POST, create, Some("application/x-www-form-urlencoded"), "name=x").await,
            415,
            "unsupported_media_type",
        ),
        (
            "xml on update",
            raw(&app, Method::PUT, &update, Some("application/xml"), "<x/>").await,
            415,
            "unsupported_media_type",
        ),
        (
            "no content type on a workspace",
            raw(&app, Method::POST, "/workspaces", None, r#"{"id":"x"}"#).await,
            415,
            "unsupported_media_type",
        ),
    ];
    check(cases).await;
    // JSON with a charset, or a +json type, is JSON.
    let response = raw(&app, Method::POST, create, Some("application/json; charset=utf-8"), &body).await;
    assert_eq!(response.status(), 201);
    let response = raw(&app, Method::PUT, &update, Some("application/merge-patch+json"), r#"{"labels":["x"]}"#).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = spawn_app_with(|config| config.body_limit = 256).await;
    let small = quickbooks_body("Small");
    let id = id_of(&app.create_ok("default", &small).await);
    let mut big = quickbooks_body("Big");
    big["labels"] = json!((0..40).map(|i| format!("label-{i}")).collect::<Vec<_>>());
    assert!(big.to_string().len() > 256);
    let cases = vec![
        ("create", app.create_connection("default", &big).await, 413, "payload_too_large"),
        ("update", app.update_connection(&id, &json!({"labels": big["labels"]})).await, 413, "payload_too_large"),
        (
            "workspace",
            app.create_workspace(&json!({"id": "x", "name": "y".repeat(300)})).await,
            413,
            "payload_too_large",
        ),
    ];
    check(cases).await;
    assert_eq!(app.connection_names("default", "").await, ["Small"]);
}

#[tokio::test]
async fn malformed_json_is_400_saying_the_line_and_column() {
    let app = spawn_app().await;
    let path = "/workspaces/default/connections";
    let cases = vec![
        (
            "a missing comma",
            raw(&app, Method::POST, path, Some("application/json"), "{\"name\": \"x\"\n \"connector\": \"Stub\"}")
                .await,
            400,
            "malformed_json",
        ),
        (
            "a truncated body",
            raw(&app, Method::POST, path, Some("application/json"), "{\"name\": ").await,
            400,
            "malformed_json",
        ),
        ("an empty body", raw(&app, Method::POST, path, Some("application/json"), "").await, 400, "malformed_json"),
        (
            "a trailing comma",
            raw(&app, Method::POST, path, Some("application/json"), "{\"name\": \"x\",}").await,
            400,
            "malformed_json",
        ),
        (
            "single quotes",
            raw(&app, Method::POST, path, Some("application/json"), "{'name': 'x'}").await,
            400,
            "malformed_json",
        ),
    ];
    let bodies = check(cases).await;
    let message = bodies[0]["error"]["message"].as_str().expect("message");
    assert!(message.contains("line 2, column 2"), "{message}");
    for body in &bodies {
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains("line ") && message.contains("column "), "{message}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_400() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let mut cases = Vec::new();
    for body in ["[]", "\"Books\"", "null", "42", "true"] {
        cases.push((
            "create",
            raw(&app, Method::POST, "/workspaces/default/connections", Some("application/json"), body).await,
            400,
            "invalid_body",
        ));
        cases.push((
            "update",
            raw(&app, Method::PUT, &format!("/connections/{id}"), Some("application/json"), body).await,
            400,
            "invalid_body",
        ));
    }
    check(cases).await;
}

/// A change to a valid create body: set a field (by `/`-separated path) or remove it.
enum Change {
    Set(&'static str, Value),
    Remove(&'static str),
}

fn changed(change: &Change) -> Value {
    let mut body = quickbooks_body("Books");
    let (path, value) = match change {
        Change::Set(path, value) => (path, Some(value.clone())),
        Change::Remove(path) => (path, None),
    };
    let (parent, key) = path.rsplit_once('/').map_or(("", *path), |(p, k)| (p, k));
    let object = parent
        .split('/')
        .filter(|p| !p.is_empty())
        .fold(&mut body, |v, p| &mut v[p])
        .as_object_mut()
        .expect("an object");
    match value {
        Some(value) => object.insert(key.to_string(), value),
        None => object.remove(key),
    };
    body
}

#[tokio::test]
async fn invalid_create_bodies_are_400_with_the_problem_named() {
    use Change::{Remove, Set};
    let app = spawn_app().await;
    app.create_quickbooks("Taken").await;
    let cases = vec![
        ("an unknown top-level key", Set("colour", json!("red")), 400, "unknown_field", Some("colour")),
        ("a key given twice in two spellings", Set("Name", json!("Other")), 400, "duplicate_field", None),
        ("no name", Remove("name"), 400, "missing_field", Some("name")),
        ("a null name", Set("name", Value::Null), 400, "invalid_field", Some("name")),
        ("an empty name", Set("name", json!("  ")), 400, "invalid_field", Some("name")),
        ("a name with a newline", Set("name", json!("a\nb")), 400, "invalid_name", Some("name")),
        ("a name that is a number", Set("name", json!(5)), 400, "invalid_field", Some("name")),
        ("no connector", Remove("connector"), 400, "missing_field", Some("connector")),
        ("an unknown connector", Set("connector", json!("Oracle")), 400, "unknown_connector", Some("connector")),
        ("an unknown version", Set("connector_version", json!("2.0.0")), 400, "unknown_connector_version", None),
        ("a version that is no version", Set("connector_version", json!("latest")), 400, "invalid_version", None),
        (
            "an unknown property",
            Set("properties/Colour", json!("red")),
            400,
            "unknown_property",
            Some("properties.Colour"),
        ),
        ("a value not allowed", Set("properties/UseSandbox", json!("maybe")), 400, "invalid_property_value", None),
        ("a missing required property", Remove("properties/CompanyId"), 400, "missing_property", None),
        ("a missing required secret", Remove("properties/OAuthClientSecret"), 400, "missing_property", None),
        ("an empty required property", Set("properties/CompanyId", json!("")), 400, "missing_property", None),
        ("a property given twice", Set("properties/companyid", json!("1")), 400, "duplicate_property", None),
        ("a property that is an object", Set("properties/CompanyId", json!({})), 400, "invalid_field", None),
        ("labels that are a string", Set("labels", json!("x")), 400, "invalid_field", Some("labels")),
        ("a label that is a number", Set("labels", json!([1])), 400, "invalid_label", Some("labels[0]")),
        ("properties that are an array", Set("properties", json!([])), 400, "invalid_field", Some("properties")),
        ("settings that are a string", Set("settings", json!("Daily")), 400, "invalid_field", Some("settings")),
        (
            "a verbosity that does not exist",
            Set("settings", json!({"logfile_verbosity": "Loud"})),
            400,
            "invalid_setting",
            None,
        ),
        (
            "an interval that does not exist",
            Set("settings", json!({"metadata_refresh_interval": "Weekly"})),
            400,
            "invalid_setting",
            None,
        ),
        (
            "a callback that is no boolean",
            Set("settings", json!({"use_cdata_callback_url": "yes"})),
            400,
            "invalid_setting",
            None,
        ),
        (
            "an unknown setting",
            Set("settings", json!({"colour": "red"})),
            400,
            "unknown_field",
            Some("settings.colour"),
        ),
        ("a taken name", Set("name", json!("Taken")), 409, "name_taken", Some("name")),
        ("a taken name in another case", Set("name", json!("tAKEN")), 409, "name_taken", Some("name")),
        ("a taken name with spaces around", Set("name", json!(" taken ")), 409, "name_taken", Some("name")),
    ];
    for (description, change, status, code, target) in cases {
        let body = changed(&change);
        let (actual, error) = json(app.create_connection("default", &body).await).await;
        assert_eq!((actual, error["error"]["code"].as_str()), (status, Some(code)), "{description}: {error}");
        assert_error_shape(&error);
        let expected_target = target.map(str::to_string).or_else(|| match &change {
            Set(path, _) | Remove(path) if *path != "Name" => Some(path.replace('/', ".")),
            _ => None,
        });
        if let Some(expected) = expected_target {
            let actual = error["error"]["target"].as_str().unwrap_or_default();
            assert!(actual.starts_with(&expected), "{description}: target {actual}, expected {expected}: {error}");
        }
    }
    assert_eq!(app.connection_names("default", "").await, ["Taken"], "nothing invalid was created");
}

#[tokio::test]
async fn error_messages_list_what_is_valid() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["connector"] = json!("Oracle");
    let error = assert_error(app.create_connection("default", &body).await, 400, "unknown_connector").await;
    let message = error["error"]["message"].as_str().expect("message");
    for installed in ["QuickBooks", "Salesforce", "Misbehave", "Stub"] {
        assert!(message.contains(installed), "{installed}: {message}");
    }

    let mut body = quickbooks_body("Books");
    body["properties"]["Colour"] = json!("red");
    let error = assert_error(app.create_connection("default", &body).await, 400, "unknown_property").await;
    let message = error["error"]["message"].as_str().expect("message");
    for valid in ["CompanyId", "OAuthClientId", "OAuthClientSecret", "OAuthAccessToken", "UseSandbox", "MinorVersion"] {
        assert!(message.contains(valid), "{valid}: {message}");
    }

    let mut body = quickbooks_body("Books");
    body["colour"] = json!("red");
    let error = assert_error(app.create_connection("default", &body).await, 400, "unknown_field").await;
    assert!(error["error"]["message"].as_str().expect("message").contains("colour"), "{error}");

    let mut body = quickbooks_body("Books");
    body["properties"]["UseSandbox"] = json!("maybe");
    let error = assert_error(app.create_connection("default", &body).await, 400, "invalid_property_value").await;
    let message = error["error"]["message"].as_str().expect("message");
    assert!(message.contains("true") && message.contains("false"), "{message}");
}

#[tokio::test]
async fn several_problems_are_reported_together_in_details() {
    let app = spawn_app().await;
    let body = json!({"name": 5, "connector": "QuickBooks", "labels": "x", "properties": [], "settings": {"logfile_verbosity": "Loud"}});
    let error = assert_error(app.create_connection("default", &body).await, 400, "invalid_body").await;
    let mut targets: Vec<&str> = error["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| d["target"].as_str().expect("target"))
        .collect();
    targets.sort();
    assert_eq!(targets, ["labels", "name", "properties", "settings.logfile_verbosity"]);
}

#[tokio::test]
async fn invalid_update_bodies_are_400_and_change_nothing() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let before = app.get_ok(&id).await;
    let cases = vec![
        ("an unknown key", app.update_connection(&id, &json!({"colour": "red"})).await, 400, "unknown_field"),
        ("the connector", app.update_connection(&id, &json!({"connector": "Salesforce"})).await, 400, "unknown_field"),
        ("a name that is a number", app.update_connection(&id, &json!({"name": 5})).await, 400, "invalid_field"),
        ("labels that are a string", app.update_connection(&id, &json!({"labels": "x"})).await, 400, "invalid_field"),
        (
            "properties that are an array",
            app.update_connection(&id, &json!({"properties": []})).await,
            400,
            "invalid_field",
        ),
        (
            "a verbosity that does not exist",
            app.update_connection(&id, &json!({"settings": {"logfile_verbosity": "Loud"}})).await,
            400,
            "invalid_setting",
        ),
        (
            "an unknown property",
            app.update_connection(&id, &json!({"properties": {"Colour": "red"}})).await,
            400,
            "unknown_property",
        ),
        (
            "a value not allowed",
            app.update_connection(&id, &json!({"properties": {"UseSandbox": "maybe"}})).await,
            400,
            "invalid_property_value",
        ),
        (
            "an unknown version",
            app.update_connection(&id, &json!({"connect_version": "0.0.1"})).await,
            400,
            "unknown_connector_version",
        ),
        (
            "both version spellings",
            app.update_connection(&id, &json!({"connect_version": "1.0.0", "connector_version": "1.1.0"})).await,
            400,
            "duplicate_field",
        ),
    ];
    check(cases).await;
    assert_eq!(app.get_ok(&id).await, before);
}

#[tokio::test]
async fn unknown_connections_are_404_whatever_the_id_looks_like() {
    let app = spawn_app().await;
    let mut cases = Vec::new();
    for id in ["550e8400-e29b-41d4-a716-446655440000", "not-a-uuid", "1", "%20", "%FF"] {
        cases.push(("read", app.get_connection(id).await, 404, "connection_not_found"));
        cases.push(("update", app.update_connection(id, &json!({"name": "x"})).await, 404, "connection_not_found"));
        cases.push(("delete", app.delete_connection(id).await, 404, "connection_not_found"));
        cases.push(("logs", app.list_logs(id).await, 404, "connection_not_found"));
    }
    check(cases).await;
}

#[tokio::test]
async fn unknown_query_parameters_are_400_unknown_parameter() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let cases = vec![
        ("list", app.list_connections("default", "$filter=x").await, 400, "unknown_parameter"),
        ("list", app.list_connections("default", "orderby=name").await, 400, "unknown_parameter"),
        ("tables", app.list_tables(&id, "table_types=VIEW").await, 400, "unknown_parameter"),
        ("columns", app.list_columns(&id, "Customers", "schema=x").await, 400, "unknown_parameter"),
        (
            "read",
            app.request(Method::GET, &format!("/connections/{id}?expand=all")).send().await.expect("sent"),
            400,
            "unknown_parameter",
        ),
        (
            "test",
            app.request(Method::POST, &format!("/connections/{id}/test?dry=1")).send().await.expect("sent"),
            400,
            "unknown_parameter",
        ),
        (
            "workspaces",
            app.request(Method::GET, "/workspaces?top=1").send().await.expect("sent"),
            400,
            "unknown_parameter",
        ),
        ("bad top", app.list_connections("default", "$top=-1").await, 400, "invalid_parameter"),
        ("bad top", app.list_connections("default", "$top=many").await, 400, "invalid_parameter"),
        ("top too large", app.list_connections("default", "top=1001").await, 400, "invalid_parameter"),
        ("bad skip", app.list_connections("default", "$skip=x").await, 400, "invalid_parameter"),
    ];
    let bodies = check(cases).await;
    assert!(bodies[0]["error"]["message"].as_str().expect("message").contains("filter"), "{}", bodies[0]);
}
