//! A job's page while a run is under way: it refreshes itself (a meta
//! refresh, no script) with a link to stop; `?follow=0` stops it, with a
//! link to follow again.

use super::visitor::{Page, Visitor};
use crate::api::{TestApp, id_of, json, quickbooks_body, spawn_jobs_app};
use crate::helpers::eventually;
use serde_json::{Value, json};
use std::time::Duration;

/// A job copying 10,000,000 rows a table from a QuickBooks 2.0.0 source
/// to a CSV destination in pages of 100 (a run long enough to look at),
/// started and copying; its id.
async fn long_run(app: &TestApp) -> String {
    let mut body = quickbooks_body("Books");
    body["connector_version"] = json!("2.0.0");
    body["properties"]["RowsPerTable"] = json!("10000000");
    let source = id_of(&app.create_ok("default", &body).await);
    let destination = id_of(&app.create_ok("default", &json!({"name": "Files", "connector": "CSV"})).await);
    let job = json!({
        "name": "Nightly",
        "source_connection_id": source,
        "destination_connection_id": destination,
        "batch_size": 100
    });
    let (status, job) = json(app.create_job("default", &job).await).await;
    assert_eq!(status, 201, "{job}");
    let job = id_of(&job);
    let (status, run) = json(app.execute_job(&job).await).await;
    assert_eq!(status, 202, "{run}");
    run_reaches(app, &job, "the run copies", |run| run["status"] == "Running" && run["rows"].as_u64() > Some(0)).await;
    job
}

/// Polls the job's run (a minute at most) until `reached` holds of it.
async fn run_reaches(app: &TestApp, job: &str, what: &str, reached: impl Fn(&Value) -> bool) -> Value {
    eventually(Duration::from_secs(60), what, || async {
        let (status, run) = json(app.job_status(job).await).await;
        assert_eq!(status, 200, "{run}");
        if reached(&run) { Ok(run) } else { Err(run) }
    })
    .await
}

/// The `content` of the page's meta refresh, if it has one.
fn refresh(page: &Page) -> Option<String> {
    let tag = page
        .body
        .split("<meta")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(t, _)| t))
        .find(|t| t.contains("http-equiv=\"refresh\""))?;
    let (_, rest) = tag.split_once("content=\"")?;
    rest.split('"').next().map(str::to_string)
}

/// The `href` of the link of id `id` in `page`, if there is one.
fn link(page: &Page, id: &str) -> Option<String> {
    let at = page.body.find(&format!(" id=\"{id}\""))?;
    let start = page.body[..at].rfind('<')?;
    let tag = &page.body[start..at + page.body[at..].find('>')?];
    assert!(tag.starts_with("<a "), "#{id} is a link: {tag}");
    let (_, rest) = tag.split_once(" href=\"")?;
    rest.split('"').next().map(str::to_string)
}

#[tokio::test]
async fn a_job_page_follows_a_run_under_way_with_a_refresh_and_a_link_to_stop_unless_asked_not_to() {
    let app = spawn_jobs_app(Duration::from_secs(30)).await;
    let job = long_run(&app).await;
    let mut visitor = Visitor::signed_in(&app, &app.token).await;
    let path = format!("/jobs/{job}");

    let followed = visitor.get(&path).await;
    let still = visitor.get(&format!("{path}?follow=0")).await;

    for (what, page) in [("followed", &followed), ("not followed", &still)] {
        assert_eq!(page.status, 200, "{what}: {}", page.body);
        assert!(page.body.contains("Run under way"), "{what}: the run is under way: {}", page.body);
        assert!(page.body.contains("id=\"run-progress\""), "{what}: its progress is shown");
    }
    assert_eq!(refresh(&followed), Some(format!("2; url={path}")), "followed, it refreshes every 2 s");
    assert_eq!(link(&followed, "stop-following").as_deref(), Some(format!("{path}?follow=0").as_str()));
    assert_eq!(link(&followed, "follow"), None, "{}", followed.body);
    assert_eq!(refresh(&still), None, "not followed, it does not refresh: {}", still.body);
    assert_eq!(link(&still, "follow").as_deref(), Some(path.as_str()), "a link to follow again");
    assert_eq!(link(&still, "stop-following"), None, "{}", still.body);

    let (status, cancel) = json(app.cancel_job(&job).await).await;
    assert!(status == 200 || status == 202, "cancel: {cancel}");
    let ended = run_reaches(&app, &job, "the run ends", |run| {
        !matches!(run["status"].as_str(), Some("Starting" | "Testing" | "Running"))
    })
    .await;
    assert_eq!(ended["status"], "Cancelled", "{ended}");
    let over = visitor.get(&path).await;
    assert_eq!(over.status, 200, "{}", over.body);
    assert_eq!(refresh(&over), None, "an ended run's page does not refresh");
    assert_eq!((link(&over, "follow"), link(&over, "stop-following")), (None, None), "nothing to follow");
}
