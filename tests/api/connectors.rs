//! `GET /connectors`, and every documented route is served (the document
//! itself: tests/api/openapi.rs).

use super::{ROUTES, fill, json, spawn_app, text};
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
async fn every_documented_route_is_served() {
    let app = spawn_app().await;
    assert!(ROUTES.len() >= 40, "the document lists the routes: {:?}", *ROUTES);
    for (method, path) in ROUTES.iter() {
        let path = fill(path, "550e8400-e29b-41d4-a716-446655440000", "2001-01-01.log");
        let response = app.request(method.parse().expect("method"), &path).send().await.expect("sent");
        // Not every answer is JSON (the metrics, a log file).
        let (status, body) = text(response).await;
        assert!(status != 405 && !body.contains("route_not_found"), "{method} {path}: {status} {body}");
    }
}

#[tokio::test]
async fn the_connector_listing_shows_what_a_job_may_use_each_version_as() {
    let app = super::spawn_jobs_app(std::time::Duration::from_secs(30)).await;

    let (status, list) = super::json(app.list_connectors().await).await;

    assert_eq!(status, 200, "{list}");
    let roles = |name: &str, version: &str| {
        let connector = list["value"].as_array().expect("value").iter().find(|c| c["name"] == name).expect(name);
        let versions = connector["versions"].as_array().expect("versions");
        versions.iter().find(|v| v["version"] == version).map(|v| v["roles"].clone()).expect(version)
    };
    assert_eq!(roles("CSV", "1.0.0"), serde_json::json!(["destination"]));
    assert_eq!(roles("QuickBooks", "2.0.0"), serde_json::json!(["source"]));
    assert_eq!(roles("QuickBooks", "1.0.0"), serde_json::json!([]), "a WIT 0.1.0 connector is metadata only");
}
