//! Native unit tests: catalog invariants, credential rules and logging.

use crate::{RELEASE_1_0, Salesforce, catalog};
use std::collections::HashSet;
use syncport_connector_sdk::testing::take_logs;
use syncport_connector_sdk::{
    ColumnInfo, Config, Connector, ConnectorError, DataType, ErrorKind, LogLevel, Result, TableFilter, TableType,
};

/// A configuration of `pairs`, checked as the SDK checks it before a call.
fn config(pairs: &[(&str, &str)]) -> Config {
    let config =
        Config::new(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())), Salesforce::describe().properties);
    config.validate().expect("the SDK's own checks pass");
    config
}

/// Valid Basic credentials (`user@example.com`, a password, a security
/// token), each replaced by the pair of the same name in `extra`.
fn basic(extra: &[(&str, &str)]) -> Config {
    let mut pairs = extra.to_vec();
    for default in [("User", "user@example.com"), ("Password", "hunter2"), ("SecurityToken", "tok3n")] {
        if !pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(default.0)) {
            pairs.push(default);
        }
    }
    config(&pairs)
}

fn test(config: &Config) -> Result<String> {
    Salesforce.test(config)
}

fn err(result: Result<String>) -> ConnectorError {
    result.expect_err("the call fails")
}

fn assert_error(error: &ConnectorError, kind: ErrorKind, property: Option<&str>) {
    assert_eq!(error.kind, kind, "{}", error.message);
    assert_eq!(error.property.as_deref(), property, "{}", error.message);
}

fn all_tables() -> Vec<(syncport_connector_sdk::TableInfo, Vec<ColumnInfo>)> {
    let catalog = catalog::build();
    catalog
        .tables(&TableFilter::default())
        .into_iter()
        .map(|t| {
            let columns = catalog.columns(&t.name).expect("listed tables have columns");
            (t, columns)
        })
        .collect()
}

// ---- describe -------------------------------------------------------------

#[test]
fn describe_names_the_connector_and_its_properties() {
    let info = Salesforce::describe();
    assert_eq!(info.name, "Salesforce");
    assert_eq!(info.version, if cfg!(feature = "release-1-0") { "1.0.0" } else { "2.0.0" });
    assert_eq!(info.display_name, "Salesforce");
    assert!(!info.description.is_empty());
    let mut names: Vec<_> = info.properties.iter().map(|p| p.name.as_str()).collect();
    if !RELEASE_1_0 {
        assert_eq!(names.pop(), Some("RowsPerTable"), "2.x adds RowsPerTable last");
    }
    assert_eq!(
        names,
        ["AuthScheme", "User", "Password", "SecurityToken", "LoginURL", "OAuthAccessToken", "UseSandbox", "APIVersion"]
    );
    let spec = |name: &str| info.properties.iter().find(|p| p.name == name).expect("described");
    assert_eq!(spec("AuthScheme").allowed_values, ["Basic", "OAuth", "OAuthJWT"]);
    assert_eq!(spec("AuthScheme").default_value.as_deref(), Some("Basic"));
    assert!(spec("User").required);
    for secret in ["Password", "SecurityToken", "OAuthAccessToken"] {
        assert!(spec(secret).secret, "{secret} is secret");
        assert!(!spec(secret).required, "{secret} is checked at test time, not by the SDK");
    }
    assert_eq!(spec("LoginURL").default_value.as_deref(), Some("https://login.salesforce.com"));
    assert_eq!(spec("UseSandbox").allowed_values, ["true", "false"]);
    assert_eq!(spec("UseSandbox").default_value.as_deref(), Some("false"));
    assert_eq!(spec("APIVersion").default_value.as_deref(), Some("62.0"));
    for p in &info.properties {
        assert!(!p.description.is_empty() && !p.display_name.is_empty(), "{} is described", p.name);
    }
}

// ---- credential rules -----------------------------------------------------

#[test]
fn valid_basic_credentials_connect_to_production() {
    assert_eq!(
        test(&basic(&[])).expect("connects"),
        "Connected to Salesforce as user@example.com (production, API 62.0)"
    );
}

