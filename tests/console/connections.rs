//! Connections in a real browser: signing in, creating one from the form
//! its connector's properties generate, a failed test that points at the
//! property to fix, editing without retyping a secret, tables and columns.

use super::browser::{Browser, chromedriver};
use super::secrets::stored_property;
use super::visitor::origin;
use crate::api::{TestApp, id_of, json, quickbooks_body, spawn_app};
use serde_json::json;

/// A browser for `app`, signed in as its admin.
async fn admin_browser(driver: &std::path::Path, app: &TestApp) -> Browser {
    let browser = Browser::start(driver, &origin(app)).await;
    browser.sign_in(Some("admin"), &app.token).await;
    browser
}

/// The id of the connection whose page (`/connections/{id}...`) the
/// browser shows.
async fn shown_connection(browser: &Browser) -> String {
    let path = browser.path().await;
    let rest = path.strip_prefix("/connections/").unwrap_or_else(|| panic!("a connection's page: {path}"));
    rest.split(['/', '?']).next().expect("an id").to_string()
}

#[tokio::test]
async fn signing_in_with_the_admin_token_in_a_browser_leads_to_the_connections() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let browser = Browser::start(&driver, &origin(&app)).await;

    browser.goto("/").await;
    browser.wait_for("#token").await;
    assert!(browser.path().await.starts_with("/sign-in"), "signed out, / leads to the form");
    browser.screenshot("sign-in").await;

    browser.fill("#token", "spt_not-the-token").await;
    browser.click("form[action='/sign-in'] button[type=submit]").await;
    let error = browser.wait_for_text("#sign-in-error", "not valid").await;
    assert!(!error.contains("spt_not-the-token"), "{error}");
    assert_eq!(browser.value_of("#token").await, "", "the token is not put back in the form");
    browser.screenshot("sign-in-refused").await;

    browser.fill("#user", "admin").await;
    browser.fill("#token", &app.token).await;
    browser.click("form[action='/sign-in'] button[type=submit]").await;
    browser.wait_for("#no-connections").await;
    assert_eq!(browser.path().await, "/workspaces/default/connections");
    assert!(browser.text_of("header").await.contains("admin"), "the header names the user");
    browser.screenshot("connections-empty").await;

    browser.click("form.sign-out button[type=submit]").await;
    browser.wait_for("#token").await;
    browser.goto("/connectors").await;
    browser.wait_for("#token").await;
    assert!(browser.path().await.starts_with("/sign-in"), "signed out for good");
}

