//! Connectors that reach out (WIT 0.3.0), end to end through the HTTP API:
//! QuickBooks and Salesforce 3.0.0 against the mocks of `tests/mocks/`,
//! which the server may reach because the tests allow their addresses
//! (`--egress-allow-private`). Tests, faults, refusals, metadata, jobs
//! into CSV files compared row by row with the mocks' data, and the
//! connection log's `egress:` lines.

use super::{TestApp, id_of, json, spawn_egress_app, spawn_egress_app_with};
use crate::helpers::eventually;
use crate::mocks::{self, Mock, Received, quickbooks, salesforce};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// A QuickBooks 3.0.0 connection's create body: the mock company at
/// `base_url` (Intuit's production API when `None`), with `token`, logging
/// at Verbose.
fn quickbooks_body(name: &str, base_url: Option<&str>, token: &str) -> Value {
    let mut body = json!({
        "name": name,
        "connector": "QuickBooks",
        "connector_version": "3.0.0",
        "properties": {"CompanyId": quickbooks::COMPANY_ID, "OAuthAccessToken": token},
        "settings": {"logfile_verbosity": "Verbose"}
    });
    if let Some(url) = base_url {
        body["properties"]["BaseURL"] = json!(url);
    }
    body
}

/// A Salesforce 3.0.0 connection's create body: the instance at
/// `instance`, with `token`, logging at Verbose.
fn salesforce_body(name: &str, instance: &str, token: &str) -> Value {
    json!({
        "name": name,
        "connector": "Salesforce",
        "connector_version": "3.0.0",
        "properties": {"InstanceURL": instance, "OAuthAccessToken": token},
        "settings": {"logfile_verbosity": "Verbose"}
    })
}

/// A QuickBooks 3.0.0 connection to `mock` with the right token; its id.
async fn quickbooks_connection(app: &TestApp, mock: &Mock<quickbooks::QuickBooks>) -> String {
    id_of(&app.create_ok("default", &quickbooks_body("Books", Some(&mock.url()), quickbooks::TOKEN)).await)
}

/// A Salesforce 3.0.0 connection to `mock` with the right token; its id.
async fn salesforce_connection(app: &TestApp, mock: &Mock<salesforce::Salesforce>) -> String {
    id_of(&app.create_ok("default", &salesforce_body("Force", &mock.url(), salesforce::TOKEN)).await)
}

/// The `egress:` and `egress refused:` lines of the connection's log.
async fn egress_lines(app: &TestApp, id: &str) -> Vec<String> {
    app.log_text(id).await.lines().filter(|l| l.contains("[egress] ")).map(str::to_string).collect()
}

/// Asserts that `log` holds no secret and nothing of a query string.
fn assert_discreet(log: &str, token: &str) {
    assert!(!log.contains(token), "the token is in the log:\n{log}");
    for line in log.lines().filter(|l| l.contains("[egress] ")) {
        assert!(!line.contains('?'), "a query string is in the log: {line}");
        for leak in ["SELECT", "minorversion", "Bearer"] {
            assert!(!line.contains(leak), "`{leak}` is in the log: {line}");
        }
    }
}

/// The requests of `mock` whose path ends with `suffix`.
fn to(requests: &[Received], suffix: &str) -> Vec<Received> {
    requests.iter().filter(|r| r.path.ends_with(suffix)).cloned().collect()
}

#[tokio::test]
async fn a_quickbooks_test_through_the_mock_names_the_company_and_sends_the_token_as_a_bearer() {
    let mock = quickbooks::start().await;
    let app = spawn_egress_app(&[mock.addr]).await;
    let id = quickbooks_connection(&app, &mock).await;

    let result = app.test_ok(&id).await;

    assert_eq!(result["success"], true, "{result}");
    let message = result["message"].as_str().expect("message");
    assert!(message.contains(quickbooks::COMPANY_NAME), "{result}");
    assert_eq!(app.get_ok(&id).await["status"], "ok");
    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let request = &requests[0];
    let company = quickbooks::COMPANY_ID;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", &*format!("/v3/company/{company}/companyinfo/{company}"))
    );
    assert!(request.authorization, "{request:?}");
    assert_eq!(request.param("minorversion").as_deref(), Some("75"), "{request:?}");
    assert!(request.header("accept").is_some_and(|a| a.contains("application/json")), "{request:?}");
}

