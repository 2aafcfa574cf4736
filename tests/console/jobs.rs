//! A job in a real browser: made from the form, run, its progress
//! watched (the page refreshes itself while the run is under way) until
//! it ends.

use super::browser::{Browser, chromedriver};
use super::visitor::origin;
use crate::api::{job_endpoints as endpoints, json, spawn_jobs_app};
use std::time::{Duration, Instant};

/// What the job page shows of a run at one moment.
#[derive(Debug, PartialEq)]
enum Seen {
    /// Under way: tables copied of the total.
    Progress(u64, u64),
    /// Ended, with this status.
    Ended(String),
    /// Between pages.
    Nothing,
}

/// What the page shows now.
async fn seen(browser: &Browser) -> Seen {
    use fantoccini::Locator;
    let client = browser.client();
    if let Ok(outcome) = client.find(Locator::Css("#run-outcome")).await {
        return outcome.text().await.map_or(Seen::Nothing, Seen::Ended);
    }
    let Ok(progress) = client.find(Locator::Css("#run-progress")).await else { return Seen::Nothing };
    // The page refreshes itself: an element found may be gone a moment
    // later (stale), which says nothing of the run.
    let (Ok(value), Ok(max)) = (progress.attr("value").await, progress.attr("max").await) else {
        return Seen::Nothing;
    };
    // No `max` yet: the run has not listed its tables.
    let number = |v: Option<String>| v.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Seen::Progress(number(value), number(max))
}

#[tokio::test]
async fn a_job_made_in_the_browser_runs_and_its_progress_is_shown_until_it_ends() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_jobs_app(Duration::from_secs(30)).await;
    let (source, destination) = endpoints(&app, 6_000).await;
    let browser = Browser::start(&driver, &origin(&app)).await;
    browser.sign_in(Some("admin"), &app.token).await;

    browser.goto("/workspaces/default/jobs").await;
    browser.wait_for("#job-list").await;
    browser.screenshot("jobs-empty").await;
    browser.click_link("New job").await;
    browser.wait_for("#job-form").await;
    browser.fill("#name", "Nightly").await;
    browser.select("#source_connection_id", &source).await;
    browser.select("#destination_connection_id", &destination).await;
    browser.fill("#table_prefix", "qb_").await;
    browser.screenshot("job-new").await;
    browser.click("#job-form button[type=submit]").await;
    browser.wait_for("#run-button").await;
    let path = browser.path().await;
    let job = path.strip_prefix("/jobs/").and_then(|p| p.split('?').next()).expect("the job's page").to_string();
    let (status, stored) = json(app.get_job(&job).await).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["name"], "Nightly");
    assert_eq!(stored["source_connection_id"], source.as_str());
    assert_eq!(stored["table_prefix"], "qb_");
    browser.screenshot("job").await;

    browser.click("#run-button").await;
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut progress = Vec::new();
    let ended = loop {
        match seen(&browser).await {
            Seen::Ended(status) => break status,
            Seen::Progress(done, total) => {
                if progress.is_empty() {
                    browser.screenshot("job-running").await;
                }
                if progress.last() != Some(&(done, total)) {
                    progress.push((done, total));
                }
            }
            Seen::Nothing => {}
        }
        assert!(Instant::now() < deadline, "the run did not end within 180 s; progress seen: {progress:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    browser.screenshot("job-ended").await;
    println!("progress seen: {progress:?}");
    assert_eq!(ended, "Successful", "progress seen: {progress:?}");
    assert!(
        progress.iter().any(|(done, total)| *total > 0 && done < total),
        "the page showed the run under way, its tables counted, before it ended"
    );
    let done: Vec<u64> = progress.iter().map(|(d, _)| *d).collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "progress only goes forward: {progress:?}");
    assert!(!browser.has("meta[http-equiv=refresh]").await, "an ended run's page no longer refreshes");
    assert!(browser.text_of("#history").await.contains("Successful"), "the run is in the history");

    let (_, run) = json(app.job_status(&job).await).await;
    assert_eq!(run["status"], "Successful", "{run}");
    let total = run["tables"].as_array().map_or(0, Vec::len) as u64;
    assert!(progress.iter().all(|(d, t)| *t == 0 || (*t == total && *d <= total)), "{progress:?} of {total}");
}