#[tokio::test]
async fn a_quickbooks_connection_made_from_the_generated_form_fails_its_test_on_the_named_property() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let browser = admin_browser(&driver, &app).await;

    browser.click("#new-connection").await;
    browser.select("#use", "QuickBooks@1.1.0").await;
    browser.click("#connector-picker button[type=submit]").await;
    browser.wait_for("#connection-form").await;
    // The form comes from the version's property specs.
    assert!(browser.text_of("#field-CompanyId label").await.contains("required"), "CompanyId is marked required");
    assert_eq!(browser.attr("#prop-OAuthClientSecret", "type").await.as_deref(), Some("password"));
    assert_eq!(browser.attr("#prop-OAuthAccessToken", "type").await.as_deref(), Some("password"));
    assert!(browser.has("#prop-MinorVersion").await, "1.1.0 has MinorVersion");
    assert!(browser.has("select#prop-UseSandbox").await, "allowed values are a select");
    browser.screenshot("connection-new").await;

    browser.fill("#name", "Books").await;
    browser.fill("#labels", "prod, finance").await;
    browser.fill("#prop-CompanyId", "9130357766").await;
    browser.fill("#prop-OAuthClientId", "client-id").await;
    browser.fill("#prop-OAuthClientSecret", "wrong-secret").await;
    browser.fill("#prop-OAuthAccessToken", "access-token").await;
    browser.click("#save-connection").await;
    browser.wait_for_text("main", "Created.").await;
    let id = shown_connection(&browser).await;
    assert_eq!(browser.text_of("#connection-status").await, "untested");
    browser.screenshot("connection-created").await;

    let stored = app.get_ok(&id).await;
    assert_eq!(stored["name"], "Books");
    assert_eq!(stored["connector_version"], "1.1.0");
    assert_eq!(stored["labels"], json!(["prod", "finance"]));
    assert_eq!(stored["properties"]["OAuthClientSecret"], "********");
    assert_eq!(stored_property(&app, &id, "OAuthClientSecret").await.as_deref(), Some("wrong-secret"));

    browser.click("#test-connection").await;
    let result = browser.wait_for_text("#test-result", "Test failed").await;
    assert!(!result.contains("wrong-secret"), "{result}");
    assert_eq!(browser.text_of("#test-error-code").await, "auth_failed");
    assert_eq!(browser.text_of("#test-error-property").await, "OAuthClientSecret");
    let row = "#property-OAuthClientSecret";
    assert!(browser.attr(row, "class").await.unwrap_or_default().contains("invalid"), "the property's row is marked");
    assert_eq!(browser.attr(row, "aria-invalid").await.as_deref(), Some("true"));
    assert!(!browser.attr("#property-CompanyId", "class").await.unwrap_or_default().contains("invalid"));
    assert_eq!(browser.text_of("#connection-status").await, "failed");
    browser.screenshot("connection-test-failed").await;

    browser.click("#fix-property").await;
    browser.wait_for("#connection-form").await;
    assert!(browser.attr("#field-OAuthClientSecret", "class").await.unwrap_or_default().contains("invalid"));
    assert_eq!(browser.attr("#prop-OAuthClientSecret", "aria-invalid").await.as_deref(), Some("true"));
    assert!(browser.has("#prop-OAuthClientSecret-why").await, "the field says why");
    assert!(!browser.attr("#field-CompanyId", "class").await.unwrap_or_default().contains("invalid"));
    browser.screenshot("connection-edit-flagged").await;

    browser.fill("#prop-OAuthClientSecret", "client-secret").await;
    browser.click("#save-connection").await;
    browser.wait_for_text("main", "Saved.").await;
    browser.click("#test-connection").await;
    let result = browser.wait_for_text("#test-result", "Test succeeded").await;
    assert!(result.contains("9130357766"), "{result}");
    assert_eq!(browser.text_of("#connection-status").await, "ok");
    browser.screenshot("connection-test-ok").await;
}

#[tokio::test]
async fn a_refused_create_shows_the_form_again_with_what_was_typed_but_no_secret() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    app.create_quickbooks("Books").await;
    let browser = admin_browser(&driver, &app).await;
    browser.goto("/workspaces/default/connections/new?use=QuickBooks%401.1.0").await;
    browser.fill("#name", "books").await;
    browser.fill("#prop-CompanyId", "9130357766").await;
    browser.fill("#prop-OAuthClientId", "client-id").await;
    browser.fill("#prop-OAuthClientSecret", "client-secret-typed").await;
    browser.fill("#prop-MinorVersion", "70").await;
    browser.click("#save-connection").await;
    let refusal = browser.wait_for_text(".error[role=alert]", "name").await;
    assert!(browser.text_of(".error[role=alert] .code").await.contains("name_taken"), "{refusal}");
    assert!(browser.has(".field.invalid #name").await, "the name's field is marked");
    assert_eq!(browser.value_of("#name").await, "books", "what was typed is kept");
    assert_eq!(browser.value_of("#prop-MinorVersion").await, "70");
    assert_eq!(browser.value_of("#prop-CompanyId").await, "9130357766");
    assert_eq!(browser.value_of("#prop-OAuthClientSecret").await, "", "a secret is never sent back");
    assert!(!browser.source().await.contains("client-secret-typed"));
    browser.screenshot("connection-new-refused").await;
    assert_eq!(app.connection_names("default", "").await, ["Books"], "nothing was created");
}