#[test]
fn sandbox_and_api_version_show_in_the_message() {
    let config = basic(&[("UseSandbox", "TRUE"), ("APIVersion", "61.0")]);
    assert_eq!(test(&config).expect("connects"), "Connected to Salesforce as user@example.com (sandbox, API 61.0)");
    let session = crate::auth::authenticate(&config).expect("logs in");
    assert_eq!(session.login_url, "https://test.salesforce.com");
    assert_eq!(session.instance_url, "https://example--sandbox.sandbox.my.salesforce.com");
    let custom = basic(&[("UseSandbox", "true"), ("LoginURL", "https://acme--uat.sandbox.my.salesforce.com")]);
    let session = crate::auth::authenticate(&custom).expect("logs in");
    assert_eq!(session.login_url, "https://acme--uat.sandbox.my.salesforce.com");
}

#[test]
fn login_url_must_be_https() {
    for url in ["http://login.salesforce.com", "login.salesforce.com", "ftp://x"] {
        assert_error(&err(test(&basic(&[("LoginURL", url)]))), ErrorKind::InvalidConfig, Some("LoginURL"));
    }
}

#[test]
fn api_version_must_be_two_digits_dot_zero() {
    for version in ["62", "v62.0", "62.1", "162.0", "6.0", "62.00", "ab.0"] {
        let error = err(test(&basic(&[("APIVersion", version)])));
        assert_error(&error, ErrorKind::InvalidConfig, Some("APIVersion"));
    }
    for version in ["62.0", "58.0", " 60.0 "] {
        test(&basic(&[("APIVersion", version)])).expect("accepted");
    }
}

#[test]
fn user_must_look_like_an_email_address() {
    let error = err(test(&basic(&[("User", "jdoe")])));
    assert_error(&error, ErrorKind::InvalidConfig, Some("User"));
    assert!(error.message.contains("email"));
}

#[test]
fn basic_needs_password_then_security_token() {
    let no_password = config(&[("User", "user@example.com"), ("SecurityToken", "tok3n")]);
    assert_error(&err(test(&no_password)), ErrorKind::InvalidConfig, Some("Password"));
    let no_token = config(&[("User", "user@example.com"), ("Password", "hunter2")]);
    assert_error(&err(test(&no_token)), ErrorKind::InvalidConfig, Some("SecurityToken"));
    let neither = config(&[("User", "user@example.com"), ("Password", ""), ("SecurityToken", "")]);
    assert_error(&err(test(&neither)), ErrorKind::InvalidConfig, Some("Password"));
}

#[test]
fn wrong_password_and_expired_token_are_refused() {
    for password in ["wrong", "wrongpassword", "WrongPassword1"] {
        let error = err(test(&basic(&[("Password", password)])));
        assert_error(&error, ErrorKind::AuthFailed, Some("Password"));
    }
    for token in ["expired", "expiredTOKEN"] {
        let error = err(test(&basic(&[("SecurityToken", token)])));
        assert_error(&error, ErrorKind::AuthFailed, Some("SecurityToken"));
    }
    // The password is checked before the token.
    let both = basic(&[("Password", "wrong1"), ("SecurityToken", "expired1")]);
    assert_error(&err(test(&both)), ErrorKind::AuthFailed, Some("Password"));
    // Not a prefix: fine.
    test(&basic(&[("Password", "notwrong"), ("SecurityToken", "notexpired")])).expect("connects");
}

#[test]
fn oauth_needs_an_access_token() {
    for scheme in ["OAuth", "OAuthJWT", "oauth"] {
        let error = err(test(&config(&[("AuthScheme", scheme), ("User", "user@example.com")])));
        assert_error(&error, ErrorKind::AuthFailed, Some("OAuthAccessToken"));
        assert!(error.message.contains("authorize"), "{}", error.message);

        let ok = config(&[("AuthScheme", scheme), ("User", "user@example.com"), ("OAuthAccessToken", "00Dxx!AQ4")]);
        assert_eq!(test(&ok).expect("connects"), "Connected to Salesforce as user@example.com (production, API 62.0)");

        let expired =
            config(&[("AuthScheme", scheme), ("User", "user@example.com"), ("OAuthAccessToken", "expired-1")]);
        assert_error(&err(test(&expired)), ErrorKind::AuthFailed, Some("OAuthAccessToken"));
    }
    // OAuth ignores the Basic credentials.
    let oauth = config(&[
        ("AuthScheme", "OAuth"),
        ("User", "user@example.com"),
        ("Password", "wrong"),
        ("OAuthAccessToken", "t"),
    ]);
    test(&oauth).expect("connects");
}

