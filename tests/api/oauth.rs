//! OAuth 2.0 end to end through the HTTP API: a connection is authorized
//! at the mock provider of `tests/mocks/oauth.rs` (authorization code with
//! PKCE, the browser's redirects followed by hand), its tokens are stored
//! masked, refreshed before they expire and after the API refuses one,
//! and never show in clear; the callback's refusals; client credentials.
//!
//! The QuickBooks and Salesforce mocks are started with the provider's
//! validator: they take the access tokens it issued and still holds valid.

use super::{
    BROWSER_ACCEPT, TestApp, assert_error, egress_config, id_of, json, spawn_egress_app_with, spawn_pair_with,
    sqlite_only,
};
use crate::mocks::oauth::{self, CLIENT_ID, CLIENT_SECRET, ClientAuth, Provider, s256};
use crate::mocks::{Mock, quickbooks, salesforce};
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};
use std::time::Duration;
use syncport::server::ServerConfig;

/// The callback URL a test configures as the CData one.
const CDATA_CALLBACK: &str = "https://sync.example.com/oauth/callback";
/// QuickBooks' OAuth scope.
const QUICKBOOKS_SCOPE: &str = "com.intuit.quickbooks.accounting";

/// A provider, the QuickBooks API taking its tokens, a server allowed to
/// reach both, and a QuickBooks 3.0.0 connection set up for OAuth there.
/// Bind every mock when taking it apart (`api: _api`, not `..`): a mock
/// left unbound is dropped, and stops, at once.
struct Books {
    provider: Mock<Provider>,
    api: Mock<quickbooks::QuickBooks>,
    app: TestApp,
    id: String,
}

/// A QuickBooks 3.0.0 connection's create body: the company at `api`, the
/// client of `provider`, its endpoints, no token; logging at Verbose.
pub(crate) fn books_body(api: &Mock<quickbooks::QuickBooks>, provider: &Mock<Provider>) -> Value {
    json!({
        "name": "Books",
        "connector": "QuickBooks",
        "connector_version": "3.0.0",
        "properties": {
            "CompanyId": quickbooks::COMPANY_ID,
            "BaseURL": api.url(),
            "OAuthClientId": provider.api().client_id(),
            "OAuthClientSecret": provider.api().client_secret(),
            "OAuthAuthorizationURL": provider.authorize_url(),
            "OAuthTokenURL": provider.token_url()
        },
        "settings": {"logfile_verbosity": "Verbose"}
    })
}

/// A Salesforce 3.0.0 connection's create body: the instance at `api`, the
/// client of `provider`, its endpoints, no token; logging at Verbose.
pub(crate) fn force_body(api: &Mock<salesforce::Salesforce>, provider: &Mock<Provider>) -> Value {
    json!({
        "name": "Force",
        "connector": "Salesforce",
        "connector_version": "3.0.0",
        "properties": {
            "InstanceURL": api.url(),
            "OAuthClientId": provider.api().client_id(),
            "OAuthClientSecret": provider.api().client_secret(),
            "OAuthAuthorizationURL": provider.authorize_url(),
            "OAuthTokenURL": provider.token_url()
        },
        "settings": {"logfile_verbosity": "Verbose"}
    })
}

/// [`Books`], the server configured by `configure` too.
async fn books_with(configure: impl FnOnce(&mut ServerConfig)) -> Books {
    let provider = oauth::start(ClientAuth::Basic).await;
    let api = quickbooks::start_with(Some(provider.api().validator())).await;
    let app = spawn_egress_app_with(&[api.addr, provider.addr], configure).await;
    let id = id_of(&app.create_ok("default", &books_body(&api, &provider)).await);
    Books { provider, api, app, id }
}

/// [`Books`] on a server configured as usual.
async fn books() -> Books {
    books_with(|_| {}).await
}

/// A client that, as a test following a browser by hand, sees each redirect.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client")
}

/// The decoded query parameter `name` of `url`.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes()).find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}

/// The raw query string of `url` (empty when none).
fn query_of(url: &str) -> String {
    url.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default()
}

/// Starts authorizing connection `id`, asserting 200; the answer.
async fn start_authorizing(app: &TestApp, id: &str) -> Value {
    let (status, body) = json(app.authorize(id).await).await;
    assert_eq!(status, 200, "authorize {id}: {body}");
    for key in ["authorization_url", "state", "expires_at", "redirect_uri"] {
        assert!(body[key].as_str().is_some_and(|v| !v.is_empty()), "no `{key}`: {body}");
    }
    body
}

