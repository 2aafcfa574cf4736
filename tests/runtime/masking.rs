//! Masking secret values of every length: short secrets (1 to 7
//! characters, common in test set-ups) are masked in free text only as whole
//! tokens, long ones wherever they occur, and identifiers (schema, table and
//! column names) are never rewritten: one that holds a long secret fails
//! the call instead (docs/runtime.md, "Secret values").

use crate::api::{id_of, json, quickbooks_body, spawn_app};
use crate::helpers::{load, plugin, props, quickbooks_config, runtime, with};
use serde_json::Value;
use syncport::connector::model::{ColumnInfo, TableInfo};
use syncport::runtime::{CallError, FaultKind, Limits, MASK};

/// Secrets of 1, 3, 8 and 40 characters that the `Misbehave` fixture's
/// `echo` mode puts in its schema `Fixture`'s table `T_{secret}`, its
/// description and `test`'s message. The short ones occur inside `Fixture`.
const ECHOED: [&str; 4] = ["i", "ure", "p4ss-w0r", "tok-0123456789abcdefghijklmnopqrstuvwxyz"];

/// Secrets of 1, 1, 3, 8 and 40 characters for QuickBooks' `OAuthClientSecret`;
/// the short ones occur in its schema (`QuickBooksOnline`), table and
/// column names (`Accounts`, `AccountNumber`, ...).
const QUICKBOOKS: [&str; 5] = ["A", "o", "Qui", "s3cr3t-8", "tok-0123456789abcdefghijklmnopqrstuvwxyz"];

#[test]
fn echoed_short_secrets_leave_names_whole_and_long_ones_in_a_table_name_refuse_the_call() {
    let plugin = load(&runtime(Limits::default()), "fixtures/misbehave.wasm");
    for secret in ECHOED {
        assert!(matches!(secret.len(), 1 | 3 | 8 | 40), "{secret}");
        let config = props(&[("Mode", "echo"), ("Password", secret)]);
        let test = plugin.test_blocking(&config);
        assert_eq!(test.result.expect("echo succeeds"), format!("connected with password {MASK}"), "{secret}");
        assert_eq!(test.masked, 1, "{secret}");

        let call = plugin.list_tables_blocking(&config, None, &[]);
        if secret.len() < 8 {
            let tables = call.result.unwrap_or_else(|e| panic!("{secret}: {e}"));
            assert_eq!(tables.len(), 1, "{secret}");
            let table = &tables[0];
            assert_eq!((table.schema.as_str(), table.name.as_str()), ("Fixture", format!("T_{secret}").as_str()));
            assert_eq!(table.description.as_deref(), Some(format!("made with {MASK}").as_str()), "{secret}");
            assert_eq!(call.masked, 1, "{secret}: the description's copy");
        } else {
            let fault = match call.result {
                Err(CallError::Fault(fault)) => fault,
                other => panic!("{secret}: a table name holding the secret is refused: {other:?}"),
            };
            let FaultKind::InvalidResult { message } = &fault.kind else { panic!("{secret}: {fault}") };
            assert!(message.contains("returned a table name that holds a secret value"), "{message}");
            assert!(message.contains("the call is refused so the secret does not leave the sandbox"), "{message}");
            assert!(!format!("{fault} {:?} {:?}", fault, call.logs).contains(secret), "{fault}");
            assert_eq!(fault.kind.code(), "connector_crashed");
            assert!(call.masked >= 1, "{secret}: counted, as a masked copy is");
        }
    }
    // The same instance answers healthy calls afterwards.
    assert_eq!(plugin.test_blocking(&props(&[("Mode", "healthy")])).result.expect("healthy"), "healthy");
}

/// Tables as (schema, name), and a table's column names.
fn catalog(tables: &[TableInfo], columns: &[ColumnInfo]) -> (Vec<(String, String)>, Vec<String>) {
    (
        tables.iter().map(|t| (t.schema.clone(), t.name.clone())).collect(),
        columns.iter().map(|c| c.name.clone()).collect(),
    )
}

