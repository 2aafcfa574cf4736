//! Authorizing an OAuth connection through the console: the Authorize
//! button answers a page that goes on to the provider (a refresh and a
//! link, since a form's redirect to another origin breaks the CSP's
//! `form-action 'self'`); the provider sends the browser back to the API's
//! callback, whose page links back to the connection in the console.
//!
//! The provider is the mock of `tests/mocks/oauth.rs`, and the service the
//! QuickBooks or Salesforce mock taking the tokens it issues, as in
//! `tests/api/oauth.rs`.

use super::browser::{Browser, chromedriver};
use super::visitor::{Visitor, origin, unescape};
use crate::api::{
    BROWSER_ACCEPT, TestApp, id_of, oauth_books_body as books_body, oauth_force_body as force_body, spawn_egress_app,
};
use crate::mocks::oauth::{self, CLIENT_SECRET, ClientAuth, Provider};
use crate::mocks::{quickbooks, salesforce};
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The opening tag of the element of id `id` in `html`.
fn tag_of<'h>(html: &'h str, id: &str) -> Option<&'h str> {
    let at = html.find(&format!(" id=\"{id}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    Some(&html[start..=end])
}

/// The value of attribute `name` of `tag` (maud quotes with `"`), unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let (_, rest) = tag.split_once(&format!(" {name}=\""))?;
    Some(unescape(rest.split('"').next()?))
}

/// Asserts that no token `provider` issued, nor its client's secret, is in `text`.
fn assert_no_token(provider: &Provider, text: &str, what: &str) {
    for secret in provider.issued_tokens().iter().map(String::as_str).chain([CLIENT_SECRET]) {
        assert!(!text.contains(secret), "{what} shows `{secret}`:\n{text}");
    }
}

/// Asserts the connection holds masked tokens and tests ok behind the API.
async fn assert_authorized(app: &TestApp, id: &str) {
    let stored = app.get_ok(id).await;
    assert_eq!(stored["status"], "ok", "the callback tested the connection: {stored}");
    assert_eq!(stored["properties"]["OAuthAccessToken"], "********", "{stored}");
    assert_eq!(stored["properties"]["OAuthRefreshToken"], "********", "{stored}");
    assert_eq!(app.test_ok(id).await["success"], true, "the stored tokens work");
}

#[tokio::test]
async fn authorizing_a_quickbooks_connection_in_the_browser_goes_to_the_provider_and_back_to_the_connection() {
    let Some(driver) = chromedriver() else { return };
    let provider = oauth::start(ClientAuth::Basic).await;
    let api = quickbooks::start_with(Some(provider.api().validator())).await;
    let app = spawn_egress_app(&[api.addr, provider.addr]).await;
    let id = id_of(&app.create_ok("default", &books_body(&api, &provider)).await);
    let browser = Browser::start(&driver, &origin(&app)).await;
    browser.sign_in(Some("admin"), &app.token).await;

    browser.goto(&format!("/connections/{id}")).await;
    browser.wait_for("#authorize-connection").await;
    assert!(browser.text_of("#property-OAuthAccessToken").await.contains("not set"), "no token before");
    browser.screenshot("connection-oauth-unauthorized").await;
    browser.click("#authorize-connection").await;

    // The console's page goes on to the provider by itself (its refresh),
    // which sends the browser back to the API's callback.
    let title = browser.wait_for_text("h1", "is authorized").await;
    assert_eq!(title, "Connection `Books` is authorized", "the connection tested ok after authorizing");
    let url = browser.client().current_url().await.expect("the current URL").to_string();
    assert!(url.starts_with(&format!("{}?", app.callback_url())), "on the API's callback: {url}");
    assert_no_token(provider.api(), &browser.source().await, "the callback page");
    browser.screenshot("oauth-callback").await;
    assert_eq!(provider.api().grants("authorization_code"), 1, "one authorization, one code exchanged");

    browser.click_link("Back to the connection in the console").await;
    browser.wait_for("#connection-status").await;
    assert_eq!(browser.path().await, format!("/connections/{id}"));
    assert_eq!(browser.text_of("#connection-status").await, "ok");
    assert!(browser.text_of("#property-OAuthAccessToken").await.contains("stored"), "the token is stored");
    assert_no_token(provider.api(), &browser.source().await, "the connection page");
    browser.screenshot("connection-authorized").await;
    assert_authorized(&app, &id).await;
}

