//! `GET /connectors` and `GET /openapi.json`.

use super::{ROUTES, fill, json, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn connectors_lists_every_installed_version_with_its_property_specs() {
    let app = spawn_app().await;
    let (status, list) = json(app.list_connectors().await).await;
    assert_eq!(status, 200, "{list}");
    let connectors = list["value"].as_array().expect("value");
    let names: Vec<&str> = connectors.iter().map(|c| c["name"].as_str().expect("name")).collect();
    for name in ["Misbehave", "QuickBooks", "Salesforce", "Stub"] {
        assert!(names.contains(&name), "{name}: {names:?}");
    }
    let quickbooks = connectors.iter().find(|c| c["name"] == "QuickBooks").expect("QuickBooks");
    assert_eq!(quickbooks["newest_version"], "1.1.0");
    let versions = quickbooks["versions"].as_array().expect("versions");
    let numbers: Vec<&str> = versions.iter().map(|v| v["version"].as_str().expect("version")).collect();
    assert_eq!(numbers, ["1.0.0", "1.1.0"]);
    for version in versions {
        assert_eq!(version["sha256"].as_str().map(str::len), Some(64), "{version}");
        let spec = |name: &str| -> Option<Value> {
            version["properties"].as_array().expect("properties").iter().find(|p| p["name"] == name).cloned()
        };
        let secret = spec("OAuthClientSecret").expect("OAuthClientSecret");
        assert_eq!((secret["required"].as_bool(), secret["secret"].as_bool()), (Some(true), Some(true)), "{secret}");
        let sandbox = spec("UseSandbox").expect("UseSandbox");
        assert_eq!(sandbox["allowed_values"], serde_json::json!(["true", "false"]));
        assert_eq!(sandbox["default_value"], "false");
        assert_eq!(spec("MinorVersion").is_some(), version["version"] == "1.1.0", "{version}");
    }
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_covers_every_route() {
    let app = spawn_app().await;
    let (status, doc) = json(app.openapi().await).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for (method, path) in ROUTES {
        let full = format!("/api.rsc/v2{path}");
        if paths.get(&full).and_then(|p| p.get(method.to_lowercase())).is_none() {
            missing.push(format!("{method} {full}"));
        }
    }
    assert!(missing.is_empty(), "not in the OpenAPI document: {missing:#?}");
    // And nothing is documented that the server does not serve.
    let documented: usize = paths
        .values()
        .map(|p| {
            p.as_object()
                .expect("path item")
                .keys()
                .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                .count()
        })
        .sum();
    assert_eq!(documented, ROUTES.len());
    // Operation ids are unique, as OpenAPI requires.
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|p| p.as_object().expect("path item").values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate operationId: {ids:?}");
    // Every JSON body is typed: a named schema, not a bare object.
    let schemas = &doc["components"]["schemas"];
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(body) = op["requestBody"]["content"]["application/json"].as_object() {
                let reference = body["schema"]["$ref"].as_str();
                assert!(reference.is_some(), "{method} {path}: untyped body {body:?}");
            }
        }
    }
    let create = &schemas["CreateConnection"];
    assert_eq!(create["required"], serde_json::json!(["name", "connector"]), "{create}");
    for field in ["connector_version", "properties", "settings", "labels"] {
        assert!(create["properties"].get(field).is_some(), "CreateConnection.{field}: {create}");
    }
    // Every $ref points at a schema in the document.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"").skip(1).map(|s| s.split('"').next().expect("ref")) {
        let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{reference}"));
        assert!(doc["components"]["schemas"].get(name).is_some(), "{reference} is not defined");
    }
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let app = spawn_app().await;
    for (method, path) in ROUTES {
        let path = fill(path, "550e8400-e29b-41d4-a716-446655440000", "2001-01-01.log");
        let response = app.request(method.parse().expect("method"), &path).send().await.expect("sent");
        let status = response.status().as_u16();
        let (_, body) = json(response).await;
        assert!(status != 405 && body["error"]["code"] != "route_not_found", "{method} {path}: {status} {body}");
    }
}