#[test]
fn ratelimited_user_is_told_to_retry_after_30_seconds() {
    let error = err(test(&basic(&[("User", "ratelimited@example.com")])));
    assert_error(&error, ErrorKind::RateLimited, None);
    assert_eq!(error.retry_after, Some(30));
    let error = err(test(&basic(&[("User", "RateLimited@Example.com"), ("Password", "wrong")])));
    assert_eq!(error.kind, ErrorKind::RateLimited, "throttled before the password is judged");
    let error = err(test(&config(&[("User", "ratelimited@example.com"), ("SecurityToken", "t")])));
    assert_error(&error, ErrorKind::InvalidConfig, Some("Password"));
}

#[test]
fn rules_apply_in_the_documented_order() {
    let everything_wrong =
        config(&[("User", "nobody"), ("LoginURL", "http://x"), ("APIVersion", "x"), ("Password", "wrong")]);
    assert_error(&err(test(&everything_wrong)), ErrorKind::InvalidConfig, Some("LoginURL"));
    let from_api = config(&[("User", "nobody"), ("APIVersion", "x"), ("Password", "wrong")]);
    assert_error(&err(test(&from_api)), ErrorKind::InvalidConfig, Some("APIVersion"));
    let from_user = config(&[("User", "nobody"), ("Password", "wrong")]);
    assert_error(&err(test(&from_user)), ErrorKind::InvalidConfig, Some("User"));
}

#[test]
fn list_calls_apply_the_credential_rules() {
    let wrong = basic(&[("Password", "wrong")]);
    let error = Salesforce.list_tables(&wrong, &TableFilter::default()).expect_err("refused");
    assert_error(&error, ErrorKind::AuthFailed, Some("Password"));
    let error = Salesforce.list_columns(&wrong, "Account").expect_err("refused");
    assert_error(&error, ErrorKind::AuthFailed, Some("Password"));
    let limited = basic(&[("User", "ratelimited@example.com")]);
    let error = Salesforce.list_columns(&limited, "Account").expect_err("throttled");
    assert_eq!(error.retry_after, Some(30));
}

#[test]
fn the_sdk_rejects_disallowed_values() {
    let bad_scheme = Config::new(
        [("User", "u@x.com"), ("AuthScheme", "Kerberos")].map(|(n, v)| (n.to_string(), v.to_string())),
        Salesforce::describe().properties,
    );
    let error = bad_scheme.validate().expect_err("not allowed");
    assert_error(&error, ErrorKind::InvalidConfig, Some("AuthScheme"));
}

// ---- secrets never leak ---------------------------------------------------

#[test]
fn secret_values_are_never_logged_or_returned() {
    take_logs();
    let secrets = [
        ("Password", "wrongS3CRETpw"),
        ("SecurityToken", "expiredS3CRETtok"),
        ("OAuthAccessToken", "expiredS3CRETbearer"),
    ];
    let configs = [
        basic(&[("Password", secrets[0].1)]),
        basic(&[("SecurityToken", secrets[1].1), ("Password", "pS3CRET")]),
        config(&[("AuthScheme", "OAuth"), ("User", "u@example.com"), secrets[2]]),
        config(&[("AuthScheme", "OAuthJWT"), ("User", "u@example.com"), ("OAuthAccessToken", "goodS3CRET")]),
        basic(&[("Password", "S3CRETpass"), ("SecurityToken", "S3CRETtoken")]),
        basic(&[("User", "ratelimited@example.com"), ("Password", "S3CRETpass")]),
    ];
    let mut messages = Vec::new();
    for config in &configs {
        for result in [
            Salesforce.test(config).map(|_| ()),
            Salesforce.list_tables(config, &TableFilter::default()).map(|_| ()),
            Salesforce.list_columns(config, "Account").map(|_| ()),
            Salesforce.list_columns(config, "NoSuchTable").map(|_| ()),
        ] {
            if let Err(error) = result {
                messages.push(error.message);
            }
        }
    }
    let lines = take_logs();
    assert!(!lines.is_empty());
    for text in messages.iter().chain(lines.iter().map(|(_, line)| line)) {
        assert!(!text.contains("S3CRET"), "a secret leaked: {text}");
    }
}

// ---- logging --------------------------------------------------------------

