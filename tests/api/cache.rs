//! The metadata cache, observed through the connection log: a call served
//! from the cache logs `N items from the cache` and nothing from the plugin,
//! a call that enters the sandbox logs `N items` and the plugin's own lines.

use super::{TestApp, id_of, json, quickbooks_body, spawn_app, spawn_app_with, sqlite_only};
use serde_json::json;

/// How many lines the plugin itself logged.
async fn plugin_lines(app: &TestApp, id: &str) -> usize {
    app.log_text(id).await.lines().filter(|l| l.contains("[plugin]")).count()
}

async fn books(app: &TestApp, refresh: &str) -> String {
    let mut body = quickbooks_body("Books");
    body["settings"] = json!({"metadata_refresh_interval": refresh, "logfile_verbosity": "Verbose"});
    id_of(&app.create_ok("default", &body).await)
}

#[tokio::test]
async fn a_cached_tables_call_does_not_enter_the_sandbox() {
    let app = spawn_app().await;
    let id = books(&app, "Daily").await;
    let first = app.tables_ok(&id, "").await;
    let plugin_before = plugin_lines(&app, &id).await;
    assert!(plugin_before > 0, "the first call ran the plugin");

    let second = app.tables_ok(&id, "").await;
    assert_eq!(first, second);
    assert_eq!(app.log_outcomes(&id, "list-tables").await, ["50 items", "50 items from the cache"]);
    assert_eq!(plugin_lines(&app, &id).await, plugin_before, "the plugin did not run again");
}

#[tokio::test]
async fn filters_apply_to_the_cached_tables() {
    let app = spawn_app().await;
    let id = books(&app, "Daily").await;
    assert_eq!(app.tables_ok(&id, "").await.len(), 50);
    assert_eq!(app.tables_ok(&id, "include_table_types=VIEW").await.len(), 7);
    assert!(app.tables_ok(&id, "schema=Other").await.is_empty());
    assert_eq!(
        app.log_outcomes(&id, "list-tables").await,
        ["50 items", "7 of 50 items from the cache", "0 of 50 items from the cache"]
    );
}

#[tokio::test]
async fn a_cached_columns_call_does_not_enter_the_sandbox() {
    let app = spawn_app().await;
    let id = books(&app, "Daily").await;
    let (_, first) = json(app.list_columns(&id, "Customers", "").await).await;
    let plugin_before = plugin_lines(&app, &id).await;
    let (_, second) = json(app.list_columns(&id, "Customers", "").await).await;
    assert_eq!(first, second);
    let outcomes = app.log_outcomes(&id, "list-columns").await;
    assert_eq!(outcomes.len(), 2);
    assert!(!outcomes[0].contains("cache") && outcomes[1].ends_with("items from the cache"), "{outcomes:?}");
    assert_eq!(plugin_lines(&app, &id).await, plugin_before);
}

#[tokio::test]
async fn a_property_change_invalidates_the_cache() {
    let app = spawn_app().await;
    let id = books(&app, "Never").await;
    app.tables_ok(&id, "").await;
    app.update_ok(&id, &json!({"properties": {"UseSandbox": "true"}})).await;
    app.tables_ok(&id, "").await;
    app.tables_ok(&id, "").await;
    assert_eq!(app.log_outcomes(&id, "list-tables").await, ["50 items", "50 items", "50 items from the cache"]);
}

#[tokio::test]
async fn a_settings_change_keeps_the_cache() {
    let app = spawn_app().await;
    let id = books(&app, "Daily").await;
    app.tables_ok(&id, "").await;
    app.update_ok(&id, &json!({"name": "Renamed", "settings": {"metadata_refresh_interval": "Hourly"}})).await;
    app.tables_ok(&id, "").await;
    assert_eq!(app.log_outcomes(&id, "list-tables").await, ["50 items", "50 items from the cache"]);
}

#[tokio::test]
async fn reset_metadata_true_refetches() {
    let app = spawn_app().await;
    let id = books(&app, "Never").await;
    app.tables_ok(&id, "").await;
    app.tables_ok(&id, "reset_metadata=true").await;
    app.tables_ok(&id, "Reset_Metadata=TRUE").await;
    app.tables_ok(&id, "reset_metadata=false").await;
    assert_eq!(
        app.log_outcomes(&id, "list-tables").await,
        ["50 items", "50 items", "50 items", "50 items from the cache"]
    );
    let (status, _) = json(app.list_columns(&id, "Customers", "").await).await;
    assert_eq!(status, 200);
    let (status, _) = json(app.list_columns(&id, "Customers", "reset_metadata=1").await).await;
    assert_eq!(status, 200);
    let columns = app.log_outcomes(&id, "list-columns").await;
    assert!(columns.iter().all(|o| !o.contains("cache")), "{columns:?}");
}

