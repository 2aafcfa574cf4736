//! The Salesforce REST API, as far as the Salesforce 3.0.0 connector uses
//! it (any `vNN.N` in the path):
//!
//! - `GET /services/data/v62.0/limits`;
//! - `GET /services/data/v62.0/sobjects` → `Account`, `Contact` and the
//!   non-queryable `AggregateResult`;
//! - `GET /services/data/v62.0/sobjects/{name}/describe` → the fields with
//!   their Salesforce types (404 `NOT_FOUND` for another name);
//! - `GET /services/data/v62.0/query?q=SELECT f1,f2 FROM Account` → the
//!   records with only the fields selected, in pages of the
//!   `Sforce-Query-Options: batchSize=N` asked for (2000 when not asked),
//!   at most [`Salesforce::page_cap`] (200 unless changed); each page but
//!   the last says `"done":false` and its `nextRecordsUrl`,
//!   `/services/data/v62.0/query/01gDn…-{offset}`.
//!
//! The API takes [`TOKEN`], or, started by [`start_with`], the access
//! tokens an [`super::oauth`] provider issued and still holds valid.
//!
//! A wrong token is a 401 `INVALID_SESSION_ID`; throttling is what
//! Salesforce answers when the org's API limit is spent: a 403
//! `REQUEST_LIMIT_EXCEEDED` (with no `Retry-After`).

use super::{Api, Mock, Shared, Validator, json_response, moment, serve};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// The access token the mock accepts.
pub const TOKEN: &str = "00DDn000000sfmock!AQEAQ.session-token-b41d";
/// How many Account records there are.
pub const ACCOUNTS: usize = 450;
/// How many Contact records there are.
pub const CONTACTS: usize = 30;

/// One field of an sObject, as `describe` lists it.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its API name.
    pub name: &'static str,
    /// Its Salesforce type (`id`, `string`, `currency`, ...).
    pub kind: &'static str,
    /// Its label.
    pub label: &'static str,
    /// Whether it may be empty.
    pub nillable: bool,
    /// Its length (text), else 0.
    pub length: u32,
    /// Its precision and scale (numbers), else 0.
    pub digits: (u32, u32),
}

const fn field(name: &'static str, kind: &'static str, label: &'static str, nillable: bool, length: u32) -> Field {
    Field { name, kind, label, nillable, length, digits: (0, 0) }
}

/// Account's fields, in `describe`'s order.
pub const ACCOUNT_FIELDS: [Field; 13] = [
    field("Id", "id", "Account ID", false, 18),
    field("IsDeleted", "boolean", "Deleted", false, 0),
    field("Name", "string", "Account Name", false, 255),
    field("Type", "picklist", "Account Type", true, 255),
    field("BillingAddress", "address", "Billing Address", true, 0),
    field("Phone", "phone", "Account Phone", true, 40),
    field("Website", "url", "Website", true, 255),
    Field { digits: (18, 0), ..field("AnnualRevenue", "currency", "Annual Revenue", true, 0) },
    Field { digits: (8, 0), ..field("NumberOfEmployees", "int", "Employees", true, 0) },
    Field { digits: (5, 2), ..field("Score__c", "double", "Score", true, 0) },
    field("CreatedDate", "datetime", "Created Date", false, 0),
    field("LastActivityDate", "date", "Last Activity", true, 0),
    field("Description", "textarea", "Account Description", true, 32_000),
];

/// Contact's fields, in `describe`'s order.
pub const CONTACT_FIELDS: [Field; 8] = [
    field("Id", "id", "Contact ID", false, 18),
    field("AccountId", "reference", "Account ID", true, 18),
    field("FirstName", "string", "First Name", true, 40),
    field("LastName", "string", "Last Name", false, 80),
    field("Email", "email", "Email", true, 80),
    field("Birthdate", "date", "Birthdate", true, 0),
    field("HasOptedOutOfEmail", "boolean", "Email Opt Out", false, 0),
    field("CreatedDate", "datetime", "Created Date", false, 0),
];

/// The column type the connector maps each Salesforce type to (as the API
/// names column types).
pub fn column_type(kind: &str) -> &'static str {
    match kind {
        "boolean" => "boolean",
        "int" => "integer",
        "double" | "percent" => "double",
        "currency" => "decimal",
        "date" => "date",
        "datetime" => "timestamp_tz",
        "address" | "location" => "json",
        _ => "string",
    }
}

