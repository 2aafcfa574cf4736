//! An OAuth 2.0 provider (RFC 6749, PKCE of RFC 7636), as far as the
//! connectors' OAuth flows use it:
//!
//! - `GET /authorize?response_type=code&client_id=…&redirect_uri=…&scope=…
//!   &state=…&code_challenge=…&code_challenge_method=S256` → `302` to
//!   `{redirect_uri}?code=…&state=…` (or `?error=access_denied&state=…`
//!   when [`Provider::deny`] is on); a wrong client, response type or
//!   challenge method, or no challenge or redirect URI, is a 400.
//! - `POST /token` (`application/x-www-form-urlencoded`), the client
//!   authenticated the way the provider requires ([`ClientAuth`]: HTTP
//!   Basic as Intuit does, or `client_id` and `client_secret` in the body as
//!   Salesforce does; otherwise a 401 `invalid_client`):
//!   - `grant_type=authorization_code` with `code` (single use),
//!     `redirect_uri` (the one the code was issued for) and `code_verifier`
//!     (whose S256 is the code's challenge) → `{"access_token",
//!     "token_type":"bearer","expires_in","refresh_token"}`;
//!   - `grant_type=refresh_token` with `refresh_token` → a new access token
//!     and a new refresh token; the old refresh token stops working;
//!   - `grant_type=client_credentials` → an access token, no refresh token;
//!   - anything wrong with a grant is a 400 `invalid_grant`.
//!
//! [`Provider::validator`] says which access tokens are valid now (issued,
//! not past `expires_in`, not expired by [`Provider::expire_access_tokens`]);
//! the QuickBooks and Salesforce mocks started with it accept those tokens.

use super::{Api, Mock, Shared, Validator, json_response, serve};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The client id the provider knows.
pub const CLIENT_ID: &str = "syncport-mock-client-5d2e";
/// That client's secret.
pub const CLIENT_SECRET: &str = "mock-client-secret-a81f3c";
/// How long new access tokens live unless [`Provider::set_expires_in`] says
/// otherwise, in seconds.
pub const DEFAULT_EXPIRES_IN: u64 = 3600;

/// How the token endpoint wants the client to authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic base64(client_id:client_secret)` (Intuit).
    Basic,
    /// `client_id` and `client_secret` in the form body (Salesforce).
    Body,
}

/// One request the authorization endpoint received.
#[derive(Debug, Clone, Default)]
pub struct Authorization {
    /// `response_type`
    pub response_type: Option<String>,
    /// `client_id`
    pub client_id: Option<String>,
    /// `redirect_uri`
    pub redirect_uri: Option<String>,
    /// `scope`
    pub scope: Option<String>,
    /// `state`
    pub state: Option<String>,
    /// `code_challenge`
    pub code_challenge: Option<String>,
    /// `code_challenge_method`
    pub code_challenge_method: Option<String>,
    /// The raw query string.
    pub query: String,
}

/// One request the token endpoint received, and how it was answered.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// `grant_type` (empty when not sent).
    pub grant_type: String,
    /// How the client authenticated: Basic when it sent an `Authorization:
    /// Basic` header, else body when it sent a `client_secret`, else `None`.
    pub client_auth: Option<ClientAuth>,
    /// The form's fields, as sent (secrets among them: do not log).
    pub form: Vec<(String, String)>,
    /// The answer's status.
    pub status: u16,
    /// The answer's `error`, if it was one.
    pub error: Option<String>,
}

impl TokenRequest {
    /// The value of form field `name`, if sent.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A code issued by the authorization endpoint and not used yet.
#[derive(Debug, Clone)]
struct Code {
    redirect_uri: String,
    challenge: String,
}

/// An access token issued, and until when it is valid.
#[derive(Debug, Clone)]
struct Access {
    until: Instant,
    expired: bool,
}

/// What the provider issued and received.
#[derive(Debug, Default)]
struct Ledger {
    codes: HashMap<String, Code>,
    /// The refresh tokens that still work.
    refresh: HashSet<String>,
    access: HashMap<String, Access>,
    /// Every token issued, oldest first.
    issued_access: Vec<String>,
    issued_refresh: Vec<String>,
    authorizations: Vec<Authorization>,
    token_requests: Vec<TokenRequest>,
    next: u64,
}

impl Ledger {
    /// A new token or code: `{kind}-{n}-{random}`.
    fn mint(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("{kind}-{}-{}", self.next, uuid::Uuid::new_v4().simple())
    }