/// Opens `authorization_url` as a browser would and the user consents:
/// the provider's `302`; where it sends the browser (the server's callback
/// with a code and the state, or an error).
async fn consent(authorization_url: &str) -> String {
    let response = browser().get(authorization_url).send().await.expect("the provider answers");
    let status = response.status();
    let location = response.headers().get(LOCATION).map(|l| l.to_str().expect("a location").to_string());
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 302, "the provider redirects back: {body}");
    location.expect("a Location")
}

/// Follows the provider's redirect to the server's callback as a browser
/// (`accept`: what it sends as `Accept`); the answer.
async fn arrive(location: &str, accept: &str) -> reqwest::Response {
    browser().get(location).header(ACCEPT, accept).send().await.expect("the callback answers")
}

/// One authorization, start to end.
struct Authorized {
    /// What `authorize` answered.
    authorization: Value,
    /// Where the provider sent the browser back.
    location: String,
    /// The callback's answer (HTML, or JSON when asked).
    page: String,
}

/// Authorizes connection `id` at the provider: authorize, consent, and
/// the callback (as HTML, or as JSON when `as_json`), asserting its 200.
async fn authorize_fully(app: &TestApp, id: &str, as_json: bool) -> Authorized {
    let authorization = start_authorizing(app, id).await;
    let location = consent(authorization["authorization_url"].as_str().expect("url")).await;
    assert!(location.starts_with(&format!("{}?", app.callback_url())), "{location}");
    let accept = if as_json { "application/json" } else { BROWSER_ACCEPT };
    let response = arrive(&location, accept).await;
    let status = response.status().as_u16();
    let content_type = response.headers().get(CONTENT_TYPE).map(|c| c.to_str().unwrap_or_default().to_string());
    let page = response.text().await.expect("a body");
    assert_eq!(status, 200, "the callback succeeds: {page}");
    let wanted = if as_json { "application/json" } else { "text/html" };
    assert!(content_type.as_deref().is_some_and(|c| c.starts_with(wanted)), "{content_type:?}: {page}");
    Authorized { authorization, location, page }
}

/// Asserts that no token `provider` issued, nor its client's secret, is in `text`.
fn assert_no_secret(provider: &Provider, text: &str, where_: &str) {
    let issued = provider.issued_tokens();
    assert!(!issued.is_empty(), "the provider issued tokens");
    for secret in issued.iter().map(String::as_str).chain([CLIENT_SECRET]) {
        assert!(!text.contains(secret), "`{secret}` is in {where_}:\n{text}");
    }
}

/// Asserts a connection's properties hold masked tokens and their expiry.
fn assert_tokens_stored(connection: &Value) {
    let properties = &connection["properties"];
    assert_eq!(properties["OAuthAccessToken"], "********", "{connection}");
    assert_eq!(properties["OAuthRefreshToken"], "********", "{connection}");
    assert!(properties["OAuthExpiresAt"].as_str().is_some_and(|at| !at.is_empty()), "{connection}");
}

#[tokio::test]
async fn authorizing_a_quickbooks_connection_sends_the_browser_to_the_provider_with_pkce_and_the_callback_url() {
    let Books { provider, api: _api, app, id } = books().await;

    let authorization = start_authorizing(&app, &id).await;

    let url = authorization["authorization_url"].as_str().expect("url");
    assert!(url.starts_with(&format!("{}?", provider.authorize_url())), "{url}");
    assert_eq!(param(url, "response_type").as_deref(), Some("code"), "{url}");
    assert_eq!(param(url, "client_id").as_deref(), Some(CLIENT_ID), "{url}");
    assert_eq!(param(url, "redirect_uri"), Some(app.callback_url()), "{url}");
    assert_eq!(authorization["redirect_uri"], json!(app.callback_url()));
    assert!(app.callback_url().ends_with("/api.rsc/v2/oauth/callback"));
    assert_eq!(param(url, "scope").as_deref(), Some(QUICKBOOKS_SCOPE), "{url}");
    assert_eq!(param(url, "state").as_ref(), authorization["state"].as_str().map(str::to_string).as_ref(), "{url}");
    assert_eq!(param(url, "code_challenge_method").as_deref(), Some("S256"), "{url}");
    let challenge = param(url, "code_challenge").expect("a code challenge");
    assert_eq!(challenge.len(), 43, "BASE64URL of a SHA-256, unpadded: {challenge}");
    let expires_at = chrono::DateTime::parse_from_rfc3339(authorization["expires_at"].as_str().expect("expires_at"))
        .expect("expires_at is RFC 3339");
    let ttl = expires_at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(ttl > chrono::Duration::minutes(9) && ttl <= chrono::Duration::seconds(601), "{authorization}");
    assert!(provider.api().token_requests().is_empty(), "nothing is exchanged before the callback");
    let again = start_authorizing(&app, &id).await;
    assert_ne!(again["state"], authorization["state"], "each authorization has its own state");
    assert_ne!(param(again["authorization_url"].as_str().expect("url"), "code_challenge"), Some(challenge));
}

