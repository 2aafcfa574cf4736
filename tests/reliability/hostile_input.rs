//! Hostile input: a property-based test sends malformed and adversarial
//! requests to every route (wrong types, huge strings, deep nesting, invalid
//! UTF-8, odd percent-encoding, path traversal, SQL metacharacters). Every
//! answer is a well-formed error with the documented status, or a success
//! only where the request could not change anything; none is a 5xx or a
//! hang; and afterwards every piece of data reads exactly as before.

use crate::api::{ROUTES, TestApp, assert_error_shape, id_of, json, spawn_app};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// Cases run (each one request).
const CASES: u32 = 512;
/// The fixed seed, so every run sends the same requests.
const SEED: [u8; 32] = *b"syncport hostile input seed 0001";
/// The longest a request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// SQL that would do damage if it ever reached a statement as text.
const SQL: &[&str] = &[
    "'; DROP TABLE connections; --",
    "Robert'); DROP TABLE workspaces;--",
    "\" OR \"\"=\"",
    "' OR '1'='1",
    "1; DELETE FROM connections WHERE 1=1",
    "x' UNION SELECT name, sql FROM sqlite_master --",
    "%' AND 1=0 --",
    "$1; VACUUM INTO '/tmp/stolen.db'",
];

/// Path segments as sent on the wire (already percent-encoded where meant).
const SEGMENTS: &[&str] = &[
    "",
    "%00",
    "a%00b",
    "%2F..%2F..%2Fsyncport.db",
    "..%2F..%2Fsyncport.db",
    "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "..%5C..%5Csyncport.db",
    "..\\..\\syncport.db",
    "....%2F%2F....%2F%2F",
    "%252e%252e%252f",
    "%FF",
    "%FE%FF",
    "%C0%AF",
    "%C0%AE%C0%AE%C0%AF",
    "%E0%80%AF",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%F8%88%80%80%80",
    "%",
    "%%",
    "%zz",
    "%2",
    "%27%3B%20DROP%20TABLE%20connections%3B%20--",
    "'%20OR%20'1'='1",
    "%22%3B%20DELETE%20FROM%20workspaces%3B%20--",
    "*",
    "%2A",
    "null",
    "-1",
    "0",
    "00000000-0000-0000-0000-000000000000",
    "%E2%80%AE",
    "%F0%9F%92%A9",
    "NUL",
    "..;",
    ".log",
    "2026-11-27.log",
    "2026-11-27.log%00.txt",
    "..%2F2026-11-27.log",
    "%0D%0ASet-Cookie:%20x=y",
    "default%00",
    "sales%2F..%2Fdefault",
    "%64efault",
    "Customers%00",
    "Profit%20and%20Loss",
];

/// Query fragments as sent on the wire.
const QUERY: &[&str] = &[
    "$top=-1",
    "$top=1e9",
    "$top=99999999999999999999999",
    "$skip=9223372036854775807",
    "$skip=-9223372036854775808",
    "%24top=5",
    "top=%FF",
    "$top=%00",
    "schema=%00",
    "schema=%27%3B%20DROP%20TABLE%20connections%3B%20--",
    "include_table_types=%ZZ",
    "include_table_types=TABLE,,,VIEW,%00",
    "include_table_types=",
    "reset_metadata=maybe",
    "reset_metadata=%C0%AF",
    "label=%27%3B%20DROP%20TABLE%20connections%3B%20--",
    "connector=%25",
    "connector=Wide%00",
    "&&&",
    "=",
    "==",
    "%",
    "%%",
    "%2",
    "a[b]=c",
    "+=+",
    "%E2%80%AE=%E2%80%AE",
    "top=1&top=2&TOP=3",
    "unknown=1",
    "%00=%00",
];

