//! Prometheus metrics: admins only on the API's address, no token on the
//! `--metrics-listen` address; requests by route template and status,
//! connector calls by outcome, sandbox faults by kind, the call queue, job
//! rows and bytes, and the database pool.

use super::jobs::{create_job, endpoints, execute, wait_for_end};
use super::{TestApp, assert_error, create_user, id_of, spawn_app, spawn_app_with, spawn_jobs_app, text, token};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

/// The value of the series `name` whose labels include every one of
/// `labels`, summed over the series that match (`None`: no series does).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else { continue };
        let (series_name, series_labels) = match series.split_once('{') {
            Some((n, rest)) => (n, parse_labels(rest.strip_suffix('}').expect("a closed label set"))),
            None => (series, Vec::new()),
        };
        let matches = labels.iter().all(|(k, v)| series_labels.iter().any(|(sk, sv)| sk == k && sv == v));
        if series_name == name && matches {
            *found.get_or_insert(0.0) += value.parse::<f64>().expect("a number");
        }
    }
    found
}

/// `a="x",b="y"` as pairs (values unescaped).
fn parse_labels(text: &str) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    let mut rest = text;
    while let Some((key, after)) = rest.split_once("=\"") {
        let (mut value, mut chars) = (String::new(), after.char_indices());
        let mut end = after.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => value.push(chars.next().map_or('\\', |(_, c)| if c == 'n' { '\n' } else { c })),
                '"' => {
                    end = i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        labels.push((key.trim_start_matches(',').to_string(), value));
        rest = &after[end..];
    }
    labels
}

/// The metrics text, read with the admin's token.
async fn scrape(app: &TestApp) -> String {
    let response = app.metrics().await;
    let content_type = response.headers().get("content-type").map(|v| v.to_str().expect("ascii").to_string());
    let (status, body) = text(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type.as_deref(), Some("text/plain; version=0.0.4; charset=utf-8"));
    body
}