#[tokio::test]
async fn a_completed_authorization_stores_masked_tokens_and_the_connection_tests_ok() {
    let Books { provider, api, app, id } = books().await;

    let flow = authorize_fully(&app, &id, false).await;

    assert!(flow.page.to_lowercase().contains("<html") || flow.page.contains("<!"), "{}", flow.page);
    assert_no_secret(provider.api(), &flow.page, "the callback page");
    assert!(!flow.page.contains(&param(&flow.location, "code").expect("code")), "the code is not echoed");
    let connection = app.get_ok(&id).await;
    assert_tokens_stored(&connection);
    assert_eq!(connection["properties"]["OAuthClientSecret"], "********", "{connection}");
    assert_eq!(connection["status"], "ok", "the callback tested the connection: {connection}");
    assert_eq!(provider.api().grants("authorization_code"), 1);
    assert!(provider.api().issued_access_tokens().iter().all(|t| provider.api().is_valid(t)));
    api.clear_requests();
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], true, "{result}");
    assert!(result["message"].as_str().is_some_and(|m| m.contains(quickbooks::COMPANY_NAME)), "{result}");
    assert_eq!(api.requests().len(), 1, "the stored token works at once: {:?}", api.requests());
    assert_eq!(provider.api().refresh_grants(), 0, "a fresh token is not refreshed");
}

#[tokio::test]
async fn the_callback_answers_json_when_asked_with_the_connection_and_its_status() {
    let Books { provider, api: _api, app, id } = books().await;

    let flow = authorize_fully(&app, &id, true).await;

    let body: Value = serde_json::from_str(&flow.page).expect("JSON");
    assert_eq!(body["connection_id"], json!(id), "{body}");
    assert_eq!(body["status"], "ok", "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_no_secret(provider.api(), &flow.page, "the callback's JSON");
    assert_eq!(flow.authorization["redirect_uri"], json!(app.callback_url()));
}

#[tokio::test]
async fn the_token_endpoint_gets_the_verifier_of_the_challenge_the_code_was_issued_for_by_basic_auth() {
    let Books { provider, api: _api, app, id } = books().await;

    let flow = authorize_fully(&app, &id, false).await;

    let authorizations = provider.api().authorizations();
    assert_eq!(authorizations.len(), 1, "{authorizations:?}");
    let sent = &authorizations[0];
    let exchanges: Vec<_> =
        provider.api().token_requests().into_iter().filter(|r| r.grant_type == "authorization_code").collect();
    assert_eq!(exchanges.len(), 1, "{exchanges:?}");
    let exchange = &exchanges[0];
    assert_eq!(exchange.status, 200, "the provider took the code, redirect URI and verifier: {:?}", exchange.error);
    let verifier = exchange.param("code_verifier").expect("a code verifier");
    assert!((43..=128).contains(&verifier.len()), "RFC 7636 4.1: {} characters", verifier.len());
    assert!(verifier.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)), "RFC 7636 4.1 characters");
    assert_eq!(Some(s256(verifier)), sent.code_challenge, "S256 of the verifier is the challenge");
    assert_eq!(exchange.param("redirect_uri"), sent.redirect_uri.as_deref());
    assert_eq!(exchange.param("code"), param(&flow.location, "code").as_deref());
    assert_eq!(exchange.client_auth, Some(ClientAuth::Basic), "QuickBooks' client authenticates by Basic");
    assert_eq!(exchange.param("client_secret"), None, "the secret is not also in the body");
    assert_eq!(sent.state.as_deref(), flow.authorization["state"].as_str());
}

