//! A real browser for the console's tests: headless Chromium driven over
//! WebDriver by a `chromedriver` this harness starts itself (on a free
//! port of 127.0.0.1, killed with its browser when the [`Browser`] drops).
//!
//! The tests run only when `SYNCPORT_TEST_CHROMEDRIVER` names the
//! chromedriver executable (`cargo xtask test` installs Debian's
//! `chromium` and `chromium-driver` and sets it); otherwise each says it is
//! skipped and returns, see [`chromedriver`].

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The variable naming the chromedriver executable.
pub const CHROMEDRIVER: &str = "SYNCPORT_TEST_CHROMEDRIVER";

/// How long [`Browser::wait_for`] waits for an element to appear.
pub const WAIT: Duration = Duration::from_secs(30);

/// The window of every session; [`Browser::resize`] changes it.
pub const WIDTH: u32 = 1280;
/// See [`WIDTH`].
pub const HEIGHT: u32 = 900;

/// Browsers at once in this test binary: each is a chromedriver and a
/// Chromium of several processes, and the machine also runs the servers.
static BROWSERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The chromedriver to drive, from `SYNCPORT_TEST_CHROMEDRIVER`; when it is
/// unset, prints that the calling test is skipped and answers `None`, and
/// the test returns. Set to a file that does not exist, it fails the test:
/// a configured browser that is missing is a broken set-up, not a skip.
pub fn chromedriver() -> Option<PathBuf> {
    let Some(path) = std::env::var_os(CHROMEDRIVER).filter(|p| !p.is_empty()) else {
        let test = std::thread::current().name().unwrap_or("this test").to_string();
        println!("{test}: skipped: {CHROMEDRIVER} is not set (cargo xtask test installs chromium and sets it)");
        return None;
    };
    let path = PathBuf::from(path);
    assert!(path.is_file(), "{CHROMEDRIVER}={} is not a file: install chromium-driver or unset it", path.display());
    Some(path)
}

/// A headless Chromium session against one server, with the helpers the
/// tests use. Its chromedriver (and so its browser) is killed on drop.
pub struct Browser {
    client: Client,
    /// `http://127.0.0.1:PORT`: the server's origin, where paths are.
    origin: String,
    /// chromedriver's port, to end the session on drop.
    port: u16,
    session: Option<String>,
    driver: Child,
    _slot: tokio::sync::SemaphorePermit<'static>,
}