#[test]
fn a_secret_of_any_length_leaves_quickbooks_schema_table_and_column_names_whole() {
    let qb = plugin("connectors/quickbooks-1.0.0.wasm");
    let listed = |config: &[syncport::connector::model::Property]| {
        let tables = qb.list_tables_blocking(config, None, &[]);
        let columns = qb.list_columns_blocking(config, "QuickBooksOnline.Accounts");
        let message = qb.test_blocking(config).result.expect("test");
        let masked = tables.masked + columns.masked;
        (catalog(&tables.result.expect("tables"), &columns.result.expect("columns")), message, masked)
    };
    let (expected, expected_message, _) = listed(&quickbooks_config());
    assert!(expected.0.contains(&("QuickBooksOnline".into(), "Accounts".into())), "{:?}", expected.0);
    for secret in QUICKBOOKS {
        let (got, message, masked) = listed(&with(&quickbooks_config(), "OAuthClientSecret", secret));
        assert_eq!(got, expected, "{secret}: names come back as the connector wrote them");
        assert_eq!(message, expected_message, "{secret}: a readable message");
        // Descriptions are free text: `A` is masked where it stands alone
        // (`the A/P Aging Summary`); a long secret occurs nowhere.
        if secret.len() >= 8 {
            assert_eq!(masked, 0, "{secret}: nothing held the secret");
        }
    }
}

/// The names of an API answer's `value`, as `schema.name` where it has a schema.
fn qualified(answer: &Value) -> Vec<String> {
    let items = answer["value"].as_array().unwrap_or_else(|| panic!("no value in {answer}"));
    items
        .iter()
        .map(|t| match t["schema"].as_str() {
            Some(schema) => format!("{schema}.{}", t["name"].as_str().expect("name")),
            None => t["name"].as_str().expect("name").to_string(),
        })
        .collect()
}

#[tokio::test]
async fn short_secrets_mangle_no_table_name_the_api_answers_or_caches() {
    let app = spawn_app().await;
    let baseline = id_of(&app.create_ok("default", &quickbooks_body("Baseline")).await);
    let (status, expected) = json(app.list_tables(&baseline, "").await).await;
    assert_eq!(status, 200, "{expected}");
    let expected = qualified(&expected);
    assert!(expected.contains(&"QuickBooksOnline.Accounts".to_string()), "{expected:?}");
    let (status, expected_columns) = json(app.list_columns(&baseline, "QuickBooksOnline.Accounts", "").await).await;
    assert_eq!(status, 200, "{expected_columns}");
    let expected_columns = qualified(&expected_columns);
    for (i, secret) in QUICKBOOKS.iter().enumerate() {
        let mut body = quickbooks_body(&format!("Short{i}"));
        body["properties"]["OAuthClientSecret"] = Value::from(*secret);
        let id = id_of(&app.create_ok("default", &body).await);
        // The second answer comes from the metadata cache.
        for round in ["listed", "cached"] {
            let (status, tables) = json(app.list_tables(&id, "").await).await;
            assert_eq!(status, 200, "{secret} {round}: {tables}");
            assert_eq!(qualified(&tables), expected, "{secret} {round}");
            let (status, filtered) = json(app.list_tables(&id, "schema=QuickBooksOnline").await).await;
            assert_eq!((status, qualified(&filtered).len()), (200, expected.len()), "{secret} {round}: {filtered}");
            let (status, columns) = json(app.list_columns(&id, "QuickBooksOnline.Accounts", "").await).await;
            assert_eq!(status, 200, "{secret} {round}: {columns}");
            assert_eq!(qualified(&columns), expected_columns, "{secret} {round}");
        }
        let result = app.test_ok(&id).await;
        assert_eq!(result["success"], true, "{secret}: {result}");
        assert!(!result.to_string().contains(MASK), "{secret}: a readable message: {result}");
    }
}
