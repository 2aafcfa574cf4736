//! Native unit tests: the catalog invariants the host checks, the fake
//! credential rules, and the logging (levels, and never a secret).

use crate::auth::{self, prop};
use crate::catalog::{self, ADDED_IN_1_1, SCHEMA};
use crate::{QuickBooks, RELEASE_1, RELEASE_1_0, VERSION};
use std::collections::HashSet;
use syncport_connector_sdk::testing::take_logs;
use syncport_connector_sdk::{
    Config, Connector, ConnectorError, DataType, ErrorKind, LogLevel, Result, TableFilter, TableType,
};

/// Secret values used by [`good`]; none may show up in a message or a log line.
const CLIENT_SECRET: &str = "s3cr3t-client-Zq9";
const ACCESS_TOKEN: &str = "eyJ-access-token-Xk2";
const REFRESH_TOKEN: &str = "AB11-refresh-token-Pw7";

/// A configuration that connects, with `changes` applied (an empty value unsets).
fn config(changes: &[(&str, &str)]) -> Config {
    let mut values: Vec<(String, String)> = [
        (prop::COMPANY_ID, "123"),
        (prop::CLIENT_ID, "ABcdClientId"),
        (prop::CLIENT_SECRET, CLIENT_SECRET),
        (prop::ACCESS_TOKEN, ACCESS_TOKEN),
        (prop::REFRESH_TOKEN, REFRESH_TOKEN),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    for (name, value) in changes {
        values.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        values.push((name.to_string(), value.to_string()));
    }
    Config::new(values, QuickBooks::describe().properties)
}

fn good() -> Config {
    config(&[])
}

/// Runs `test` the way the SDK does: validation first.
fn run_test(config: &Config) -> Result<String> {
    config.validate()?;
    QuickBooks.test(config)
}

fn expect_err<T: std::fmt::Debug>(result: Result<T>) -> ConnectorError {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn assert_no_secret(text: &str) {
    for secret in [CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN] {
        assert!(!text.contains(secret), "secret leaked into: {text}");
    }
}

// ---- describe -------------------------------------------------------------

#[test]
fn describes_the_connector() {
    let info = QuickBooks::describe();
    assert_eq!(info.name, "QuickBooks");
    assert_eq!(info.display_name, "QuickBooks Online");
    let expected = match (cfg!(feature = "release-1-0"), cfg!(feature = "release-1-1")) {
        (true, _) => "1.0.0",
        (false, true) => "1.1.0",
        (false, false) => "2.0.0",
    };
    assert_eq!((info.version.as_str(), VERSION), (expected, expected));
    assert!(!info.description.is_empty());

    let spec = |name: &str| info.properties.iter().find(|p| p.name == name);
    for name in [prop::COMPANY_ID, prop::CLIENT_ID, prop::CLIENT_SECRET] {
        assert!(spec(name).expect(name).required, "{name} is required");
    }
    for name in [prop::CLIENT_SECRET, prop::ACCESS_TOKEN, prop::REFRESH_TOKEN] {
        assert!(spec(name).expect(name).secret, "{name} is secret");
    }
    for name in [prop::ACCESS_TOKEN, prop::REFRESH_TOKEN, prop::USE_SANDBOX] {
        assert!(!spec(name).expect(name).required, "{name} is optional");
    }
    let sandbox = spec(prop::USE_SANDBOX).expect("UseSandbox");
    assert_eq!(sandbox.allowed_values, ["true", "false"]);
    assert_eq!(sandbox.default_value.as_deref(), Some("false"));
    let minor = spec(prop::MINOR_VERSION);
    assert_eq!(minor.is_some(), !RELEASE_1_0, "only 1.1.0 has MinorVersion");
    if let Some(minor) = minor {
        assert_eq!(minor.default_value.as_deref(), Some("75"));
        assert!(!minor.secret && !minor.required);
    }
    let names: HashSet<String> = info.properties.iter().map(|p| p.name.to_ascii_lowercase()).collect();
    assert_eq!(names.len(), info.properties.len(), "property names are unique");
    assert_eq!(
        info.properties.len(),
        if RELEASE_1_0 {
            6
        } else if RELEASE_1 {
            7
        } else {
            8
        }
    );
    let rows = spec(syncport_generator::ROWS_PER_TABLE);
    assert_eq!(rows.is_some(), !RELEASE_1, "only 2.x has RowsPerTable");
    if let Some(rows) = rows {
        assert_eq!(rows.default_value.as_deref(), Some("1000"));
        assert!(!rows.secret && !rows.required);
    }
}

#[test]
fn describe_is_deterministic() {
    assert_eq!(format!("{:?}", QuickBooks::describe()), format!("{:?}", QuickBooks::describe()));
}

// ---- catalog invariants ---------------------------------------------------

#[test]
fn table_counts_per_release() {
    let tables = catalog::build().tables(&TableFilter::default());
    let base = tables.iter().filter(|t| t.table_type == TableType::Table).count();
    let views = tables.iter().filter(|t| t.table_type == TableType::View).count();
    assert_eq!(views, 7);
    if RELEASE_1_0 {
        assert_eq!(base, 40);
    } else {
        assert_eq!(base, 43);
    }
    assert!(base >= 28 && tables.len() >= 25);
    for name in ADDED_IN_1_1 {
        assert_eq!(tables.iter().any(|t| t.name == name), !RELEASE_1_0, "{name}");
    }
}

#[test]
fn tables_are_well_formed() {
    let catalog = catalog::build();
    let tables = catalog.tables(&TableFilter::default());
    let mut names = HashSet::new();
    for t in &tables {
        assert_eq!(t.schema, SCHEMA);
        assert!(names.insert(t.name.to_ascii_lowercase()), "duplicate table {}", t.name);
        assert!(t.description.as_deref().is_some_and(|d| !d.is_empty()), "{} has a description", t.name);
        assert_ne!(t.table_type, TableType::Synonym);

        let columns = catalog.columns(&t.name).expect("columns of a listed table");
        assert!(!columns.is_empty(), "{} has columns", t.name);
        let mut column_names = HashSet::new();
        for (i, c) in columns.iter().enumerate() {
            let at = format!("{}.{}", t.name, c.name);
            assert!(!c.name.is_empty() && !c.name.contains(' '), "{at}: a plain name");
            assert!(column_names.insert(c.name.to_ascii_lowercase()), "{at}: duplicate column");
            assert_eq!(c.ordinal as usize, i + 1, "{at}: ordinals are 1..n");
            assert!(c.description.as_deref().is_some_and(|d| !d.is_empty()), "{at}: described");
            if c.primary_key {
                assert!(!c.nullable, "{at}: a key is not nullable");
            }
            match c.data_type {
                DataType::Decimal => {
                    let (p, s) = (c.precision.expect(&at), c.scale.expect(&at));
                    assert!(p > 0 && s <= p, "{at}: decimal({p},{s})");
                }
                _ => assert!(c.precision.is_none() && c.scale.is_none(), "{at}: precision only on decimals"),
            }
            match c.data_type {
                DataType::String | DataType::Binary => {
                    assert!(c.length.is_none_or(|l| l > 0), "{at}: a positive length")
                }
                _ => assert!(c.length.is_none(), "{at}: length only on strings"),
            }
        }
        let keys: Vec<&str> = columns.iter().filter(|c| c.primary_key).map(|c| c.name.as_str()).collect();
        if t.table_type == TableType::Table {
            assert!(!keys.is_empty(), "{} has a primary key", t.name);
        }
        if t.name.ends_with("LineItems") {
            let parent = t.name.trim_end_matches("LineItems");
            assert_eq!(keys, ["LineId", &format!("{parent}Id")], "{}: composite key", t.name);
        } else if t.table_type == TableType::Table {
            assert_eq!(keys, ["Id"], "{}: keyed by Id", t.name);
        }
    }
}

#[test]
fn has_the_expected_tables() {
    let catalog = catalog::build();
    let required = [
        "Customers",
        "Invoices",
        "InvoiceLineItems",
        "Bills",
        "BillLineItems",
        "Vendors",
        "Items",
        "Accounts",
        "Payments",
        "Employees",
        "Estimates",
        "EstimateLineItems",
        "SalesReceipts",
        "SalesReceiptLineItems",
        "CreditMemos",
        "Deposits",
        "JournalEntries",
        "JournalEntryLineItems",
        "Purchases",
        "PurchaseOrders",
        "RefundReceipts",
        "TimeActivities",
        "Transfers",
        "VendorCredits",
        "Classes",
        "Departments",
        "Terms",
        "TaxCodes",
        "TaxRates",
        "PaymentMethods",
        "CompanyInfo",
    ];
    for name in required {
        let t = catalog.find(name).unwrap_or_else(|| panic!("{name} exists"));
        assert_eq!(t.info.table_type, TableType::Table, "{name}");
    }
    for name in [
        "ProfitAndLossReport",
        "BalanceSheetReport",
        "AgedReceivablesReport",
        "AgedPayablesReport",
        "GeneralLedgerReport",
        "TrialBalanceReport",
    ] {
        let t = catalog.find(name).unwrap_or_else(|| panic!("{name} exists"));
        assert_eq!(t.info.table_type, TableType::View, "{name}");
    }
}

#[test]
fn customers_have_cdata_columns_and_types() {
    let columns = catalog::build().columns("Customers").expect("Customers");
    let col = |name: &str| columns.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("Customers.{name}"));
    for name in [
        "Id",
        "SyncToken",
        "MetaData_CreateTime",
        "MetaData_LastUpdatedTime",
        "DisplayName",
        "Title",
        "GivenName",
        "MiddleName",
        "FamilyName",
        "Suffix",
        "CompanyName",
        "PrimaryEmailAddr_Address",
        "PrimaryPhone_FreeFormNumber",
        "BillAddr_Line1",
        "BillAddr_City",
        "BillAddr_CountrySubDivisionCode",
        "BillAddr_PostalCode",
        "BillAddr_Country",
        "Balance",
        "BalanceWithJobs",
        "CurrencyRef",
        "Active",
        "Taxable",
        "Notes",
        "ParentRef",
        "Job",
    ] {
        col(name);
    }
    assert_eq!(col("Id").data_type, DataType::String);
    assert!(col("Id").primary_key);
    assert_eq!(col("MetaData_CreateTime").data_type, DataType::TimestampTz);
    assert_eq!(
        (col("Balance").data_type, col("Balance").precision, col("Balance").scale),
        (DataType::Decimal, Some(18), Some(4))
    );
    assert_eq!(col("Active").data_type, DataType::Boolean);
    assert_eq!(col("DisplayName").length, Some(500));
    assert_eq!(col("Title").length, Some(16));

    let invoices = catalog::build().columns("Invoices").expect("Invoices");
    let date = |n: &str| invoices.iter().find(|c| c.name == n).map(|c| c.data_type);
    assert_eq!(date("TxnDate"), Some(DataType::Date));
    assert_eq!(date("DueDate"), Some(DataType::Date));
}

#[test]
fn columns_are_found_case_insensitively_and_qualified() {
    let catalog = catalog::build();
    let plain = catalog.columns("Customers").expect("plain");
    let qualified = catalog.columns("quickbooksonline.customers").expect("qualified");
    assert_eq!(format!("{plain:?}"), format!("{qualified:?}"));
    assert_eq!(expect_err(catalog.columns("NoSuchTable")).kind, ErrorKind::NotFound);
}

#[test]
fn catalog_is_deterministic() {
    let all = TableFilter::default();
    let (a, b) = (catalog::build(), catalog::build());
    assert_eq!(format!("{:?}", a.tables(&all)), format!("{:?}", b.tables(&all)));
    for t in a.tables(&all) {
        assert_eq!(format!("{:?}", a.columns(&t.name)), format!("{:?}", b.columns(&t.name)));
    }
}

// ---- credential rules -----------------------------------------------------

#[test]
fn connects_in_production_and_sandbox() {
    assert_eq!(run_test(&good()).expect("connects"), "Connected to QuickBooks Online company 123 (production)");
    assert_eq!(
        run_test(&config(&[(prop::USE_SANDBOX, "true")])).expect("connects"),
        "Connected to QuickBooks Online company 123 (sandbox)"
    );
    assert_eq!(
        run_test(&config(&[(prop::USE_SANDBOX, "FALSE")])).expect("connects"),
        "Connected to QuickBooks Online company 123 (production)"
    );
    // Only the access token is needed; the refresh token is optional.
    run_test(&config(&[(prop::REFRESH_TOKEN, "")])).expect("connects without a refresh token");
}

#[test]
fn sdk_checks_run_first() {
    let e = expect_err(run_test(&config(&[(prop::CLIENT_SECRET, "")])));
    assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::InvalidConfig, Some(prop::CLIENT_SECRET)));
    let e = expect_err(run_test(&config(&[(prop::USE_SANDBOX, "maybe")])));
    assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::InvalidConfig, Some(prop::USE_SANDBOX)));
}

