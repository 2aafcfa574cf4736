//! The Accounting API requests this connector makes.

use crate::fault;
use crate::settings::{Settings, prop};
use serde::Deserialize;
use serde_json::{Map, Value};
use syncport_connector_sdk::{
    Result,
    http::{Client, Request, join_url},
};

/// The largest page the query endpoint returns.
pub const MAX_RESULTS: u32 = 1000;

/// `GET {BaseURL}/v3/company/{CompanyId}/{path}` with the token, JSON and
/// the minor version, checked for faults and parsed as `T`.
fn get<T: serde::de::DeserializeOwned>(
    client: &Client,
    settings: &Settings,
    path: &str,
    query: &[(&str, &str)],
) -> Result<T> {
    let url = join_url(&settings.base_url, &format!("v3/company/{}/{path}", settings.company_id));
    let mut request = Request::get(&url)?.bearer(&settings.token).credential_property(prop::ACCESS_TOKEN);
    for (name, value) in query {
        request = request.query(name, value);
    }
    let request = request.query("minorversion", &settings.minor_version.to_string());
    fault::check(client.send(request)?)?.json()
}

/// The company's name and id, from `companyinfo`.
#[derive(Debug, Deserialize)]
pub struct CompanyInfo {
    /// The company's name.
    #[serde(rename = "CompanyName", default)]
    pub name: String,
    /// Its id (the realm id).
    #[serde(rename = "Id", default)]
    pub id: String,
}

/// `GET .../companyinfo/{CompanyId}`.
pub fn company_info(client: &Client, settings: &Settings) -> Result<CompanyInfo> {
    #[derive(Deserialize)]
    struct Body {
        #[serde(rename = "CompanyInfo")]
        company: CompanyInfo,
    }
    let path = format!("companyinfo/{}", settings.company_id);
    Ok(get::<Body>(client, settings, &path, &[])?.company)
}

/// The query language statement of one page of `entity`.
pub fn page_query(entity: &str, start: u64, max: u32) -> String {
    format!("SELECT * FROM {entity} STARTPOSITION {start} MAXRESULTS {max}")
}

/// `GET .../query?query=SELECT * FROM {entity} STARTPOSITION {start} MAXRESULTS {max}`:
/// the entities of that page (none when the answer holds none).
pub fn query(client: &Client, settings: &Settings, entity: &str, start: u64, max: u32) -> Result<Vec<Value>> {
    #[derive(Deserialize)]
    struct Body {
        #[serde(rename = "QueryResponse", default)]
        response: Map<String, Value>,
    }
    let body: Body = get(client, settings, "query", &[("query", &page_query(entity, start, max))])?;
    Ok(match body.response.get(entity) {
        Some(Value::Array(rows)) => rows.clone(),
        _ => Vec::new(),
    })
}