/// The fields of `object` (`Account` or `Contact`, any case).
pub fn fields(object: &str) -> Option<&'static [Field]> {
    if object.eq_ignore_ascii_case("Account") {
        Some(&ACCOUNT_FIELDS)
    } else if object.eq_ignore_ascii_case("Contact") {
        Some(&CONTACT_FIELDS)
    } else {
        None
    }
}

/// A Salesforce `datetime` as the API writes it.
fn datetime(at: chrono::DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// A record id: its object's key prefix, then `Dn0000` and `i`, 18 characters.
fn record_id(prefix: &str, i: usize) -> String {
    format!("{prefix}Dn00000{i:05}AAA")
}

/// The 450 Accounts, each a map from field name to the API's JSON value:
/// unicode and CSV-hostile names, text with line breaks, addresses,
/// negative, zero and fractional amounts, and nulls in every nillable field.
pub static ACCOUNT_RECORDS: LazyLock<Vec<Map<String, Value>>> = LazyLock::new(|| {
    let types = ["Customer - Direct", "Customer - Channel", "Prospect", "Partner"];
    let cities =
        [("Oslo", "NO", "0150"), ("São Paulo", "BR", "01310-100"), ("Zürich", "CH", "8001"), ("Austin", "US", "78701")];
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).expect("a date");
    (0..ACCOUNTS)
        .map(|i| {
            let name = match i {
                0 => "Ünïcødé Ångström AB".to_string(),
                1 => "Comma, \"Quotes\" & Co".to_string(),
                2 => "東京商事株式会社".to_string(),
                _ => format!("Account {i:03}"),
            };
            let (city, country, postal) = cities[i % 4];
            let address = json!({"city": city, "country": country, "geocodeAccuracy": null, "latitude": null,
                "longitude": null, "postalCode": postal, "state": null,
                "street": format!("{i} Main St\nSuite {}", i % 10)});
            let last_activity = (day + chrono::Duration::days(i as i64)).to_string();
            let description = format!("Line one\nLine two, with a comma; #{i}");
            let revenue = if i == 1 { 0.0 } else { i as f64 * 12_500.5 - 100_000.0 };
            let values = [
                ("Id", json!(record_id("001", i))),
                ("IsDeleted", json!(false)),
                ("Name", json!(name)),
                ("Type", if i % 5 == 4 { Value::Null } else { json!(types[i % 4]) }),
                ("BillingAddress", if i % 4 == 3 { Value::Null } else { address }),
                ("Phone", if i % 3 == 0 { Value::Null } else { json!(format!("(555) 010-{i:04}")) }),
                ("Website", if i % 2 == 0 { Value::Null } else { json!(format!("https://example.com/{i}")) }),
                ("AnnualRevenue", if i % 7 == 6 { Value::Null } else { json!(revenue) }),
                ("NumberOfEmployees", if i % 9 == 8 { Value::Null } else { json!(i * 3) }),
                ("Score__c", if i % 8 == 7 { Value::Null } else { json!(i as f64 / 4.0 - 10.0) }),
                ("CreatedDate", json!(datetime(moment(i as u64)))),
                ("LastActivityDate", if i % 6 == 5 { Value::Null } else { json!(last_activity) }),
                ("Description", if i % 10 == 0 { json!(description) } else { Value::Null }),
            ];
            values.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
        })
        .collect()
});

/// The 30 Contacts.
pub static CONTACT_RECORDS: LazyLock<Vec<Map<String, Value>>> = LazyLock::new(|| {
    let first = ["Zoë", "Liam", "Åsa", "Noah", "Mía"];
    let born = NaiveDate::from_ymd_opt(1980, 2, 29).expect("a date");
    (0..CONTACTS)
        .map(|i| {
            let values = [
                ("Id", json!(record_id("003", i))),
                ("AccountId", if i % 5 == 4 { Value::Null } else { json!(record_id("001", i * 7)) }),
                ("FirstName", if i % 6 == 5 { Value::Null } else { json!(first[i % 5]) }),
                ("LastName", json!(format!("O'Contact-{i}"))),
                ("Email", json!(format!("contact{i}@example.org"))),
                (
                    "Birthdate",
                    if i % 3 == 0 {
                        Value::Null
                    } else {
                        json!((born + chrono::Duration::days(400 * i as i64)).to_string())
                    },
                ),
                ("HasOptedOutOfEmail", json!(i % 2 == 1)),
                ("CreatedDate", json!(datetime(moment(1000 + i as u64)))),
            ];
            values.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
        })
        .collect()
});