#[tokio::test]
async fn the_reset_metadata_endpoint_drops_the_cache() {
    let app = spawn_app().await;
    let id = books(&app, "Never").await;
    app.tables_ok(&id, "").await;
    json(app.list_columns(&id, "Customers", "").await).await;
    assert_eq!(app.reset_metadata(&id).await.status(), 200);
    app.tables_ok(&id, "").await;
    json(app.list_columns(&id, "Customers", "").await).await;
    assert_eq!(app.log_outcomes(&id, "list-tables").await, ["50 items", "50 items"]);
    let columns = app.log_outcomes(&id, "list-columns").await;
    assert!(columns.iter().all(|o| !o.contains("cache")), "{columns:?}");
    assert_eq!(app.log_outcomes(&id, "reset-metadata").await, ["cache cleared"]);
}

#[tokio::test]
async fn reset_credentials_drops_the_cache_even_when_the_same_credentials_come_back() {
    let app = spawn_app().await;
    let id = books(&app, "Never").await;
    app.tables_ok(&id, "").await;
    assert_eq!(app.reset_credentials(&id).await.status(), 200);
    app.update_ok(
        &id,
        &json!({"properties": {"OAuthClientSecret": "client-secret", "OAuthAccessToken": "access-token"}}),
    )
    .await;
    app.tables_ok(&id, "").await;
    assert_eq!(app.log_outcomes(&id, "list-tables").await, ["50 items", "50 items"]);
}

#[tokio::test]
async fn every_refresh_interval_serves_a_fresh_answer_from_the_cache() {
    let app = spawn_app().await;
    // Within the hour every interval is fresh; Never and Start_of_Job never age.
    for (i, refresh) in ["Never", "Hourly", "Daily", "Start_of_Job", "hourly", "start_of_job"].into_iter().enumerate() {
        let mut body = quickbooks_body(&format!("Books {i}"));
        body["settings"] = json!({"metadata_refresh_interval": refresh});
        let id = id_of(&app.create_ok("default", &body).await);
        app.tables_ok(&id, "").await;
        app.tables_ok(&id, "").await;
        assert_eq!(app.log_outcomes(&id, "list-tables").await, ["50 items", "50 items from the cache"], "{refresh}");
    }
}

#[tokio::test]
async fn a_failed_call_is_not_cached() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["properties"]["OAuthAccessToken"] = json!("expired");
    let id = id_of(&app.create_ok("default", &body).await);
    assert_eq!(app.list_tables(&id, "").await.status(), 400);
    assert_eq!(app.list_tables(&id, "").await.status(), 400);
    let outcomes = app.log_outcomes(&id, "list-tables").await;
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| !o.contains("cache")), "{outcomes:?}");
}

#[tokio::test]
async fn an_hourly_or_daily_cache_older_than_its_interval_is_fetched_again_on_sqlite() {
    sqlite_only();
    let data = tempfile::tempdir().expect("data dir");
    let token = "cache-age-test-admin-token-0123456789";
    let on = |dir: &std::path::Path| {
        let dir = dir.to_path_buf();
        move |c: &mut syncport::server::ServerConfig| {
            c.data_dir = dir;
            c.admin_token = Some(token.into());
        }
    };
    // (interval, age of the cached answer, served from the cache then?)
    let cases = [
        ("Hourly", chrono::Duration::minutes(59), true),
        ("Hourly", chrono::Duration::minutes(61), false),
        ("Daily", chrono::Duration::hours(23), true),
        ("Daily", chrono::Duration::hours(25), false),
        ("Never", chrono::Duration::days(400), true),
    ];
    let app = spawn_app_with(on(data.path())).await;
    let mut ids = Vec::new();
    for (i, (refresh, _, _)) in cases.iter().enumerate() {
        let mut body = quickbooks_body(&format!("Books {i}"));
        body["settings"] = json!({"metadata_refresh_interval": refresh});
        let id = id_of(&app.create_ok("default", &body).await);
        app.tables_ok(&id, "").await;
        ids.push(id);
    }
    drop(app);

    let url = format!("sqlite://{}", data.path().join("syncport.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
    for (id, (_, age, _)) in ids.iter().zip(&cases) {
        let fetched = (chrono::Utc::now() - *age).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let aged = sqlx::query("UPDATE metadata_cache SET fetched_at = ? WHERE connection_id = ?")
            .bind(fetched)
            .bind(id)
            .execute(&pool)
            .await
            .expect("age the cache");
        assert_eq!(aged.rows_affected(), 1, "one cached answer for {id}");
    }
    pool.close().await;

    let app = spawn_app_with(on(data.path())).await;
    for (id, (refresh, age, cached)) in ids.iter().zip(&cases) {
        app.tables_ok(id, "").await;
        let second = if *cached { "50 items from the cache" } else { "50 items" };
        assert_eq!(app.log_outcomes(id, "list-tables").await, ["50 items", second], "{refresh}, {age}");
    }
}
