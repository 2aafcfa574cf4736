//! The connector's calls against a scripted API.

use super::*;
use syncport_connector_sdk::{
    ErrorKind, OAuthClientAuth, OAuthGrants, Value,
    http::{FakeHttp, Request},
    testing::take_logs,
};

const TOKEN: &str = "00Dxx!secret-token";
const DESCRIBE: &str = "/services/data/v62.0/sobjects/Account/describe";
const QUERY: &str = "/services/data/v62.0/query";
const NEXT: &str = "/services/data/v62.0/query/01gD0000002HU6KIAW-2000";

fn config(extra: &[(&str, &str)]) -> Config {
    // `extra` first: the first of a name wins.
    let mut pairs = extra.to_vec();
    pairs.extend([("InstanceURL", "http://127.0.0.1:9/"), ("OAuthAccessToken", TOKEN)]);
    let config =
        Config::new(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())), Salesforce::describe().properties);
    config.validate().expect("the SDK's checks pass");
    config
}

fn account_describe(fake: &FakeHttp) {
    fake.respond(
        DESCRIBE,
        200,
        r#"{"name":"Account","fields":[
            {"name":"Id","type":"id","label":"Account ID","nillable":false,"length":18,"precision":0,"scale":0},
            {"name":"Name","type":"string","label":"Account Name","nillable":false,"length":255,"precision":0,"scale":0},
            {"name":"AnnualRevenue","type":"currency","label":"Annual Revenue","nillable":true,"length":0,"precision":18,"scale":0},
            {"name":"CreatedDate","type":"datetime","label":"Created Date","nillable":false,"length":0,"precision":0,"scale":0}]}"#,
    );
}

#[test]
fn describe_declares_the_instance_as_the_only_egress() {
    let info = Salesforce::describe();
    assert_eq!((info.name.as_str(), info.version.as_str()), ("Salesforce", "3.0.0"));
    assert_eq!(info.egress, ["{InstanceURL}"]);
    let names: Vec<_> = info.properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "OAuthClientId",
            "OAuthClientSecret",
            "OAuthAccessToken",
            "OAuthRefreshToken",
            "OAuthExpiresAt",
            "OAuthAuthorizationURL",
            "OAuthTokenURL",
            "InstanceURL",
            "APIVersion"
        ]
    );
    let flags: Vec<_> = info.properties.iter().map(|p| (p.required, p.secret)).collect();
    assert_eq!(
        flags,
        [
            (false, false),
            (false, true),
            (false, true),
            (false, true),
            (false, false),
            (false, false),
            (false, false),
            (true, false),
            (false, false)
        ]
    );
    assert!(info.properties[7].default_value.is_none(), "every org has its own instance");
    let defaults: Vec<_> = info.properties[5..7].iter().map(|p| p.default_value.as_deref()).collect();
    assert_eq!(
        defaults,
        [
            Some("https://login.salesforce.com/services/oauth2/authorize"),
            Some("https://login.salesforce.com/services/oauth2/token")
        ]
    );
}

#[test]
fn describe_declares_oauth_at_salesforce() {
    let spec = Salesforce::describe().oauth.expect("OAuth 2.0");
    assert_eq!(
        (spec.authorization_url.as_str(), spec.token_url.as_str()),
        ("{OAuthAuthorizationURL}", "{OAuthTokenURL}")
    );
    assert_eq!(spec.scopes, ["api", "refresh_token"]);
    assert_eq!(
        OAuthGrants::from(spec.grants),
        OAuthGrants::AUTHORIZATION_CODE | OAuthGrants::REFRESH_TOKEN | OAuthGrants::CLIENT_CREDENTIALS
    );
    assert_eq!(OAuthClientAuth::from(spec.client_auth), OAuthClientAuth::Body);
    let properties = [
        spec.client_id_property,
        spec.client_secret_property,
        spec.access_token_property,
        spec.refresh_token_property,
        spec.expires_at_property,
    ];
    assert_eq!(
        properties,
        ["OAuthClientId", "OAuthClientSecret", "OAuthAccessToken", "OAuthRefreshToken", "OAuthExpiresAt"]
    );
}