#[test]
fn operations_log_at_sensible_levels() {
    take_logs();
    let config = basic(&[]);
    test(&config).expect("connects");
    let lines = take_logs();
    assert_eq!(lines[0].0, LogLevel::Info);
    assert!(lines[0].1.contains("user@example.com") && lines[0].1.contains("https://login.salesforce.com"));
    assert!(lines.iter().any(|(level, line)| *level == LogLevel::Verbose && line.contains("API 62.0")));

    Salesforce.list_tables(&config, &TableFilter::default()).expect("lists");
    let lines = take_logs();
    assert_eq!(lines[0].0, LogLevel::Info);
    assert!(lines.iter().any(|(level, _)| *level == LogLevel::Transfer));
    assert!(lines.iter().any(|(level, line)| *level == LogLevel::Verbose && line.contains("/v62.0/")));

    Salesforce.list_columns(&config, "Account").expect("lists");
    let lines = take_logs();
    assert!(lines.iter().any(|(level, line)| *level == LogLevel::Transfer && line.contains("Salesforce.Account")));

    err(test(&basic(&[("Password", "wrong")])));
    let lines = take_logs();
    assert!(lines.iter().any(|(level, line)| *level == LogLevel::Error && line.contains("user@example.com")));
}

// ---- catalog invariants ---------------------------------------------------

#[test]
fn table_names_are_unique_and_in_schema_salesforce() {
    let tables = all_tables();
    let mut names = HashSet::new();
    for (table, _) in &tables {
        assert_eq!(table.schema, "Salesforce");
        assert!(names.insert(table.name.to_ascii_lowercase()), "duplicate table {}", table.name);
        assert!(table.description.as_deref().is_some_and(|d| !d.is_empty()), "{} is described", table.name);
    }
}

#[test]
fn columns_are_unique_numbered_and_typed() {
    for (table, columns) in all_tables() {
        assert!(!columns.is_empty(), "{} has columns", table.name);
        let mut names = HashSet::new();
        for (column, ordinal) in columns.iter().zip(1..) {
            let what = format!("{}.{}", table.name, column.name);
            assert!(names.insert(column.name.to_ascii_lowercase()), "duplicate column {what}");
            assert_eq!(column.ordinal, ordinal, "ordinal of {what}");
            assert!(column.description.as_deref().is_some_and(|d| !d.is_empty()), "{what} is described");
            match column.data_type {
                DataType::Decimal => {
                    let (p, s) = (column.precision.expect(&what), column.scale.expect(&what));
                    assert!(p > 0 && s <= p, "{what} is decimal({p},{s})");
                }
                DataType::String | DataType::Binary => {
                    assert!(column.length.is_some_and(|l| l > 0), "{what} has a length");
                }
                _ => {
                    assert!(column.length.is_none() && column.precision.is_none(), "{what} has no length");
                }
            }
            if column.primary_key {
                assert!(!column.nullable, "{what} is a key, so not null");
            }
            if column.data_type == DataType::Boolean {
                assert!(!column.nullable, "{what}: Salesforce booleans are never null");
            }
        }
        assert!(columns.iter().any(|c| c.primary_key), "{} has a primary key", table.name);
        let id = &columns[0];
        assert_eq!(
            (id.name.as_str(), id.data_type, id.length, id.primary_key),
            ("Id", DataType::String, Some(18), true),
            "{} starts with its 18-character Id",
            table.name
        );
        for column in &columns {
            if column.name.ends_with("Id") && column.data_type == DataType::String && column.name != "Id" {
                let exceptions = ["ExternalId", "JigsawCompanyId"];
                if !exceptions.contains(&column.name.as_str()) {
                    assert_eq!(column.length, Some(18), "{}.{} is a lookup", table.name, column.name);
                }
            }
        }
    }
}

#[test]
fn catalog_has_the_standard_objects() {
    let catalog = catalog::build();
    let base = catalog.tables(&TableFilter::new(None, vec![TableType::Table]));
    assert!(base.len() >= 28 + 3, "{} base tables", base.len());
    for name in [
        "Account",
        "Contact",
        "Lead",
        "Opportunity",
        "OpportunityLineItem",
        "Case",
        "CaseComment",
        "User",
        "Task",
        "Event",
        "Campaign",
        "CampaignMember",
        "Product2",
        "Pricebook2",
        "PricebookEntry",
        "Quote",
        "QuoteLineItem",
        "Contract",
        "Order",
        "OrderItem",
        "Asset",
        "Solution",
        "Note",
        "Attachment",
        "ContentVersion",
        "Profile",
        "UserRole",
        "Group",
        "RecordType",
        "EmailMessage",
    ] {
        assert!(base.iter().any(|t| t.name == name), "{name} is a table");
    }
}