#[tokio::test]
async fn an_access_token_the_api_refuses_is_refreshed_once_and_the_call_retried() {
    let Books { provider, api, app, id } = books().await;
    authorize_fully(&app, &id, false).await;
    let before = provider.api().issued_refresh_tokens();
    provider.api().expire_access_tokens();
    api.clear_requests();

    let result = app.test_ok(&id).await;

    assert_eq!(result["success"], true, "{result}");
    assert_eq!(provider.api().refresh_grants(), 1, "{:?}", provider.api().token_requests());
    let refresh = provider.api().token_requests().into_iter().find(|r| r.grant_type == "refresh_token");
    let refresh = refresh.expect("a refresh");
    assert_eq!(refresh.param("refresh_token"), before.last().map(String::as_str), "the stored refresh token");
    assert_eq!(refresh.status, 200);
    assert_eq!(api.requests().len(), 2, "the refused call, then the retry: {:?}", api.requests());
    assert_eq!(app.get_ok(&id).await["status"], "ok");
    assert_tokens_stored(&app.get_ok(&id).await);
    // The rotated tokens were stored: the next call needs no refresh.
    assert_eq!(app.test_ok(&id).await["success"], true);
    assert_eq!(provider.api().refresh_grants(), 1);
}

#[tokio::test]
async fn an_access_token_expiring_within_a_minute_is_refreshed_before_the_call() {
    let Books { provider, api, app, id } = books().await;
    provider.api().set_expires_in(30);
    authorize_fully(&app, &id, false).await;
    provider.api().set_expires_in(3600);
    let refreshed = provider.api().refresh_grants();
    api.clear_requests();

    let result = app.test_ok(&id).await;

    assert_eq!(result["success"], true, "{result}");
    assert_eq!(provider.api().refresh_grants(), refreshed + 1, "{:?}", provider.api().token_requests());
    let requests = api.requests();
    assert_eq!(requests.len(), 1, "refreshed first, so no call was refused: {requests:?}");
    // Its new token lives an hour: the next call does not refresh.
    assert_eq!(app.test_ok(&id).await["success"], true);
    assert_eq!(provider.api().refresh_grants(), refreshed + 1);
}

#[tokio::test]
async fn a_revoked_refresh_token_fails_the_test_and_the_connection_needs_credentials() {
    let Books { provider, api: _api, app, id } = books().await;
    authorize_fully(&app, &id, false).await;
    provider.api().revoke_all();
    provider.api().expire_access_tokens();

    let result = app.test_ok(&id).await;

    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "needs_credentials", "{result}");
    assert_no_secret(provider.api(), &result.to_string(), "the test's result");
    assert_eq!(app.get_ok(&id).await["status"], "needs_credentials");
    let refresh = provider.api().token_requests().into_iter().find(|r| r.grant_type == "refresh_token");
    assert_eq!(refresh.map(|r| r.error), Some(Some("invalid_grant".to_string())));
    let log = app.log_text(&id).await;
    assert!(log.contains("invalid_grant"), "the log says why:\n{log}");
    assert_no_secret(provider.api(), &log, "the connection log");
}

#[tokio::test]
async fn reset_credentials_drops_the_tokens_keeps_the_client_and_a_new_authorization_works() {
    let Books { provider, api: _api, app, id } = books().await;
    authorize_fully(&app, &id, false).await;

    let (status, reset) = json(app.reset_credentials(&id).await).await;

    assert_eq!(status, 200, "{reset}");
    assert_eq!(reset["status"], "needs_credentials", "{reset}");
    let properties = reset["properties"].as_object().expect("properties");
    for gone in ["OAuthAccessToken", "OAuthRefreshToken", "OAuthExpiresAt"] {
        assert!(!properties.contains_key(gone), "{gone} is left: {reset}");
    }
    assert_eq!(properties["OAuthClientId"], CLIENT_ID, "{reset}");
    assert_eq!(properties["OAuthClientSecret"], "********", "{reset}");
    assert_eq!(app.get_ok(&id).await, reset);

    authorize_fully(&app, &id, false).await;
    let connection = app.get_ok(&id).await;
    assert_tokens_stored(&connection);
    assert_eq!(connection["status"], "ok", "{connection}");
    assert_eq!(app.test_ok(&id).await["success"], true);
    assert_eq!(provider.api().grants("authorization_code"), 2);
}