#[tokio::test]
async fn a_quickbooks_token_the_api_refuses_fails_the_test_as_auth_failed_naming_the_token_property() {
    let mock = quickbooks::start().await;
    let app = spawn_egress_app(&[mock.addr]).await;
    let id = id_of(&app.create_ok("default", &quickbooks_body("Books", Some(&mock.url()), "expired-token-51c2")).await);

    let result = app.test_ok(&id).await;

    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "auth_failed", "{result}");
    assert_eq!(result["error"]["property"], "OAuthAccessToken", "{result}");
    assert!(!result.to_string().contains("expired-token-51c2"), "{result}");
    assert_eq!(app.get_ok(&id).await["status"], "failed");
    assert_eq!(mock.requests().len(), 1, "an auth failure is not retried");
    assert_discreet(&app.log_text(&id).await, "expired-token-51c2");
}

#[tokio::test]
async fn a_quickbooks_api_that_misbehaves_fails_the_test_with_the_matching_error_and_a_log_line() {
    let origin = mocks::origin::start().await;
    // Each case: what the mock does, the error code of the failed test,
    // what its message says, and what the connection's egress log says.
    type Knob = Box<dyn Fn(&mocks::Knobs)>;
    let redirect_to = origin.url();
    let cases: Vec<(&str, Knob, &str, &str, &str)> = vec![
        ("throttled", Box::new(|k| k.throttle(true)), "rate_limited", "", "-> 429"),
        ("malformed JSON", Box::new(|k| k.malformed(true)), "internal", "", "-> 200"),
        (
            "headers later than the request's time",
            Box::new(|k| k.slow(Duration::from_secs(5))),
            "unreachable",
            "connection-read-timeout",
            "no response within the request's time",
        ),
        (
            "a body dripped past the request's time",
            Box::new(|k| k.drip(Some(Duration::from_millis(50)))),
            "unreachable",
            "",
            "the body did not end within the request's time",
        ),
        (
            "redirected to another origin",
            Box::new(move |k| k.redirect(Some(&redirect_to))),
            "internal",
            "302",
            "-> 302",
        ),
        (
            "oversized",
            Box::new(|k| k.oversized(true)),
            "internal",
            "HTTP-response-body-size",
            "(--egress-max-response-mib)",
        ),
    ];
    for (case, knob, code, message, logged) in cases {
        let mock = quickbooks::start().await;
        knob(mock.knobs());
        let app =
            spawn_egress_app_with(&[mock.addr, origin.addr], |c| c.limits.egress.max_response_bytes = 8 << 20).await;
        let id = quickbooks_connection(&app, &mock).await;

        let result = app.test_ok(&id).await;

        assert_eq!(result["success"], false, "{case}: {result}");
        assert_eq!(result["error"]["code"], code, "{case}: {result}");
        assert!(result["message"].as_str().expect("message").contains(message), "{case}: {result}");
        if case == "throttled" {
            assert_eq!(result["error"]["retry_after"], 7, "{case}: {result}");
        }
        let lines = egress_lines(&app, &id).await;
        assert!(lines.iter().any(|l| l.contains(logged)), "{case}: no `{logged}` in {lines:#?}");
        assert_discreet(&app.log_text(&id).await, quickbooks::TOKEN);
    }
    assert!(origin.requests().is_empty(), "a redirect is not followed: {:?}", origin.requests());
}

#[tokio::test]
async fn a_request_to_an_address_the_operator_did_not_allow_is_refused_and_the_log_says_why() {
    let mock = quickbooks::start().await;
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let other_port = SocketAddr::new(loopback, mock.addr.port().wrapping_add(1).max(1));
    // Each case: the address allowed, fixed DNS answers, the BaseURL, and
    // what the refusal says.
    let cases = [
        ("the mock on a port not allowed", vec![other_port], vec![], Some(mock.url()), "--egress-allow-private"),
        ("no private address allowed", vec![], vec![], Some(mock.url()), "--egress-allow-private"),
        (
            "Intuit's host resolving to the loopback address",
            vec![],
            vec![("quickbooks.api.intuit.com".to_string(), loopback)],
            None,
            "resolves to 127.0.0.1",
        ),
    ];
    for (case, allow, resolve, base_url, why) in cases {
        let app = spawn_egress_app_with(&allow, |c| c.limits.egress.resolve = resolve).await;
        let body = quickbooks_body("Books", base_url.as_deref(), quickbooks::TOKEN);
        let id = id_of(&app.create_ok("default", &body).await);
        mock.clear_requests();

        let result = app.test_ok(&id).await;

        assert_eq!(result["success"], false, "{case}: {result}");
        assert_eq!(result["error"]["code"], "unreachable", "{case}: {result}");
        assert!(mock.requests().is_empty(), "{case}: nothing reached the mock: {:?}", mock.requests());
        let log = app.log_text(&id).await;
        let refusal = log.lines().find(|l| l.contains("egress refused")).unwrap_or_else(|| panic!("{case}: {log}"));
        assert!(refusal.contains(" ERROR "), "{case}: {refusal}");
        assert!(refusal.contains(why), "{case}: {refusal}");
        assert!(
            refusal.contains(&format!(
                "GET {}/v3/company/",
                base_url.as_deref().unwrap_or("https://quickbooks.api.intuit.com")
            )),
            "{case}: {refusal}"
        );
        assert_discreet(&log, quickbooks::TOKEN);
    }
}