#[tokio::test]
async fn editing_a_connection_without_retyping_its_secret_keeps_the_secret() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["properties"]["OAuthClientSecret"] = json!("client-secret-kept-51c2");
    body["properties"]["OAuthAccessToken"] = json!("access-token-kept-8e0d");
    let id = id_of(&app.create_ok("default", &body).await);
    let browser = admin_browser(&driver, &app).await;

    browser.goto(&format!("/connections/{id}")).await;
    browser.wait_for("#properties").await;
    assert!(browser.text_of("#property-OAuthClientSecret").await.contains("stored"), "a secret shows as stored");
    browser.screenshot("connection-detail").await;
    browser.click("#edit-connection").await;
    browser.wait_for("#connection-form").await;
    assert_eq!(browser.value_of("#prop-OAuthClientSecret").await, "");
    assert_eq!(browser.attr("#prop-OAuthClientSecret", "placeholder").await.as_deref(), Some("unchanged"));
    assert_eq!(browser.attr("#prop-OAuthClientSecret", "required").await, None, "a stored secret may stay empty");
    assert_eq!(browser.value_of("#prop-CompanyId").await, "9130357766", "other values are shown");
    let source = browser.source().await;
    assert!(!source.contains("client-secret-kept-51c2") && !source.contains("access-token-kept-8e0d"));
    browser.screenshot("connection-edit").await;

    browser.fill("#name", "Books renamed").await;
    browser.fill("#labels", "renamed").await;
    browser.click("#save-connection").await;
    browser.wait_for_text("main", "Saved.").await;
    browser.screenshot("connection-saved").await;

    let read = app.get_ok(&id).await;
    assert_eq!(read["name"], "Books renamed");
    assert_eq!(read["labels"], json!(["renamed"]));
    assert_eq!(read["properties"]["OAuthClientSecret"], "********", "{read}");
    assert_eq!(read["properties"]["OAuthAccessToken"], "********", "{read}");
    assert_eq!(stored_property(&app, &id, "OAuthClientSecret").await.as_deref(), Some("client-secret-kept-51c2"));
    assert_eq!(stored_property(&app, &id, "OAuthAccessToken").await.as_deref(), Some("access-token-kept-8e0d"));
    assert_eq!(app.test_ok(&id).await["success"], true, "the kept secrets still connect");
}

#[tokio::test]
async fn tables_and_their_columns_can_be_browsed() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let books = id_of(&app.create_quickbooks("Books").await);
    let wide = id_of(&app.create_ok("default", &json!({"name": "Wide", "connector": "Wide"})).await);
    let browser = admin_browser(&driver, &app).await;

    browser.goto(&format!("/connections/{books}")).await;
    browser.click_link("Tables").await;
    browser.wait_for("#table-list").await;
    assert_eq!(browser.path().await, format!("/connections/{books}/tables"));
    let listed = browser.text_of("#table-list").await;
    assert!(listed.contains("Customers") && listed.contains("Invoices"), "{listed}");
    browser.screenshot("tables").await;

    browser.click_link("Customers").await;
    browser.wait_for("#column-list").await;
    let columns = browser.text_of("#column-list").await;
    assert!(columns.contains("Id") && columns.contains("primary"), "{columns}");
    browser.screenshot("columns").await;

    // The filters, and a name that needs encoding all the way.
    browser.goto(&format!("/connections/{wide}/tables")).await;
    browser.select("#type", "VIEW").await;
    browser.click("#table-filters button[type=submit]:not([name])").await;
    browser.wait_for("#table-list").await;
    assert!(browser.path().await.contains("type=VIEW"), "{}", browser.path().await);
    browser.screenshot("tables-views").await;
    browser.click_link("Profit and Loss Café 客户").await;
    browser.wait_for("#column-list").await;
    assert!(browser.text_of("h1").await.contains("Profit and Loss Café 客户"));
    browser.screenshot("columns-of-a-view").await;
}

#[tokio::test]
async fn a_connections_logs_can_be_read_in_the_browser() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.test_ok(&id).await;
    let (status, logs) = json(app.list_logs(&id).await).await;
    assert_eq!(status, 200, "{logs}");
    let browser = admin_browser(&driver, &app).await;
    browser.goto(&format!("/connections/{id}")).await;
    browser.click_link("Logs").await;
    browser.wait_for("#log-list").await;
    browser.screenshot("logs").await;
    let name = logs["value"][0]["name"].as_str().expect("a log file");
    browser.click_link(name).await;
    let text = browser.wait_for_text("#log-text", "test").await;
    assert!(!text.contains("client-secret") && !text.contains("access-token"), "{text}");
    browser.screenshot("log").await;
}

#[tokio::test]
async fn deleting_a_connection_asks_first_then_removes_it() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let browser = admin_browser(&driver, &app).await;
    browser.goto(&format!("/connections/{id}")).await;
    browser.click("#delete-connection").await;
    browser.wait_for("#confirm-button").await;
    browser.screenshot("connection-delete").await;
    assert_eq!(app.get_ok(&id).await["name"], "Books", "nothing is deleted before the confirmation");
    browser.click("#confirm-button").await;
    browser.wait_for_text("main", "Deleted.").await;
    assert_eq!(browser.path().await, "/workspaces/default/connections?done=deleted");
    browser.screenshot("connection-deleted").await;
    assert_eq!(app.get_connection(&id).await.status(), 404);
}
