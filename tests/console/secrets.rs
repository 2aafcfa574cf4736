//! Secrets stay write-only in the console: no page, form or refusal ever
//! carries a stored (or just posted) secret value back to the browser.

use super::visitor::{Page, Visitor, encode};
use crate::api::{TestApp, id_of, json, quickbooks_body, spawn_jobs_app};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

/// The secret values of the connection the test stores.
const SECRETS: [(&str, &str); 3] = [
    ("OAuthClientSecret", "client-secret-7f3e9a1c5b"),
    ("OAuthAccessToken", "access-token-4d8b2e6f0a"),
    ("OAuthRefreshToken", "refresh-token-9c1a7e3b5d"),
];

/// Asserts no secret of `secrets` is in `page`, as is or escaped.
fn assert_no_secret(what: &str, page: &Page, secrets: &[&str]) {
    for secret in secrets {
        for form in [secret.to_string(), encode(secret)] {
            assert!(!page.body.contains(&form), "{what} ({}) shows the secret {secret}", page.status);
            for (name, value) in &page.headers {
                let value = value.to_str().unwrap_or_default();
                assert!(!value.contains(&form), "{what}: header {name} holds the secret {secret}");
            }
        }
    }
}

#[tokio::test]
async fn no_console_page_of_a_connection_or_its_workspace_shows_a_stored_secret() {
    let app = spawn_jobs_app(Duration::from_secs(30)).await;
    let mut body = quickbooks_body("Books");
    body["connector_version"] = json!("2.0.0");
    for (name, value) in SECRETS {
        body["properties"][name] = json!(value);
    }
    body["labels"] = json!(["prod"]);
    body["settings"] = json!({"logfile_verbosity": "Verbose"});
    let id = id_of(&app.create_ok("default", &body).await);
    app.test_ok(&id).await;
    app.tables_ok(&id, "").await;
    let (status, logs) = json(app.list_logs(&id).await).await;
    assert_eq!(status, 200, "{logs}");
    let log = logs["value"][0]["name"].as_str().expect("a log file after a test").to_string();
    let files = id_of(&app.create_ok("default", &json!({"name": "Files", "connector": "CSV"})).await);
    let job = json!({"name": "Nightly", "source_connection_id": id, "destination_connection_id": files});
    let (status, job) = json(app.create_job("default", &job).await).await;
    assert_eq!(status, 201, "{job}");
    let job = id_of(&job);
    let (_, users) = json(app.request(Method::GET, "/users").send().await.expect("sent")).await;
    let admin = users["value"][0]["id"].as_str().expect("the admin's id").to_string();

    let secrets: Vec<&str> = SECRETS.iter().map(|(_, v)| *v).collect();
    let mut visitor = Visitor::signed_in(&app, &app.token).await;
    let home = visitor.get("/").await;
    assert_eq!(home.location(), Some("/workspaces/default/connections"), "/ leads to the connections");
    let pages = [
        "/workspaces/default/connections".to_string(),
        "/workspaces/default/connections?label=prod".into(),
        "/workspaces/default/connections?q=Books".into(),
        "/workspaces/default/connections/new".into(),
        "/workspaces/default/connections/new?use=QuickBooks%402.0.0".into(),
        format!("/connections/{id}"),
        format!("/connections/{id}/edit"),
        format!("/connections/{id}/edit?focus=OAuthClientSecret"),
        format!("/connections/{id}/edit?version=1.1.0"),
        format!("/connections/{id}/tables"),
        format!("/connections/{id}/tables/Customers"),
        format!("/connections/{id}/logs"),
        format!("/connections/{id}/logs/{}", encode(&log)),
        format!("/connections/{id}/delete"),
        "/workspaces/default/jobs".into(),
        "/workspaces/default/jobs/new".into(),
        format!("/jobs/{job}"),
        format!("/jobs/{job}/edit"),
        format!("/jobs/{job}/delete"),
        "/connectors".into(),
        "/connectors/try".into(),
        "/users".into(),
        "/users/new".into(),
        format!("/users/{admin}"),
    ];
    for path in &pages {
        let page = visitor.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_no_secret(path, &page, &secrets);
    }
    // The log file itself, downloaded through the console.
    let page = visitor.get(&format!("/connections/{id}/logs/{}/download", encode(&log))).await;
    assert_eq!(page.status, 200, "the log download: {}", page.body);
    assert_no_secret("the log download", &page, &secrets);

    // What actions answer: a test, and a refused save re-rendering the form.
    let csrf = visitor.csrf().await;
    let page = visitor.post(&format!("/connections/{id}/test"), &[("csrf", &csrf)]).await;
    assert!(page.status == 200 || page.status == 303, "the test: {}", page.body);
    assert_no_secret("the test's answer", &page, &secrets);
    let typed = "typed-but-refused-3b9d1f";
    let page = visitor
        .post(
            &format!("/connections/{id}"),
            &[
                ("csrf", &csrf),
                ("connector", "QuickBooks"),
                ("connector_version", "2.0.0"),
                ("name", "Books"),
                ("p.CompanyId", "9130357766"),
                ("p.OAuthClientId", "client-id"),
                ("p.OAuthClientSecret", typed),
                ("p.MinorVersion", "not-a-number"),
                ("p.UseSandbox", "maybe"),
            ],
        )
        .await;
    assert_eq!(page.status, 400, "a bad value is refused and the form shown again: {}", page.body);
    assert_no_secret("the refused form", &page, &[&secrets[..], &[typed]].concat());

    // Nothing was lost on the way: the stored secrets are unchanged.
    for (name, value) in SECRETS {
        assert_eq!(stored_property(&app, &id, name).await.as_deref(), Some(value), "{name}");
    }
}

/// The stored (decrypted) value of property `name` of connection `id`,
/// read behind the API.
pub async fn stored_property(app: &TestApp, id: &str, name: &str) -> Option<String> {
    let id = uuid::Uuid::parse_str(id).expect("a connection id");
    let connection = app.store.connection(id).await.expect("the store reads").expect("the connection exists");
    connection.properties.get(name).map(str::to_string)
}