#[test]
fn company_id_must_be_digits() {
    for bad in ["abc", "12a", "-12", " 123", "12 3", "１２３"] {
        let e = expect_err(run_test(&config(&[(prop::COMPANY_ID, bad)])));
        assert_eq!(e.kind, ErrorKind::InvalidConfig, "{bad}");
        assert_eq!(e.property.as_deref(), Some(prop::COMPANY_ID), "{bad}");
        assert_no_secret(&e.message);
    }
}

#[test]
fn missing_access_token_asks_to_authorize() {
    let e = expect_err(run_test(&config(&[(prop::ACCESS_TOKEN, "")])));
    assert_eq!(e.kind, ErrorKind::AuthFailed);
    assert_eq!(e.property.as_deref(), Some(prop::ACCESS_TOKEN));
    assert!(e.message.contains("Authorize"), "{}", e.message);
    assert_no_secret(&e.message);
}

#[test]
fn expired_access_token_fails() {
    let token = "expired-eyJ-access-token-Xk2";
    let e = expect_err(run_test(&config(&[(prop::ACCESS_TOKEN, token)])));
    assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::AuthFailed, Some(prop::ACCESS_TOKEN)));
    assert!(!e.message.contains(token));
    // The prefix is case-sensitive and must be a prefix.
    run_test(&config(&[(prop::ACCESS_TOKEN, "Expired-token")])).expect("not the rule");
    run_test(&config(&[(prop::ACCESS_TOKEN, "token-expired")])).expect("not the rule");
}

