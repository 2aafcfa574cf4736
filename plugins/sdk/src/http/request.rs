//! What a connector sends: method, URL, query, headers and body.

use crate::{ConnectorError, Result};

/// An HTTP method the client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

/// The scheme of a request's origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `http`: only test mocks the server operator allows.
    Http,
    /// `https`.
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A request under construction. Build it with [`Request::get`] or
/// [`Request::post`], then send it with [`Client::send`](super::Client::send).
#[derive(Clone)]
pub struct Request {
    method: Method,
    scheme: Scheme,
    authority: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    credential: Option<String>,
}

/// Shows the method and origin only: never a header (they may hold a token)
/// nor the query.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Request({:?} {}{})", self.method, self.origin(), without_query(&self.path))
    }
}

impl Request {
    /// A `GET` of `url`, an absolute `http` or `https` URL. Add query
    /// parameters with [`query`](Self::query); a query already in `url`
    /// (e.g. a next-page link a service returned) is sent as it is. A
    /// malformed URL is an `internal` error that does not show its query.
    pub fn get(url: &str) -> Result<Self> {
        Self::new(Method::Get, url)
    }

    /// A `POST` to `url`, as [`get`](Self::get); set a body with
    /// [`json`](Self::json) or [`body`](Self::body).
    pub fn post(url: &str) -> Result<Self> {
        Self::new(Method::Post, url)
    }

    fn new(method: Method, url: &str) -> Result<Self> {
        let (scheme, authority, path) = split_url(url).ok_or_else(|| {
            ConnectorError::internal(format!("`{}` is not an absolute http or https URL.", without_query(url)))
        })?;
        Ok(Self {
            method,
            scheme,
            authority: authority.to_ascii_lowercase(),
            path: path.to_string(),
            query: Vec::new(),
            headers: vec![("accept".into(), "application/json".into())],
            body: Vec::new(),
            credential: None,
        })
    }

    /// Adds a header (`Accept: application/json` is set by default; setting
    /// `Accept` again replaces it).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if name.eq_ignore_ascii_case("accept") {
            self.headers.retain(|(n, _)| n != "accept");
        }
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Sets `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Adds a query parameter; names and values are percent-encoded when sent.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets a JSON body (and `Content-Type: application/json`).
    pub fn json<T: serde::Serialize>(self, body: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| ConnectorError::internal(format!("Could not encode a request body: {e}")))?;
        Ok(self.body("application/json", bytes))
    }

    /// Sets the body and its `Content-Type`.
    pub fn body(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.body = bytes;
        self.header("content-type", content_type)
    }

    /// Names the connection property holding the credential this request
    /// carries, so that a refusal (401, 403) is an `auth-failed` error
    /// naming it.
    pub fn credential_property(mut self, property: &str) -> Self {
        self.credential = Some(property.to_string());
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host and optional port, lowercase, e.g. `example.com:8443`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The origin, e.g. `https://example.com:8443`: what error messages name.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.authority)
    }

    /// The path (at least `/`) and the percent-encoded query, if any.
    pub fn path_with_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.query).finish();
        let separator = if self.path.contains('?') { '&' } else { '?' };
        // Form encoding writes a space as `+` (and a `+` as `%2B`): `%20` reads
        // the same to every server.
        format!("{}{separator}{}", self.path, query.replace('+', "%20"))
    }

    /// The whole URL with its encoded query.
    pub fn url(&self) -> String {
        format!("{}{}", self.origin(), self.path_with_query())
    }

    /// The headers, names lowercase, in the order set.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body (empty for none).
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    /// The credential property named with [`credential_property`](Self::credential_property).
    pub fn credential(&self) -> Option<&str> {
        self.credential.as_deref()
    }
}

/// `base` and `path` joined with exactly one `/` between them, whether
/// `base` ends with one or `path` starts with one:
/// `join_url("https://a.example/", "/v3/x")` is `https://a.example/v3/x`.
pub fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// `url` up to its query, for messages.
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}

