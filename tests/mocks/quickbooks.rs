//! Intuit's QuickBooks Online Accounting API, as far as the QuickBooks
//! 3.0.0 connector uses it:
//!
//! - `GET /v3/company/{realm}/companyinfo/{realm}` →
//!   `{"CompanyInfo":{"CompanyName":…,"Id":…},"time":…}`;
//! - `GET /v3/company/{realm}/query?query=SELECT * FROM Customer
//!   STARTPOSITION n MAXRESULTS m` → `{"QueryResponse":{"Customer":[…],
//!   "startPosition":n,"maxResults":k},"time":…}`, or `{"QueryResponse":{},
//!   "time":…}` past the end (and for the other entities, which hold nothing).
//!
//! The API takes [`TOKEN`], or, started by [`start_with`], the access
//! tokens an [`super::oauth`] provider issued and still holds valid.
//!
//! A wrong token is a 401 `AuthenticationFault`, throttling a 429
//! `ThrottleExceeded` fault with `Retry-After: 7`; another realm is a 403
//! `AuthorizationFault`, an unknown entity a 400 `ValidationFault`.

use super::{Api, Mock, Shared, Validator, json_response, moment, serve};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// The access token the mock accepts.
pub const TOKEN: &str = "qbo-access-token-7f3a9c";
/// The company's realm id.
pub const COMPANY_ID: &str = "9130357766";
/// The company's name.
pub const COMPANY_NAME: &str = "Ørsted & Søn Café, Inc.";
/// The entities the query endpoint knows (only `Customer` holds rows).
pub const ENTITIES: [&str; 5] = ["Customer", "Invoice", "Item", "Account", "Vendor"];
/// The `time` of every answer.
const TIME: &str = "2024-06-01T12:00:00.000-07:00";

/// A customer of the mock company. `None` fields are left out of its JSON.
#[derive(Debug, Clone)]
pub struct Customer {
    /// `Id`
    pub id: String,
    /// `DisplayName`
    pub display_name: Option<String>,
    /// `CompanyName`
    pub company_name: Option<String>,
    /// `GivenName`
    pub given_name: Option<String>,
    /// `FamilyName`
    pub family_name: Option<String>,
    /// `PrimaryEmailAddr.Address`
    pub email: Option<String>,
    /// `Balance`
    pub balance: Option<f64>,
    /// `Active`
    pub active: Option<bool>,
    /// `MetaData.CreateTime` and `MetaData.LastUpdatedTime`, in the
    /// company's time zone.
    pub meta: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
}

impl Customer {
    /// The customer as the API sends it.
    pub fn to_json(&self) -> Value {
        let mut c = Map::new();
        c.insert("Id".into(), json!(self.id));
        c.insert("SyncToken".into(), json!("0"));
        c.insert("domain".into(), json!("QBO"));
        let texts = [
            ("DisplayName", &self.display_name),
            ("CompanyName", &self.company_name),
            ("GivenName", &self.given_name),
            ("FamilyName", &self.family_name),
        ];
        for (name, value) in texts {
            if let Some(value) = value {
                c.insert(name.into(), json!(value));
            }
        }
        if let Some(email) = &self.email {
            c.insert("PrimaryEmailAddr".into(), json!({"Address": email}));
        }
        if let Some(balance) = self.balance {
            c.insert("Balance".into(), json!(balance));
            c.insert("BalanceWithJobs".into(), json!(balance));
        }
        if let Some(active) = self.active {
            c.insert("Active".into(), json!(active));
        }
        if let Some((created, updated)) = self.meta {
            let format = "%Y-%m-%dT%H:%M:%S%:z";
            c.insert(
                "MetaData".into(),
                json!({"CreateTime": created.format(format).to_string(),
                       "LastUpdatedTime": updated.format(format).to_string()}),
            );
        }
        c.insert("CurrencyRef".into(), json!({"value": "USD", "name": "United States Dollar"}));
        Value::Object(c)
    }