#[tokio::test]
async fn salesforce_tables_and_columns_come_from_the_mock_with_their_types_mapped() {
    let mock = salesforce::start().await;
    let app = spawn_egress_app(&[mock.addr]).await;
    let id = salesforce_connection(&app, &mock).await;
    assert_eq!(app.test_ok(&id).await["success"], true);

    let tables = app.tables_ok(&id, "").await;

    let mut names: Vec<&str> = tables.iter().map(|t| t["name"].as_str().expect("name")).collect();
    names.sort_unstable();
    assert_eq!(names, ["Account", "Contact"], "a table that cannot be queried is not listed: {tables:?}");
    for (object, fields) in [("Account", &salesforce::ACCOUNT_FIELDS[..]), ("Contact", &salesforce::CONTACT_FIELDS[..])]
    {
        let table = tables.iter().find(|t| t["name"] == object).expect("listed");
        let qualified = format!("{}.{object}", table["schema"].as_str().expect("schema"));
        let (status, columns) = json(app.list_columns(&id, &qualified, "").await).await;
        assert_eq!(status, 200, "{columns}");
        let columns = columns["value"].as_array().expect("columns");
        let got: Vec<(&str, &str, bool, bool, u64)> = columns
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().expect("name"),
                    c["data_type"].as_str().expect("data_type"),
                    c["nullable"].as_bool().expect("nullable"),
                    c["primary_key"].as_bool().expect("primary_key"),
                    c["ordinal"].as_u64().expect("ordinal"),
                )
            })
            .collect();
        let want: Vec<(&str, &str, bool, bool, u64)> = fields
            .iter()
            .zip(1..)
            .map(|(f, ordinal)| (f.name, salesforce::column_type(f.kind), f.nillable, f.name == "Id", ordinal))
            .collect();
        assert_eq!(got, want, "{object}");
    }
    let requests = mock.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/services/data/v62.0/limits",
            "/services/data/v62.0/sobjects",
            "/services/data/v62.0/sobjects/Account/describe",
            "/services/data/v62.0/sobjects/Contact/describe"
        ]
    );
    assert!(requests.iter().all(|r| r.authorization && r.method == "GET"), "{requests:?}");
}

#[tokio::test]
async fn salesforce_failures_become_the_matching_errors() {
    let mock = salesforce::start().await;
    let app = spawn_egress_app(&[mock.addr]).await;
    let good = salesforce_connection(&app, &mock).await;
    let bad = id_of(&app.create_ok("default", &salesforce_body("Stale", &mock.url(), "00Dstale!token")).await);

    let result = app.test_ok(&bad).await;
    assert_eq!((&result["success"], &result["error"]["code"]), (&json!(false), &json!("auth_failed")), "{result}");
    assert_eq!(result["error"]["property"], "OAuthAccessToken", "{result}");
    assert!(!result.to_string().contains("00Dstale!token"), "{result}");

    let schema = app.tables_ok(&good, "").await[0]["schema"].as_str().expect("schema").to_string();
    let (status, body) = json(app.list_columns(&good, &format!("{schema}.NoSuchObject__c"), "").await).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        ["table_not_found", "connector_not_found_error"].contains(&body["error"]["code"].as_str().unwrap_or_default()),
        "{body}"
    );
    assert!(body.to_string().contains("NoSuchObject__c"), "{body}");

    mock.knobs().throttle(true);
    let result = app.test_ok(&good).await;
    assert_eq!((&result["success"], &result["error"]["code"]), (&json!(false), &json!("rate_limited")), "{result}");
    assert!(result["error"]["retry_after"].as_u64().is_some_and(|s| s > 0), "{result}");
    assert_discreet(&app.log_text(&bad).await, "00Dstale!token");
    assert_discreet(&app.log_text(&good).await, salesforce::TOKEN);
}