#[test]
fn standard_fields_have_salesforce_types() {
    let catalog = catalog::build();
    let column = |table: &str, name: &str| -> ColumnInfo {
        let columns = catalog.columns(table).expect("table exists");
        columns.into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{table}.{name} exists"))
    };
    let created = column("Account", "CreatedDate");
    assert_eq!(created.data_type, DataType::TimestampTz);
    assert!(!created.nullable);
    assert_eq!(column("Account", "IsDeleted").data_type, DataType::Boolean);
    let amount = column("Opportunity", "Amount");
    assert_eq!((amount.data_type, amount.precision, amount.scale), (DataType::Decimal, Some(18), Some(2)));
    assert_eq!(column("Opportunity", "Probability").data_type, DataType::Decimal);
    assert_eq!(column("Opportunity", "StageName").length, Some(255));
    assert_eq!(column("Account", "Description").length, Some(32000));
    assert_eq!(column("Contact", "AccountId").length, Some(18));
    for part in ["BillingStreet", "BillingCity", "BillingState", "BillingPostalCode", "BillingCountry"] {
        assert_eq!(column("Account", part).data_type, DataType::String);
    }
    assert_eq!(column("Account", "NumberOfEmployees").data_type, DataType::Integer);
    assert_eq!(column("Attachment", "Body").data_type, DataType::Binary);
    for table in ["Account", "Contact", "Opportunity", "Case", "User"] {
        for field in ["CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp"] {
            column(table, field);
        }
    }
    // Like Salesforce, Case is named by its auto-number, not by a Name field.
    assert_eq!(column("Case", "CaseNumber").length, Some(30));
    assert_eq!(column("Account", "Name").length, Some(255));
    for table in ["Account", "Contact", "Lead", "Opportunity", "Case", "Invoice__c"] {
        column(table, "OwnerId");
    }
}

#[test]
fn custom_objects_have_custom_fields() {
    let catalog = catalog::build();
    let custom: Vec<_> = catalog
        .tables(&TableFilter::new(None, vec![TableType::Table]))
        .into_iter()
        .filter(|t| t.name.ends_with("__c"))
        .collect();
    assert!(custom.len() >= 3, "{} custom objects", custom.len());
    for table in &custom {
        let columns = catalog.columns(&table.name).expect("exists");
        assert!(columns.iter().filter(|c| c.name.ends_with("__c")).count() >= 3, "{} has custom fields", table.name);
    }
    let invoice = catalog.columns("Invoice__c").expect("exists");
    assert!(invoice.iter().any(|c| c.name == "Account__c" && c.length == Some(18)));
}

#[test]
fn history_objects_are_views_and_synonyms_mirror_their_targets() {
    let catalog = catalog::build();
    let views = catalog.tables(&TableFilter::new(None, vec![TableType::View]));
    let names: Vec<_> = views.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["AccountHistory", "CaseHistory", "OpportunityFieldHistory", "OpportunityHistory"]);
    let synonyms = catalog.tables(&TableFilter::new(None, vec![TableType::Synonym]));
    let names: Vec<_> = synonyms.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Pricebook", "Product"]);
    for (synonym, target) in [("Product", "Product2"), ("Pricebook", "Pricebook2")] {
        assert_eq!(catalog::api_name(synonym), target);
        assert_eq!(
            format!("{:?}", catalog.columns(synonym).expect("exists")),
            format!("{:?}", catalog.columns(target).expect("exists"))
        );
    }
}

// ---- list-tables and list-columns -----------------------------------------

#[test]
fn list_tables_applies_the_filter() {
    let config = basic(&[]);
    let all = Salesforce.list_tables(&config, &TableFilter::default()).expect("lists");
    assert_eq!(all.len(), 37 + 4 + 2);
    let same = Salesforce.list_tables(&config, &TableFilter::new(Some("SALESFORCE".into()), vec![])).expect("lists");
    assert_eq!(same.len(), all.len());
    let none = Salesforce.list_tables(&config, &TableFilter::new(Some("Other".into()), vec![])).expect("lists");
    assert!(none.is_empty());
    let views = Salesforce.list_tables(&config, &TableFilter::new(None, vec![TableType::View])).expect("lists");
    assert_eq!(views.len(), 4);
}