/// A door before the provider's authorization endpoint: its first visit
/// is answered `204 No Content`, which leaves the browser on the page it
/// came from (so the console's page, its refresh gone, can be looked at
/// and its link followed); every later visit is sent on to the provider
/// with the same query.
struct Door {
    /// Where the door listens; its authorization endpoint is `/authorize`.
    addr: std::net::SocketAddr,
    /// How many visits it had.
    visits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Door {
    /// A door to the authorization endpoint `provider` (a URL).
    async fn open(provider: String) -> Door {
        let visits = Arc::new(AtomicUsize::new(0));
        let counted = visits.clone();
        let routes = axum::Router::new().route(
            "/authorize",
            axum::routing::get(move |RawQuery(query): RawQuery| {
                let (visits, provider) = (counted.clone(), provider.clone());
                async move {
                    if visits.fetch_add(1, Ordering::SeqCst) == 0 {
                        return StatusCode::NO_CONTENT.into_response();
                    }
                    let to = format!("{provider}?{}", query.unwrap_or_default());
                    (StatusCode::FOUND, [(LOCATION, to)]).into_response()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("the door binds");
        let addr = listener.local_addr().expect("the door's address");
        let task = tokio::spawn(async move { axum::serve(listener, routes).await.expect("the door serves") });
        Door { addr, visits, task }
    }

    /// Its authorization endpoint.
    fn authorize_url(&self) -> String {
        format!("http://{}/authorize", self.addr)
    }

    /// How many visits it had.
    fn visits(&self) -> usize {
        self.visits.load(Ordering::SeqCst)
    }
}

impl Drop for Door {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn the_authorize_page_in_the_browser_refreshes_to_the_provider_and_its_link_goes_there_too() {
    let Some(driver) = chromedriver() else { return };
    let provider = oauth::start(ClientAuth::Body).await;
    let api = salesforce::start_with(Some(provider.api().validator())).await;
    let door = Door::open(provider.authorize_url()).await;
    // The host takes a plain-http endpoint only at an address it allows.
    let app = spawn_egress_app(&[api.addr, provider.addr, door.addr]).await;
    let mut body = force_body(&api, &provider);
    body["properties"]["OAuthAuthorizationURL"] = json!(door.authorize_url());
    let id = id_of(&app.create_ok("default", &body).await);
    let browser = Browser::start(&driver, &origin(&app)).await;
    browser.sign_in(Some("admin"), &app.token).await;

    browser.goto(&format!("/connections/{id}")).await;
    browser.click("#authorize-connection").await;
    browser.wait_for("#continue-authorize").await;
    assert_eq!(browser.path().await, format!("/connections/{id}/authorize"));
    assert!(browser.text_of("main").await.contains("Force"), "the page names the connection");
    let href = browser.attr("#continue-authorize", "href").await.unwrap_or_default();
    assert!(href.starts_with(&format!("{}?", door.authorize_url())), "the link goes to the provider: {href}");
    assert!(browser.has(&format!("a[href='/connections/{id}']")).await, "a way back without authorizing");
    browser.screenshot("connection-authorize").await;
    assert_eq!(door.visits(), 1, "the page's refresh went to the provider by itself");
    assert!(provider.api().authorizations().is_empty(), "the door kept the refresh from the provider");

    browser.click("#continue-authorize").await;
    let title = browser.wait_for_text("h1", "is authorized").await;
    assert_eq!(title, "Connection `Force` is authorized");
    assert_eq!(door.visits(), 2, "the link went to the provider");
    assert_eq!(provider.api().grants("authorization_code"), 1);
    assert_no_token(provider.api(), &browser.source().await, "the callback page");
    browser.screenshot("oauth-callback-salesforce").await;
    browser.click_link("Back to the connection in the console").await;
    assert_eq!(browser.wait_for_text("#connection-status", "ok").await, "ok");
    assert_authorized(&app, &id).await;
}

#[tokio::test]
async fn authorizing_a_salesforce_connection_answers_a_page_whose_refresh_and_link_lead_to_the_provider_and_back() {
    let provider = oauth::start(ClientAuth::Body).await;
    let api = salesforce::start_with(Some(provider.api().validator())).await;
    let app = spawn_egress_app(&[api.addr, provider.addr]).await;
    let id = id_of(&app.create_ok("default", &force_body(&api, &provider)).await);
    let mut visitor = Visitor::signed_in(&app, &app.token).await;

    let detail = visitor.get(&format!("/connections/{id}")).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    let button = tag_of(&detail.body, "authorize-connection").expect("an OAuth connection has Authorize");
    assert!(button.starts_with("<button"), "{button}");

    let csrf = visitor.csrf().await;
    let page = visitor.post(&format!("/connections/{id}/authorize"), &[("csrf", &csrf)]).await;
    assert_eq!(page.status, 200, "a page, not a redirect (form-action 'self'): {}", page.body);
    assert_eq!(page.location(), None);
    let link = tag_of(&page.body, "continue-authorize").expect("a link to go on");
    let url = attribute(link, "href").expect("the link's href");
    assert!(url.starts_with(&format!("{}?", provider.authorize_url())), "the link goes to the provider: {url}");
    let refresh = page
        .body
        .split("<meta")
        .skip(1)
        .filter_map(|tag| tag.split_once('>').map(|(tag, _)| tag))
        .find(|tag| tag.contains("http-equiv=\"refresh\""))
        .expect("a meta refresh");
    assert_eq!(attribute(refresh, "content"), Some(format!("0; url={url}")), "the refresh goes where the link does");
    assert!(page.body.contains("Force"), "the page names the connection");
    assert!(!page.body.contains(CLIENT_SECRET), "no client secret on the page");
    assert_eq!(provider.api().authorizations().len(), 0, "nobody went to the provider yet");

    // The provider's consent, as a browser follows it: a redirect to the callback.
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    let consent = plain.get(&url).header(ACCEPT, BROWSER_ACCEPT).send().await.expect("the provider answers");
    assert_eq!(consent.status(), 302, "the provider sends the browser back");
    let back = consent.headers().get(LOCATION).and_then(|l| l.to_str().ok()).expect("a Location").to_string();
    assert!(back.starts_with(&format!("{}?", app.callback_url())), "back to the API's callback: {back}");

    // The callback needs no session: the browser arrives from the provider.
    let arrived = plain.get(&back).header(ACCEPT, BROWSER_ACCEPT).send().await.expect("the callback answers");
    assert_eq!(arrived.status(), 200);
    let content_type = arrived.headers().get(CONTENT_TYPE).and_then(|c| c.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let callback = arrived.text().await.expect("a page");
    assert!(callback.contains("Connection `Force` is authorized"), "{callback}");
    assert_no_token(provider.api(), &callback, "the callback page");
    let back_link = format!("<a href=\"/connections/{id}\">Back to the connection in the console</a>");
    assert!(callback.contains(&back_link), "the page links back to the console: {callback}");

    let connection = visitor.get(&format!("/connections/{id}")).await;
    assert_eq!(connection.status, 200, "{}", connection.body);
    let status = tag_of(&connection.body, "connection-status").expect("the status");
    assert!(attribute(status, "class").is_some_and(|c| c.split(' ').any(|c| c == "ok")), "{status}");
    assert_no_token(provider.api(), &connection.body, "the connection page");
    assert_eq!(provider.api().grants("authorization_code"), 1);
    assert_authorized(&app, &id).await;
}
