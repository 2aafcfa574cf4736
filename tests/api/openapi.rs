//! `GET /openapi.json`: public, built with the routes, and saying what the
//! server does (statuses, headers, limits, closed bodies, links).

use super::{json, spawn_app};
use reqwest::Method;
use serde_json::Value;

/// Every operation of the document: path, method, operation.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                out.push((path.clone(), method.clone(), op.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_is_public_and_is_the_one_built_with_the_routes() {
    let app = spawn_app().await;
    let response = app.anonymous(Method::GET, "/openapi.json").send().await.expect("sent");
    assert_eq!(response.status(), 200, "no token needed");
    assert!(response.headers().contains_key("x-request-id"));
    let served = response.bytes().await.expect("body");
    let built = syncport::api::openapi::Document::new(&syncport::api::document());
    assert_eq!(&served[..], built.json(), "the served document is the one the routes declare");
    let doc: Value = serde_json::from_slice(&served).expect("JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    assert_eq!(doc["servers"][0]["url"], "/api.rsc/v2", "paths are relative to the API base");
    let routes: Vec<(String, String)> =
        operations(&doc).into_iter().map(|(path, method, _)| (method.to_uppercase(), path)).collect();
    // Counted by hand, not from the document: workspaces 4, connections 5
    // and their 2 actions, metadata 4 (tables also as GET), logs 3 (the
    // download also as GET), connectors 5, jobs 9, users 7, OAuth 2
    // (authorize, the callback), health and readiness 2, this document 1.
    assert_eq!(routes.len(), 45, "{routes:?}");
    assert!(routes.iter().all(|(_, path)| !path.starts_with("/api.rsc")), "{routes:?}");
    // Operation ids are unique, as OpenAPI requires.
    let mut ids: Vec<String> = operations(&doc)
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().expect("operationId").to_string())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate operationId: {ids:?}");
    // Every $ref points at a schema in the document.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"").skip(1).map(|s| s.split('"').next().expect("ref")) {
        let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{reference}"));
        assert!(doc["components"]["schemas"].get(name).is_some(), "{reference} is not defined");
    }
}

#[tokio::test]
async fn every_operation_documents_the_statuses_and_headers_the_layers_add() {
    let app = spawn_app().await;
    let (status, doc) = json(app.openapi().await).await;
    assert_eq!(status, 200);
    for (path, method, op) in operations(&doc) {
        let id = op["operationId"].as_str().expect("operationId");
        let responses = op["responses"].as_object().expect("responses");
        for (status, response) in responses {
            assert_eq!(response["headers"]["x-request-id"]["required"], true, "{id} {status}: x-request-id");
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorResponse", "{id} {status}");
            }
        }
        if ["get_openapi_document", "oauth_callback", "health", "ready"].contains(&id) {
            assert_eq!(op["security"], serde_json::json!([]), "{id} needs no token");
            continue;
        }
        let unauthorized = &responses["401"];
        assert_eq!(unauthorized["headers"]["WWW-Authenticate"]["required"], true, "{id}: 401 challenge");
        for status in ["400", "403", "429", "500"] {
            assert!(responses.contains_key(status), "{method} {path}: {status}");
        }
        assert!(responses["429"]["headers"].get("Retry-After").is_some(), "{id}");
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{id}: 404");
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("413") && responses.contains_key("415"), "{id}: 413, 415");
        }
        if responses.contains_key("201") && id != "generate_token" {
            assert_eq!(responses["201"]["headers"]["Location"]["required"], true, "{id}: Location");
        }
    }
    let download = &doc["paths"]["/connections/{connection_id}/logs/{log_name}/download"]["get"]["responses"]["200"];
    assert_eq!(download["headers"]["Content-Disposition"]["required"], true);
    let tables = &doc["paths"]["/connections/{connection_id}/tables"]["post"]["responses"];
    for status in ["502", "503", "504"] {
        assert!(tables.get(status).is_some(), "tables: {status}");
    }
    assert!(tables["503"]["headers"].get("Retry-After").is_some());
    // Every metadata operation answers 409 `needs_credentials` for an OAuth
    // connection not authorized yet (a test answers 200, a failed result).
    for (path, method) in [
        ("/connections/{connection_id}/tables", "post"),
        ("/connections/{connection_id}/tables", "get"),
        ("/connections/{connection_id}/tables/{table_name}/columns", "get"),
        ("/connections/{connection_id}/reset-metadata", "post"),
    ] {
        assert!(doc["paths"][path][method]["responses"].get("409").is_some(), "{method} {path}: 409");
    }
}

