//! The REST API requests this connector makes.

use crate::errors;
use crate::settings::{Settings, prop};
use crate::types::Field;
use serde::Deserialize;
use serde_json::{Map, Value};
use syncport_connector_sdk::{
    Result,
    http::{Client, Request, Response},
};

/// The page sizes the query endpoint accepts in `Sforce-Query-Options`.
pub const BATCH_SIZES: std::ops::RangeInclusive<u32> = 200..=2000;

/// A `GET` of `path` (with query) on the instance, with the token.
fn get(settings: &Settings, path: &str) -> Result<Request> {
    Ok(Request::get(&format!("{}{path}", settings.instance_url))?
        .bearer(&settings.token)
        .credential_property(prop::ACCESS_TOKEN))
}

/// Sends `request` and checks the answer.
fn send(client: &Client, request: Request) -> Result<Response> {
    errors::check(client.send(request)?)
}

/// `GET …/limits`: the org's remaining daily API requests, when it says.
pub fn remaining_requests(client: &Client, settings: &Settings) -> Result<Option<u64>> {
    let body: Value = send(client, get(settings, &settings.path("limits"))?)?.json()?;
    Ok(body.pointer("/DailyApiRequests/Remaining").and_then(Value::as_u64))
}

/// One object of the `sobjects` list.
#[derive(Debug, Deserialize)]
pub struct SObject {
    /// The API name, e.g. `Account`.
    pub name: String,
    /// The label, e.g. `Account`.
    #[serde(default)]
    pub label: String,
    /// Whether SOQL can query it.
    #[serde(default)]
    pub queryable: bool,
}

/// `GET …/sobjects`: every object of the org.
pub fn sobjects(client: &Client, settings: &Settings) -> Result<Vec<SObject>> {
    #[derive(Deserialize)]
    struct Body {
        sobjects: Vec<SObject>,
    }
    Ok(send(client, get(settings, &settings.path("sobjects"))?)?.json::<Body>()?.sobjects)
}

/// `GET …/sobjects/{name}/describe`: the object's API name and fields.
/// `name` must be an API name (letters, digits, `_`).
pub fn describe(client: &Client, settings: &Settings, name: &str) -> Result<(String, Vec<Field>)> {
    #[derive(Deserialize)]
    struct Body {
        name: String,
        fields: Vec<Field>,
    }
    let body: Body = send(client, get(settings, &settings.path(&format!("sobjects/{name}/describe")))?)?.json()?;
    Ok((body.name, body.fields))
}

/// One page of a query's records.
#[derive(Debug, Deserialize)]
pub struct QueryPage {
    /// The records, each an object of field values (and `attributes`).
    pub records: Vec<Map<String, Value>>,
    /// Whether this is the last page.
    #[serde(default = "yes")]
    pub done: bool,
    /// The path of the next page on the instance, while not done.
    #[serde(rename = "nextRecordsUrl")]
    pub next_records_url: Option<String>,
}

/// serde's default for `done`.
fn yes() -> bool {
    true
}

/// The path of the first page of `soql`: `…/query?q=<percent-encoded soql>`.
pub fn query_path(settings: &Settings, soql: &str) -> Result<String> {
    Ok(get(settings, &settings.path("query"))?.query("q", soql).path_with_query())
}

/// `GET {InstanceURL}{path}` of a query page (the first, or a
/// `nextRecordsUrl`), asking for `batch_size` records (clamped to
/// [`BATCH_SIZES`]).
pub fn query_page(client: &Client, settings: &Settings, path: &str, batch_size: u32) -> Result<QueryPage> {
    let size = batch_size.clamp(*BATCH_SIZES.start(), *BATCH_SIZES.end());
    let request = get(settings, path)?.header("Sforce-Query-Options", &format!("batchSize={size}"));
    send(client, request)?.json()
}
