//! The console over plain HTTP, without a browser: a [`Visitor`] keeps the
//! cookies the server sets (as a browser would, by name) and follows no
//! redirect by itself, so tests see each answer's status and headers.

use crate::api::TestApp;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

/// One answer of the console.
pub struct Page {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: String,
}

impl Page {
    /// Where a redirect goes (its `Location`).
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` of the answer.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect()
    }

    /// The `Set-Cookie` of cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find(|c| c.split('=').next() == Some(name))
    }

    /// The value of the first `<input>` named `name` of the body.
    pub fn input(&self, name: &str) -> Option<String> {
        input_value(&self.body, name)
    }
}

/// A browser without a browser: cookies by name, no redirect followed.
pub struct Visitor {
    client: reqwest::Client,
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    cookies: Vec<(String, String)>,
}

impl Visitor {
    /// A visitor of `app`'s console with no cookie.
    pub fn new(app: &TestApp) -> Visitor {
        let client = reqwest::Client::builder().redirect(Policy::none()).build().expect("a client");
        Visitor { client, origin: origin(app), cookies: Vec::new() }
    }

    /// A visitor signed in with `token` (and no user name); asserts the
    /// sign-in succeeds.
    pub async fn signed_in(app: &TestApp, token: &str) -> Visitor {
        let mut visitor = Visitor::new(app);
        let page = visitor.sign_in(None, token, "/").await;
        assert_eq!(page.status, 303, "signing in redirects: {}", page.body);
        assert!(visitor.cookie(SESSION).is_some(), "signing in sets the session cookie: {:?}", page.set_cookies());
        visitor
    }

    /// Loads the sign-in form (`next` as given), then posts it with
    /// `user` and `token`; the answer to the post.
    pub async fn sign_in(&mut self, user: Option<&str>, token: &str, next: &str) -> Page {
        let form = self.get(&format!("/sign-in?next={}", encode(next))).await;
        assert_eq!(form.status, 200, "the sign-in form: {}", form.body);
        let csrf = form.input("csrf").expect("the sign-in form's csrf field");
        let next = form.input("next").expect("the sign-in form's next field");
        self.post("/sign-in", &[("csrf", &csrf), ("next", &next), ("user", user.unwrap_or_default()), ("token", token)])
            .await
    }

    /// The value of cookie `name`, if the visitor holds it.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.origin));
        self.send(request).await
    }

    /// `POST path` with `fields` as a URL-encoded form.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields.iter().map(|(n, v)| format!("{}={}", encode(n), encode(v))).collect::<Vec<_>>().join("&");
        let request = self
            .client
            .post(format!("{}{path}", self.origin))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// `POST path` with `parts` as a `multipart/form-data` body: each a
    /// field name, a file name for a file, and the bytes.
    pub async fn post_multipart(&mut self, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Page {
        const BOUNDARY: &str = "syncport-console-test-boundary";
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            if let Some(file) = file {
                body.extend_from_slice(format!("; filename=\"{file}\"\r\nContent-Type: application/wasm").as_bytes());
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let request = self
            .client
            .post(format!("{}{path}", self.origin))
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body);
        self.send(request).await
    }

    /// The CSRF token of the signed-in session, read from a page's forms.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/connectors").await;
        assert_eq!(page.status, 200, "/connectors: {}", page.body);
        page.input("csrf").expect("a signed-in page carries the csrf field")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let request = match self.cookie_header() {
            Some(cookies) => request.header("cookie", cookies),
            None => request,
        };
        let response = request.send().await.expect("the console answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("a body");
        let page = Page { status, headers, body };
        for set in page.set_cookies() {
            self.store(&set);
        }
        page
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty())
            .then(|| self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; "))
    }

    /// Keeps (or, when it expires or is empty, drops) the cookie a
    /// `Set-Cookie` value sets.
    fn store(&mut self, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else { return };
        let (name, value) = (name.trim().to_string(), value.trim().to_string());
        let expired = parts.any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        self.cookies.retain(|(n, _)| *n != name);
        if !expired && !value.is_empty() {
            self.cookies.push((name, value));
        }
    }
}

/// The session cookie's name on plain HTTP.
pub const SESSION: &str = "syncport-session";

/// The sign-in form's cookie.
pub const SIGN_IN_COOKIE: &str = "syncport-sign-in";

/// `http://127.0.0.1:PORT` of `app`.
pub fn origin(app: &TestApp) -> String {
    app.base.trim_end_matches("/api.rsc/v2").to_string()
}

/// `text` percent-encoded for a query or form value.
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The `value` of the first `<input ... name="NAME" ... value="...">` of
/// `html` (maud writes attributes double-quoted, `&quot;` inside).
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    html.split("<input").skip(1).find_map(|tag| {
        let tag = &tag[..tag.find('>')?];
        if !tag.contains(&needle) {
            return None;
        }
        let value = tag.split_once("value=\"").map_or("", |(_, rest)| rest.split('"').next().unwrap_or_default());
        Some(unescape(value))
    })
}

/// `text` with HTML's character references for `&`, `<`, `>`, `"` and `'`
/// replaced by their characters.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}
