//! The API, called in process as the signed-in user: the console's only
//! way to read or change anything.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::net::SocketAddr;
use tower::ServiceExt;

/// What a path segment keeps unencoded: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `text` as one path segment.
pub fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// A query string of `pairs` (without the `?`).
pub fn query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    query.finish()
}

/// A list answer of the API (`{"value": [...]}`).
#[derive(Debug, Deserialize)]
pub struct List<T> {
    /// The items.
    pub value: Vec<T>,
}

/// A workspace, as the API lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct Workspace {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// A refusal of the API: its status and error body.
#[derive(Debug, Clone, Deserialize)]
pub struct Failure {
    /// The HTTP status.
    #[serde(skip, default = "internal")]
    pub status: StatusCode,
    /// The stable code.
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// The field, parameter or resource it concerns.
    #[serde(default)]
    pub target: Option<String>,
    /// Further errors, e.g. one per invalid field.
    #[serde(default)]
    pub details: Vec<Detail>,
}

/// One detail of a [`Failure`].
#[derive(Debug, Clone, Deserialize)]
pub struct Detail {
    /// What was wrong.
    pub message: String,
    /// Where.
    #[serde(default)]
    pub target: Option<String>,
}

fn internal() -> StatusCode {
    StatusCode::INTERNAL_SERVER_ERROR
}

impl Failure {
    /// A failure of the console itself (an answer it could not read).
    fn console(message: impl Into<String>) -> Self {
        Failure {
            status: internal(),
            code: "console_error".into(),
            message: message.into(),
            target: None,
            details: Vec::new(),
        }
    }

    /// A refusal of the console itself, as the API would word it: 400,
    /// `code`, `message`, about `target`.
    pub fn invalid(code: &str, message: &str, target: &str) -> Self {
        Failure {
            status: StatusCode::BAD_REQUEST,
            code: code.into(),
            message: message.into(),
            target: Some(target.into()),
            details: Vec::new(),
        }
    }

    /// Whether the API answered 401 (the session's token no longer works).
    pub fn signed_out(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
    }

    /// The fields this failure names: its target and its details' targets.
    pub fn targets(&self) -> Vec<&str> {
        self.target.iter().chain(self.details.iter().filter_map(|d| d.target.as_ref())).map(String::as_str).collect()
    }
}

/// The result of an API call.
pub type Answer<T> = Result<T, Failure>;

/// A response body read whole, with its headers.
pub struct Raw {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: axum::http::HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// The API as one user, from one client address.
pub struct Api {
    router: Router,
    token: String,
    client: Option<SocketAddr>,
}

impl Api {
    /// Calls to `router` with `token`, on behalf of `client`.
    pub fn new(router: Router, token: String, client: Option<SocketAddr>) -> Self {
        Api { router, token, client }
    }

    /// `GET path` (below `/api.rsc/v2`), read as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Answer<T> {
        self.json(Method::GET, path, None).await
    }

    /// Every item of list `path`, following the API's `@odata.nextLink`
    /// pages.
    pub async fn all<T: DeserializeOwned>(&self, path: &str) -> Answer<Vec<T>> {
        #[derive(Deserialize)]
        struct Page<T> {
            value: Vec<T>,
            #[serde(rename = "@odata.nextLink", default)]
            next_link: Option<String>,
        }
        let mut path = Some(path.to_string());
        let mut all = Vec::new();
        while let Some(current) = path.take() {
            let page: Page<T> = self.get(&current).await?;
            all.extend(page.value);
            path = page.next_link.map(|next| next.strip_prefix(crate::api::BASE).unwrap_or(&next).to_string());
        }
        Ok(all)
    }

    /// The workspaces the user may see (an admin: all).
    pub async fn workspaces(&self) -> Answer<Vec<Workspace>> {
        self.all("/workspaces").await
    }

    /// `method path` with a JSON body, read as `T`.
    pub async fn send<T: DeserializeOwned>(&self, method: Method, path: &str, body: Value) -> Answer<T> {
        self.json(method, path, Some(body)).await
    }

    /// `method path` with an optional JSON body; the answer read as `T`
    /// (an empty body reads as JSON `null`).
    async fn json<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<Value>) -> Answer<T> {
        let (content_type, bytes) = match body {
            Some(body) => (Some("application/json"), Bytes::from(body.to_string())),
            None => (None, Bytes::new()),
        };
        let raw = self.call(method, path, content_type, bytes, &[]).await?;
        let text: &[u8] = if raw.body.is_empty() { b"null" } else { &raw.body };
        serde_json::from_slice(text).map_err(|e| Failure::console(format!("the API's answer did not read: {e}")))
    }

    /// `method path` with `body` as `content_type` and extra headers; the
    /// answer whole when it is a success, else its [`Failure`].
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
        headers: &[(&str, &str)],
    ) -> Answer<Raw> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", crate::api::BASE))
            .header(crate::api::auth::TOKEN_HEADER, &self.token);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request =
            request.body(Body::from(body)).map_err(|e| Failure::console(format!("a request did not build: {e}")))?;
        if let Some(client) = self.client {
            request.extensions_mut().insert(ConnectInfo(client));
        }
        let response = self.router.clone().oneshot(request).await.map_err(|e| match e {})?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| Failure::console(format!("reading an answer: {e}")))?.to_bytes();
        if parts.status.is_success() {
            return Ok(Raw { status: parts.status, headers: parts.headers, body });
        }
        #[derive(Deserialize)]
        struct Refusal {
            error: Failure,
        }
        let mut failure = serde_json::from_slice::<Refusal>(&body)
            .map(|r| r.error)
            .unwrap_or_else(|_| Failure::console(format!("the API answered {}", parts.status)));
        failure.status = parts.status;
        Err(failure)
    }
}
