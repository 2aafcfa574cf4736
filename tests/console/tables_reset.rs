//! "Read the tables again" on a connection's tables page: a form posted to
//! `/connections/{id}/reset-tables` (the API's metadata reset), which ends
//! on the tables page with a notice. A GET of that address (a page
//! reloaded after the form) is a 405 page that says what to do, not a
//! blank answer; so is a GET of every other address that takes a form.

use super::browser::{Browser, chromedriver};
use super::visitor::{Visitor, origin};
use crate::api::{TestApp, id_of, quickbooks_body, spawn_app};
use reqwest::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderName, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use serde_json::json;

/// What the tables page says after the reset.
const NOTICE: &str = "The cached metadata was dropped";

/// A QuickBooks connection whose metadata is cached a day and whose log
/// says where each table list came from; its id.
async fn books(app: &TestApp) -> String {
    let mut body = quickbooks_body("Books");
    body["settings"] = json!({"metadata_refresh_interval": "Daily", "logfile_verbosity": "Verbose"});
    id_of(&app.create_ok("default", &body).await)
}

/// Asserts the connection's log shows the tables read, the cache dropped,
/// and the tables read again from the service (not from the cache).
async fn assert_read_again(app: &TestApp, id: &str) {
    assert_eq!(app.log_outcomes(id, "reset-metadata").await, ["cache cleared"]);
    assert_eq!(app.log_outcomes(id, "list-tables").await, ["50 items", "50 items"], "read again, not from the cache");
}

#[tokio::test]
async fn reading_the_tables_again_is_a_post_that_ends_on_the_tables_page_with_a_notice() {
    let app = spawn_app().await;
    let id = books(&app).await;
    let mut visitor = Visitor::signed_in(&app, &app.token).await;
    let tables = visitor.get(&format!("/connections/{id}/tables")).await;
    assert_eq!(tables.status, 200, "{}", tables.body);
    let form = format!("<form method=\"post\" action=\"/connections/{id}/reset-tables\">");
    assert!(tables.body.contains(&form), "the button is a form that posts: {}", tables.body);
    assert!(tables.body.contains("id=\"reset-tables\""), "{}", tables.body);

    let csrf = visitor.csrf().await;
    let reset = visitor.post(&format!("/connections/{id}/reset-tables"), &[("csrf", &csrf)]).await;

    assert_eq!(reset.status, 303, "{}", reset.body);
    let back = format!("/connections/{id}/tables?done=reset-metadata");
    assert_eq!(reset.location(), Some(back.as_str()));
    let page = visitor.get(&back).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(NOTICE), "{}", page.body);
    assert!(page.body.contains("role=\"status\""), "the notice is a status: {}", page.body);
    assert!(page.body.contains("id=\"table-list\""), "the tables, read again: {}", page.body);
    assert_read_again(&app, &id).await;
}

#[tokio::test]
async fn a_get_of_an_address_that_takes_a_form_is_a_405_page_saying_to_use_the_buttons() {
    let app = spawn_app().await;
    let id = books(&app).await;
    let mut visitor = Visitor::signed_in(&app, &app.token).await;
    for path in [
        format!("/connections/{id}/reset-tables"),
        format!("/connections/{id}/reset-metadata"),
        format!("/connections/{id}/reset-credentials"),
        format!("/connections/{id}/test"),
        format!("/connections/{id}/authorize"),
    ] {
        let page = visitor.get(&path).await;

        assert_eq!(page.status, 405, "{path}: {}", page.body);
        let content_type = page.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(content_type.starts_with("text/html"), "{path}: a page, not {content_type:?}");
        assert!(page.body.contains("This address takes a form"), "{path} says why: {:?}", page.body);
        assert!(page.body.contains("href=\"/\""), "{path} leads back to the console: {}", page.body);
    }
    assert!(app.log_outcomes(&id, "reset-metadata").await.is_empty(), "a GET reset nothing");
}

#[tokio::test]
async fn the_405_page_of_a_form_address_has_the_headers_of_every_console_page() {
    let app = spawn_app().await;
    let id = books(&app).await;
    let mut visitor = Visitor::signed_in(&app, &app.token).await;
    let path = format!("/connections/{id}/reset-tables");
    let page = visitor.get(&path).await;
    assert_eq!(page.status, 405, "{path}: {}", page.body);
    let header = |name: HeaderName| page.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let csp = header(CONTENT_SECURITY_POLICY).unwrap_or_default();
    assert!(csp.contains("default-src 'none'"), "the 405 page has the console's CSP: {:?}", page.headers);
    assert_eq!(header(X_FRAME_OPTIONS).as_deref(), Some("DENY"), "{:?}", page.headers);
    assert_eq!(header(X_CONTENT_TYPE_OPTIONS).as_deref(), Some("nosniff"), "{:?}", page.headers);
    assert_eq!(header(REFERRER_POLICY).as_deref(), Some("same-origin"), "{:?}", page.headers);
    assert_eq!(header(CACHE_CONTROL).as_deref(), Some("no-store"), "{:?}", page.headers);
}

#[tokio::test]
async fn the_read_again_button_in_the_browser_shows_the_tables_with_a_notice() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let id = books(&app).await;
    let browser = Browser::start(&driver, &origin(&app)).await;
    browser.sign_in(Some("admin"), &app.token).await;

    browser.goto(&format!("/connections/{id}/tables")).await;
    browser.wait_for("#table-list").await;
    assert!(!browser.text_of("main").await.contains(NOTICE), "no notice before");
    browser.click("#reset-tables").await;

    browser.wait_for_text("main", NOTICE).await;
    assert_eq!(browser.path().await, format!("/connections/{id}/tables?done=reset-metadata"));
    assert!(browser.text_of("#table-list").await.contains("Customers"), "the tables are shown");
    browser.screenshot("tables-read-again").await;
    assert_read_again(&app, &id).await;
}