#[test]
fn without_an_access_token_every_call_is_auth_failed() {
    let fake = FakeHttp::new();
    let sf = Salesforce::with_client(fake.client());
    for token in [None, Some(""), Some("  ")] {
        let mut pairs = vec![("InstanceURL", "http://127.0.0.1:9/"), ("OAuthClientId", "client-1")];
        pairs.extend(token.map(|t| ("OAuthAccessToken", t)));
        let config =
            Config::new(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())), Salesforce::describe().properties);
        config.validate().expect("the token is not required: the host sets it");
        let errors = [
            sf.test(&config).map(drop),
            sf.list_tables(&config, &TableFilter::new(None, vec![])).map(drop),
            sf.list_columns(&config, "Account").map(drop),
            sf.read(&config, &ReadRequest::new("Account", &[], None, 10)).map(drop),
        ];
        for error in errors {
            let e = error.expect_err("not authorized");
            assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::AuthFailed, Some("OAuthAccessToken")));
            assert!(e.message.starts_with("The connection is not authorized yet: authorize it"), "{}", e.message);
        }
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn test_reports_the_remaining_requests() {
    let fake = FakeHttp::new();
    fake.respond("/services/data/v62.0/limits", 200, r#"{"DailyApiRequests":{"Max":15000,"Remaining":14998}}"#);
    take_logs();
    let message = Salesforce::with_client(fake.client()).test(&config(&[])).expect("connects");
    assert_eq!(message, "Connected to Salesforce at http://127.0.0.1:9; 14998 API requests remain today.");
    let sent = &fake.requests()[0];
    assert!(sent.headers().contains(&("authorization".into(), format!("Bearer {TOKEN}"))));
    assert!(take_logs().iter().all(|(_, line)| !line.contains(TOKEN)));
}

#[test]
fn bad_properties_are_invalid_config() {
    let fake = FakeHttp::new();
    for (pairs, property) in [
        (vec![("InstanceURL", "yourorg.my.salesforce.com")], "InstanceURL"),
        (vec![("InstanceURL", "https://x.my.salesforce.com/path")], "InstanceURL"),
        (vec![("APIVersion", "62")], "APIVersion"),
        (vec![("APIVersion", "62.1")], "APIVersion"),
    ] {
        let e = Salesforce::with_client(fake.client()).test(&config(&pairs)).expect_err("refused");
        assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::InvalidConfig, Some(property)));
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn an_expired_session_is_auth_failed() {
    let fake = FakeHttp::new();
    fake.respond(
        "/services/data/v62.0/limits",
        401,
        r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
    );
    let e = Salesforce::with_client(fake.client()).test(&config(&[])).expect_err("refused");
    assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::AuthFailed, Some("OAuthAccessToken")));
}

#[test]
fn list_tables_keeps_queryable_objects_and_filters() {
    let fake = FakeHttp::new();
    fake.respond(
        "/services/data/v62.0/sobjects",
        200,
        r#"{"encoding":"UTF-8","maxBatchSize":200,"sobjects":[
            {"name":"Account","label":"Account","queryable":true,"custom":false},
            {"name":"AccountChangeEvent","label":"Account Change Event","queryable":false,"custom":false},
            {"name":"Invoice__c","label":"Invoice","queryable":true,"custom":true}]}"#,
    );
    let sf = Salesforce::with_client(fake.client());
    let tables = sf.list_tables(&config(&[]), &TableFilter::new(None, vec![])).expect("lists");
    let names: Vec<_> = tables.iter().map(|t| (t.schema.as_str(), t.name.as_str(), t.description.as_deref())).collect();
    assert_eq!(names, [("Salesforce", "Account", Some("Account")), ("Salesforce", "Invoice__c", Some("Invoice"))]);
    assert!(sf.list_tables(&config(&[]), &TableFilter::new(Some("Other".into()), vec![])).expect("lists").is_empty());
    assert!(sf.list_tables(&config(&[]), &TableFilter::new(None, vec![TableType::View])).expect("lists").is_empty());
}