/// The records of `object` (`Account` or `Contact`).
pub fn records(object: &str) -> &'static [Map<String, Value>] {
    if object.eq_ignore_ascii_case("Account") { &ACCOUNT_RECORDS } else { &CONTACT_RECORDS }
}

/// How the CSV destination writes `value` of a field of Salesforce type
/// `kind` once the connector has mapped it; `None` for a `json` column
/// (compare those as JSON), and the empty field for null.
pub fn csv_field(kind: &str, value: &Value) -> Option<String> {
    if value.is_null() {
        return Some(String::new());
    }
    Some(match column_type(kind) {
        "json" => return None,
        "boolean" => value.as_bool().expect("a boolean").to_string(),
        "integer" => value.as_i64().expect("a whole number").to_string(),
        "double" | "decimal" => format!("{}", value.as_f64().expect("a number")),
        "timestamp_tz" => {
            let at = chrono::DateTime::parse_from_str(value.as_str().expect("text"), "%Y-%m-%dT%H:%M:%S%.3f%z")
                .expect("a Salesforce datetime");
            super::csv_timestamp(at.with_timezone(&Utc))
        }
        _ => value.as_str().expect("text").to_string(),
    })
}

/// A query in progress: what it selects and how far it got.
#[derive(Debug, Clone)]
struct Cursor {
    object: String,
    fields: Vec<String>,
    page: usize,
}

/// The mock's API: its token, error shapes and query cursors.
#[derive(Default)]
pub struct Salesforce {
    /// Which access tokens pass; `None`: only [`TOKEN`].
    validator: Option<Validator>,
    cursors: Mutex<HashMap<String, Cursor>>,
    next_locator: AtomicU64,
    page_cap: AtomicUsize,
}

impl Salesforce {
    /// The most records one page holds whatever the batch size asked
    /// (Salesforce does not promise the size asked for).
    pub fn page_cap(&self) -> usize {
        match self.page_cap.load(Ordering::SeqCst) {
            0 => 200,
            n => n,
        }
    }

    /// Sets [`Salesforce::page_cap`].
    pub fn set_page_cap(&self, records: usize) {
        self.page_cap.store(records, Ordering::SeqCst);
    }
}

/// Salesforce's error shape: a list of `{message, errorCode}`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!([{"message": message, "errorCode": code}]))
}

impl Api for Salesforce {
    fn token(&self) -> Option<&str> {
        Some(TOKEN)
    }

    fn authorized(&self, bearer: Option<&str>) -> bool {
        match &self.validator {
            Some(valid) => bearer.is_some_and(|token| valid(token)),
            None => bearer == Some(TOKEN),
        }
    }

    fn unauthorized(&self) -> Response {
        error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", "Session expired or invalid")
    }

    fn throttled(&self) -> Response {
        error(StatusCode::FORBIDDEN, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    }
}

/// Starts the mock, taking [`TOKEN`].
pub async fn start() -> Mock<Salesforce> {
    start_with(None).await
}

/// Starts the mock taking the access tokens `validator` holds valid (an
/// OAuth provider's, [`super::oauth::Provider::validator`]) instead of
/// [`TOKEN`]; `None`: [`TOKEN`].
pub async fn start_with(validator: Option<Validator>) -> Mock<Salesforce> {
    let routes = Router::new()
        .route("/services/data/{version}/limits", get(limits))
        .route("/services/data/{version}/sobjects", get(sobjects))
        .route("/services/data/{version}/sobjects/{name}/describe", get(describe))
        .route("/services/data/{version}/query", get(query))
        .route("/services/data/{version}/query/{locator}", get(more));
    serve(Salesforce { validator, ..Salesforce::default() }, routes).await
}

type St = State<Arc<Shared<Salesforce>>>;

async fn limits(_: St) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "DailyApiRequests": {"Max": 15000, "Remaining": 14990},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DataStorageMB": {"Max": 5, "Remaining": 5}
        }),
    )
}

async fn sobjects(_: St, Path(version): Path<String>) -> Response {
    let object = |name: &str, label: &str, prefix: Option<&str>, queryable: bool| {
        json!({"name": name, "label": label, "labelPlural": format!("{label}s"), "keyPrefix": prefix,
            "queryable": queryable, "custom": false, "createable": queryable, "deprecatedAndHidden": false,
            "urls": {"sobject": format!("/services/data/{version}/sobjects/{name}"),
                     "describe": format!("/services/data/{version}/sobjects/{name}/describe")}})
    };
    let body = json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [
        object("Account", "Account", Some("001"), true),
        object("AggregateResult", "Aggregate Result", None, false),
        object("Contact", "Contact", Some("003"), true),
    ]});
    json_response(StatusCode::OK, &body)
}

