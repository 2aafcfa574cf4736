//! `PUT /connections/{id}`: what merges, what replaces, what is refused.

use super::{assert_error, id_of, quickbooks_body, spawn_app};
use serde_json::json;

#[tokio::test]
async fn properties_merge_into_the_stored_ones() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let updated = app.update_ok(&id, &json!({"properties": {"UseSandbox": "true"}})).await;
    assert_eq!(
        updated["properties"],
        json!({
            "CompanyId": "9130357766",
            "OAuthClientId": "client-id",
            "OAuthClientSecret": "********",
            "OAuthAccessToken": "********",
            "UseSandbox": "true"
        })
    );
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], true, "the stored secrets are kept: {result}");
    assert!(result["message"].as_str().expect("message").ends_with("(sandbox)"), "{result}");
}

#[tokio::test]
async fn a_property_set_to_null_is_removed() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let updated = app.update_ok(&id, &json!({"properties": {"oauthaccesstoken": null}})).await;
    assert!(updated["properties"].get("OAuthAccessToken").is_none(), "{updated}");
    assert_eq!(app.get_ok(&id).await["properties"], updated["properties"]);
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false, "no access token: {result}");
    assert_eq!(result["error"]["property"], "OAuthAccessToken", "{result}");
}

#[tokio::test]
async fn removing_a_required_property_with_null_is_refused() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let body = assert_error(
        app.update_connection(&id, &json!({"properties": {"CompanyId": null}})).await,
        400,
        "missing_property",
    )
    .await;
    assert_eq!(body["error"]["target"], "properties.CompanyId");
    let body = assert_error(
        app.update_connection(&id, &json!({"properties": {"OAuthClientSecret": null}})).await,
        400,
        "missing_property",
    )
    .await;
    assert_eq!(body["error"]["target"], "properties.OAuthClientSecret");
    assert_eq!(app.get_ok(&id).await["properties"]["CompanyId"], "9130357766");
}

#[tokio::test]
async fn the_mask_sent_back_keeps_the_stored_secret() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    // What a client does: read, change one thing, send everything back.
    let mut read = app.get_ok(&id).await;
    read["properties"]["UseSandbox"] = json!("false");
    let updated = app.update_ok(&id, &json!({"properties": read["properties"]})).await;
    assert_eq!(updated["properties"]["OAuthClientSecret"], "********");
    assert_eq!(updated["properties"]["OAuthAccessToken"], "********");
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], true, "the real secrets are still stored: {result}");
}

#[tokio::test]
async fn a_new_secret_value_replaces_the_stored_one() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.update_ok(&id, &json!({"properties": {"OAuthAccessToken": "expired-token"}})).await;
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "auth_failed", "{result}");
    assert_eq!(result["error"]["property"], "OAuthAccessToken", "{result}");
}

#[tokio::test]
async fn property_names_compare_case_insensitively_and_keep_one_entry() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let updated = app.update_ok(&id, &json!({"properties": {"companyid": "42"}})).await;
    let properties = updated["properties"].as_object().expect("properties");
    let company: Vec<_> = properties.iter().filter(|(k, _)| k.eq_ignore_ascii_case("companyid")).collect();
    assert_eq!(company.len(), 1, "{updated}");
    assert_eq!(company[0], (&"CompanyId".to_string(), &json!("42")), "the stored spelling is kept");
    let result = app.test_ok(&id).await;
    assert_eq!(result["message"], "Connected to QuickBooks Online company 42 (production)", "{result}");
}

#[tokio::test]
async fn settings_merge_so_changing_one_keeps_the_others() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["settings"] =
        json!({"metadata_refresh_interval": "Hourly", "logfile_verbosity": "Verbose", "use_cdata_callback_url": true});
    let id = id_of(&app.create_ok("default", &body).await);
    let updated = app.update_ok(&id, &json!({"settings": {"logfile_verbosity": "error"}})).await;
    assert_eq!(
        updated["settings"],
        json!({"metadata_refresh_interval": "Hourly", "logfile_verbosity": "Error", "use_cdata_callback_url": true})
    );
    let updated = app.update_ok(&id, &json!({"Settings": {"Use_CData_Callback_URL": false}})).await;
    assert_eq!(
        updated["settings"],
        json!({"metadata_refresh_interval": "Hourly", "logfile_verbosity": "Error", "use_cdata_callback_url": false})
    );
}