#[tokio::test]
async fn metrics_need_an_admins_token_on_the_api_address() {
    let app = spawn_app().await;
    let standard = token(&create_user(&app, "sam", "standard", &["default"]).await);

    assert_error(app.anonymous(Method::GET, "/metrics").send().await.expect("sent"), 401, "unauthorized").await;
    assert_error(app.request_as(&standard, Method::GET, "/metrics").send().await.expect("sent"), 403, "forbidden")
        .await;
    let body = scrape(&app).await;
    assert!(body.contains("# TYPE syncport_http_requests_total counter"), "{body}");
    assert!(body.contains("# HELP syncport_db_pool_connections Open database connections"), "{body}");
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status_never_by_path() {
    let app = spawn_app().await;
    let books = id_of(&app.create_quickbooks("Books").await);
    app.get_ok(&books).await;
    app.get_ok(&books).await;
    assert_error(app.get_connection("550e8400-e29b-41d4-a716-446655440000").await, 404, "connection_not_found").await;
    let response = app.request(Method::GET, "/no/such/route/4711").send().await.expect("sent");
    assert_eq!(response.status(), 404);
    let frob = Method::from_bytes(b"FROB").expect("a method");
    app.request(frob, "/connections").send().await.expect("sent");

    let body = scrape(&app).await;

    let route = "/api.rsc/v2/connections/{connection_id}";
    let requests = |status| sample(&body, "syncport_http_requests_total", &[("route", route), ("status", status)]);
    assert_eq!(requests("200"), Some(2.0), "{body}");
    assert_eq!(requests("404"), Some(1.0), "{body}");
    let timed = sample(&body, "syncport_http_request_duration_seconds_count", &[("method", "GET"), ("route", route)]);
    assert_eq!(timed, Some(3.0), "{body}");
    let created =
        [("method", "POST"), ("route", "/api.rsc/v2/workspaces/{workspace_id}/connections"), ("status", "201")];
    assert_eq!(sample(&body, "syncport_http_requests_total", &created), Some(1.0), "{body}");
    let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
    assert_eq!(sample(&body, "syncport_http_requests_total", &unmatched), Some(1.0), "{body}");
    assert_eq!(sample(&body, "syncport_http_requests_total", &[("method", "other")]), Some(1.0), "{body}");
    assert!(!body.contains(&books) && !body.contains("4711"), "ids and paths are never labels: {body}");
    assert!(!body.contains("FROB"), "methods are one of a few labels: {body}");
}

#[tokio::test]
async fn connector_calls_are_counted_by_outcome_and_faults_by_kind() {
    let app = spawn_app().await;
    let healthy = app.create_misbehave("Healthy", "healthy", "pw", "Info").await;
    let nosy = app.create_misbehave("Nosy", "nosy", "pw", "Info").await;
    let panics = app.create_misbehave("Panics", "panic", "pw", "Info").await;
    let connection = app.get_ok(&healthy).await;
    let (connector, version) = (connection["connector"].as_str().expect("connector"), "");
    let version = connection["connector_version"].as_str().unwrap_or(version).to_string();
    for (id, success) in [(&healthy, true), (&healthy, true), (&nosy, false), (&panics, false)] {
        assert_eq!(app.test_ok(id).await["success"], success);
    }

    let body = scrape(&app).await;

    let of = |extra: &[(&'static str, &'static str)]| {
        let mut labels = vec![("connector", connector), ("version", version.as_str()), ("operation", "test")];
        labels.extend_from_slice(extra);
        labels
    };
    let calls = |outcome| sample(&body, "syncport_connector_calls_total", &of(&[("outcome", outcome)]));
    assert_eq!(calls("ok"), Some(2.0), "{body}");
    assert_eq!(calls("connector_error"), Some(1.0), "{body}");
    assert_eq!(calls("fault"), Some(1.0), "{body}");
    assert_eq!(sample(&body, "syncport_connector_call_duration_seconds_count", &of(&[])), Some(4.0), "{body}");
    let faults = [("connector", connector), ("version", version.as_str()), ("kind", "trap")];
    assert_eq!(sample(&body, "syncport_sandbox_faults_total", &faults), Some(1.0), "{body}");
    let queue = [("connector", connector), ("version", version.as_str())];
    assert_eq!(sample(&body, "syncport_connector_queue_depth", &queue), Some(0.0), "no call waits now: {body}");
    assert_eq!(sample(&body, "syncport_connector_queue_wait_seconds_count", &queue), Some(4.0), "{body}");
}

#[tokio::test]
async fn job_runs_count_their_rows_bytes_tables_and_end() {
    let app = spawn_jobs_app(std::time::Duration::from_secs(30)).await;
    let rows = 250;
    let (source, destination) = endpoints(&app, rows).await;
    let first = app.tables_ok(&source, "").await[0].clone();
    let table = format!("{}.{}", first["schema"].as_str().expect("schema"), first["name"].as_str().expect("name"));
    let body = json!({"name": "Counted", "source_connection_id": source, "destination_connection_id": destination,
        "tables": [table], "batch_size": 100});
    let job = id_of(&create_job(&app, &body).await);
    execute(&app, &job).await;
    let run = wait_for_end(&app, &job).await;
    assert_eq!(run["status"], "Successful", "{run}");

    let body = scrape(&app).await;

    assert_eq!(sample(&body, "syncport_job_rows_total", &[("direction", "read")]), Some(250.0), "{body}");
    assert_eq!(sample(&body, "syncport_job_rows_total", &[("direction", "written")]), Some(250.0), "{body}");
    assert!(sample(&body, "syncport_job_bytes_total", &[]).is_some_and(|b| b > 250.0), "{body}");
    assert_eq!(sample(&body, "syncport_job_tables_total", &[("status", "Successful")]), Some(1.0), "{body}");
    assert_eq!(sample(&body, "syncport_job_runs_total", &[("status", "Successful")]), Some(1.0), "{body}");
    let reads = [("operation", "read"), ("outcome", "ok")];
    let pages = sample(&body, "syncport_connector_calls_total", &reads).expect("reads");
    assert!(pages >= 3.0, "three pages of 100 at least: {body}");
}

#[tokio::test]
async fn the_database_pool_is_sampled_at_each_scrape() {
    let app = spawn_app().await;

    let body = scrape(&app).await;

    let max = sample(&body, "syncport_db_pool_max_connections", &[]).expect("the pool's size");
    assert!(max >= 1.0, "{body}");
    let idle = sample(&body, "syncport_db_pool_connections", &[("state", "idle")]).expect("idle");
    let in_use = sample(&body, "syncport_db_pool_connections", &[("state", "in_use")]).expect("in use");
    assert!(idle + in_use >= 1.0 && idle + in_use <= max, "{body}");
}

#[tokio::test]
async fn whether_the_caches_serve_reads_is_sampled_at_each_scrape() {
    let app = spawn_app().await;

    // At once on SQLite; on PostgreSQL once the first ping came back.
    crate::helpers::eventually(Duration::from_secs(10), "the caches are reported fresh", || async {
        let body = scrape(&app).await;
        match sample(&body, "syncport_cache_fresh", &[]) {
            Some(1.0) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
}

#[tokio::test]
async fn the_metrics_listen_address_serves_the_same_text_with_no_token() {
    let app = spawn_app_with(|config| config.metrics_listen = Some("127.0.0.1:0".parse().expect("addr"))).await;
    app.list_connectors().await;
    let addr = app.metrics_addr.expect("a metrics address");

    let response = reqwest::get(format!("http://{addr}/metrics")).await.expect("sent");

    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let listed = [("route", "/api.rsc/v2/connectors"), ("status", "200")];
    assert_eq!(sample(&body, "syncport_http_requests_total", &listed), Some(1.0), "{body}");
    let other = reqwest::get(format!("http://{addr}/api.rsc/v2/connectors")).await.expect("sent");
    assert_eq!(other.status(), 404, "only the metrics are served there");
}

#[test]
fn label_sets_with_braces_commas_and_escapes_parse() {
    let text = "# TYPE x counter\nx{route=\"/a/{id}\",note=\"say \\\"hi\\\", twice\"} 3\nx{route=\"/b\"} 4\ny 1\n";
    assert_eq!(sample(text, "x", &[("route", "/a/{id}")]), Some(3.0));
    assert_eq!(sample(text, "x", &[("note", "say \"hi\", twice")]), Some(3.0));
    assert_eq!(sample(text, "x", &[]), Some(7.0));
    assert_eq!(sample(text, "y", &[]), Some(1.0));
    assert_eq!(sample(text, "z", &[]), None);
}

#[tokio::test]
async fn the_pool_opens_at_most_database_max_connections() {
    let app = spawn_app_with(|config| config.database_max_connections = Some(3)).await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let reads: Vec<_> = (0..20).map(|_| app.get_connection(&id)).collect();
    for response in futures_util::future::join_all(reads).await {
        assert_eq!(response.status(), 200);
    }

    let body = scrape(&app).await;

    assert_eq!(sample(&body, "syncport_db_pool_max_connections", &[]), Some(3.0), "{body}");
    let open = sample(&body, "syncport_db_pool_connections", &[]).expect("open connections");
    assert!((1.0..=3.0).contains(&open), "{body}");
}