#[test]
fn wrong_client_secret_fails() {
    let secret = "wrong-s3cr3t";
    let e = expect_err(run_test(&config(&[(prop::CLIENT_SECRET, secret)])));
    assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::AuthFailed, Some(prop::CLIENT_SECRET)));
    assert!(!e.message.contains(secret));
    assert_no_secret(&e.message);
}

#[test]
fn company_429_is_rate_limited() {
    let e = expect_err(run_test(&config(&[(prop::COMPANY_ID, "429")])));
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(60));
    assert_eq!(e.property, None);
    // Other ids containing 429 connect.
    run_test(&config(&[(prop::COMPANY_ID, "4290")])).expect("connects");
}

#[test]
fn minor_version_rule() {
    let cases = [
        ("0", false),
        ("1", true),
        ("65", true),
        ("75", true),
        ("76", false),
        ("abc", false),
        ("-3", false),
        ("7.5", false),
    ];
    for (value, ok) in cases {
        let result = run_test(&config(&[(prop::MINOR_VERSION, value)]));
        if RELEASE_1_0 || ok {
            // 1.0.0 has no MinorVersion property and ignores the value.
            result.unwrap_or_else(|e| panic!("MinorVersion={value}: {e:?}"));
        } else {
            let e = expect_err(result);
            assert_eq!(
                (e.kind, e.property.as_deref()),
                (ErrorKind::InvalidConfig, Some(prop::MINOR_VERSION)),
                "{value}"
            );
        }
    }
    let session = auth::authenticate(&good()).expect("session");
    assert_eq!(session.minor_version, if RELEASE_1_0 { None } else { Some(75) });
    let url = session.query_url();
    assert!(url.starts_with("https://quickbooks.api.intuit.com/v3/company/123/query"), "{url}");
}