    /// The customer's row as the CSV destination writes it, in the columns'
    /// order (`Id`, `DisplayName`, `CompanyName`, `GivenName`,
    /// `FamilyName`, `PrimaryEmailAddr`, `Balance`, `Active`, `CreateTime`,
    /// `LastUpdatedTime`); a null is the empty field.
    pub fn csv_row(&self) -> Vec<String> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let utc = |t: DateTime<FixedOffset>| super::csv_timestamp(t.with_timezone(&Utc));
        vec![
            self.id.clone(),
            text(&self.display_name),
            text(&self.company_name),
            text(&self.given_name),
            text(&self.family_name),
            text(&self.email),
            self.balance.map(|b| format!("{b}")).unwrap_or_default(),
            self.active.map(|a| a.to_string()).unwrap_or_default(),
            self.meta.map(|(c, _)| utc(c)).unwrap_or_default(),
            self.meta.map(|(_, u)| utc(u)).unwrap_or_default(),
        ]
    }
}

/// The Customer columns, in order.
pub const CUSTOMER_COLUMNS: [&str; 10] = [
    "Id",
    "DisplayName",
    "CompanyName",
    "GivenName",
    "FamilyName",
    "PrimaryEmailAddr",
    "Balance",
    "Active",
    "CreateTime",
    "LastUpdatedTime",
];

/// The company's 25 customers, in `Id` order: people and businesses, some
/// with fields missing, unicode and CSV-hostile names, a zero and a
/// negative balance, inactive ones, and one with nothing but its id.
pub static CUSTOMERS: LazyLock<Vec<Customer>> = LazyLock::new(|| {
    let given = ["Amy", "Bill", "Chloé", "Dmitri", "Emeka", "Fatima", "Günter", "Hana", "Ibrahim", "José"];
    let family = ["Lauterbach", "O'Neil", "Nguyễn", "Петров", "Okafor", "Al-Sayed", "Müller", "山田", "Khan", "Núñez"];
    let balances = [239.0, 0.0, -125.5, 1234.56, 85.25, 0.01, 99_999.99, -0.75, 42.0, 310.1];
    (0..25_u64)
        .map(|i| {
            let n = i as usize;
            let id = (58 + i).to_string();
            if i == 24 {
                return Customer {
                    id,
                    display_name: None,
                    company_name: None,
                    given_name: None,
                    family_name: None,
                    email: None,
                    balance: None,
                    active: None,
                    meta: None,
                };
            }
            let business = i % 3 == 0;
            let (g, f) = (given[n % 10], family[(n * 3) % 10]);
            let company = match i {
                0 => Some("Amy's Bird Sanctuary".to_string()),
                3 => Some("Dmitri \"The Fixer\", LLC".to_string()),
                6 => Some("株式会社 山田商事".to_string()),
                _ if business => Some(format!("{f} & Sons {i}")),
                _ => None,
            };
            let display = match &company {
                Some(company) => company.clone(),
                None => format!("{g} {f}"),
            };
            let zone = FixedOffset::west_opt(if i % 2 == 0 { 8 * 3600 } else { 5 * 3600 }).expect("an offset");
            let created = moment(i).with_timezone(&zone);
            let updated = (moment(i) + chrono::Duration::days(30 + i as i64)).with_timezone(&zone);
            Customer {
                id,
                display_name: Some(display),
                company_name: company,
                given_name: (i % 7 != 5).then(|| g.to_string()),
                family_name: (i % 7 != 5).then(|| f.to_string()),
                email: (i % 4 != 2).then(|| format!("{}.{i}@example.com", g.to_lowercase())),
                balance: (i != 11).then(|| balances[n % 10]),
                active: Some(i % 6 != 4),
                meta: Some((created, updated)),
            }
        })
        .collect()
});

/// The mock's API: its token and fault shapes.
#[derive(Default)]
pub struct QuickBooks {
    /// Which access tokens pass; `None`: only [`TOKEN`].
    validator: Option<Validator>,
}

impl Api for QuickBooks {
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
        let fault = json!({"Fault": {"Error": [{
            "Message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
            "Detail": "Token expired: ..., 401",
            "code": "3200"
        }], "type": "AuthenticationFault"}, "time": TIME});
        let mut response = json_response(StatusCode::UNAUTHORIZED, &fault);
        let challenge = HeaderValue::from_static("Bearer realm=\"Intuit\", error=\"invalid_token\"");
        response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
        response
    }

    fn throttled(&self) -> Response {
        let fault = json!({"Fault": {"Error": [{
            "Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
            "Detail": "The request limit was reached.",
            "code": "3001"
        }], "type": "ThrottleExceeded"}, "time": TIME});
        let mut response = json_response(StatusCode::TOO_MANY_REQUESTS, &fault);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        response
    }
}

