//! The Salesforce connector 3.0.0: reads a Salesforce org over the REST API
//! (WIT 0.3.0, role `source`).
//!
//! Every request goes to the org's own instance (`InstanceURL`, the only
//! egress) with `Authorization: Bearer {OAuthAccessToken}` and
//! `Accept: application/json`, under `/services/data/v{APIVersion}/`:
//!
//! - `test` reads `limits` and reports the remaining daily API requests;
//! - `list-tables` lists the queryable objects of `sobjects` (schema
//!   `Salesforce`);
//! - `list-columns` maps `sobjects/{name}/describe` (see [`types`]);
//! - `read` runs `SELECT <columns> FROM <object>` through `query` and follows
//!   `nextRecordsUrl` (see [`cursor`]).
//!
//! The host authorizes the connection with OAuth 2.0 (`describe`'s `oauth`:
//! authorization code with PKCE, refresh token or client credentials at
//! Salesforce's endpoints) and passes the connector only the access token;
//! without one, every call is an `auth-failed` error naming
//! `OAuthAccessToken`.
//!
//! Error answers map to typed errors (see [`errors`]); messages never hold
//! the token or a query string.

pub mod api;
pub mod cursor;
pub mod errors;
pub mod rows;
pub mod settings;
pub mod types;

#[cfg(test)]
mod tests;

use settings::{AUTHORIZATION_URL, DEFAULT_API_VERSION, Settings, TOKEN_URL, prop};
use syncport_connector_sdk::{
    self as sdk, ColumnInfo, Config, Connector, ConnectorError, ConnectorInfo, OAuthClientAuth, OAuthGrants, Page,
    ReadRequest, Result, Roles, TableFilter, TableInfo, TableType, http::Client,
};

/// The connector's version.
pub const VERSION: &str = "3.0.0";

/// The schema every object is in.
pub const SCHEMA: &str = "Salesforce";

/// The Salesforce connector.
#[derive(Debug, Default)]
pub struct Salesforce {
    client: Client,
}

impl Salesforce {
    /// A connector sending through `client` (native tests give it a fake transport).
    pub fn with_client(client: Client) -> Self {
        Self { client }
    }

    /// The object's API name and described fields, for `table`
    /// (`Account` or `Salesforce.Account`).
    fn describe_object(&self, settings: &Settings, table: &str) -> Result<(String, Vec<types::Field>)> {
        let name = object_name(table)?;
        api::describe(&self.client, settings, name).inspect_err(log)
    }
}

impl Connector for Salesforce {
    fn describe() -> ConnectorInfo {
        sdk::connector_info(
            "Salesforce",
            VERSION,
            "Salesforce",
            "Reads the objects of a Salesforce org (accounts, contacts, opportunities, custom objects, ...) \
             through the Salesforce REST API with an OAuth 2.0 access token.",
            vec![
                sdk::property(
                    prop::CLIENT_ID,
                    "OAuth Client ID",
                    "The consumer key of your connected app (Setup > App Manager); the host uses it to \
                     authorize the connection and to renew its tokens.",
                ),
                sdk::property(
                    prop::CLIENT_SECRET,
                    "OAuth Client Secret",
                    "The consumer secret of your connected app. Only the host uses it: the connector never \
                     receives it.",
                )
                .secret(),
                sdk::property(
                    prop::ACCESS_TOKEN,
                    "OAuth Access Token",
                    "The access token of the org; set by the host when the connection is authorized, and \
                     renewed by it before it expires.",
                )
                .secret(),
                sdk::property(
                    prop::REFRESH_TOKEN,
                    "OAuth Refresh Token",
                    "The refresh token of the org; set by the host when the connection is authorized. Only the \
                     host uses it: the connector never receives it.",
                )
                .secret(),
                sdk::property(
                    prop::EXPIRES_AT,
                    "OAuth Access Token Expiry",
                    "When the access token expires, RFC 3339; set by the host.",
                ),
                sdk::property(
                    prop::AUTHORIZATION_URL,
                    "OAuth Authorization URL",
                    "Where the user's browser is sent to authorize the connection: \
                     https://login.salesforce.com/services/oauth2/authorize for production orgs, \
                     https://test.salesforce.com/services/oauth2/authorize for sandboxes, or the org's My \
                     Domain.",
                )
                .default(AUTHORIZATION_URL),
                sdk::property(
                    prop::TOKEN_URL,
                    "OAuth Token URL",
                    "Where the host gets and renews the tokens: \
                     https://login.salesforce.com/services/oauth2/token for production orgs, \
                     https://test.salesforce.com/services/oauth2/token for sandboxes, or the org's My Domain \
                     (required for the client credentials grant).",
                )
                .default(TOKEN_URL),
                sdk::property(
                    prop::INSTANCE_URL,
                    "Instance URL",
                    "The org's own instance, e.g. https://yourorg.my.salesforce.com (the instance_url of the \
                     OAuth token response). Every org has its own, so there is no default.",
                )
                .required(),
                sdk::property(prop::API_VERSION, "API Version", "The REST API version, e.g. 62.0.")
                    .default(DEFAULT_API_VERSION),
            ],
        )
        .egress(&["{InstanceURL}"])
        // The host runs the flows and calls the token endpoint; the
        // connector only reads the access token.
        .oauth(
            sdk::oauth("{OAuthAuthorizationURL}", "{OAuthTokenURL}")
                .scopes(&["api", "refresh_token"])
                .grants(OAuthGrants::AUTHORIZATION_CODE | OAuthGrants::REFRESH_TOKEN | OAuthGrants::CLIENT_CREDENTIALS)
                .client_auth(OAuthClientAuth::Body)
                .properties(
                    prop::CLIENT_ID,
                    prop::CLIENT_SECRET,
                    prop::ACCESS_TOKEN,
                    prop::REFRESH_TOKEN,
                    prop::EXPIRES_AT,
                ),
        )
    }