#[test]
fn rules_apply_in_the_documented_order() {
    // 1 before 3: a bad CompanyId wins over a wrong secret.
    let e = expect_err(run_test(&config(&[(prop::COMPANY_ID, "x"), (prop::CLIENT_SECRET, "wrong")])));
    assert_eq!(e.property.as_deref(), Some(prop::COMPANY_ID));
    // 3 before 4 and 5.
    let e = expect_err(run_test(&config(&[(prop::CLIENT_SECRET, "wrong"), (prop::ACCESS_TOKEN, "")])));
    assert_eq!(e.property.as_deref(), Some(prop::CLIENT_SECRET));
    // 5 before 6.
    let e = expect_err(run_test(&config(&[(prop::COMPANY_ID, "429"), (prop::ACCESS_TOKEN, "expired")])));
    assert_eq!(e.kind, ErrorKind::AuthFailed);
    if !RELEASE_1_0 {
        // 2 before 3.
        let e = expect_err(run_test(&config(&[(prop::MINOR_VERSION, "99"), (prop::CLIENT_SECRET, "wrong")])));
        assert_eq!(e.property.as_deref(), Some(prop::MINOR_VERSION));
    }
}

#[test]
fn listing_applies_the_same_rules() {
    let bad = config(&[(prop::ACCESS_TOKEN, "expired")]);
    let e = expect_err(QuickBooks.list_tables(&bad, &TableFilter::default()));
    assert_eq!(e.kind, ErrorKind::AuthFailed);
    let e = expect_err(QuickBooks.list_columns(&bad, "Customers"));
    assert_eq!(e.kind, ErrorKind::AuthFailed);
    let e = expect_err(QuickBooks.list_columns(&config(&[(prop::COMPANY_ID, "429")]), "Customers"));
    assert_eq!(e.kind, ErrorKind::RateLimited);
}