async fn describe(_: St, Path((_, name)): Path<(String, String)>) -> Response {
    let Some(fields) = fields(&name) else {
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let name = if name.eq_ignore_ascii_case("Account") { "Account" } else { "Contact" };
    let fields: Vec<Value> = fields
        .iter()
        .map(|f| {
            json!({"name": f.name, "type": f.kind, "label": f.label, "nillable": f.nillable, "length": f.length,
                "precision": f.digits.0, "scale": f.digits.1, "custom": f.name.ends_with("__c"),
                "soapType": format!("xsd:{}", f.kind)})
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"name": name, "label": name, "queryable": true, "custom": false, "fields": fields}),
    )
}

/// `SELECT f1, f2 FROM Object [anything]` (keywords in any case): the
/// fields and the object.
fn parse(statement: &str) -> Option<(Vec<String>, String)> {
    // ASCII upper-casing keeps every byte offset.
    let upper = statement.to_ascii_uppercase();
    let select = upper.find("SELECT ").filter(|&at| upper[..at].trim().is_empty())?;
    let from = upper.find(" FROM ")?;
    let fields = statement.get(select + 7..from)?.split(',').map(|f| f.trim().to_string()).collect();
    let object = statement[from + 6..].split_whitespace().next()?.to_string();
    Some((fields, object))
}

/// The page size asked by `Sforce-Query-Options: batchSize=N`.
fn batch_size(headers: &HeaderMap) -> Option<usize> {
    let options = headers.get("sforce-query-options")?.to_str().ok()?;
    options.split(',').find_map(|o| o.trim().strip_prefix("batchSize=")?.trim().parse().ok())
}

async fn query(
    State(shared): St,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(statement) = params.get("q") else {
        return error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", "A query string has to be specified");
    };
    let Some((fields, object)) = parse(statement) else {
        return error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", "unexpected token");
    };
    let Some(known) = self::fields(&object) else {
        let message = format!("sObject type '{object}' is not supported.");
        return error(StatusCode::BAD_REQUEST, "INVALID_TYPE", &message);
    };
    let mut names = Vec::new();
    for f in &fields {
        match known.iter().find(|k| k.name.eq_ignore_ascii_case(f)) {
            Some(k) => names.push(k.name.to_string()),
            None => {
                let message = format!("No such column '{f}' on entity '{object}'.");
                return error(StatusCode::BAD_REQUEST, "INVALID_FIELD", &message);
            }
        }
    }
    let page = batch_size(&headers).unwrap_or(2000).clamp(1, 2000).min(shared.api.page_cap());
    let object = if object.eq_ignore_ascii_case("Account") { "Account" } else { "Contact" };
    let cursor = Cursor { object: object.to_string(), fields: names, page };
    page_from(&shared.api, &version, cursor, 0)
}

async fn more(State(shared): St, Path((version, locator)): Path<(String, String)>) -> Response {
    let gone = || error(StatusCode::BAD_REQUEST, "INVALID_QUERY_LOCATOR", "invalid query locator");
    let Some((id, offset)) = locator.rsplit_once('-') else { return gone() };
    let Ok(offset) = offset.parse::<usize>() else { return gone() };
    let cursor = shared.api.cursors.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned();
    match cursor {
        Some(cursor) => page_from(&shared.api, &version, cursor, offset),
        None => gone(),
    }
}

/// The page of `cursor`'s query from record `offset`.
fn page_from(api: &Salesforce, version: &str, cursor: Cursor, offset: usize) -> Response {
    let all = records(&cursor.object);
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(cursor.page)
        .map(|record| {
            let id = record["Id"].as_str().unwrap_or_default();
            let mut out = Map::new();
            let url = format!("/services/data/{version}/sobjects/{}/{id}", cursor.object);
            out.insert("attributes".into(), json!({"type": cursor.object, "url": url}));
            for name in &cursor.fields {
                out.insert(name.clone(), record[name.as_str()].clone());
            }
            Value::Object(out)
        })
        .collect();
    let end = offset + page.len();
    let mut body = json!({"totalSize": all.len(), "done": end >= all.len(), "records": page});
    if end < all.len() {
        let id = format!("01gDn{:010}", api.next_locator.fetch_add(1, Ordering::SeqCst) + 1);
        api.cursors.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), cursor);
        body["nextRecordsUrl"] = json!(format!("/services/data/{version}/query/{id}-{end}"));
    }
    json_response(StatusCode::OK, &body)
}