    fn roles() -> Roles {
        Roles::SOURCE
    }

    fn test(&self, config: &Config) -> Result<String> {
        let settings = Settings::of(config)?;
        sdk::info!("test: reading the limits of {}", settings.instance_url);
        let remaining = api::remaining_requests(&self.client, &settings).inspect_err(log)?;
        let message = match remaining {
            Some(n) => format!("Connected to Salesforce at {}; {n} API requests remain today.", settings.instance_url),
            None => format!("Connected to Salesforce at {}.", settings.instance_url),
        };
        sdk::info!("{message}");
        Ok(message)
    }

    fn list_tables(&self, config: &Config, filter: &TableFilter) -> Result<Vec<TableInfo>> {
        let settings = Settings::of(config)?;
        let objects = api::sobjects(&self.client, &settings).inspect_err(log)?;
        let tables: Vec<_> = objects
            .iter()
            .filter(|o| o.queryable)
            .map(|o| sdk::table(SCHEMA, &o.name, TableType::Table, &o.label))
            .filter(|t| filter.matches(t))
            .collect();
        sdk::transfer!("listed {} tables of {} objects", tables.len(), objects.len());
        Ok(tables)
    }

    fn list_columns(&self, config: &Config, table: &str) -> Result<Vec<ColumnInfo>> {
        let settings = Settings::of(config)?;
        let (_, fields) = self.describe_object(&settings, table)?;
        let columns = types::columns(&fields);
        sdk::transfer!("listed {} columns of `{table}`", columns.len());
        Ok(columns)
    }

    fn read(&self, config: &Config, request: &ReadRequest) -> Result<Page> {
        let settings = Settings::of(config)?;
        let (object, described) = self.describe_object(&settings, &request.table)?;
        let fields = select(&object, &described, &request.columns)?;
        let position = match &request.cursor {
            Some(text) => cursor::Cursor::parse(text)?,
            None => {
                let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
                let soql = format!("SELECT {} FROM {object}", names.join(", "));
                cursor::Cursor { path: api::query_path(&settings, &soql)?, skip: 0 }
            }
        };
        let page = api::query_page(&self.client, &settings, &position.path, request.batch_size).inspect_err(log)?;
        let next = if page.done { None } else { page.next_records_url.as_deref() };
        let (range, after) = cursor::slice(&position.path, position.skip, page.records.len(), request.batch_size, next);
        sdk::transfer!("read {} {object} records", range.len());
        let batch = rows::batch(&object, &fields, &page.records[range])?;
        Ok(Page { batch, next_cursor: after.map(|c| c.text()) })
    }
}

/// The object API name of `table` (`Account`, `Salesforce.Account`); it
/// must be letters, digits and `_`, else the table does not exist.
fn object_name(table: &str) -> Result<&str> {
    let name = match table.split_once('.') {
        Some((schema, name)) if schema.eq_ignore_ascii_case(SCHEMA) => name,
        Some(_) => "",
        None => table,
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(ConnectorError::not_found(format!("Table `{table}` does not exist in Salesforce.")));
    }
    Ok(name)
}

/// The described fields named by `columns` (any case), in that order; every
/// field when `columns` is empty. An unknown name is a `not-found` error.
fn select(object: &str, described: &[types::Field], columns: &[String]) -> Result<Vec<types::Field>> {
    if columns.is_empty() {
        return Ok(described.to_vec());
    }
    columns
        .iter()
        .map(|c| {
            described
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(c))
                .cloned()
                .ok_or_else(|| ConnectorError::not_found(format!("Table `{object}` has no column `{c}`.")))
        })
        .collect()
}

/// Logs a failed request.
fn log(error: &ConnectorError) {
    sdk::error!("request failed ({}): {}", error.kind, error.message);
}

// The component's `connector` interface; native builds export nothing.
sdk::export_connector!(Salesforce);
