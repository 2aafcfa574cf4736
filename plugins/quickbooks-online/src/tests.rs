//! The connector's calls against a scripted API.

use super::*;
use syncport_connector_sdk::{
    ErrorKind, OAuthClientAuth, OAuthGrants, Value,
    http::{FakeHttp, Request, TransportError, TransportErrorKind},
    testing::take_logs,
};

const COMPANY: &str = "/v3/company/4620816365";
const TOKEN: &str = "tok-secret-1";

fn config(extra: &[(&str, &str)]) -> Config {
    // `extra` first: the first of a name wins.
    let mut pairs = extra.to_vec();
    pairs.extend([("CompanyId", "4620816365"), ("OAuthAccessToken", TOKEN), ("BaseURL", "http://127.0.0.1:9/")]);
    let config =
        Config::new(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())), QuickBooks::describe().properties);
    config.validate().expect("the SDK's checks pass");
    config
}

fn connector(fake: &FakeHttp) -> QuickBooks {
    QuickBooks::with_client(fake.client())
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(TOKEN), "{text}");
}

#[test]
fn describe_declares_the_egress_and_properties() {
    let info = QuickBooks::describe();
    assert_eq!((info.name.as_str(), info.version.as_str()), ("QuickBooks", "3.0.0"));
    let names: Vec<_> = info.properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CompanyId",
            "OAuthClientId",
            "OAuthClientSecret",
            "OAuthAccessToken",
            "OAuthRefreshToken",
            "OAuthExpiresAt",
            "OAuthAuthorizationURL",
            "OAuthTokenURL",
            "BaseURL",
            "MinorVersion"
        ]
    );
    let flags: Vec<_> = info.properties.iter().map(|p| (p.required, p.secret)).collect();
    assert_eq!(
        flags,
        [
            (true, false),
            (false, false),
            (false, true),
            (false, true),
            (false, true),
            (false, false),
            (false, false),
            (false, false),
            (false, false),
            (false, false)
        ]
    );
    let defaults: Vec<_> = info.properties[6..8].iter().map(|p| p.default_value.as_deref()).collect();
    assert_eq!(
        defaults,
        [
            Some("https://appcenter.intuit.com/connect/oauth2"),
            Some("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer")
        ]
    );
    assert_eq!(
        info.egress,
        ["https://quickbooks.api.intuit.com", "https://sandbox-quickbooks.api.intuit.com", "{BaseURL}"]
    );
    assert_eq!(QuickBooks::roles(), Roles::SOURCE);
}

#[test]
fn describe_declares_oauth_at_intuit() {
    let spec = QuickBooks::describe().oauth.expect("OAuth 2.0");
    assert_eq!(
        (spec.authorization_url.as_str(), spec.token_url.as_str()),
        ("{OAuthAuthorizationURL}", "{OAuthTokenURL}")
    );
    assert_eq!(spec.scopes, ["com.intuit.quickbooks.accounting"]);
    assert_eq!(OAuthGrants::from(spec.grants), OAuthGrants::AUTHORIZATION_CODE | OAuthGrants::REFRESH_TOKEN);
    assert_eq!(OAuthClientAuth::from(spec.client_auth), OAuthClientAuth::Basic);
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
    let qb = connector(&fake);
    for token in [None, Some(""), Some("  ")] {
        let mut pairs = vec![("CompanyId", "4620816365"), ("OAuthClientId", "client-1")];
        pairs.extend(token.map(|t| ("OAuthAccessToken", t)));
        let config =
            Config::new(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())), QuickBooks::describe().properties);
        config.validate().expect("the token is not required: the host sets it");
        let errors = [
            qb.test(&config).map(drop),
            qb.list_tables(&config, &TableFilter::new(None, vec![])).map(drop),
            qb.list_columns(&config, "Customer").map(drop),
            qb.read(&config, &ReadRequest::new("Customer", &[], None, 10)).map(drop),
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
fn test_reads_company_info_with_token_and_minor_version() {
    let fake = FakeHttp::new();
    fake.respond(
        &format!("{COMPANY}/companyinfo/4620816365"),
        200,
        r#"{"CompanyInfo":{"CompanyName":"Sandbox Company_US_1","Id":"1"},"time":"2024-01-15T10:30:00-08:00"}"#,
    );
    take_logs();
    let message = connector(&fake).test(&config(&[("MinorVersion", "70")])).expect("connects");
    assert_eq!(message, "Connected to QuickBooks Online company Sandbox Company_US_1 (1).");
    let sent = &fake.requests()[0];
    assert_eq!(sent.url(), "http://127.0.0.1:9/v3/company/4620816365/companyinfo/4620816365?minorversion=70");
    assert!(sent.headers().contains(&("authorization".into(), format!("Bearer {TOKEN}"))));
    assert!(sent.headers().contains(&("accept".into(), "application/json".into())));
    for (_, line) in take_logs() {
        assert_no_secret(&line);
    }
}

#[test]
fn bad_properties_are_invalid_config() {
    let fake = FakeHttp::new();
    for (pairs, property) in [
        (vec![("CompanyId", "12a")], "CompanyId"),
        (vec![("MinorVersion", "76")], "MinorVersion"),
        (vec![("MinorVersion", "x")], "MinorVersion"),
        (vec![("BaseURL", "quickbooks.api.intuit.com")], "BaseURL"),
    ] {
        let e = connector(&fake).test(&config(&pairs)).expect_err("refused");
        assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::InvalidConfig, Some(property)));
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn a_refused_token_is_auth_failed() {
    let fake = FakeHttp::new();
    fake.respond(
        &format!("{COMPANY}/companyinfo/4620816365"),
        401,
        r#"{"Fault":{"Error":[{"Message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","Detail":"Token expired","code":"3200"}],"type":"AuthenticationFault"},"time":"t"}"#,
    );
    let e = connector(&fake).test(&config(&[])).expect_err("refused");
    assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::AuthFailed, Some("OAuthAccessToken")));
    assert_no_secret(&e.message);
}

