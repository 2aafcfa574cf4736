//! What the console refuses a user whose role or workspaces do not allow
//! it: a workspace not theirs looks like one that does not exist (404,
//! the same page), and admin pages say they are not allowed.

use super::browser::{Browser, chromedriver};
use super::visitor::{Visitor, origin};
use crate::api::{create_user, id_of, json, quickbooks_body, spawn_app, token};
use serde_json::json;

/// A server with a `sales` workspace holding the connection `Ledger`,
/// and `sam`, a standard user of `default` only; sam's token and the
/// connection's id.
async fn foreign_workspace(app: &crate::api::TestApp) -> (String, String) {
    let (status, created) = json(app.create_workspace(&json!({"id": "sales", "name": "Sales"})).await).await;
    assert_eq!(status, 201, "{created}");
    let ledger = id_of(&app.create_ok("sales", &quickbooks_body("Ledger")).await);
    let sam = token(&create_user(app, "sam", "standard", &["default"]).await);
    (sam, ledger)
}

/// `text` with the names that differ between a foreign and a missing
/// thing replaced by `X`.
fn neutral(text: &str, names: &[&str]) -> String {
    names.iter().fold(text.to_string(), |text, name| text.replace(name, "X"))
}

#[tokio::test]
async fn a_workspace_of_someone_else_answers_exactly_like_one_that_does_not_exist() {
    let app = spawn_app().await;
    let (sam, ledger) = foreign_workspace(&app).await;
    let missing = "00000000-0000-0000-0000-000000000000";
    let mut visitor = Visitor::signed_in(&app, &sam).await;
    let mut wrong = Vec::new();
    for (foreign, nothing) in [
        ("/workspaces/sales/connections".to_string(), "/workspaces/nowhere/connections".to_string()),
        ("/workspaces/sales/connections/new".into(), "/workspaces/nowhere/connections/new".into()),
        ("/workspaces/sales/jobs".into(), "/workspaces/nowhere/jobs".into()),
        ("/workspaces/sales/jobs/new".into(), "/workspaces/nowhere/jobs/new".into()),
        (format!("/connections/{ledger}"), format!("/connections/{missing}")),
        (format!("/connections/{ledger}/edit"), format!("/connections/{missing}/edit")),
        (format!("/connections/{ledger}/tables"), format!("/connections/{missing}/tables")),
        (format!("/connections/{ledger}/tables/Customers"), format!("/connections/{missing}/tables/Customers")),
        (format!("/connections/{ledger}/logs"), format!("/connections/{missing}/logs")),
        (format!("/connections/{ledger}/delete"), format!("/connections/{missing}/delete")),
    ] {
        let (a, b) = (visitor.get(&foreign).await, visitor.get(&nothing).await);
        let names = ["sales", "nowhere", ledger.as_str(), missing];
        if (a.status, b.status) != (404, 404) {
            wrong.push(format!("{foreign} answers {}, {nothing} {}: both should be 404", a.status, b.status));
        } else if neutral(&a.body, &names) != neutral(&b.body, &names) {
            wrong.push(format!("{foreign} and {nothing} read differently:\n{}\n{}", a.body, b.body));
        }
        assert!(!a.body.contains("Ledger"), "{foreign} names nothing of the workspace");
    }
    // Nor can a form change it.
    let csrf = visitor.csrf().await;
    for path in [format!("/connections/{ledger}/test"), format!("/connections/{ledger}/delete")] {
        let page = visitor.post(&path, &[("csrf", &csrf)]).await;
        assert_eq!(page.status, 404, "{path}: {}", page.body);
    }
    assert_eq!(app.get_ok(&ledger).await["name"], "Ledger", "still there");
    // And the picker lists only sam's workspace.
    let page = visitor.get("/workspaces/default/connections").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("sales"), "sam's pages do not name the workspace");
    assert!(wrong.is_empty(), "a foreign workspace must look like a missing one:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn a_standard_user_in_a_browser_is_refused_another_workspace_and_the_admin_pages() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let (sam, ledger) = foreign_workspace(&app).await;
    let browser = Browser::start(&driver, &origin(&app)).await;
    browser.sign_in(Some("sam"), &sam).await;
    assert!(browser.text_of("header").await.contains("sam (standard)"));
    assert!(!browser.has("nav a[href='/users']").await, "no Users link for a standard user");
    browser.screenshot("standard-user-connections").await;

    browser.goto("/workspaces/sales/connections").await;
    assert_eq!(browser.text_of("h1").await, "Not found");
    assert!(!browser.text_of("main").await.contains("Ledger"));
    browser.screenshot("foreign-workspace").await;

    browser.goto(&format!("/connections/{ledger}")).await;
    assert_eq!(browser.text_of("h1").await, "Not found");
    browser.screenshot("foreign-connection").await;

    browser.goto("/users").await;
    assert_eq!(browser.text_of("h1").await, "Not allowed");
    browser.screenshot("users-refused").await;
}