/// A path segment: a hostile one, a long one, random characters, or a real
/// id (maybe disguised), used where it cannot change anything.
#[derive(Debug, Clone)]
enum Segment {
    Fixed(&'static str),
    Repeat(&'static str, usize),
    Random(String),
    Real(RealForm),
}

#[derive(Debug, Clone, Copy)]
enum RealForm {
    Exact,
    Upper,
    Encoded,
    WithNul,
    WithTraversal,
}

/// A request body; every one is invalid for every route that takes a body.
#[derive(Debug, Clone)]
enum Body {
    None,
    /// JSON fields with values of a type the field never takes.
    WrongTypes(Vec<(&'static str, Value)>),
    /// A string field longer than any accepted (beyond the body limit too).
    Huge {
        field: &'static str,
        len: usize,
        unit: &'static str,
    },
    /// 10,000 levels of arrays or objects, maybe inside a field.
    Deep {
        levels: usize,
        objects: bool,
        inside: Option<&'static str>,
    },
    /// Bytes that are not UTF-8 inside a JSON string.
    InvalidUtf8(&'static [u8]),
    /// SQL in names, connector names, property names and unknown keys.
    Sql {
        sql: &'static str,
        shape: u8,
    },
    /// A key given twice, in different cases, and an unknown key.
    Duplicate,
    /// JSON that is not an object.
    NotAnObject(&'static str),
    /// Random bytes with an invalid UTF-8 byte.
    Bytes(Vec<u8>),
}

/// One hostile request, before the real ids are filled in.
#[derive(Debug, Clone)]
struct Case {
    route: usize,
    method: Option<&'static str>,
    segments: Vec<Segment>,
    query: Vec<String>,
    content_type: Option<&'static str>,
    /// An `x-request-id` header, raw.
    request_id: Option<Vec<u8>>,
    body: Body,
}

fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        6 => proptest::sample::select(SEGMENTS).prop_map(Segment::Fixed),
        1 => (proptest::sample::select(&["A", "%FF", "..%2F", "%25"][..]), 1usize..3000)
            .prop_map(|(unit, n)| Segment::Repeat(unit, n)),
        2 => "[a-zA-Z0-9._~%'; \\-]{0,40}".prop_map(Segment::Random),
        3 => proptest::sample::select(
            &[
                RealForm::Exact,
                RealForm::Exact,
                RealForm::Exact,
                RealForm::Upper,
                RealForm::Encoded,
                RealForm::WithNul,
                RealForm::WithTraversal,
            ][..]
        )
        .prop_map(Segment::Real),
    ]
}

fn query() -> impl Strategy<Value = Vec<String>> {
    let fragment = prop_oneof![
        4 => proptest::sample::select(QUERY).prop_map(str::to_string),
        1 => (proptest::sample::select(&["$top", "skip", "label", "schema", "connector", "include_table_types", "reset_metadata"][..]),
              "[a-zA-Z0-9%=&;'._-]{0,64}")
            .prop_map(|(k, v)| format!("{k}={v}")),
        1 => (1usize..4000).prop_map(|n| format!("label={}", "%41".repeat(n))),
    ];
    prop_oneof![2 => Just(Vec::new()), 1 => proptest::collection::vec(fragment, 1..4)]
}

/// A value of a JSON type that `field` never takes.
fn wrong_type(field: &'static str) -> BoxedStrategy<Value> {
    let number = prop_oneof![Just(json!(0)), Just(json!(-1)), Just(json!(1.5e300)), Just(json!(u64::MAX))];
    let boolean = any::<bool>().prop_map(Value::Bool);
    let array = prop_oneof![Just(json!([])), Just(json!(["x"])), Just(json!([[1], {"a": null}]))];
    let object = prop_oneof![Just(json!({})), Just(json!({"a": 1}))];
    let string = prop_oneof![Just(json!("")), Just(json!("text")), Just(json!("'; DROP TABLE connections; --"))];
    match field {
        "properties" | "settings" => prop_oneof![number, boolean, array, string].boxed(),
        "labels" => prop_oneof![number, boolean, object, string].boxed(),
        _ => prop_oneof![number, boolean, array, object].boxed(),
    }
}

/// Bytes that are not UTF-8 (or, escaped, not Unicode), for inside a JSON string.
const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xfe\xff",
    b"\xc0\xaf",
    b"\xc0\x80",
    b"\xe0\x80\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    b"\x80",
    b"\\ud800",
    b"\\udfff\\ud800",
];

/// Odd `x-request-id` values (header values may carry bytes past ASCII).
const REQUEST_IDS: &[&[u8]] = &[b"", b"\xff\xfe", b"..%2F..%2F", b"'; DROP TABLE connections; --", b"\x80\x81"];

const FIELDS: &[&str] = &["name", "connector", "connector_version", "properties", "settings", "labels", "id"];

fn body() -> impl Strategy<Value = Body> {
    let wrong_types = proptest::collection::vec(
        proptest::sample::select(FIELDS).prop_flat_map(|f| wrong_type(f).prop_map(move |v| (f, v))),
        1..4,
    )
    .prop_map(Body::WrongTypes);
    prop_oneof![
        1 => Just(Body::None),
        3 => wrong_types,
        2 => (proptest::sample::select(&["name", "connector", "id", "'; DROP TABLE connections; --"][..]),
              prop_oneof![129usize..2000, 2000usize..1_200_000],
              proptest::sample::select(&["x", "é", "\u{202e}", "'", "\\\""][..]))
            .prop_map(|(field, len, unit)| Body::Huge { field, len, unit }),
        2 => (1000usize..10_001, any::<bool>(), proptest::option::of(proptest::sample::select(&["name", "properties", "settings", "labels"][..])))
            .prop_map(|(levels, objects, inside)| Body::Deep { levels, objects, inside }),
        2 => proptest::sample::select(INVALID_UTF8).prop_map(Body::InvalidUtf8),
        3 => (proptest::sample::select(SQL), 0u8..5).prop_map(|(sql, shape)| Body::Sql { sql, shape }),
        1 => Just(Body::Duplicate),
        1 => proptest::sample::select(&["[]", "\"name\"", "42", "null", "true", "[{\"name\": \"x\"}]"][..]).prop_map(Body::NotAnObject),
        1 => proptest::collection::vec(any::<u8>(), 0..256).prop_map(|mut b| { b.insert(b.len() / 2, 0xff); Body::Bytes(b) }),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let method = prop_oneof![
        3 => Just(None),
        1 => proptest::sample::select(&["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"][..]).prop_map(Some),
    ];
    let content_type = prop_oneof![
        6 => Just(Some("application/json")),
        1 => Just(None),
        1 => proptest::sample::select(&[
                "text/plain", "application/json; charset=utf-16", "application/x-www-form-urlencoded",
                "application/vnd.api+json", "multipart/form-data; boundary=x", "APPLICATION/JSON", "application/",
                "*/*", ";;;", "application/json, text/plain"
            ][..]).prop_map(Some),
    ];
    let request_id = prop_oneof![
        6 => Just(None),
        1 => proptest::sample::select(REQUEST_IDS)
            .prop_map(|id| Some(id.to_vec())),
        1 => (1usize..8000).prop_map(|n| Some(vec![b'r'; n])),
    ];
    (0..ROUTES.len(), method, proptest::collection::vec(segment(), 3), query(), content_type, request_id, body())
        .prop_map(|(route, method, segments, query, content_type, request_id, body)| Case {
            route,
            method,
            segments,
            query,
            content_type,
            request_id,
            body,
        })
}

/// The bytes of `body`.
fn body_bytes(body: &Body) -> Option<Vec<u8>> {
    Some(match body {
        Body::None => return None,
        Body::WrongTypes(fields) => {
            let map: serde_json::Map<String, Value> = fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
            serde_json::to_vec(&map).expect("json")
        }
        Body::Huge { field, len, unit } => {
            let mut bytes = format!("{{\"{field}\": \"").into_bytes();
            let huge = unit.repeat(*len);
            bytes.extend_from_slice(huge.as_bytes());
            bytes.extend_from_slice(b"\", \"connector\": \"'; DROP TABLE connections; --\"}");
            bytes
        }
        Body::Deep { levels, objects, inside } => {
            let (open, close) = if *objects { ("{\"a\":", "}") } else { ("[", "]") };
            let deep = format!("{}1{}", open.repeat(*levels), close.repeat(*levels));
            match inside {
                Some(field) => format!("{{\"name\": \"Deep\", \"{field}\": {deep}}}").into_bytes(),
                None => deep.into_bytes(),
            }
        }
        Body::InvalidUtf8(bad) => {
            let mut bytes = b"{\"name\": \"".to_vec();
            bytes.extend_from_slice(bad);
            bytes.extend_from_slice(b"\", \"connector\": \"Wide\"}");
            bytes
        }
        Body::Sql { sql, shape } => {
            let value = match shape {
                0 => json!({"name": sql, "connector": sql}),
                1 => json!({"id": sql, "name": sql}),
                2 => json!({(*sql): sql}),
                3 => json!({"name": sql, "connector": "Wide", "properties": {(*sql): "1"}}),
                _ => json!({"name": sql, "connector": "QuickBooks", "connector_version": sql, "labels": [sql]}),
            };
            serde_json::to_vec(&value).expect("json")
        }
        Body::Duplicate => b"{\"name\": \"a\", \"NAME\": \"b\", \"'; DROP TABLE connections; --\": 1}".to_vec(),
        Body::NotAnObject(text) => text.as_bytes().to_vec(),
        Body::Bytes(bytes) => bytes.clone(),
    })
}

/// What the hostile requests are aimed at: the seeded data.
struct Seeded {
    /// Connection ids.
    connections: Vec<String>,
    /// Workspace ids.
    workspaces: Vec<String>,
    /// A log file name of the first connection.
    log: String,
}

/// Seeds connections and workspaces, some with SQL in their names, and
/// checks that those names are stored verbatim.
async fn seed(app: &TestApp) -> Seeded {
    let sql_name = "Robert'); DROP TABLE connections;--";
    let books = id_of(&app.create_quickbooks("Books").await);
    let wide_body = json!({"name": sql_name, "connector": "Wide",
                           "properties": {"P01": "' OR '1'='1", "P02": "\"; DELETE FROM workspaces; --"},
                           "labels": ["'; DROP TABLE connection_labels; --"]});
    let wide = id_of(&app.create_ok("default", &wide_body).await);
    let (status, ws) =
        json(app.create_workspace(&json!({"id": "sales", "name": "Sales'; DROP TABLE workspaces; --"})).await).await;
    assert_eq!(status, 201, "{ws}");
    assert_eq!(ws["name"], "Sales'; DROP TABLE workspaces; --");
    let sales = id_of(&app.create_ok("sales", &json!({"name": "Sales", "connector": "Wide"})).await);
    let stored = app.get_ok(&wide).await;
    assert_eq!(stored["name"], sql_name);
    assert_eq!(stored["properties"], wide_body["properties"]);
    assert_eq!(stored["labels"], wide_body["labels"]);
    let (_, logs) = json(app.list_logs(&books).await).await;
    let log = logs["value"][0]["name"].as_str().expect("the create wrote a log").to_string();
    Seeded { connections: vec![books, wide, sales], workspaces: vec!["default".into(), "sales".into()], log }
}

/// Everything readable about the seeded data.
async fn snapshot(app: &TestApp, seeded: &Seeded) -> BTreeMap<String, Value> {
    // Every plain GET reads something, but the OAuth callback, which acts
    // (and answers 400 without a state handed out), and the metrics, which
    // count the requests themselves (text, not data).
    let reads =
        |(m, p): &&(&str, &str)| *m == "GET" && !p.contains('{') && !["/oauth/callback", "/metrics"].contains(p);
    let mut paths: Vec<String> = ROUTES.iter().filter(reads).map(|(_, p)| p.to_string()).collect();
    for ws in &seeded.workspaces {
        paths.push(format!("/workspaces/{ws}"));
        paths.push(format!("/workspaces/{ws}/connections"));
    }
    for id in &seeded.connections {
        paths.push(format!("/connections/{id}"));
    }
    let mut out = BTreeMap::new();
    for path in paths {
        let (status, body) = json(app.request(Method::GET, &path).send().await.expect("snapshot read")).await;
        assert_eq!(status, 200, "{path}: {body}");
        out.insert(path, body);
    }
    out
}

/// The documented status of each error code (`docs/api.md`'s table).
fn documented_codes() -> BTreeMap<String, u16> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md")).expect("docs/api.md");
    let mut codes = BTreeMap::new();
    for line in doc.lines() {
        let Some(rest) = line.strip_prefix("| ") else { continue };
        let Some((status, cells)) = rest.split_once(" | ") else { continue };
        let Ok(status) = status.trim().parse::<u16>() else { continue };
        for (i, piece) in cells.split('`').enumerate() {
            if i % 2 == 1 && piece.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                codes.insert(piece.to_string(), status);
            }
        }
    }
    assert!(codes.len() > 20, "the error table of docs/api.md was found: {codes:?}");
    codes
}

/// Whether `method template` can change data when it succeeds.
fn mutates(method: &str, template: &str) -> bool {
    match method {
        "GET" | "OPTIONS" | "HEAD" => false,
        "POST" => !(template.ends_with("/tables") || template.ends_with("/download")),
        _ => true,
    }
}

/// Builds the request of `case`; its method, path and query as sent.
fn materialize(case: &Case, seeded: &Seeded) -> (String, String, &'static str) {
    let (route_method, template) = ROUTES[case.route];
    let method = case.method.unwrap_or(route_method);
    let mut segments = case.segments.iter();
    let mut path = String::new();
    for (i, piece) in template.split('{').enumerate() {
        if i == 0 {
            path.push_str(piece);
            continue;
        }
        let (param, rest) = piece.split_once('}').expect("a closed parameter");
        let segment = segments.next().cloned().unwrap_or(Segment::Fixed("x"));
        let real = match param {
            "connection_id" if !mutates(method, template) || method == "PUT" => {
                Some(seeded.connections[case.route % seeded.connections.len()].clone())
            }
            "workspace_id" => Some(seeded.workspaces[case.route % seeded.workspaces.len()].clone()),
            "table_name" => Some("Customers".to_string()),
            "log_name" => Some(seeded.log.clone()),
            // A real id where it could change something, or an unknown kind of id.
            _ => None,
        };
        let text = match (segment, real) {
            (Segment::Fixed(s), _) => s.to_string(),
            (Segment::Repeat(unit, n), _) => unit.repeat(n),
            (Segment::Random(s), _) => s.replace(' ', "%20"),
            (Segment::Real(_), None) => "00000000-0000-0000-0000-000000000000".to_string(),
            (Segment::Real(form), Some(real)) => match form {
                RealForm::Exact => real,
                RealForm::Upper => real.to_uppercase(),
                RealForm::Encoded => real.bytes().map(|b| format!("%{b:02X}")).collect(),
                RealForm::WithNul => format!("{real}%00"),
                RealForm::WithTraversal => format!("{real}%2F..%2F{real}"),
            },
        };
        path.push_str(&text);
        path.push_str(rest);
    }
    (method.to_string(), path, template)
}

/// An answer read off the wire.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Percent-encodes what may not appear raw in a request target (RFC 3986:
/// anything but unreserved, sub-delims, `:@/?%`), as a client would.
fn wire_target(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends one HTTP/1.1 request on a new connection and reads the answer
/// while the body is still being written, as curl does: a server may answer
/// (413, 404, ...) before it has read a body it does not want, and close.
async fn raw_request(addr: &str, head: Vec<u8>, body: Option<Vec<u8>>) -> Result<Answer, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        // A write error means the server stopped reading; its answer tells why.
        if writer.write_all(&head).await.is_ok()
            && let Some(body) = body
        {
            let _ = writer.write_all(&body).await;
        }
        writer
    });
    let mut received = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let read_error = loop {
        match reader.read(&mut chunk).await {
            Ok(0) => break None,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e) => break Some(e),
        }
    };
    writing.abort();
    let Some(split) = received.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(format!("no answer (read error: {read_error:?}): {:?}", String::from_utf8_lossy(&received)));
    };
    let head = String::from_utf8_lossy(&received[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let rest = &received[split + 4..];
    let body = if header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        dechunk(rest).ok_or_else(|| format!("a broken chunked body (read error: {read_error:?})"))?
    } else if let Some(length) = header("content-length").and_then(|l| l.parse::<usize>().ok()) {
        if rest.len() < length {
            return Err(format!("{} of {length} body bytes (read error: {read_error:?})", rest.len()));
        }
        rest[..length].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(Answer { status, headers, body })
}

/// The payload of a complete chunked body.
fn dechunk(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = bytes.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&bytes[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(bytes.get(..size)?);
        bytes = bytes.get(size + 2..)?;
    }
}

/// Sends `method target` (relative to the API base) with the admin token
/// on a new connection; the answer, or why there was none in time.
async fn send(
    app: &TestApp,
    method: &str,
    target: &str,
    content_type: Option<&str>,
    request_id: Option<&[u8]>,
    body: Option<Vec<u8>>,
) -> Result<Answer, String> {
    let base = app.base.strip_prefix("http://").expect("an http base");
    let (addr, prefix) = base.split_once('/').expect("a base path");
    let target = wire_target(&format!("/{prefix}{target}"));
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\nx-cdata-authtoken: {}\r\n",
        app.token
    )
    .into_bytes();
    if let Some(content_type) = content_type {
        head.extend_from_slice(format!("content-type: {content_type}\r\n").as_bytes());
    }
    if let Some(request_id) = request_id {
        head.extend_from_slice(b"x-request-id: ");
        head.extend_from_slice(request_id);
        head.extend_from_slice(b"\r\n");
    }
    if let Some(body) = &body {
        head.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    match tokio::time::timeout(REQUEST_TIMEOUT, raw_request(addr, head, body)).await {
        Ok(answer) => answer,
        Err(_) => Err(format!("no answer within {REQUEST_TIMEOUT:?}")),
    }
}

/// Sends one case and checks the answer.
async fn check(
    app: &TestApp,
    seeded: &Seeded,
    documented: &BTreeMap<String, u16>,
    seen: &Mutex<BTreeMap<String, usize>>,
    case: Case,
) -> Result<(), TestCaseError> {
    let (method, path, template) = materialize(&case, seeded);
    let mut target = path.clone();
    if !case.query.is_empty() {
        target.push('?');
        target.push_str(&case.query.join("&"));
    }
    let body = body_bytes(&case.body);
    let sent = format!("{method} {}", wire_target(&target));
    let answer = send(app, &method, &target, case.content_type, case.request_id.as_deref(), body)
        .await
        .map_err(|e| TestCaseError::fail(format!("{sent}: {e}")))?;
    let status = answer.status;
    let content_type =
        answer.headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.clone()).unwrap_or_default();
    let text = String::from_utf8_lossy(&answer.body).to_string();
    let code = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["error"]["code"].as_str().map(str::to_string));
    *seen.lock().expect("tally").entry(format!("{status} {}", code.unwrap_or_default())).or_default() += 1;
    prop_assert!(status < 500, "{sent}: {status} {text}");
    prop_assert!((200..300).contains(&status) || (400..500).contains(&status), "{sent}: {status} {text}");
    if status >= 400 {
        let body: Value = serde_json::from_str(&text)
            .map_err(|_| TestCaseError::fail(format!("{sent}: {status} with a body that is not JSON: {text:?}")))?;
        std::panic::catch_unwind(|| assert_error_shape(&body))
            .map_err(|_| TestCaseError::fail(format!("{sent}: {status} not in the error shape: {body}")))?;
        let code = body["error"]["code"].as_str().unwrap_or_default();
        match documented.get(code) {
            Some(documented) => {
                prop_assert_eq!(*documented, status, "{}: `{}` is documented as {}: {}", sent, code, documented, body)
            }
            None => return Err(TestCaseError::fail(format!("{sent}: undocumented error code: {body}"))),
        }
        prop_assert!(content_type.starts_with("application/json"), "{}: {} {}", sent, status, content_type);
    } else {
        prop_assert!(!mutates(&method, template), "{sent}: a hostile write was accepted: {status} {text}");
        if template.ends_with("/download") {
            // A log file, and only a log file of that connection.
            prop_assert!(path.ends_with(&format!("/{}/download", seeded.log)), "{sent}: served {text:.200}");
            prop_assert!(!text.contains("SQLite format"), "{sent}: served the database");
        }
    }
    Ok(())
}