    /// Issues an access token (and a refresh token if `refresh`); the
    /// token endpoint's answer.
    fn issue(&mut self, expires_in: u64, refresh: bool) -> Value {
        let access = self.mint("mock-access");
        let until = Instant::now() + Duration::from_secs(expires_in);
        self.access.insert(access.clone(), Access { until, expired: false });
        self.issued_access.push(access.clone());
        let mut body = json!({"access_token": access, "token_type": "bearer", "expires_in": expires_in});
        if refresh {
            let token = self.mint("mock-refresh");
            self.refresh.insert(token.clone());
            self.issued_refresh.push(token.clone());
            body["refresh_token"] = json!(token);
        }
        body
    }

    fn valid(&self, token: &str) -> bool {
        self.access.get(token).is_some_and(|a| !a.expired && Instant::now() < a.until)
    }
}

/// The provider's state: its client, its knobs and its [`Ledger`]. Read and
/// switch it through [`Mock::api`].
pub struct Provider {
    client_id: String,
    client_secret: String,
    client_auth: ClientAuth,
    ledger: Arc<Mutex<Ledger>>,
    expires_in: AtomicU64,
    token_delay_ms: AtomicU64,
    deny: AtomicBool,
}

impl Provider {
    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The client id it knows.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// That client's secret.
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    /// How the token endpoint wants the client to authenticate.
    pub fn client_auth(&self) -> ClientAuth {
        self.client_auth
    }

    /// The `expires_in` of the tokens issued from now on, in seconds
    /// (default [`DEFAULT_EXPIRES_IN`]); they are valid that long.
    pub fn set_expires_in(&self, seconds: u64) {
        self.expires_in.store(seconds, Ordering::SeqCst);
    }

    /// Holds every answer of the token endpoint back for `delay` (zero: not
    /// at all), so that concurrent refreshes overlap.
    pub fn slow_token(&self, delay: Duration) {
        self.token_delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Makes the authorization endpoint answer `error=access_denied`, as
    /// when the user refuses (`false`: it grants again).
    pub fn deny(&self, on: bool) {
        self.deny.store(on, Ordering::SeqCst);
    }

    /// Revokes every refresh token issued so far: each now gets
    /// `invalid_grant`. Tokens issued later work.
    pub fn revoke_all(&self) {
        self.ledger().refresh.clear();
    }

    /// Expires every access token issued so far: the APIs refuse them.
    pub fn expire_access_tokens(&self) {
        for access in self.ledger().access.values_mut() {
            access.expired = true;
        }
    }

    /// Whether the APIs accept access token `token` now.
    pub fn is_valid(&self, token: &str) -> bool {
        self.ledger().valid(token)
    }

    /// [`Provider::is_valid`], to give the QuickBooks and Salesforce mocks
    /// (`start_with(Some(provider.validator()))`).
    pub fn validator(&self) -> Validator {
        let ledger = self.ledger.clone();
        Arc::new(move |token: &str| ledger.lock().unwrap_or_else(|e| e.into_inner()).valid(token))
    }

    /// The requests the authorization endpoint received, oldest first.
    pub fn authorizations(&self) -> Vec<Authorization> {
        self.ledger().authorizations.clone()
    }

    /// The requests the token endpoint received, oldest first.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.ledger().token_requests.clone()
    }

    /// How many token requests had `grant_type` `grant` (answered or not).
    pub fn grants(&self, grant: &str) -> usize {
        self.ledger().token_requests.iter().filter(|r| r.grant_type == grant).count()
    }