/// Starts the mock, taking [`TOKEN`].
pub async fn start() -> Mock<QuickBooks> {
    start_with(None).await
}

/// Starts the mock taking the access tokens `validator` holds valid (an
/// OAuth provider's, [`super::oauth::Provider::validator`]) instead of
/// [`TOKEN`]; `None`: [`TOKEN`].
pub async fn start_with(validator: Option<Validator>) -> Mock<QuickBooks> {
    let routes = Router::new()
        .route("/v3/company/{realm}/companyinfo/{id}", get(company_info))
        .route("/v3/company/{realm}/query", get(query));
    serve(QuickBooks { validator }, routes).await
}

type St = State<Arc<Shared<QuickBooks>>>;

/// 403 for a realm other than the mock company's.
fn other_realm() -> Response {
    let fault = json!({"Fault": {"Error": [{
        "Message": "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        "Detail": "",
        "code": "3100"
    }], "type": "AuthorizationFault"}, "time": TIME});
    json_response(StatusCode::FORBIDDEN, &fault)
}

/// A 400 `ValidationFault`.
fn invalid(message: &str, detail: &str, code: &str) -> Response {
    let fault = json!({"Fault": {"Error": [{"Message": message, "Detail": detail, "code": code, "element": ""}],
        "type": "ValidationFault"}, "time": TIME});
    json_response(StatusCode::BAD_REQUEST, &fault)
}

async fn company_info(_: St, Path((realm, id)): Path<(String, String)>) -> Response {
    if realm != COMPANY_ID {
        return other_realm();
    }
    if id != COMPANY_ID {
        return invalid(
            "Object Not Found",
            "Object Not Found : Something you're trying to use has been made inactive or doesn't exist.",
            "610",
        );
    }
    let info = json!({"CompanyInfo": {
        "CompanyName": COMPANY_NAME,
        "LegalName": COMPANY_NAME,
        "Country": "US",
        "Id": COMPANY_ID,
        "SyncToken": "4",
        "domain": "QBO",
        "MetaData": {"CreateTime": "2015-06-05T13:55:54-07:00", "LastUpdatedTime": "2024-05-01T09:00:00-07:00"}
    }, "time": TIME});
    json_response(StatusCode::OK, &info)
}

/// `SELECT * FROM {entity} [STARTPOSITION n] [MAXRESULTS m]` (keywords in
/// any case): the entity, the 1-based start and the page size.
fn parse(statement: &str) -> Option<(String, usize, usize)> {
    let words: Vec<&str> = statement.split_whitespace().collect();
    let at = |keyword: &str| words.iter().position(|w| w.eq_ignore_ascii_case(keyword));
    if !words.first()?.eq_ignore_ascii_case("SELECT") {
        return None;
    }
    let entity = words.get(at("FROM")? + 1)?.to_string();
    let number = |keyword: &str, default: usize| match at(keyword) {
        Some(i) => words.get(i + 1)?.parse().ok(),
        None => Some(default),
    };
    Some((entity, number("STARTPOSITION", 1)?, number("MAXRESULTS", 100)?))
}

async fn query(_: St, Path(realm): Path<String>, Query(params): Query<HashMap<String, String>>) -> Response {
    if realm != COMPANY_ID {
        return other_realm();
    }
    let Some((entity, start, max)) = params.get("query").and_then(|q| parse(q)) else {
        return invalid("Error parsing query", "QueryParserError: Encountered an unexpected statement", "4000");
    };
    let Some(entity) = ENTITIES.iter().find(|e| e.eq_ignore_ascii_case(&entity)) else {
        return invalid("Invalid query", &format!("QueryValidationError: Invalid entity: {entity}"), "4001");
    };
    let rows: Vec<Value> = match *entity {
        "Customer" => CUSTOMERS.iter().skip(start.max(1) - 1).take(max.min(1000)).map(Customer::to_json).collect(),
        _ => Vec::new(),
    };
    let body = if rows.is_empty() {
        json!({"QueryResponse": {}, "time": TIME})
    } else {
        let mut response = Map::new();
        response.insert(entity.to_string(), json!(rows));
        response.insert("startPosition".into(), json!(start));
        response.insert("maxResults".into(), json!(rows.len()));
        json!({"QueryResponse": response, "time": TIME})
    };
    json_response(StatusCode::OK, &body)
}