#[test]
fn hostile_requests_to_every_route_get_documented_errors_and_change_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let app = runtime.block_on(spawn_app());
    let seeded = runtime.block_on(seed(&app));
    let before = runtime.block_on(snapshot(&app, &seeded));
    let documented = documented_codes();
    let seen = Mutex::new(BTreeMap::new());

    let config = Config { cases: CASES, failure_persistence: None, max_shrink_iters: 64, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &SEED));
    let result = runner.run(&case(), |case| runtime.block_on(check(&app, &seeded, &documented, &seen, case)));
    if let Err(error) = result {
        panic!("{error}");
    }
    eprintln!("hostile input: answers by status and code: {:#?}", seen.lock().expect("tally"));

    let after = runtime.block_on(snapshot(&app, &seeded));
    for (path, body) in &before {
        assert_eq!(after.get(path), Some(body), "{path} changed");
    }
    assert_eq!(after.len(), before.len());
}

/// Method, target, content type, body; the status and code expected.
type Expected<'a> = (&'a str, String, Option<&'a str>, Option<Vec<u8>>, u16, &'a str);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_hostile_input_gets_its_documented_status() {
    let app = spawn_app().await;
    let seeded = seed(&app).await;
    let before = snapshot(&app, &seeded).await;
    let books = &seeded.connections[0];
    let sql = "'; DROP TABLE connections; --";
    let sql_query = "%27%3B%20DROP%20TABLE%20connections%3B%20--";
    let deep = format!("{{\"name\": \"Deep\", \"properties\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let huge = format!("{{\"name\": \"{}\", \"connector\": \"Wide\"}}", "x".repeat(1_200_000));
    let json_ct = Some("application/json");
    let create = "/workspaces/default/connections";
    let put = format!("/connections/{books}");
    let cases: Vec<Expected> = vec![
        (
            "POST",
            create.into(),
            json_ct,
            Some(json!({"name": sql, "connector": sql}).to_string().into()),
            400,
            "unknown_connector",
        ),
        (
            "POST",
            create.into(),
            json_ct,
            Some(json!({"name": "x".repeat(129), "connector": "Wide"}).to_string().into()),
            400,
            "invalid_name",
        ),
        (
            "POST",
            create.into(),
            json_ct,
            Some(json!({"name": 5, "connector": ["Wide"]}).to_string().into()),
            400,
            "invalid_body",
        ),
        (
            "POST",
            create.into(),
            json_ct,
            Some(json!({"name": "Wide", "connector": "Wide", "properties": {sql: "1"}}).to_string().into()),
            400,
            "unknown_property",
        ),
        ("POST", create.into(), json_ct, Some(huge.into_bytes()), 413, "payload_too_large"),
        ("POST", create.into(), json_ct, Some(deep.clone().into_bytes()), 400, "malformed_json"),
        (
            "POST",
            create.into(),
            json_ct,
            Some(b"{\"name\": \"\xc0\xaf\", \"connector\": \"Wide\"}".to_vec()),
            400,
            "malformed_json",
        ),
        (
            "POST",
            create.into(),
            json_ct,
            Some(b"{\"name\": \"\\ud800\", \"connector\": \"Wide\"}".to_vec()),
            400,
            "malformed_json",
        ),
        (
            "POST",
            create.into(),
            Some("text/plain"),
            Some(b"name=Wide&connector=Wide".to_vec()),
            415,
            "unsupported_media_type",
        ),
        (
            "POST",
            "/workspaces".into(),
            json_ct,
            Some(json!({"id": "'; DROP TABLE workspaces; --"}).to_string().into()),
            400,
            "invalid_field",
        ),
        (
            "PUT",
            put.clone(),
            json_ct,
            Some(json!({"properties": {sql: "1"}}).to_string().into()),
            400,
            "unknown_property",
        ),
        ("PUT", put.clone(), json_ct, Some(b"{\"name\": \"a\", \"NAME\": \"b\"}".to_vec()), 400, "duplicate_field"),
        ("PUT", put.clone(), json_ct, Some(json!({"labels": sql}).to_string().into()), 400, "invalid_field"),
        ("PUT", put.clone(), json_ct, Some(deep.into_bytes()), 400, "malformed_json"),
        ("PATCH", put.clone(), json_ct, Some(b"{}".to_vec()), 405, "method_not_allowed"),
        (
            "GET",
            format!("/connections/{books}/logs/..%2F..%2Fsyncport.db/download"),
            None,
            None,
            400,
            "invalid_log_name",
        ),
        (
            "POST",
            format!("/connections/{books}/logs/..%5C..%5Csyncport.db/download"),
            None,
            None,
            400,
            "invalid_log_name",
        ),
        ("GET", format!("/connections/{books}/logs/{}%00/download", seeded.log), None, None, 400, "invalid_log_name"),
        ("GET", format!("/connections/{books}/logs/%FF/download"), None, None, 404, "log_not_found"),
        ("GET", "/connections/%FF".into(), None, None, 404, "connection_not_found"),
        ("GET", "/connections/'%20OR%20'1'='1".into(), None, None, 404, "connection_not_found"),
        ("DELETE", format!("/connections/{books}%00"), None, None, 404, "connection_not_found"),
        ("GET", format!("/workspaces/{sql_query}"), None, None, 404, "workspace_not_found"),
        ("DELETE", "/workspaces/%64efault".into(), None, None, 409, "default_workspace"),
        ("GET", "/workspaces/default/connections?$top=-1".into(), None, None, 400, "invalid_parameter"),
        (
            "GET",
            "/workspaces/default/connections?$top=99999999999999999999999".into(),
            None,
            None,
            400,
            "invalid_parameter",
        ),
        ("GET", format!("/workspaces/default/connections?{sql_query}=1"), None, None, 400, "unknown_parameter"),
        ("GET", format!("/connections/{books}/tables?include_table_types=%00"), None, None, 400, "invalid_parameter"),
        ("GET", "/api/../../syncport.db".into(), None, None, 404, "route_not_found"),
    ];
    for (method, target, content_type, body, status, code) in cases {
        let sent = format!("{method} {target}");
        let answer =
            send(&app, method, &target, content_type, None, body).await.unwrap_or_else(|e| panic!("{sent}: {e}"));
        let text = String::from_utf8_lossy(&answer.body);
        let json: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{sent}: {} {text}", answer.status));
        assert_eq!((answer.status, json["error"]["code"].as_str()), (status, Some(code)), "{sent}: {json}");
        assert_error_shape(&json);
    }
    // SQL in a filter is a value to compare, nothing more.
    for query in [format!("label={sql_query}"), format!("connector={sql_query}")] {
        let answer = send(&app, "GET", &format!("/workspaces/default/connections?{query}"), None, None, None).await;
        let answer = answer.expect("an answer");
        let json: Value = serde_json::from_slice(&answer.body).expect("json");
        assert_eq!((answer.status, &json["value"]), (200, &json!([])), "{query}: {json}");
    }
    assert_eq!(snapshot(&app, &seeded).await, before, "nothing changed");
}
