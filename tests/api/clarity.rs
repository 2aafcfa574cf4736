//! Small confusions users met, each pinned: a 404 that says the same thing
//! twice, error kinds spelled two ways in the logs, a cache line counting
//! what the caller never got, a property target without its `properties.`
//! prefix, and property names kept in the caller's spelling.

use super::{TestApp, assert_error, id_of, json, quickbooks_body, spawn_app};
use serde_json::{Value, json};

/// A QuickBooks connection whose access token the mock refuses.
async fn refused_books(app: &TestApp) -> String {
    let mut body = quickbooks_body("Refused");
    body["properties"]["OAuthAccessToken"] = json!("expired-token-123");
    id_of(&app.create_ok("default", &body).await)
}

#[tokio::test]
async fn an_unknown_table_is_said_not_to_exist_once() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let body = assert_error(app.list_columns(&id, "Nope", "").await, 404, "table_not_found").await;
    let message = body["error"]["message"].as_str().expect("message");
    assert_eq!(message, "Table `Nope` does not exist.", "{body}");
}

#[tokio::test]
async fn connection_logs_spell_error_kinds_as_the_api_does() {
    let app = spawn_app().await;
    let refused = refused_books(&app).await;
    let tested = app.test_ok(&refused).await;
    assert_eq!(tested["success"], false, "{tested}");
    assert_eq!(tested["error"]["code"], "auth_failed", "{tested}");
    let (status, body) = json(app.list_tables(&refused, "").await).await;
    assert_eq!(status, 400, "{body}");
    let outcomes = [app.log_outcomes(&refused, "test").await, app.log_outcomes(&refused, "list-tables").await];
    for outcome in outcomes.iter().flatten() {
        assert!(outcome.starts_with("auth_failed: "), "{outcomes:?}");
    }

    let books = id_of(&app.create_quickbooks("Books").await);
    assert_error(app.list_columns(&books, "Nope", "").await, 404, "table_not_found").await;
    let outcomes = app.log_outcomes(&books, "list-columns").await;
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert!(outcomes[0].starts_with("not_found: "), "{outcomes:?}");

    // What the host writes, and what the bundled connectors write (the
    // SDK's `ErrorKind` displays as the host spells it).
    let text = app.log_text(&refused).await + &app.log_text(&books).await;
    let host = text.lines().filter(|l| l.contains("[syncport]")).count();
    assert!(host >= 4, "{text}");
    assert!(text.lines().any(|l| !l.contains("[syncport]") && l.contains("(auth_failed)")), "{text}");
    for camel in ["AuthFailed", "NotFound", "InvalidConfig"] {
        assert!(!text.contains(camel), "{camel} in {text}");
    }
}

#[tokio::test]
async fn a_filtered_table_list_logs_how_many_items_it_served() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let all = app.tables_ok(&id, "").await.len();
    let views = app.tables_ok(&id, "include_table_types=view").await.len();
    let none = app.tables_ok(&id, "schema=Elsewhere").await.len();
    let again = app.tables_ok(&id, "").await.len();
    assert!(0 < views && views < all && none == 0 && again == all, "{all} {views} {none} {again}");
    assert_eq!(
        app.log_outcomes(&id, "list-tables").await,
        [
            format!("{all} items"),
            format!("{views} of {all} items from the cache"),
            format!("0 of {all} items from the cache"),
            format!("{all} items from the cache"),
        ]
    );

    // A filtered answer that enters the sandbox says so too.
    let other = id_of(&app.create_quickbooks("Other").await);
    let views = app.tables_ok(&other, "include_table_types=VIEW&reset_metadata=true").await.len();
    assert_eq!(app.log_outcomes(&other, "list-tables").await, [format!("{views} of {all} items")]);
}

#[tokio::test]
async fn a_connector_error_about_a_property_targets_properties_dot_its_name() {
    let app = spawn_app().await;
    let id = refused_books(&app).await;
    let error = assert_error(app.list_tables(&id, "").await, 400, "connector_auth_failed").await;
    assert_eq!(error["error"]["target"], "properties.OAuthAccessToken", "{error}");
}

/// The property names of a connection's JSON, in order.
fn property_names(connection: &Value) -> Vec<&str> {
    connection["properties"].as_object().expect("properties").keys().map(String::as_str).collect()
}

#[tokio::test]
async fn property_names_are_stored_and_shown_in_the_connectors_spelling() {
    let app = spawn_app().await;
    let body = json!({
        "name": "Spelled",
        "connector": "Misbehave",
        "properties": {"mode": "HEALTHY", "PASSWORD": "pw-1"}
    });
    let created = app.create_ok("default", &body).await;
    let id = id_of(&created);
    assert_eq!(property_names(&created), ["Mode", "Password"], "{created}");
    assert_eq!(created["properties"]["Mode"], "healthy", "{created}");
    assert_eq!(property_names(&app.get_ok(&id).await), ["Mode", "Password"]);

    let updated = app.update_ok(&id, &json!({"properties": {"count": "5", "password": "pw-2"}})).await;
    assert_eq!(property_names(&updated), ["Mode", "Password", "Count"], "{updated}");
    assert_eq!(updated["properties"]["Count"], "5", "{updated}");
    assert_eq!(property_names(&app.get_ok(&id).await), ["Mode", "Password", "Count"]);
    // The log names what is stored: the update's changes, then the secret
    // a credentials reset removes.
    assert_eq!(app.log_outcomes(&id, "update").await, ["changed properties Password, Count"]);
    let (status, body) = json(app.reset_credentials(&id).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.log_outcomes(&id, "reset-credentials").await, ["removed Password"]);

    // An undeclared name stays unknown, in the caller's spelling.
    let (status, error) = json(app.update_connection(&id, &json!({"properties": {"colour": "red"}})).await).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["target"], "properties.colour", "{error}");
}