    /// How many `refresh_token` grants it received.
    pub fn refresh_grants(&self) -> usize {
        self.grants("refresh_token")
    }

    /// Every access token issued, oldest first.
    pub fn issued_access_tokens(&self) -> Vec<String> {
        self.ledger().issued_access.clone()
    }

    /// Every refresh token issued, oldest first.
    pub fn issued_refresh_tokens(&self) -> Vec<String> {
        self.ledger().issued_refresh.clone()
    }

    /// Every token issued, access and refresh.
    pub fn issued_tokens(&self) -> Vec<String> {
        let ledger = self.ledger();
        ledger.issued_access.iter().chain(&ledger.issued_refresh).cloned().collect()
    }
}

impl Api for Provider {
    fn token(&self) -> Option<&str> {
        None
    }

    fn unauthorized(&self) -> Response {
        oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed")
    }

    fn throttled(&self) -> Response {
        let mut response = oauth_error(StatusCode::TOO_MANY_REQUESTS, "slow_down", "too many requests");
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        response
    }
}

impl Mock<Provider> {
    /// `{url}/authorize`
    pub fn authorize_url(&self) -> String {
        format!("{}/authorize", self.url())
    }

    /// `{url}/token`
    pub fn token_url(&self) -> String {
        format!("{}/token", self.url())
    }
}

/// Starts a provider for [`CLIENT_ID`] and [`CLIENT_SECRET`] that wants the
/// client to authenticate by `client_auth`.
pub async fn start(client_auth: ClientAuth) -> Mock<Provider> {
    start_for(CLIENT_ID, CLIENT_SECRET, client_auth).await
}

/// Starts a provider for client `client_id` with `client_secret`.
pub async fn start_for(client_id: &str, client_secret: &str, client_auth: ClientAuth) -> Mock<Provider> {
    let provider = Provider {
        client_id: client_id.to_string(),
        client_secret: client_secret.to_string(),
        client_auth,
        ledger: Arc::default(),
        expires_in: AtomicU64::new(DEFAULT_EXPIRES_IN),
        token_delay_ms: AtomicU64::new(0),
        deny: AtomicBool::new(false),
    };
    let routes = Router::new().route("/authorize", get(authorize)).route("/token", post(token));
    serve(provider, routes).await
}

type St = State<Arc<Shared<Provider>>>;

/// The OAuth error shape: `{"error","error_description"}`, not cached.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    no_store(json_response(status, &json!({"error": error, "error_description": description})))
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `uri` with `params` appended to its query (after any it has; a
/// fragment is dropped, as RFC 6749 forbids one in a redirect URI).
pub fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    let base = uri.split('#').next().unwrap_or_default();
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let separator = match base.split_once('?') {
        None => "?",
        Some((_, "")) => "",
        Some((_, existing)) if existing.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{base}{separator}{query}")
}

/// BASE64URL-no-pad(SHA256(`verifier`)): the S256 challenge of a verifier.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

async fn authorize(State(shared): St, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let params: HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let param = |name: &str| params.get(name).cloned();
    let request = Authorization {
        response_type: param("response_type"),
        client_id: param("client_id"),
        redirect_uri: param("redirect_uri"),
        scope: param("scope"),
        state: param("state"),
        code_challenge: param("code_challenge"),
        code_challenge_method: param("code_challenge_method"),
        query: query.clone(),
    };
    let provider = &shared.api;
    provider.ledger().authorizations.push(request.clone());
    let bad = |description: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description);
    if request.client_id.as_deref() != Some(provider.client_id.as_str()) {
        return oauth_error(StatusCode::BAD_REQUEST, "unauthorized_client", "unknown client_id");
    }
    if request.response_type.as_deref() != Some("code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_response_type", "response_type must be code");
    }
    if request.code_challenge_method.as_deref() != Some("S256") {
        return bad("code_challenge_method must be S256");
    }
    let Some(challenge) = request.code_challenge.clone().filter(|c| !c.is_empty()) else {
        return bad("code_challenge is required");
    };
    let Some(redirect_uri) = request.redirect_uri.clone().filter(|r| !r.is_empty()) else {
        return bad("redirect_uri is required");
    };
    let state = request.state.clone().unwrap_or_default();
    let mut answer: Vec<(&str, String)> = Vec::new();
    if provider.deny.load(Ordering::SeqCst) {
        answer.push(("error", "access_denied".into()));
        answer.push(("error_description", "The user denied access".into()));
    } else {
        let mut ledger = provider.ledger();
        let code = ledger.mint("mock-code");
        ledger.codes.insert(code.clone(), Code { redirect_uri: redirect_uri.clone(), challenge });
        answer.push(("code", code));
    }
    if request.state.is_some() {
        answer.push(("state", state));
    }
    let pairs: Vec<(&str, &str)> = answer.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let location = with_query(&redirect_uri, &pairs);
    no_store((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}

/// The client id and secret of an `Authorization: Basic` header.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 2.3.1: each is form-urlencoded before encoding.
    let unescape = |s: &str| form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((unescape(id)?, unescape(secret)?))
}

async fn token(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let provider = &shared.api;
    let delay = provider.token_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let grant_type = field("grant_type").unwrap_or_default();
    let basic = basic(&headers);
    let presented = if headers.contains_key(header::AUTHORIZATION) {
        Some(ClientAuth::Basic)
    } else if field("client_secret").is_some() {
        Some(ClientAuth::Body)
    } else {
        None
    };
    let mut ledger = provider.ledger();
    let (status, answer) = grant(provider, &mut ledger, &headers, &form, &grant_type, basic);
    let error = answer.get("error").and_then(Value::as_str).map(str::to_string);
    ledger.token_requests.push(TokenRequest {
        grant_type,
        client_auth: presented,
        form: form.clone(),
        status: status.as_u16(),
        error,
    });
    drop(ledger);
    no_store(json_response(status, &answer))
}

/// The token endpoint's answer to a request, under the ledger's lock.
fn grant(
    provider: &Provider,
    ledger: &mut Ledger,
    headers: &HeaderMap,
    form: &[(String, String)],
    grant_type: &str,
    basic: Option<(String, String)>,
) -> (StatusCode, Value) {
    let error = |status: StatusCode, code: &str, description: &str| {
        (status, json!({"error": code, "error_description": description}))
    };
    let field = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let form_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !form_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "the body must be application/x-www-form-urlencoded");
    }
    let client = match provider.client_auth {
        ClientAuth::Basic => basic,
        ClientAuth::Body => field("client_id").zip(field("client_secret")).map(|(i, s)| (i.to_string(), s.to_string())),
    };
    let authenticated = client.is_some_and(|(id, secret)| id == provider.client_id && secret == provider.client_secret);
    if !authenticated {
        return error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed");
    }
    let expires_in = provider.expires_in.load(Ordering::SeqCst);
    let invalid_grant = |description: &str| error(StatusCode::BAD_REQUEST, "invalid_grant", description);
    match grant_type {
        "authorization_code" => {
            // Single use: a code is gone once presented, right or wrong.
            let Some(code) = field("code").and_then(|c| ledger.codes.remove(c)) else {
                return invalid_grant("the code is unknown, expired or used");
            };
            if field("redirect_uri") != Some(code.redirect_uri.as_str()) {
                return invalid_grant("redirect_uri does not match the authorization request");
            }
            let Some(verifier) = field("code_verifier") else {
                return invalid_grant("code_verifier is required");
            };
            if s256(verifier) != code.challenge {
                return invalid_grant("code_verifier does not match the code_challenge");
            }
            (StatusCode::OK, ledger.issue(expires_in, true))
        }
        "refresh_token" => {
            let Some(token) = field("refresh_token") else {
                return error(StatusCode::BAD_REQUEST, "invalid_request", "refresh_token is required");
            };
            // Rotation: the token presented stops working.
            if !ledger.refresh.remove(token) {
                return invalid_grant("expired access/refresh token");
            }
            (StatusCode::OK, ledger.issue(expires_in, true))
        }
        "client_credentials" => (StatusCode::OK, ledger.issue(expires_in, false)),
        "" => error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required"),
        _ => error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "unsupported grant_type"),
    }
}

