//! Workspaces: list, create, read, delete.

use super::{assert_error, id_of, json, quickbooks_body, spawn_app};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<&str> {
    list["value"].as_array().expect("value").iter().map(|w| w["id"].as_str().expect("id")).collect()
}

#[tokio::test]
async fn the_default_workspace_always_exists() {
    let app = spawn_app().await;
    let (status, list) = json(app.list_workspaces().await).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&list), ["default"]);

    let (status, default) = json(app.get_workspace("default").await).await;
    assert_eq!(status, 200);
    assert_eq!(default["id"], "default");
    assert_eq!(default["connection_count"], 0);

    let (status, list) = json(app.list_connections("default", "").await).await;
    assert_eq!(status, 200);
    assert_eq!(list, json!({"value": []}));
}

#[tokio::test]
async fn a_created_workspace_can_be_read_listed_and_deleted() {
    let app = spawn_app().await;
    let response = app.create_workspace(&json!({"id": "sales", "name": "Sales"})).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], "/api.rsc/v2/workspaces/sales");
    let (_, created) = json(response).await;
    assert_eq!(created["id"], "sales");
    assert_eq!(created["name"], "Sales");
    assert_eq!(created["connection_count"], 0);

    let (status, read) = json(app.get_workspace("sales").await).await;
    assert_eq!(status, 200);
    assert_eq!(read["name"], "Sales");
    let (_, list) = json(app.list_workspaces().await).await;
    assert_eq!(ids(&list), ["default", "sales"]);

    let response = app.delete_workspace("sales").await;
    assert_eq!(response.status(), 204);
    assert_error(app.get_workspace("sales").await, 404, "workspace_not_found").await;
    let (_, list) = json(app.list_workspaces().await).await;
    assert_eq!(ids(&list), ["default"]);
}

#[tokio::test]
async fn connections_live_in_their_own_workspace() {
    let app = spawn_app().await;
    app.create_workspace(&json!({"id": "sales"})).await;
    app.create_ok("sales", &quickbooks_body("Books")).await;
    // The same name in another workspace is not taken.
    app.create_ok("default", &quickbooks_body("Books")).await;

    let (_, sales) = json(app.get_workspace("sales").await).await;
    assert_eq!(sales["connection_count"], 1);
    let (_, list) = json(app.list_connections("sales", "").await).await;
    assert_eq!(list["value"].as_array().expect("value").len(), 1);
    assert_eq!(list["value"][0]["workspace_id"], "sales");
}

#[tokio::test]
async fn a_workspace_holding_connections_cannot_be_deleted_until_it_is_empty() {
    let app = spawn_app().await;
    app.create_workspace(&json!({"id": "sales"})).await;
    let connection = app.create_ok("sales", &quickbooks_body("Books")).await;

    assert_error(app.delete_workspace("sales").await, 409, "workspace_not_empty").await;
    assert_eq!(app.get_workspace("sales").await.status(), 200);

    assert_eq!(app.delete_connection(&id_of(&connection)).await.status(), 204);
    assert_eq!(app.delete_workspace("sales").await.status(), 204);
}

#[tokio::test]
async fn the_default_workspace_cannot_be_deleted() {
    let app = spawn_app().await;
    assert_error(app.delete_workspace("default").await, 409, "default_workspace").await;
    assert_eq!(app.get_workspace("default").await.status(), 200);
}

#[tokio::test]
async fn workspace_failures_use_the_error_shape_with_stable_codes() {
    let app = spawn_app().await;
    app.create_workspace(&json!({"id": "sales"})).await;
    let cases: Vec<(&str, reqwest::Response, u16, &str)> = vec![
        ("unknown workspace read", app.get_workspace("nope").await, 404, "workspace_not_found"),
        ("unknown workspace delete", app.delete_workspace("nope").await, 404, "workspace_not_found"),
        ("connections of an unknown workspace", app.list_connections("nope", "").await, 404, "workspace_not_found"),
        (
            "create in an unknown workspace",
            app.create_connection("nope", &quickbooks_body("Books")).await,
            404,
            "workspace_not_found",
        ),
        ("create an existing id", app.create_workspace(&json!({"id": "sales"})).await, 409, "workspace_exists"),
        ("create without id", app.create_workspace(&json!({"name": "x"})).await, 400, "missing_field"),
        ("create with a path-like id", app.create_workspace(&json!({"id": "../x"})).await, 400, "invalid_field"),
        (
            "create with an unknown key",
            app.create_workspace(&json!({"id": "x", "colour": "red"})).await,
            400,
            "unknown_field",
        ),
        ("create with a number id", app.create_workspace(&json!({"id": 5})).await, 400, "invalid_field"),
        (
            "create with an overlong name",
            app.create_workspace(&json!({"id": "long", "name": "n".repeat(129)})).await,
            400,
            "invalid_field",
        ),
        (
            "create with a control character in the name",
            app.create_workspace(&json!({"id": "ctl", "name": "a\u{7}b"})).await,
            400,
            "invalid_field",
        ),
    ];
    for (description, response, status, code) in cases {
        let (actual, body) = json(response).await;
        assert_eq!((actual, body["error"]["code"].as_str()), (status, Some(code)), "{description}: {body}");
        super::assert_error_shape(&body);
    }
}