#[test]
fn list_columns_maps_describe_and_unknown_objects_are_not_found() {
    let fake = FakeHttp::new();
    account_describe(&fake);
    fake.respond(
        "/services/data/v62.0/sobjects/Nope/describe",
        404,
        r#"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]"#,
    );
    let sf = Salesforce::with_client(fake.client());
    let columns = sf.list_columns(&config(&[]), "Salesforce.Account").expect("known");
    assert_eq!(columns.len(), 4);
    assert!(columns[0].primary_key);
    assert_eq!(sf.list_columns(&config(&[]), "Nope").expect_err("unknown").kind, ErrorKind::NotFound);
    assert_eq!(sf.list_columns(&config(&[]), "Bad Name").expect_err("unknown").kind, ErrorKind::NotFound);
}

#[test]
fn read_follows_next_records_url() {
    let fake = FakeHttp::new();
    account_describe(&fake);
    fake.respond(
        QUERY,
        200,
        &format!(
            r#"{{"totalSize":2,"done":false,"nextRecordsUrl":"{NEXT}","records":[
                {{"attributes":{{"type":"Account","url":"/x"}},"Id":"001A","Name":"Acme","AnnualRevenue":1000.5}}]}}"#
        ),
    );
    fake.respond(
        NEXT,
        200,
        r#"{"totalSize":2,"done":true,"records":[{"Id":"001B","Name":"Globex","AnnualRevenue":null}]}"#,
    );
    let sf = Salesforce::with_client(fake.client());
    let first =
        sf.read(&config(&[]), &ReadRequest::new("Account", &["name", "AnnualRevenue"], None, 500)).expect("page");
    assert_eq!(first.next_cursor.as_deref(), Some(NEXT));
    let row: Vec<_> = first.batch.rows().next().expect("row").values().collect();
    assert_eq!(row, [Value::String("Acme"), Value::Decimal("1000.5")]);
    let last =
        sf.read(&config(&[]), &ReadRequest::new("Account", &["Name", "AnnualRevenue"], Some(NEXT), 500)).expect("page");
    assert_eq!((last.batch.row_count(), last.next_cursor), (1, None));
    let queries: Vec<_> = fake.requests().into_iter().filter(|r| !r.url().ends_with("/describe")).collect();
    assert_eq!(
        queries[0].url(),
        "http://127.0.0.1:9/services/data/v62.0/query?q=SELECT%20Name%2C%20AnnualRevenue%20FROM%20Account"
    );
    assert!(queries[0].headers().contains(&("sforce-query-options".into(), "batchSize=500".into())));
    assert_eq!(queries[1].url(), format!("http://127.0.0.1:9{NEXT}"));
}

#[test]
fn small_batches_split_a_salesforce_page() {
    let fake = FakeHttp::new();
    account_describe(&fake);
    let records: Vec<_> = (0..3).map(|i| format!(r#"{{"Id":"00{i}"}}"#)).collect();
    fake.respond(QUERY, 200, &format!(r#"{{"done":true,"records":[{}]}}"#, records.join(",")));
    let sf = Salesforce::with_client(fake.client());
    let first = sf.read(&config(&[]), &ReadRequest::new("Account", &["Id"], None, 2)).expect("page");
    assert_eq!(first.batch.row_count(), 2);
    let cursor = first.next_cursor.expect("more");
    assert!(cursor.ends_with("#2"), "{cursor}");
    let rest = sf.read(&config(&[]), &ReadRequest::new("Account", &["Id"], Some(&cursor), 2)).expect("page");
    assert_eq!((rest.batch.row_count(), rest.next_cursor), (1, None));
    let sizes: Vec<_> = fake.requests().iter().filter_map(|r| header(r, "sforce-query-options")).collect();
    assert_eq!(sizes, ["batchSize=200", "batchSize=200"]);
}

#[test]
fn read_of_an_unknown_column_is_not_found_and_limits_are_rate_limited() {
    let fake = FakeHttp::new();
    account_describe(&fake);
    fake.respond(QUERY, 403, r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#);
    let sf = Salesforce::with_client(fake.client());
    let e = sf.read(&config(&[]), &ReadRequest::new("Account", &["Nope"], None, 10)).expect_err("unknown");
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = sf.read(&config(&[]), &ReadRequest::new("Account", &[], None, 10)).expect_err("limited");
    assert_eq!(e.kind, ErrorKind::RateLimited);
}

fn header(request: &Request, name: &str) -> Option<String> {
    request.headers().iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}