#[test]
fn list_columns_finds_tables_case_insensitively() {
    let config = basic(&[]);
    let plain = Salesforce.list_columns(&config, "Account").expect("found");
    for name in ["account", "Salesforce.Account", "SALESFORCE.account", " Account "] {
        let columns = Salesforce.list_columns(&config, name).expect("found");
        assert_eq!(format!("{columns:?}"), format!("{plain:?}"));
    }
    for name in ["NoSuchTable", "Other.Account", ""] {
        let error = Salesforce.list_columns(&config, name).expect_err("not found");
        assert_error(&error, ErrorKind::NotFound, None);
    }
}

#[test]
fn answers_are_deterministic() {
    let config = basic(&[]);
    let tables = || format!("{:?}", Salesforce.list_tables(&config, &TableFilter::default()));
    assert_eq!(tables(), tables());
    let columns = || format!("{:?}", Salesforce.list_columns(&config, "Opportunity"));
    assert_eq!(columns(), columns());
    assert_eq!(test(&config).expect("connects"), test(&config).expect("connects"));
}

#[test]
fn reset_metadata_succeeds() {
    Salesforce.reset_metadata(&basic(&[])).expect("nothing to reset");
}

// ---- read (2.x) -----------------------------------------------------------

mod read {
    use super::*;
    use syncport_connector_sdk::{ReadRequest, Roles, Value};
    use syncport_generator::ROWS_PER_TABLE;

    fn read(config: &Config, request: &ReadRequest) -> Result<syncport_connector_sdk::Page> {
        config.validate()?;
        Salesforce.read(config, request)
    }

    #[test]
    fn roles_follow_the_release() {
        assert_eq!(Salesforce::roles(), if RELEASE_1_0 { Roles::NONE } else { Roles::SOURCE });
        if RELEASE_1_0 {
            let e = read(&basic(&[]), &ReadRequest::new("Account", &[], None, 10)).expect_err("1.0.0 is no source");
            assert_eq!(e.kind, ErrorKind::Unsupported);
        }
    }

    #[test]
    fn pages_through_a_table_with_a_column_subset() {
        if RELEASE_1_0 {
            return;
        }
        let config = basic(&[(ROWS_PER_TABLE, "12")]);
        let columns = catalog::build().columns("Account").expect("table");
        let name = columns.iter().find(|c| c.name == "Name").expect("Name");
        let id = columns.iter().find(|c| c.name == "Id").expect("Id");
        let (mut cursor, mut names) = (None, Vec::new());
        loop {
            let page = read(&config, &ReadRequest::new("salesforce.account", &["NAME", "Id"], cursor.as_deref(), 5))
                .expect("reads");
            page.batch.check_columns(&[name.clone(), id.clone()]).expect("well formed");
            names.extend(page.batch.column(0).expect("Name").iter().map(|v| format!("{v:?}")));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut scratch = syncport_generator::Scratch::default();
        let expected: Vec<String> =
            (0..12).map(|r| format!("{:?}", syncport_generator::value("Account", name, r, &mut scratch))).collect();
        assert_eq!(names, expected);
        let page = read(&config, &ReadRequest::new("Account", &["Id"], Some("10"), 5)).expect("reads");
        assert_eq!(page.batch.column(0).expect("Id").get(0), Value::String("Account 1-10"));
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn bad_reads_are_errors() {
        if RELEASE_1_0 {
            return;
        }
        let e = read(&basic(&[]), &ReadRequest::new("Nope", &[], None, 10)).expect_err("unknown table");
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = read(&basic(&[]), &ReadRequest::new("Account", &["Bogus"], None, 10)).expect_err("unknown column");
        assert_eq!(e.kind, ErrorKind::InvalidConfig);
        assert!(e.message.contains("`Bogus`"), "{}", e.message);
        for bad in ["x", "10000001", "-5"] {
            let config = basic(&[(ROWS_PER_TABLE, bad)]);
            for e in [
                test(&config).expect_err("test"),
                read(&config, &ReadRequest::new("Account", &[], None, 1)).expect_err("read"),
            ] {
                assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::InvalidConfig, Some(ROWS_PER_TABLE)), "{bad}");
            }
        }
    }

    #[test]
    fn every_table_generates_rows_that_fit_its_columns() {
        if RELEASE_1_0 {
            return;
        }
        let config = basic(&[(ROWS_PER_TABLE, "10000000")]);
        for table in catalog::build().tables(&TableFilter::default()) {
            let page = read(&config, &ReadRequest::new(&table.name, &[], Some("9999995"), 10)).expect("reads");
            assert_eq!((page.batch.row_count(), page.next_cursor), (5, None), "{}", table.name);
        }
    }
}