// ---- connector calls and logging ------------------------------------------

#[test]
fn list_tables_filters_and_logs() {
    take_logs();
    let all = QuickBooks.list_tables(&good(), &TableFilter::default()).expect("tables");
    let views = QuickBooks
        .list_tables(&good(), &TableFilter::new(Some("QUICKBOOKSONLINE".into()), vec![TableType::View]))
        .expect("views");
    assert_eq!(views.len(), 7);
    assert!(views.iter().all(|t| t.table_type == TableType::View));
    let none = QuickBooks.list_tables(&good(), &TableFilter::new(Some("Other".into()), vec![])).expect("none");
    assert!(none.is_empty());

    let lines = take_logs();
    assert!(lines.iter().any(|(l, m)| *l == LogLevel::Info && m.contains("company 123 (production)")));
    let listed = format!("listed {} tables", all.len());
    assert!(lines.iter().any(|(l, m)| *l == LogLevel::Transfer && *m == listed), "{lines:?}");
    assert!(lines.iter().any(|(l, m)| *l == LogLevel::Verbose && m.contains("filter")));
    assert!(!lines.iter().any(|(l, _)| *l == LogLevel::Error));
    lines.iter().for_each(|(_, m)| assert_no_secret(m));
}

#[test]
fn list_columns_logs_and_reports_unknown_tables() {
    take_logs();
    let columns = QuickBooks.list_columns(&good(), "QuickBooksOnline.InvoiceLineItems").expect("columns");
    assert_eq!(columns[0].name, "LineId");
    assert_eq!(columns[1].name, "InvoiceId");
    let e = expect_err(QuickBooks.list_columns(&good(), "Nope"));
    assert_eq!(e.kind, ErrorKind::NotFound);
    let lines = take_logs();
    let listed = format!("listed {} columns of `QuickBooksOnline.InvoiceLineItems`", columns.len());
    assert!(lines.iter().any(|(l, m)| *l == LogLevel::Transfer && *m == listed), "{lines:?}");
}

#[test]
fn credential_failures_log_an_error_without_secrets() {
    take_logs();
    let cases = [
        config(&[(prop::CLIENT_SECRET, "wrong-s3cr3t-client-Zq9")]),
        config(&[(prop::ACCESS_TOKEN, "expired-eyJ-access-token-Xk2")]),
        config(&[(prop::ACCESS_TOKEN, "")]),
        config(&[(prop::COMPANY_ID, "429")]),
    ];
    for config in &cases {
        let e = expect_err(run_test(config));
        assert_no_secret(&e.message);
        let lines = take_logs();
        assert!(lines.iter().any(|(l, _)| *l == LogLevel::Error), "{lines:?}");
        for (_, m) in &lines {
            assert_no_secret(m);
            assert!(!m.contains("wrong-s3cr3t") && !m.contains("expired-eyJ"), "{m}");
        }
    }
}

#[test]
fn reset_metadata_succeeds() {
    QuickBooks.reset_metadata(&good()).expect("reset");
    take_logs();
}

// ---- read (2.x) -----------------------------------------------------------

mod read {
    use super::*;
    use syncport_connector_sdk::{ReadRequest, Roles, Value};
    use syncport_generator::ROWS_PER_TABLE;

    #[test]
    fn roles_follow_the_release() {
        assert_eq!(QuickBooks::roles(), if RELEASE_1 { Roles::NONE } else { Roles::SOURCE });
        if RELEASE_1 {
            let e = expect_err(QuickBooks.read(&good(), &ReadRequest::new("Customers", &[], None, 10)));
            assert_eq!(e.kind, ErrorKind::Unsupported);
        }
    }