#[test]
fn a_refused_origin_says_how_to_declare_it() {
    let fake = FakeHttp::new();
    fake.answer(
        &format!("{COMPANY}/companyinfo/4620816365"),
        Err(TransportError::new(TransportErrorKind::Refused, "HTTP-request-denied")),
    );
    let e = connector(&fake).test(&config(&[])).expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Unreachable);
    assert!(e.message.contains("http://127.0.0.1:9 (HTTP-request-denied)"), "{}", e.message);
}

#[test]
fn read_pages_through_customers() {
    let fake = FakeHttp::new();
    let query = format!("{COMPANY}/query");
    fake.respond(
        &query,
        200,
        r#"{"QueryResponse":{"Customer":[{"Id":"1","DisplayName":"Amy","Balance":12.5,"Active":true},{"Id":"2","Active":false}],"startPosition":1,"maxResults":2},"time":"t"}"#,
    );
    fake.respond(&query, 200, r#"{"QueryResponse":{},"time":"t"}"#);
    let qb = connector(&fake);
    let request = ReadRequest::new("QuickBooks.Customer", &["Balance", "Id"], None, 2);
    let page = qb.read(&config(&[]), &request).expect("first page");
    assert_eq!(page.next_cursor.as_deref(), Some("3"));
    let rows: Vec<Vec<Value>> = page.batch.rows().map(|r| r.values().collect()).collect();
    assert_eq!(rows, [vec![Value::Decimal("12.5"), Value::String("1")], vec![Value::Null, Value::String("2")]]);
    let request = ReadRequest::new("Customer", &[], Some("3"), 2);
    let page = qb.read(&config(&[]), &request).expect("last page");
    assert_eq!((page.batch.row_count(), page.next_cursor), (0, None));
    let urls: Vec<_> = fake.requests().iter().map(Request::url).collect();
    assert_eq!(
        urls,
        [
            "http://127.0.0.1:9/v3/company/4620816365/query?query=SELECT%20*%20FROM%20Customer%20STARTPOSITION%201%20MAXRESULTS%202&minorversion=75",
            "http://127.0.0.1:9/v3/company/4620816365/query?query=SELECT%20*%20FROM%20Customer%20STARTPOSITION%203%20MAXRESULTS%202&minorversion=75",
        ]
    );
}

#[test]
fn read_of_an_unknown_table_or_column_is_not_found() {
    let fake = FakeHttp::new();
    let qb = connector(&fake);
    let e = qb.read(&config(&[]), &ReadRequest::new("Customers", &[], None, 10)).expect_err("unknown");
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = qb.read(&config(&[]), &ReadRequest::new("Customer", &["Nope"], None, 10)).expect_err("unknown");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(fake.requests().is_empty());
}

#[test]
fn throttling_is_rate_limited() {
    let fake = FakeHttp::new();
    fake.answer(
        &format!("{COMPANY}/query"),
        Ok(sdk::http::Response::new(
            429,
            vec![("Retry-After".into(), "17".into())],
            br#"{"Fault":{"Error":[{"Message":"message=ThrottleExceeded","code":"003001"}],"type":"ThrottleExceeded"}}"#.to_vec(),
        )),
    );
    let e = connector(&fake).read(&config(&[]), &ReadRequest::new("Item", &[], None, 10)).expect_err("throttled");
    assert_eq!((e.kind, e.retry_after), (ErrorKind::RateLimited, Some(17)));
}

#[test]
fn catalog_calls_need_no_network() {
    let fake = FakeHttp::new();
    let qb = connector(&fake);
    let tables = qb.list_tables(&config(&[]), &TableFilter::new(Some("quickbooks".into()), vec![])).expect("lists");
    assert_eq!(tables.len(), 5);
    assert_eq!(qb.list_columns(&config(&[]), "Customer").expect("known").len(), 10);
    assert!(fake.requests().is_empty());
}
