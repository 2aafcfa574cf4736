//! Connectors in a real browser: an admin installs one by uploading its
//! component and removes it (refused, with the connections to move,
//! while one is pinned to it); a standard user can do neither.

use super::browser::{Browser, chromedriver};
use super::visitor::{Visitor, origin};
use crate::api::{create_user, id_of, spawn_app, token};
use crate::hostile::renamed;
use serde_json::json;

/// The row of connector `name` at `version` on `/connectors`.
fn row(name: &str, version: &str) -> String {
    format!("tr[id='connector-{name}-{version}']")
}

#[tokio::test]
async fn an_admin_installs_a_connector_by_upload_and_removes_it_once_nothing_is_pinned_to_it() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    // A third-party component (the bundled stub under a name of its own).
    let upload = tempfile::tempdir().expect("a folder");
    let component = upload.path().join("acme-1.0.0.wasm");
    std::fs::write(&component, renamed(&crate::helpers::component("fixtures/stub-renamable.wasm"), "Acme", "1.0.0"))
        .expect("write the component");
    let browser = Browser::start(&driver, &origin(&app)).await;
    browser.sign_in(Some("admin"), &app.token).await;

    browser.goto("/connectors").await;
    browser.wait_for("#connector-list").await;
    assert!(browser.has(&row("Wide", "0.1.0")).await, "the bundled connectors are listed");
    assert!(!browser.has(&row("Acme", "1.0.0")).await);
    browser.screenshot("connectors").await;

    browser.attach("#component", &component).await;
    browser.click("#install-button").await;
    browser.wait_for_text("main", "Installed.").await;
    assert!(browser.text_of(&row("Acme", "1.0.0")).await.contains("unsigned"), "listed, as unsigned");
    browser.screenshot("connector-installed").await;
    assert_eq!(app.get_connector_version("Acme", "1.0.0").await.status(), 200);

    // Pinned by a connection, it stays, and the page says which.
    let body = json!({"name": "Pinned", "connector": "Acme", "properties": {}});
    let pinned = id_of(&app.create_ok("default", &body).await);
    browser.goto("/connectors").await;
    assert!(browser.text_of(&row("Acme", "1.0.0")).await.contains('1'), "one pinned connection");
    browser.click(&format!("{} button", row("Acme", "1.0.0"))).await;
    browser.wait_for("#pinned-connections").await;
    assert!(browser.text_of("#pinned-connections").await.contains("Pinned"));
    browser.screenshot("connector-remove-refused").await;
    assert_eq!(app.get_connector_version("Acme", "1.0.0").await.status(), 200, "still installed");

    assert_eq!(app.delete_connection(&pinned).await.status(), 204);
    browser.goto("/connectors").await;
    browser.click(&format!("{} button", row("Acme", "1.0.0"))).await;
    browser.wait_for_text("main", "Removed.").await;
    assert!(!browser.has(&row("Acme", "1.0.0")).await, "no longer listed");
    browser.screenshot("connector-removed").await;
    assert_eq!(app.get_connector_version("Acme", "1.0.0").await.status(), 404);
}

#[tokio::test]
async fn a_standard_user_sees_the_connectors_but_can_neither_install_nor_remove_one() {
    let app = spawn_app().await;
    let sam = token(&create_user(&app, "sam", "standard", &["default"]).await);
    let mut visitor = Visitor::signed_in(&app, &sam).await;
    let page = visitor.get("/connectors").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("connector-list"), "the list is shown");
    assert!(!page.body.contains("install-form"), "no install form");
    assert!(!page.body.contains("/remove"), "no remove buttons");
    let csrf = page.input("csrf").expect("csrf");
    let page = visitor.post("/connectors/Wide/versions/0.1.0/remove", &[("csrf", &csrf)]).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(app.get_connector_version("Wide", "0.1.0").await.status(), 200, "still installed");
}