impl Browser {
    /// Starts `chromedriver` on a free port, waits until it answers, and
    /// opens a headless session (1280 × 900) for the server at `origin`.
    pub async fn start(chromedriver: &Path, origin: &str) -> Browser {
        let slot = BROWSERS.acquire().await.expect("the semaphore is never closed");
        let (driver, port) = spawn_driver(chromedriver);
        let mut options = json!({
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                format!("--window-size={WIDTH},{HEIGHT}"),
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-features=Translate,OptimizationHints,MediaRouter",
                "--password-store=basic",
            ],
        });
        // Debian installs the browser beside its driver.
        let binary = chromedriver.with_file_name("chromium");
        if binary.is_file() {
            options["binary"] = json!(binary.to_string_lossy());
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        capabilities.insert("pageLoadStrategy".into(), json!("normal"));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("chromedriver on port {port} opens a Chromium session: {e}"));
        let session = client.session_id().await.ok().flatten();
        let browser =
            Browser { client, origin: origin.trim_end_matches('/').to_string(), port, session, driver, _slot: slot };
        browser.resize(WIDTH, HEIGHT).await;
        browser
    }

    /// The WebDriver client, for what the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `path` of the server (`/sign-in`, ...).
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.origin);
        self.client.goto(&url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The path (and query) of the page the browser shows.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The first element matching `css`, waiting for it ([`WAIT`] at most).
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(WAIT).every(Duration::from_millis(50)).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                let (path, page) = (self.path().await, self.text_of("body").await);
                panic!("no `{css}` within {WAIT:?} ({e}) on {path}:\n{page}")
            }
        }
    }

    /// Waits ([`WAIT`] at most) until the text of the first `css` element
    /// contains `needle`; that text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            if Instant::now() >= deadline {
                let path = self.path().await;
                panic!("`{css}` on {path} did not come to contain {needle:?} within {WAIT:?}; it reads:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether an element matches `css` now (no wait).
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Types `text` into the field `css`, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.unwrap_or_else(|e| panic!("clear `{css}`: {e}"));
        field.send_keys(text).await.unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    /// Picks the option of value `value` in the select `css`.
    pub async fn select(&self, css: &str, value: &str) {
        let select = self.wait_for(css).await;
        select.select_by_value(value).await.unwrap_or_else(|e| panic!("select {value:?} in `{css}`: {e}"));
    }

    /// Gives the file input `css` the file at `path` (an upload).
    pub async fn attach(&self, css: &str, path: &Path) {
        let input = self.wait_for(css).await;
        let path = path.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        input.send_keys(&path.to_string_lossy()).await.unwrap_or_else(|e| panic!("attach to `{css}`: {e}"));
    }

    /// Clicks the element `css` (chromedriver waits for the navigation a
    /// click on a link or a submit button starts).
    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        element.click().await.unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    /// Clicks the link that reads `text`.
    pub async fn click_link(&self, text: &str) {
        let link = match self.client.wait().at_most(WAIT).for_element(Locator::LinkText(text)).await {
            Ok(link) => link,
            Err(e) => panic!("no link {text:?} within {WAIT:?} ({e}) on {}", self.path().await),
        };
        link.click().await.unwrap_or_else(|e| panic!("click the link {text:?}: {e}"));
    }

    /// Signs in through the form with `token` (and `user`, when given),
    /// and waits for the page it leads to.
    pub async fn sign_in(&self, user: Option<&str>, token: &str) {
        self.goto("/sign-in").await;
        if let Some(user) = user {
            self.fill("#user", user).await;
        }
        self.fill("#token", token).await;
        self.click("form[action='/sign-in'] button[type=submit]").await;
        self.wait_for("form.sign-out").await;
    }

    /// The text of the first element matching `css`, as the user sees it.
    pub async fn text_of(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_else(|e| panic!("the text of `{css}`: {e}")),
            Err(e) => panic!("no `{css}` on {}: {e}", self.path().await),
        }
    }

    /// The value of attribute `name` of the first `css` element.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let element = self.wait_for(css).await;
        element.attr(name).await.unwrap_or_else(|e| panic!("attribute {name} of `{css}`: {e}"))
    }

    /// The current value of the field `css` (what the user would submit).
    pub async fn value_of(&self, css: &str) -> String {
        let element = self.wait_for(css).await;
        element.prop("value").await.unwrap_or_else(|e| panic!("the value of `{css}`: {e}")).unwrap_or_default()
    }

    /// The page's HTML as the browser holds it.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("the page source")
    }

    /// Resizes the window to `width` × `height` CSS pixels.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap_or_else(|e| panic!("resize to {width}×{height}: {e}"));
    }

    /// The page's width in CSS pixels, and the widest its content is (more
    /// than the first: the page scrolls sideways).
    pub async fn widths(&self) -> (u64, u64) {
        let answer = self
            .client
            .execute("return [document.documentElement.clientWidth, document.documentElement.scrollWidth];", Vec::new())
            .await
            .expect("the page's widths");
        let width = |i: usize| answer[i].as_u64().unwrap_or_else(|| panic!("a width: {answer}"));
        (width(0), width(1))
    }

    /// Saves a PNG of the window as `target/console-screenshots/<name>.png`;
    /// its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "screenshot {name} is a PNG");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let file = dir.join(format!("{name}.png"));
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        file
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The session's task lives on the test's runtime, which may be
        // gone: end the session (and so quit Chromium) with a plain
        // request, then stop chromedriver.
        if let Some(session) = &self.session {
            let _ = http(self.port, "DELETE", &format!("/session/{session}"));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Anything of the browser's left in chromedriver's process group.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Where screenshots go: `target/console-screenshots/` (`CARGO_TARGET_DIR`
/// when set).
pub fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("console-screenshots")
}

/// Starts chromedriver on a free port (in a process group of its own, so
/// its browser can be killed with it) and waits until it is ready; the
/// child and its port.
fn spawn_driver(chromedriver: &Path) -> (Child, u16) {
    use std::os::unix::process::CommandExt;
    let mut last = String::new();
    for _ in 0..3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let mut child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", chromedriver.display()));
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                last = format!("chromedriver exited with {status} (port {port} taken?)");
                break;
            }
            match http(port, "GET", "/status") {
                Ok(body) if body.contains("\"ready\":true") || body.contains("\"ready\": true") => {
                    return (child, port);
                }
                Ok(body) => last = body,
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("{} did not become ready: {last}", chromedriver.display())
}

/// A bodiless request to chromedriver on `port`; the response body
/// (chromedriver keeps the connection open: the body is read to its
/// `Content-Length`).
fn http(port: u16, method: &str, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer)?;
        response.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
            });
            if read == 0 || length.is_some_and(|length| body.len() >= length) {
                return Ok(body.to_string());
            }
        }
        if read == 0 {
            return Ok(String::new());
        }
    }
}