#[tokio::test]
async fn the_verbose_log_has_one_egress_line_per_request_and_never_the_token_nor_the_query() {
    let mock = salesforce::start().await;
    let app = spawn_egress_app(&[mock.addr]).await;
    let id = salesforce_connection(&app, &mock).await;
    app.test_ok(&id).await;
    let tables = app.tables_ok(&id, "").await;
    let account = tables.iter().find(|t| t["name"] == "Account").expect("Account");
    let qualified = format!("{}.Account", account["schema"].as_str().expect("schema"));
    assert_eq!(app.list_columns(&id, &qualified, "").await.status(), 200);

    let lines = egress_lines(&app, &id).await;

    let requests = mock.requests();
    assert_eq!(lines.len(), requests.len(), "{lines:#?}\n{requests:#?}");
    for (line, request) in lines.iter().zip(&requests) {
        let logged = format!(" VERBOSE  [egress] egress: GET {}{} -> 200, ", mock.url(), request.path);
        assert!(line.contains(&logged), "`{logged}` in {line}");
        assert!(line.ends_with(" ms"), "{line}");
    }
    assert_discreet(&app.log_text(&id).await, salesforce::TOKEN);
    assert_discreet(&app.stored_logs().await, salesforce::TOKEN);
}

/// Creates a job copying `table` of `source` into the CSV connection
/// `destination` in pages of `batch_size`, runs it to its end (at most a
/// minute), and returns the run.
pub(super) async fn run_job(app: &TestApp, source: &str, destination: &str, table: &str, batch_size: u32) -> Value {
    let body = json!({"name": "Copy", "source_connection_id": source, "destination_connection_id": destination,
        "tables": [table], "batch_size": batch_size});
    let (status, job) = json(app.create_job("default", &body).await).await;
    assert_eq!(status, 201, "{job}");
    let job = id_of(&job);
    let (status, run) = json(app.execute_job(&job).await).await;
    assert_eq!(status, 202, "{run}");
    eventually(Duration::from_secs(60), "the run ends", || async {
        let (_, run) = json(app.job_status(&job).await).await;
        match run["status"].as_str() {
            Some("Starting" | "Testing" | "Running") => Err(run),
            _ => Ok(run),
        }
    })
    .await
}