#[cfg(test)]
mod tests {
    //! The provider on its own, over HTTP, as a client following the RFCs.

    use super::*;

    fn client() -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client")
    }

    /// Authorizes with `verifier`'s challenge and `redirect_uri`; the
    /// `Location` the provider answered.
    async fn authorize_with(mock: &Mock<Provider>, redirect_uri: &str, verifier: &str) -> String {
        let url = with_query(
            &mock.authorize_url(),
            &[
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", redirect_uri),
                ("scope", "api refresh_token"),
                ("state", "st-1"),
                ("code_challenge", &s256(verifier)),
                ("code_challenge_method", "S256"),
            ],
        );
        let response = client().get(url).send().await.expect("sent");
        assert_eq!(response.status(), 302);
        response.headers()[header::LOCATION].to_str().expect("a location").to_string()
    }

    fn param(url: &str, name: &str) -> Option<String> {
        let query = url.split_once('?')?.1;
        form_urlencoded::parse(query.as_bytes()).find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
    }

    async fn post_token(mock: &Mock<Provider>, form: &[(&str, &str)], basic: bool) -> (u16, Value) {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut request = client()
            .post(mock.token_url())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if basic {
            request = request.basic_auth(CLIENT_ID, Some(CLIENT_SECRET));
        }
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    #[tokio::test]
    async fn the_mock_provider_runs_the_code_flow_with_pkce_rotates_refresh_tokens_and_revokes() {
        let mock = start(ClientAuth::Basic).await;
        let provider = mock.api();
        let verifier = "a-verifier-of-more-than-forty-three-characters-0123456789";
        let location = authorize_with(&mock, "http://127.0.0.1:9/cb?x=1", verifier).await;
        assert!(location.starts_with("http://127.0.0.1:9/cb?x=1&code="), "{location}");
        assert_eq!(param(&location, "state").as_deref(), Some("st-1"));
        let code = param(&location, "code").expect("a code");
        let records = provider.authorizations();
        assert_eq!(records[0].scope.as_deref(), Some("api refresh_token"));
        assert!(records[0].query.contains("code_challenge_method=S256"), "{:?}", records[0]);
        assert_eq!((provider.client_id(), provider.client_secret()), (CLIENT_ID, CLIENT_SECRET));
        assert_eq!(provider.client_auth(), ClientAuth::Basic);

        let exchange = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://127.0.0.1:9/cb?x=1"),
            ("code_verifier", verifier),
        ];
        let (status, _) = post_token(&mock, &exchange, false).await;
        assert_eq!(status, 401, "the client must authenticate by Basic");
        let (status, tokens) = post_token(&mock, &exchange, true).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!((tokens["token_type"].as_str(), tokens["expires_in"].as_u64()), (Some("bearer"), Some(3600)));
        let access = tokens["access_token"].as_str().expect("an access token");
        let refresh = tokens["refresh_token"].as_str().expect("a refresh token").to_string();
        assert!(provider.is_valid(access) && (provider.validator())(access));
        let (status, again) = post_token(&mock, &exchange, true).await;
        assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")), "a code is single use");

        let refresh_form = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
        let (status, rotated) = post_token(&mock, &refresh_form, true).await;
        assert_eq!(status, 200, "{rotated}");
        assert_ne!(rotated["refresh_token"], json!(refresh));
        let (status, reused) = post_token(&mock, &refresh_form, true).await;
        assert_eq!((status, reused["error"].as_str()), (400, Some("invalid_grant")), "the old one is gone");
        assert_eq!(provider.refresh_grants(), 2);

        provider.expire_access_tokens();
        assert!(!provider.is_valid(access));
        assert!(!provider.is_valid(rotated["access_token"].as_str().expect("access")));
        provider.revoke_all();
        let newest = rotated["refresh_token"].as_str().expect("refresh");
        let (status, revoked) =
            post_token(&mock, &[("grant_type", "refresh_token"), ("refresh_token", newest)], true).await;
        assert_eq!((status, revoked["error"].as_str()), (400, Some("invalid_grant")));
        assert_eq!(provider.issued_tokens().len(), 4);
    }

    #[tokio::test]
    async fn the_mock_provider_refuses_a_wrong_verifier_or_redirect_and_takes_body_credentials() {
        let mock = start(ClientAuth::Body).await;
        let provider = mock.api();
        let creds = [("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)];
        for (verifier, redirect) in [("wrong-verifier", "http://h/cb"), ("right-verifier", "http://h/other")] {
            let location = authorize_with(&mock, "http://h/cb", "right-verifier").await;
            let code = param(&location, "code").expect("code");
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
            ];
            form.extend(creds);
            let (status, body) = post_token(&mock, &form, false).await;
            assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{verifier} {redirect}");
        }
        let mut form = vec![("grant_type", "client_credentials")];
        form.extend(creds);
        let (status, body) = post_token(&mock, &form, false).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("refresh_token").is_none(), "{body}");
        assert_eq!(provider.grants("client_credentials"), 1);
        assert_eq!(provider.token_requests()[2].client_auth, Some(ClientAuth::Body));

        provider.deny(true);
        let location = authorize_with(&mock, "http://h/cb", "v").await;
        assert_eq!(param(&location, "error").as_deref(), Some("access_denied"));
        assert_eq!(param(&location, "state").as_deref(), Some("st-1"));
        let bad = with_query(
            &mock.authorize_url(),
            &[
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", "http://h/cb"),
                ("code_challenge", "c"),
                ("code_challenge_method", "plain"),
            ],
        );
        assert_eq!(client().get(bad).send().await.expect("sent").status(), 400);
    }

    #[tokio::test]
    async fn an_api_mock_given_the_providers_validator_takes_its_live_tokens_only() {
        let provider = start(ClientAuth::Body).await;
        let books = crate::mocks::quickbooks::start_with(Some(provider.api().validator())).await;
        let form = [("grant_type", "client_credentials"), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)];
        let (_, tokens) = post_token(&provider, &form, false).await;
        let access = tokens["access_token"].as_str().expect("access");
        let company = crate::mocks::quickbooks::COMPANY_ID;
        let url = format!("{}/v3/company/{company}/companyinfo/{company}", books.url());
        let call = |token: String| {
            let url = url.clone();
            async move { client().get(url).bearer_auth(token).send().await.expect("sent").status().as_u16() }
        };
        assert_eq!(call(access.to_string()).await, 200);
        assert_eq!(call(crate::mocks::quickbooks::TOKEN.to_string()).await, 401);
        provider.api().expire_access_tokens();
        assert_eq!(call(access.to_string()).await, 401);
        // Started without a validator, a mock takes its fixed token as before.
        let fixed = crate::mocks::quickbooks::start().await;
        let url = format!("{}/v3/company/{company}/companyinfo/{company}", fixed.url());
        let status = |token: &str| client().get(&url).bearer_auth(token).send();
        assert_eq!(status(crate::mocks::quickbooks::TOKEN).await.expect("sent").status(), 200);
        provider.api().set_expires_in(60);
        let (_, fresh) = post_token(&provider, &form, false).await;
        let fresh = fresh["access_token"].as_str().expect("access");
        assert_eq!(status(fresh).await.expect("sent").status(), 401);
        let force = crate::mocks::salesforce::start().await;
        let limits = format!("{}/services/data/v62.0/limits", force.url());
        let sent = client().get(&limits).bearer_auth(crate::mocks::salesforce::TOKEN).send().await.expect("sent");
        assert_eq!(sent.status(), 200);
        let force = crate::mocks::salesforce::start_with(Some(provider.api().validator())).await;
        let limits = format!("{}/services/data/v62.0/limits", force.url());
        assert_eq!(client().get(&limits).bearer_auth(fresh).send().await.expect("sent").status(), 200);
    }
}