/// Splits an absolute URL into scheme, authority and path with its query
/// (`/` when empty). `None` for another scheme, user info, a fragment, a
/// space, or a host with characters outside letters, digits, `-`, `.`, and
/// `[`, `]`, `:` of IP-literal hosts and ports.
fn split_url(url: &str) -> Option<(Scheme, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        _ => return None,
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => rest.split_at(i),
        Some(_) => return None,
        None => (rest, "/"),
    };
    let host_ok = !authority.is_empty()
        && authority.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'[' | b']'));
    let path_ok = !path.contains(['#', ' ']);
    (host_ok && path_ok).then_some((scheme, authority, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn urls_split_into_origin_and_path() {
        let r = Request::get("HTTPS://Example.com:8443/v3/company/1").expect("valid");
        assert_eq!(r.scheme(), Scheme::Https);
        assert_eq!(r.origin(), "https://example.com:8443");
        assert_eq!(r.path_with_query(), "/v3/company/1");
        assert_eq!(Request::get("http://127.0.0.1:9000").expect("valid").path_with_query(), "/");
    }

    #[test]
    fn malformed_urls_are_refused_without_their_query() {
        for url in
            ["ftp://x/a?token=s3cret", "example.com/x", "https:///x", "https://user@x/", "https://x?a", "https://x/#a"]
        {
            let e = Request::get(url).expect_err(url);
            assert_eq!(e.kind, ErrorKind::Internal);
            assert!(!e.message.contains("s3cret"), "{}", e.message);
        }
    }

    #[test]
    fn query_parameters_are_percent_encoded() {
        let r = Request::get("https://q.example/v3/company/9/query")
            .expect("valid")
            .query("query", "SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 10")
            .query("minorversion", "75")
            .query("odd", "a+b&c=d/é");
        assert_eq!(
            r.path_with_query(),
            "/v3/company/9/query?query=SELECT%20*%20FROM%20Customer%20STARTPOSITION%201%20MAXRESULTS%2010\
             &minorversion=75&odd=a%2Bb%26c%3Dd%2F%C3%A9"
        );
    }

    #[test]
    fn a_query_in_the_url_is_kept_and_extended() {
        let r = Request::get("https://x.example/next?locator=01g-2000").expect("valid");
        assert_eq!(r.path_with_query(), "/next?locator=01g-2000");
        assert_eq!(r.query("n", "a b").path_with_query(), "/next?locator=01g-2000&n=a%20b");
    }

    #[test]
    fn headers_default_to_json_and_debug_hides_them() {
        let r = Request::get("https://x.example/a").expect("valid").bearer("tok-1").query("q", "secret-q");
        assert_eq!(r.headers()[0], ("accept".to_string(), "application/json".to_string()));
        assert_eq!(r.headers()[1], ("authorization".to_string(), "Bearer tok-1".to_string()));
        let shown = format!("{r:?}");
        assert!(!shown.contains("tok-1") && !shown.contains("secret-q"), "{shown}");
        let r = r.header("Accept", "text/plain");
        assert_eq!(r.headers().iter().filter(|(n, _)| n == "accept").count(), 1);
    }

    #[test]
    fn json_bodies_set_their_content_type() {
        let r =
            Request::post("https://x.example/a").expect("valid").json(&serde_json::json!({"a": 1})).expect("encodes");
        assert_eq!(r.method(), Method::Post);
        assert_eq!(r.body_bytes(), br#"{"a":1}"#);
        assert!(r.headers().contains(&("content-type".to_string(), "application/json".to_string())));
    }

    #[test]
    fn join_url_puts_one_slash_between() {
        assert_eq!(join_url("https://a.example/", "/v3/x"), "https://a.example/v3/x");
        assert_eq!(join_url("https://a.example", "v3/x"), "https://a.example/v3/x");
        assert_eq!(join_url("https://a.example/base//", "v3"), "https://a.example/base/v3");
    }
}
