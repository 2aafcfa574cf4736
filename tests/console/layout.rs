//! The console on a small screen: a phone's 320 CSS pixels show every
//! page without scrolling sideways.

use super::browser::{Browser, HEIGHT, WIDTH, chromedriver};
use super::visitor::origin;
use crate::api::{id_of, spawn_app};

#[tokio::test]
async fn the_console_fits_a_screen_320_pixels_wide() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let mut body = crate::api::quickbooks_body("Books with a rather long name for a small screen");
    body["labels"] = serde_json::json!(["production", "finance", "quarterly-close"]);
    let id = id_of(&app.create_ok("default", &body).await);
    let browser = Browser::start(&driver, &origin(&app)).await;
    browser.sign_in(Some("admin"), &app.token).await;
    browser.resize(320, 640).await;
    for (path, ready, shot) in [
        ("/workspaces/default/connections".to_string(), "#connection-list", "narrow-connections"),
        (format!("/connections/{id}"), "#properties", "narrow-connection"),
        (format!("/connections/{id}/edit"), "#connection-form", "narrow-connection-edit"),
        (format!("/connections/{id}/tables"), "#table-list", "narrow-tables"),
    ] {
        browser.goto(&path).await;
        browser.wait_for(ready).await;
        let (width, content) = browser.widths().await;
        browser.screenshot(shot).await;
        assert!(width <= 320, "{path}: the page is {width} px wide at a 320 px window");
        assert!(content <= width, "{path}: its content is {content} px wide, past the {width} px screen");
    }
    browser.resize(WIDTH, HEIGHT).await;
}