/// How a test spoils a callback.
#[derive(Debug, Clone, Copy)]
enum Spoiled {
    /// The callback URL of a completed authorization, sent again.
    Replayed,
    /// A state the server never issued.
    Forged,
    /// The user refused at the provider.
    Denied,
}

/// The query of a callback spoiled `how`, for connection `id`.
async fn spoiled_callback(books: &Books, how: Spoiled) -> String {
    let Books { provider, app, id, .. } = books;
    match how {
        Spoiled::Replayed => query_of(&authorize_fully(app, id, false).await.location),
        Spoiled::Forged => {
            let state = format!("forged-{}", uuid::Uuid::new_v4().simple());
            form_urlencoded::Serializer::new(String::new())
                .append_pair("code", "a-code-never-issued")
                .append_pair("state", &state)
                .finish()
        }
        Spoiled::Denied => {
            provider.api().deny(true);
            let authorization = start_authorizing(app, id).await;
            let location = consent(authorization["authorization_url"].as_str().expect("url")).await;
            provider.api().deny(false);
            assert_eq!(param(&location, "error").as_deref(), Some("access_denied"), "{location}");
            query_of(&location)
        }
    }
}

#[tokio::test]
async fn a_replayed_forged_or_denied_callback_is_a_400_in_json_or_html_as_asked() {
    let books = books().await;
    let cases = [
        (Spoiled::Replayed, "oauth_state_invalid"),
        (Spoiled::Forged, "oauth_state_invalid"),
        (Spoiled::Denied, "oauth_denied"),
    ];
    for (how, code) in cases {
        for as_json in [true, false] {
            let query = spoiled_callback(&books, how).await;
            let response = if as_json {
                books.app.oauth_callback_accepting(&query, "application/json").await
            } else {
                books.app.oauth_callback(&query).await
            };

            let context = format!("{how:?} (JSON: {as_json})");
            if as_json {
                let body = assert_error(response, 400, code).await;
                assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{context}: {body}");
            } else {
                assert_eq!(response.status(), 400, "{context}");
                let content_type = response.headers().get(CONTENT_TYPE).map(|c| c.to_str().unwrap_or("").to_string());
                assert!(
                    content_type.as_deref().is_some_and(|c| c.starts_with("text/html")),
                    "{context}: {content_type:?}"
                );
                let page = response.text().await.expect("a page");
                assert_no_secret(books.provider.api(), &page, &context);
            }
        }
    }
    let exchanged = books.provider.api().grants("authorization_code");
    assert_eq!(exchanged, 2, "only the completed authorizations exchanged a code: the state is checked first");
}