#[tokio::test]
async fn bodies_are_closed_typed_limited_and_exemplified() {
    let app = spawn_app().await;
    let (_, doc) = json(app.openapi().await).await;
    let schemas = &doc["components"]["schemas"];
    for (path, method, op) in operations(&doc) {
        let Some(content) = op["requestBody"]["content"].as_object() else { continue };
        if let Some(body) = content.get("application/json") {
            let reference = body["schema"]["$ref"].as_str().unwrap_or_else(|| panic!("{method} {path}: untyped body"));
            let name = reference.rsplit('/').next().expect("name");
            let schema = &schemas[name];
            assert_eq!(schema["additionalProperties"], false, "{name}: unknown keys are refused, so closed");
            assert!(schema.get("example").is_some(), "{name}: an example");
        }
    }
    // The install body is the component's bytes, under either media type.
    let install = &doc["paths"]["/connectors"]["post"]["requestBody"]["content"];
    for media in ["application/wasm", "application/octet-stream"] {
        assert_eq!(install[media]["schema"]["format"], "binary", "{media}: {install}");
    }
    let create = &schemas["CreateConnection"];
    assert_eq!(create["required"], serde_json::json!(["name", "connector"]), "{create}");
    assert_eq!(create["properties"]["labels"]["maxItems"], 50);
    assert_eq!(create["properties"]["labels"]["items"]["maxLength"], 64);
    assert_eq!(create["properties"]["name"]["maxLength"], 128);
    assert_eq!(
        create["properties"]["properties"]["additionalProperties"]["type"],
        serde_json::json!(["string", "null"])
    );
    let job = &schemas["CreateJob"]["properties"]["batch_size"];
    assert_eq!((job["minimum"].as_f64(), job["maximum"].as_f64()), (Some(1.0), Some(100_000.0)), "{job}");
    let days = &schemas["CreateUser"]["properties"]["expires_in_days"];
    assert_eq!((days["minimum"].as_f64(), days["maximum"].as_f64()), (Some(1.0), Some(3650.0)), "{days}");
    let list = &doc["paths"]["/workspaces/{workspace_id}/connections"]["get"]["parameters"];
    let top = list.as_array().expect("parameters").iter().find(|p| p["name"] == "$top").expect("$top");
    assert_eq!((top["schema"]["minimum"].as_f64(), top["schema"]["maximum"].as_f64()), (Some(0.0), Some(1000.0)));
    // Response objects carry exactly their properties.
    for name in ["ConnectionView", "WorkspaceView", "JobView", "RunView", "UserView", "ErrorResponse", "ErrorBody"] {
        assert_eq!(schemas[name]["additionalProperties"], false, "{name}");
    }
}

#[tokio::test]
async fn creates_link_to_what_follows() {
    let app = spawn_app().await;
    let (_, doc) = json(app.openapi().await).await;
    let links = &doc["paths"]["/workspaces/{workspace_id}/connections"]["post"]["responses"]["201"]["links"];
    for target in ["get_connection", "update_connection", "delete_connection"] {
        assert_eq!(links[target]["operationId"], target, "{links}");
        assert_eq!(links[target]["parameters"]["connection_id"], "$response.body#/id");
    }
    for (path, id) in
        [("/workspaces/{workspace_id}/jobs", "get_job"), ("/users", "get_user"), ("/workspaces", "get_workspace")]
    {
        let links = &doc["paths"][path]["post"]["responses"]["201"]["links"];
        assert_eq!(links[id]["operationId"], id, "{path}: {links}");
    }
}

#[tokio::test]
async fn every_response_body_has_an_example_with_exactly_its_keys() {
    let app = spawn_app().await;
    let (_, doc) = json(app.openapi().await).await;
    let schemas = &doc["components"]["schemas"];
    for (path, method, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().expect("responses") {
            let Some(reference) = response["content"]["application/json"]["schema"]["$ref"].as_str() else { continue };
            let name = reference.rsplit('/').next().expect("name");
            let schema = &schemas[name];
            let example =
                schema.get("example").unwrap_or_else(|| panic!("{method} {path} {status}: {name} has no example"));
            let Some(properties) = schema["properties"].as_object() else { continue };
            let keys = example.as_object().expect("an object example");
            for key in keys.keys() {
                assert!(properties.contains_key(key), "{name}: example key {key} is not in the schema");
            }
            for required in schema["required"].as_array().into_iter().flatten() {
                let required = required.as_str().expect("name");
                assert!(keys.contains_key(required), "{name}: the example lacks {required}");
            }
        }
    }
}