/// The header and records of a CSV file the destination wrote.
fn read_csv(file: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let header = reader.headers().expect("a header").iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{}: {e}", file.display())).iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// A CSV destination; its id.
pub(super) async fn csv_destination(app: &TestApp) -> String {
    id_of(&app.create_ok("default", &json!({"name": "Files", "connector": "CSV"})).await)
}

/// A job copying `QuickBooks.Customer` from a mock QuickBooks into CSV, in
/// pages of 10, run to its end: the mock, the app, the source and
/// destination connection ids, and the run.
async fn quickbooks_customers_job() -> (Mock<quickbooks::QuickBooks>, TestApp, String, String, Value) {
    let mock = quickbooks::start().await;
    let app = spawn_egress_app(&[mock.addr]).await;
    let source = quickbooks_connection(&app, &mock).await;
    let destination = csv_destination(&app).await;
    let run = run_job(&app, &source, &destination, "QuickBooks.Customer", 10).await;
    (mock, app, source, destination, run)
}

#[tokio::test]
async fn a_job_copies_every_quickbooks_customer_from_the_mock_into_a_csv_file_row_for_row() {
    let (mock, app, _source, destination, run) = quickbooks_customers_job().await;

    assert_eq!(run["status"], "Successful", "{run}");
    assert_eq!(run["rows"], quickbooks::CUSTOMERS.len(), "{run}");
    let file = app.data.path().join("data/connection-files").join(&destination).join("Customer.csv");
    let (header, rows) = read_csv(&file);
    assert_eq!(header, quickbooks::CUSTOMER_COLUMNS);
    assert_eq!(rows.len(), quickbooks::CUSTOMERS.len());
    for (row, customer) in rows.iter().zip(quickbooks::CUSTOMERS.iter()) {
        assert_eq!(row, &customer.csv_row(), "customer {}", customer.id);
    }
    let queries = to(&mock.requests(), "/query");
    let asked: Vec<String> = queries.iter().map(|r| r.param("query").expect("a query")).collect();
    assert_eq!(
        asked,
        [1, 11, 21].map(|n| format!("SELECT * FROM Customer STARTPOSITION {n} MAXRESULTS 10")),
        "pages of 10 until one is not full"
    );
    for query in &queries {
        assert!(query.authorization && query.param("minorversion").as_deref() == Some("75"), "{query:?}");
    }
}

#[tokio::test]
async fn a_job_copies_every_salesforce_account_across_pages_into_a_csv_file_row_for_row() {
    let mock = salesforce::start().await;
    let app = spawn_egress_app(&[mock.addr]).await;
    mock.api().set_page_cap(200);
    let source = salesforce_connection(&app, &mock).await;
    let destination = csv_destination(&app).await;
    let account = app.tables_ok(&source, "").await.into_iter().find(|t| t["name"] == "Account").expect("Account");
    let qualified = format!("{}.Account", account["schema"].as_str().expect("schema"));

    let run = run_job(&app, &source, &destination, &qualified, 500).await;

    assert_eq!(run["status"], "Successful", "{run}");
    assert_eq!(run["rows"], salesforce::ACCOUNTS, "{run}");
    let file = app.data.path().join("data/connection-files").join(&destination).join("Account.csv");
    let (header, rows) = read_csv(&file);
    let fields = &salesforce::ACCOUNT_FIELDS;
    assert_eq!(header, fields.iter().map(|f| f.name).collect::<Vec<_>>());
    assert_eq!(rows.len(), salesforce::ACCOUNTS);
    for (r, (row, record)) in rows.iter().zip(salesforce::ACCOUNT_RECORDS.iter()).enumerate() {
        for (got, field) in row.iter().zip(fields) {
            let value = &record[field.name];
            match salesforce::csv_field(field.kind, value) {
                Some(want) => assert_eq!(got, &want, "row {r} `{}`", field.name),
                None => {
                    let got: Value =
                        serde_json::from_str(got).unwrap_or_else(|e| panic!("row {r} `{}`: {e}: {got}", field.name));
                    assert_eq!(&got, value, "row {r} `{}`", field.name);
                }
            }
        }
    }
    let queries: Vec<Received> = mock.requests().into_iter().filter(|r| r.path.contains("/query")).collect();
    let paths: Vec<&str> = queries.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths.len(), 3, "pages of 200 of 450 records: {paths:?}");
    assert_eq!(paths[0], "/services/data/v62.0/query");
    assert!(paths[1].starts_with("/services/data/v62.0/query/01gDn") && paths[1].ends_with("-200"), "{paths:?}");
    assert!(paths[2].ends_with("-400"), "{paths:?}");
    let statement = queries[0].param("q").expect("q");
    let selected = statement.strip_prefix("SELECT ").and_then(|s| s.strip_suffix(" FROM Account"));
    let selected: Vec<&str> = selected.unwrap_or_else(|| panic!("{statement}")).split(',').map(str::trim).collect();
    assert_eq!(selected, fields.iter().map(|f| f.name).collect::<Vec<_>>(), "the selected fields, no more");
    assert_eq!(queries[0].header("sforce-query-options"), Some("batchSize=500"), "{:?}", queries[0]);
}

#[tokio::test]
async fn a_jobs_reads_leave_one_egress_line_per_request_in_the_sources_log() {
    let (mock, app, source, _destination, run) = quickbooks_customers_job().await;

    assert_eq!(run["status"], "Successful", "{run}");
    let lines = egress_lines(&app, &source).await;
    let requests = mock.requests();
    assert_eq!(lines.len(), requests.len(), "{lines:#?}\n{requests:#?}");
    let company = quickbooks::COMPANY_ID;
    let queries =
        lines.iter().filter(|l| l.contains(&format!("egress: GET {}/v3/company/{company}/query -> 200", mock.url())));
    assert_eq!(queries.count(), to(&requests, "/query").len(), "{lines:#?}");
    assert_discreet(&app.log_text(&source).await, quickbooks::TOKEN);
}

#[tokio::test]
async fn an_answer_past_the_default_response_budget_fails_the_test_without_crashing_the_connector() {
    let mock = quickbooks::start().await;
    mock.knobs().oversized(true);
    let app = spawn_egress_app(&[mock.addr]).await;
    let id = quickbooks_connection(&app, &mock).await;

    let result = app.test_ok(&id).await;

    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "internal", "{result}");
    let lines = egress_lines(&app, &id).await;
    assert!(lines.iter().any(|l| l.contains("(--egress-max-response-mib)")), "{lines:#?}");
}
