//! Hello: a minimal Syncport connector with two fixed tables and one secret.
//! Copy this crate to start a connector (docs/plugin-guide.md). It builds
//! against the SDK's default WIT 0.2.0 and takes no part in jobs (the
//! default `roles`); to make it a source or a destination, implement
//! `roles` and `read`, or `prepare`, `write` and `finish` (see the SDK's
//! README).

use syncport_connector_sdk::{
    self as sdk, Catalog, ColumnInfo, Config, Connector, ConnectorError, ConnectorInfo, DataType, Result, TableFilter,
    TableInfo, TableType,
};

/// The connector's name, as connections refer to it.
pub const NAME: &str = "Hello";
/// Its version: bump it for every release; connections stay pinned to the
/// version they were created on until moved.
pub const VERSION: &str = "1.0.0";

/// The connector. The host may make a fresh one (with `Default`) for any
/// call, so it keeps no state between calls.
#[derive(Default)]
pub struct Hello;

/// The tables and their columns, known at build time.
fn catalog() -> Catalog {
    let mut catalog = Catalog::default();
    catalog.push(
        sdk::table("Hello", "Greetings", TableType::Table, "Every greeting sent."),
        sdk::columns([
            sdk::column("Id", DataType::Bigint).key(),
            sdk::column("Text", DataType::String).length(200).not_null(),
            sdk::column("SentAt", DataType::TimestampTz),
        ]),
    );
    catalog.push(
        sdk::table("Hello", "DailyTotals", TableType::View, "Greetings per day."),
        sdk::columns([
            sdk::column("Day", DataType::Date).not_null(),
            sdk::column("Count", DataType::Integer).not_null(),
        ]),
    );
    catalog
}

impl Connector for Hello {
    fn describe() -> ConnectorInfo {
        sdk::connector_info(
            NAME,
            VERSION,
            "Hello World",
            "Greets the configured user; a starting point for real connectors.",
            vec![
                sdk::property("User", "User", "Who to greet.").required(),
                sdk::property("ApiKey", "API key", "The key the remote system issued.").required().secret(),
                sdk::property("Region", "Region", "Where the account lives.").allowed(&["eu", "us"]).default("eu"),
            ],
        )
    }

    fn test(&self, config: &Config) -> Result<String> {
        let user = config.required("User")?;
        // Log names and non-secret values only: never the API key.
        sdk::info!("test: greeting {user} in region {}", config.required("Region")?);
        if config.required("ApiKey")?.starts_with("revoked") {
            sdk::error!("test: the API key was refused");
            let error = ConnectorError::auth_failed("The API key was revoked; create a new one.");
            return Err(error.with_property("ApiKey"));
        }
        Ok(format!("Hello, {user}!"))
    }

    fn list_tables(&self, _config: &Config, filter: &TableFilter) -> Result<Vec<TableInfo>> {
        let tables = catalog().tables(filter);
        sdk::transfer!("listed {} tables", tables.len());
        Ok(tables)
    }

    fn list_columns(&self, _config: &Config, table: &str) -> Result<Vec<ColumnInfo>> {
        // `Greetings` or `Hello.Greetings`, any case; anything else is not-found.
        catalog().columns(table)
    }
}

// Once, at the crate root. The export exists only in the wasm32 component;
// a native build (unit tests) compiles without it.
sdk::export_connector!(Hello);

#[cfg(test)]
mod tests {
    use super::*;
    use sdk::ErrorKind;

    fn config(pairs: &[(&str, &str)]) -> Config {
        Config::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())), Hello::describe().properties)
    }

    #[test]
    fn test_greets_the_user_and_logs_no_secret() {
        let message = Hello.test(&config(&[("User", "Ada"), ("ApiKey", "k-123")])).expect("passes");
        assert_eq!(message, "Hello, Ada!");
        let logs = sdk::testing::take_logs();
        assert!(logs.iter().all(|(_, line)| !line.contains("k-123")), "{logs:?}");
    }

    #[test]
    fn a_revoked_key_fails_as_auth_failed_on_the_key() {
        let error = Hello.test(&config(&[("User", "Ada"), ("ApiKey", "revoked-1")])).expect_err("refused");
        assert_eq!((error.kind, error.property.as_deref()), (ErrorKind::AuthFailed, Some("ApiKey")));
    }

    #[test]
    fn tables_honour_the_type_filter_and_columns_the_schema_qualified_name() {
        let views = TableFilter::new(None, vec![TableType::View]);
        let tables = Hello.list_tables(&config(&[]), &views).expect("tables");
        let names: Vec<String> = tables.into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["DailyTotals"]);
        let columns = Hello.list_columns(&config(&[]), "hello.greetings").expect("columns");
        assert_eq!(columns.len(), 3);
        let missing = Hello.list_columns(&config(&[]), "Nope").expect_err("not found");
        assert_eq!(missing.kind, ErrorKind::NotFound);
    }
}