#[tokio::test]
async fn labels_are_replaced_not_merged() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["labels"] = json!(["prod", "finance"]);
    let id = id_of(&app.create_ok("default", &body).await);
    let updated = app.update_ok(&id, &json!({"labels": ["staging"]})).await;
    assert_eq!(updated["labels"], json!(["staging"]));
    assert!(app.connection_names("default", "label=prod").await.is_empty());
    assert_eq!(app.connection_names("default", "label=staging").await, ["Books"]);
    // Not given: kept.
    let updated = app.update_ok(&id, &json!({"name": "Books 2"})).await;
    assert_eq!(updated["labels"], json!(["staging"]));
    let updated = app.update_ok(&id, &json!({"labels": []})).await;
    assert_eq!(updated["labels"], json!([]));
}

#[tokio::test]
async fn renaming_to_a_name_taken_in_the_workspace_is_a_conflict_in_any_case() {
    let app = spawn_app().await;
    app.create_quickbooks("Books").await;
    let id = id_of(&app.create_quickbooks("Other").await);
    let body = assert_error(app.update_connection(&id, &json!({"name": "BOOKS"})).await, 409, "name_taken").await;
    assert_eq!(body["error"]["target"], "name");
    assert_eq!(app.get_ok(&id).await["name"], "Other");
    // Renaming to itself in another case is not a conflict.
    assert_eq!(app.update_ok(&id, &json!({"name": "OTHER"})).await["name"], "OTHER");
}

#[tokio::test]
async fn an_update_that_changes_properties_marks_the_connection_untested() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.test_ok(&id).await;
    assert_eq!(app.get_ok(&id).await["status"], "ok");
    assert_eq!(app.update_ok(&id, &json!({"name": "Renamed"})).await["status"], "ok", "a rename keeps the status");
    let updated = app.update_ok(&id, &json!({"properties": {"UseSandbox": "true"}})).await;
    assert_eq!(updated["status"], "untested");
}

#[tokio::test]
async fn the_mask_for_a_secret_that_is_not_stored_is_refused_not_stored() {
    let app = spawn_app().await;
    // Copying a connection's (masked) JSON into a new one must not store the mask.
    let mut body = quickbooks_body("Copy");
    body["properties"]["OAuthClientSecret"] = json!("********");
    let error = assert_error(app.create_connection("default", &body).await, 400, "invalid_property_value").await;
    assert_eq!(error["error"]["target"], "properties.OAuthClientSecret");

    let id = id_of(&app.create_quickbooks("Books").await);
    let masked = app.get_ok(&id).await["properties"].clone();
    assert_eq!(app.reset_credentials(&id).await.status(), 200);
    let error =
        assert_error(app.update_connection(&id, &json!({"properties": masked})).await, 400, "invalid_property_value")
            .await;
    assert!(error["error"]["target"].as_str().is_some_and(|t| t.starts_with("properties.OAuth")), "{error}");
    assert_eq!(app.get_ok(&id).await["properties"], json!({"CompanyId": "9130357766", "OAuthClientId": "client-id"}));
}

#[tokio::test]
async fn concurrent_updates_of_different_settings_all_land() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let bodies = [
        json!({"settings": {"metadata_refresh_interval": "Never"}}),
        json!({"settings": {"logfile_verbosity": "Verbose"}}),
        json!({"settings": {"use_cdata_callback_url": true}}),
        json!({"labels": ["prod"]}),
        json!({"properties": {"UseSandbox": "true"}}),
    ];
    let responses = futures_join(bodies.iter().map(|b| app.update_connection(&id, b))).await;
    for response in responses {
        assert_eq!(response.status(), 200);
    }
    let read = app.get_ok(&id).await;
    assert_eq!(
        read["settings"],
        json!({"metadata_refresh_interval": "Never", "logfile_verbosity": "Verbose", "use_cdata_callback_url": true})
    );
    assert_eq!(read["labels"], json!(["prod"]));
    assert_eq!(read["properties"]["UseSandbox"], "true");
}

#[tokio::test]
async fn of_concurrent_creates_with_one_name_exactly_one_wins() {
    let app = spawn_app().await;
    let names = ["Books", "books", "BOOKS", "Books", "bOOKS", "Books"];
    let bodies: Vec<_> = names.iter().map(|n| quickbooks_body(n)).collect();
    let responses = futures_join(bodies.iter().map(|b| app.create_connection("default", b))).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409]);
    assert_eq!(app.connection_names("default", "").await.len(), 1);
}

/// Runs the futures at once, on this task; their outputs in order.
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut pending: Vec<_> = futures.map(|f| Some(Box::pin(f))).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (slot, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(Poll::Ready(value)) = slot.as_mut().map(|f| f.as_mut().poll(cx)) {
                *output = Some(value);
                *slot = None;
            }
        }
        if pending.iter().all(Option::is_none) { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("completed")).collect()
}