    #[test]
    fn pages_through_a_table() {
        if RELEASE_1 {
            return;
        }
        let config = config(&[(ROWS_PER_TABLE, "25")]);
        let columns = catalog::build().columns("Customers").expect("table");
        let (mut cursor, mut rows, mut pages) = (None, 0, 0);
        loop {
            let page = QuickBooks
                .read(&config, &ReadRequest::new("quickbooksonline.customers", &[], cursor.as_deref(), 10))
                .expect("reads");
            page.batch.check_columns(&columns).expect("well formed");
            rows += page.batch.row_count();
            pages += 1;
            match page.next_cursor {
                Some(next) => {
                    assert_eq!(next, rows.to_string());
                    cursor = Some(next);
                }
                None => break,
            }
        }
        assert_eq!((rows, pages), (25, 3));
        // The default is 1000 rows.
        let page = QuickBooks.read(&good(), &ReadRequest::new("Customers", &["Id"], Some("995"), 10)).expect("reads");
        assert_eq!((page.batch.row_count(), page.next_cursor), (5, None));
    }

    #[test]
    fn reads_a_column_subset_with_the_generator_values() {
        if RELEASE_1 {
            return;
        }
        let columns = catalog::build().columns("Customers").expect("table");
        let id = columns.iter().find(|c| c.primary_key).expect("a key");
        let text = columns.iter().find(|c| c.data_type == DataType::String && !c.primary_key).expect("a string");
        let page = QuickBooks
            .read(&good(), &ReadRequest::new("Customers", &[&text.name, &id.name], Some("7"), 2))
            .expect("reads");
        assert_eq!(page.batch.column_count(), 2);
        let mut scratch = syncport_generator::Scratch::default();
        for (i, row) in page.batch.rows().enumerate() {
            let r = 7 + i as u64;
            assert_eq!(row.get(0), syncport_generator::value("Customers", text, r, &mut scratch));
            assert_eq!(row.get(1), syncport_generator::value("Customers", id, r, &mut scratch));
        }
        assert_eq!(page.next_cursor.as_deref(), Some("9"));
        // `Id` is a string key of QuickBooks: `Customers 1-7`, never null.
        assert_eq!(page.batch.column(1).expect("Id").get(0), Value::String("Customers 1-7"));
    }

    #[test]
    fn unknown_tables_and_columns_are_errors() {
        if RELEASE_1 {
            return;
        }
        let e = expect_err(QuickBooks.read(&good(), &ReadRequest::new("Nope", &[], None, 10)));
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = expect_err(QuickBooks.read(&good(), &ReadRequest::new("Customers", &["Id", "Bogus"], None, 10)));
        assert_eq!(e.kind, ErrorKind::InvalidConfig);
        assert!(e.message.contains("`Bogus`"), "{}", e.message);
        // Credentials are checked first, as for the other calls.
        let e = expect_err(
            QuickBooks.read(&config(&[(prop::ACCESS_TOKEN, "expired")]), &ReadRequest::new("Customers", &[], None, 10)),
        );
        assert_eq!(e.kind, ErrorKind::AuthFailed);
    }

    #[test]
    fn rows_per_table_is_validated() {
        if RELEASE_1 {
            return;
        }
        for bad in ["abc", "1.5", "-1", "10000001"] {
            let config = config(&[(ROWS_PER_TABLE, bad)]);
            for e in [
                expect_err(run_test(&config)),
                expect_err(QuickBooks.read(&config, &ReadRequest::new("Customers", &[], None, 1))),
            ] {
                assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::InvalidConfig, Some(ROWS_PER_TABLE)), "{bad}");
            }
        }
        let page = QuickBooks
            .read(&config(&[(ROWS_PER_TABLE, "0")]), &ReadRequest::new("Customers", &[], None, 5))
            .expect("reads");
        assert_eq!((page.batch.row_count(), page.next_cursor), (0, None));
    }

    #[test]
    fn every_table_generates_rows_that_fit_its_columns() {
        if RELEASE_1 {
            return;
        }
        let config = config(&[(ROWS_PER_TABLE, "10000000")]);
        for table in catalog::build().tables(&TableFilter::default()) {
            for cursor in ["0", "9999990"] {
                let page =
                    QuickBooks.read(&config, &ReadRequest::new(&table.name, &[], Some(cursor), 10)).expect("reads");
                assert_eq!(page.batch.row_count(), 10, "{}", table.name);
            }
        }
    }
}