#[tokio::test]
async fn a_callback_after_the_state_expired_is_a_400_oauth_state_expired() {
    let books = books_with(|c| c.oauth_state_ttl = Duration::from_millis(700)).await;
    let authorization = start_authorizing(&books.app, &books.id).await;
    let location = consent(authorization["authorization_url"].as_str().expect("url")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let response = books.app.oauth_callback_accepting(&query_of(&location), "application/json").await;

    assert_error(response, 400, "oauth_state_expired").await;
    assert_eq!(books.provider.api().grants("authorization_code"), 0, "an expired state exchanges no code");
    let connection = books.app.get_ok(&books.id).await;
    assert!(connection["properties"].get("OAuthAccessToken").is_none(), "{connection}");
}

#[tokio::test]
async fn the_cdata_callback_url_setting_sends_the_configured_callback_url_as_redirect_uri() {
    let books = books_with(|c| c.oauth_callback_url = Some(CDATA_CALLBACK.to_string())).await;
    let (app, id) = (&books.app, &books.id);
    assert_eq!(start_authorizing(app, id).await["redirect_uri"], json!(app.callback_url()), "the setting is off");
    app.update_ok(id, &json!({"settings": {"use_cdata_callback_url": true}})).await;

    let authorization = start_authorizing(app, id).await;

    assert_eq!(authorization["redirect_uri"], CDATA_CALLBACK, "{authorization}");
    let url = authorization["authorization_url"].as_str().expect("url");
    assert_eq!(param(url, "redirect_uri").as_deref(), Some(CDATA_CALLBACK), "{url}");
}

#[tokio::test]
async fn the_cdata_callback_url_setting_without_a_configured_callback_url_is_a_400() {
    let books = books().await;
    let body = json!({"settings": {"use_cdata_callback_url": true}});
    books.app.update_ok(&books.id, &body).await;

    assert_error(books.app.authorize(&books.id).await, 400, "oauth_callback_not_configured").await;
}

#[tokio::test]
async fn authorizing_a_connection_that_cannot_use_oauth_is_refused_with_the_matching_error() {
    let provider = oauth::start(ClientAuth::Basic).await;
    let api = quickbooks::start_with(Some(provider.api().validator())).await;
    let app = spawn_egress_app_with(&[api.addr, provider.addr], |c| {
        super::app::bundle(c, &["connectors/quickbooks-2.0.0.wasm"]);
    })
    .await;
    let csv = id_of(&app.create_ok("default", &json!({"name": "Files", "connector": "CSV"})).await);
    let mut older = books_body(&api, &provider);
    older["name"] = json!("Older");
    older["connector_version"] = json!("2.0.0");
    older["properties"] = json!({"CompanyId": quickbooks::COMPANY_ID, "OAuthClientId": CLIENT_ID,
        "OAuthClientSecret": CLIENT_SECRET, "OAuthAccessToken": "a-token"});
    let older = id_of(&app.create_ok("default", &older).await);
    let mut clientless = books_body(&api, &provider);
    clientless["name"] = json!("Clientless");
    clientless["properties"].as_object_mut().expect("properties").remove("OAuthClientId");
    let clientless = id_of(&app.create_ok("default", &clientless).await);
    let unknown = uuid::Uuid::new_v4().to_string();
    let cases = [
        ("CSV 1.0.0", csv.as_str(), 400, "oauth_not_supported", None),
        ("QuickBooks 2.0.0", older.as_str(), 400, "oauth_not_supported", None),
        ("no OAuthClientId", clientless.as_str(), 400, "missing_property", Some("properties.OAuthClientId")),
        ("an unknown connection", unknown.as_str(), 404, "connection_not_found", None),
    ];
    for (case, id, status, code, target) in cases {
        let body = assert_error(app.authorize(id).await, status, code).await;
        if let Some(target) = target {
            assert_eq!(body["error"]["target"], target, "{case}: {body}");
        }
    }
    assert!(provider.api().authorizations().is_empty() && provider.api().token_requests().is_empty());
}

#[tokio::test]
async fn no_token_shows_in_clear_in_any_answer_of_the_flow_nor_in_the_connection_logs() {
    let Books { provider, api: _api, app, id } = books().await;
    let mut seen = Vec::new();
    let authorization = start_authorizing(&app, &id).await;
    seen.push(authorization.to_string());
    let location = consent(authorization["authorization_url"].as_str().expect("url")).await;
    seen.push(arrive(&location, "application/json").await.text().await.expect("body"));
    let again = authorize_fully(&app, &id, false).await;
    seen.push(again.page);
    seen.push(app.get_ok(&id).await.to_string());
    seen.push(app.test_ok(&id).await.to_string());
    provider.api().expire_access_tokens();
    seen.push(app.test_ok(&id).await.to_string());
    seen.push(app.tables_ok(&id, "").await.iter().map(Value::to_string).collect());
    seen.push(json(app.list_connections("default", "").await).await.1.to_string());
    seen.push(json(app.reset_credentials(&id).await).await.1.to_string());
    assert!(provider.api().refresh_grants() >= 1 && provider.api().issued_tokens().len() >= 6);

    for (i, body) in seen.iter().enumerate() {
        assert_no_secret(provider.api(), body, &format!("answer {i}"));
    }
    assert_no_secret(provider.api(), &app.log_text(&id).await, "the connection log");
    assert_no_secret(provider.api(), &app.stored_logs().await, "the stored logs");
}

#[tokio::test]
async fn no_token_shows_in_clear_in_the_database_file_on_sqlite() {
    sqlite_only();
    let Books { provider, api: _api, app, id } = books().await;
    authorize_fully(&app, &id, false).await;
    provider.api().expire_access_tokens();
    assert_eq!(app.test_ok(&id).await["success"], true);
    assert_eq!(provider.api().refresh_grants(), 1);

    let mut files = Vec::new();
    // The server's own files (the bundled components left out).
    let mut dirs = vec![app.data.path().join("data")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("a directory").flatten() {
            let path = entry.path();
            if path.is_dir() { dirs.push(path) } else { files.push(path) }
        }
    }
    let database = app.data.path().join("data/syncport.db");
    assert!(files.contains(&database), "the database is at {}: {files:?}", database.display());
    for file in &files {
        let bytes = std::fs::read(file).expect("a file");
        for secret in provider.api().issued_tokens().iter().map(String::as_str).chain([CLIENT_SECRET]) {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "`{secret}` is in clear in {}", file.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn two_servers_testing_a_connection_with_an_expired_token_at_once_refresh_it_once_on_postgres() {
    let provider = oauth::start(ClientAuth::Basic).await;
    let api = quickbooks::start_with(Some(provider.api().validator())).await;
    let allow = [api.addr, provider.addr];
    let (a, b) = spawn_pair_with(move |c| egress_config(c, &allow)).await;
    let id = id_of(&a.create_ok("default", &books_body(&api, &provider)).await);
    authorize_fully(&a, &id, false).await;
    provider.api().expire_access_tokens();
    provider.api().slow_token(Duration::from_millis(300));

    let (on_a, on_b) = tokio::join!(a.test_ok(&id), b.test_ok(&id));

    assert_eq!((&on_a["success"], &on_b["success"]), (&json!(true), &json!(true)), "{on_a} {on_b}");
    assert_eq!(provider.api().refresh_grants(), 1, "{:?}", provider.api().token_requests());
    assert_eq!(a.get_ok(&id).await["status"], "ok");
    assert_eq!(b.test_ok(&id).await["success"], true, "the refreshed token is shared");
    assert_eq!(provider.api().refresh_grants(), 1);
}

#[tokio::test]
async fn a_salesforce_connection_authorizes_with_its_client_in_the_body_and_both_scopes() {
    let provider = oauth::start(ClientAuth::Body).await;
    let api = salesforce::start_with(Some(provider.api().validator())).await;
    let app = spawn_egress_app_with(&[api.addr, provider.addr], |_| {}).await;
    let id = id_of(&app.create_ok("default", &force_body(&api, &provider)).await);

    let flow = authorize_fully(&app, &id, false).await;

    let url = flow.authorization["authorization_url"].as_str().expect("url");
    let scopes: Vec<String> = param(url, "scope").expect("scope").split(' ').map(str::to_string).collect();
    assert_eq!(scopes, ["api", "refresh_token"], "{url}");
    let exchange = provider.api().token_requests().into_iter().find(|r| r.grant_type == "authorization_code");
    let exchange = exchange.expect("a code exchange");
    assert_eq!((exchange.status, exchange.client_auth), (200, Some(ClientAuth::Body)), "{:?}", exchange.error);
    assert_eq!(exchange.param("client_id"), Some(CLIENT_ID));
    assert_tokens_stored(&app.get_ok(&id).await);
    assert_eq!(app.test_ok(&id).await["success"], true);
}

#[tokio::test]
async fn a_salesforce_connection_with_only_its_client_gets_a_token_by_client_credentials() {
    let provider = oauth::start(ClientAuth::Body).await;
    let api = salesforce::start_with(Some(provider.api().validator())).await;
    let app = spawn_egress_app_with(&[api.addr, provider.addr], |_| {}).await;
    let mut body = force_body(&api, &provider);
    // No authorization: only the client and where to get a token.
    body["properties"].as_object_mut().expect("properties").remove("OAuthAuthorizationURL");
    let id = id_of(&app.create_ok("default", &body).await);

    let result = app.test_ok(&id).await;

    assert_eq!(result["success"], true, "{result}");
    assert_eq!(provider.api().grants("client_credentials"), 1, "{:?}", provider.api().token_requests());
    assert!(provider.api().authorizations().is_empty(), "nobody was sent to authorize");
    let requests = provider.api().token_requests();
    assert_eq!(requests[0].client_auth, Some(ClientAuth::Body), "Salesforce's client authenticates in the body");
    assert!(api.requests().iter().all(|r| r.authorization), "every API call carries the token");
    assert_eq!(app.get_ok(&id).await["status"], "ok");
    assert_no_secret(provider.api(), &result.to_string(), "the test's result");
    assert_no_secret(provider.api(), &app.log_text(&id).await, "the connection log");
}

#[tokio::test]
async fn syncport_connection_authorize_prints_the_url_and_waits_until_the_connection_is_authorized() {
    use std::io::BufRead;
    let Books { provider: _provider, api: _api, app, id: _ } = books().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_syncport"))
        .args(["connection", "authorize", "books", "--server", &app.base, "--timeout-secs", "60"])
        .env("SYNCPORT_TOKEN", &app.token)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("syncport runs");
    // Its lines, as they come, from a thread of their own.
    let stdout = child.stdout.take().expect("stdout");
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut printed = String::new();
    let url = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.recv()).await.ok().flatten();
        let line = line.unwrap_or_else(|| panic!("the URL is printed: {printed}"));
        printed.push_str(&line);
        printed.push('\n');
        if line.trim_start().starts_with("http") {
            break line.trim().to_string();
        }
    };

    // The user opens it and consents; the browser lands on the callback.
    let location = consent(&url).await;
    assert_eq!(arrive(&location, BROWSER_ACCEPT).await.status(), 200);
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("waits").expect("it ends");

    while let Some(line) = lines.recv().await {
        printed.push_str(&line);
        printed.push('\n');
    }
    assert!(status.success(), "{status}: {printed}");
    assert!(printed.contains("Authorized; the connection's test succeeded."), "{printed}");
    assert!(printed.contains(&app.callback_url()), "it names the redirect URI to register: {printed}");
}

#[tokio::test]
async fn a_job_run_renews_an_expiring_token_of_its_source_and_copies_every_row() {
    let Books { provider, api: _api, app, id } = books().await;
    provider.api().set_expires_in(30);
    authorize_fully(&app, &id, false).await;
    let before = provider.api().refresh_grants();
    let destination = super::egress::csv_destination(&app).await;

    // The run holds both connections; renewing the source's tokens must
    // still store them (they change nothing the run depends on).
    let run = super::egress::run_job(&app, &id, &destination, "QuickBooks.Customer", 10).await;

    assert_eq!(run["status"], "Successful", "{run}");
    assert_eq!(run["rows"], quickbooks::CUSTOMERS.len(), "{run}");
    assert!(provider.api().refresh_grants() > before, "the run's start renewed the token");
    let requests = provider.api().token_requests();
    let last = requests.iter().rev().find(|r| r.grant_type == "refresh_token").expect("a refresh");
    let stored = app.test_ok(&id).await;
    assert_eq!(stored["success"], true, "the rotated refresh token was stored: {stored} {last:?}");
    assert!(provider.api().token_requests().iter().all(|r| r.status == 200), "no refresh token was spent twice");
}

#[tokio::test]
async fn changing_where_credentials_go_drops_the_tokens_and_the_client_secret() {
    let Books { provider, api: _api, app, id } = books().await;
    authorize_fully(&app, &id, false).await;
    let elsewhere = format!("{}/elsewhere/token", provider.url());

    let updated = app.update_ok(&id, &json!({"properties": {"OAuthTokenURL": elsewhere}})).await;

    let properties = &updated["properties"];
    for gone in ["OAuthAccessToken", "OAuthRefreshToken", "OAuthExpiresAt", "OAuthClientSecret"] {
        assert!(properties.get(gone).is_none(), "{gone} is dropped: {updated}");
    }
    assert_eq!(properties["OAuthClientId"], CLIENT_ID, "{updated}");
    let result = app.test_ok(&id).await;
    assert_eq!(
        (&result["success"], &result["error"]["code"]),
        (&json!(false), &json!("needs_credentials")),
        "{result}"
    );
    assert!(provider.requests().iter().all(|r| !r.path.starts_with("/elsewhere")), "nothing was sent there");

    // Setting the secret again in the same update keeps it.
    let again = json!({"properties": {"OAuthTokenURL": provider.token_url(), "OAuthClientSecret": CLIENT_SECRET}});
    let updated = app.update_ok(&id, &again).await;
    assert_eq!(updated["properties"]["OAuthClientSecret"], "********", "{updated}");
    authorize_fully(&app, &id, false).await;
    assert_eq!(app.test_ok(&id).await["success"], true);
}
