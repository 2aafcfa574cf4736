//! Authentication, roles per workspace, users and tokens.

use super::{
    ROUTES, assert_error, create_user, fill, id_of, json, quickbooks_body, spawn_app, spawn_app_with, sqlite_only,
    token,
};
use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn every_route_refuses_a_request_without_a_token_with_401_and_a_challenge() {
    // More routes than the default throttle allows failures.
    let app = spawn_app_with(|config| config.auth_failure_limit = 1000).await;
    let connection = id_of(&app.create_quickbooks("Books").await);
    for (method, template) in ROUTES.iter() {
        // The document is public (tests/api/openapi.rs), and so are health
        // and readiness (tests/api/health.rs) and the OAuth callback (its
        // single-use state authenticates it: tests/api/oauth.rs); everything
        // else needs a token.
        if ["/openapi.json", "/oauth/callback", "/health", "/ready"].contains(template) {
            continue;
        }
        let path = fill(template, &connection, "2026-01-01.log");
        let response = app.anonymous(method.parse().expect("method"), &path).send().await.expect("sent");
        let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().expect("ascii").to_string());
        assert!(challenge.is_some_and(|c| c.starts_with("Basic")), "{method} {path}");
        assert_error(response, 401, "unauthorized").await;
    }
}

#[tokio::test]
async fn wrong_tokens_are_refused_and_basic_auth_takes_the_token_as_password() {
    let app = spawn_app().await;
    let basic = |user: &str, password: &str| {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
    };
    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        ("a wrong token", app.request_as("spt_wrong", Method::GET, "/connectors"), 401),
        ("an empty token", app.request_as("", Method::GET, "/connectors"), 401),
        (
            "basic with the token",
            app.anonymous(Method::GET, "/connectors").header("authorization", basic("anyone", &app.token)),
            200,
        ),
        (
            "basic with no user name",
            app.anonymous(Method::GET, "/connectors").header("authorization", basic("", &app.token)),
            200,
        ),
        (
            "basic with a wrong password",
            app.anonymous(Method::GET, "/connectors").header("authorization", basic("admin", "nope")),
            401,
        ),
        (
            "bearer is not accepted",
            app.anonymous(Method::GET, "/connectors").header("authorization", format!("Bearer {}", app.token)),
            401,
        ),
        ("the header token", app.request(Method::GET, "/connectors"), 200),
    ];
    for (description, request, status) in cases {
        let response = request.send().await.expect("sent");
        assert_eq!(response.status().as_u16(), status, "{description}");
    }
}

#[tokio::test]
async fn roles_allow_what_they_should_in_granted_workspaces() {
    let app = spawn_app().await;
    let connection = id_of(&app.create_quickbooks("Books").await);
    let standard = token(&create_user(&app, "stan", "standard", &["default"]).await);
    let support = token(&create_user(&app, "sue", "support", &["default"]).await);
    let c = |p: &str| format!("/connections/{connection}{p}");
    // (who, token, method, path, body, expected status)
    type Case<'a> = (&'a str, &'a str, Method, String, Option<Value>, u16);
    let cases: Vec<Case> = vec![
        ("standard", &standard, Method::GET, c(""), None, 200),
        ("standard", &standard, Method::PUT, c(""), Some(json!({"labels": ["x"]})), 200),
        ("standard", &standard, Method::POST, c("/test"), None, 200),
        ("standard", &standard, Method::POST, c("/reset-metadata"), None, 200),
        (
            "standard",
            &standard,
            Method::POST,
            "/workspaces/default/connections".into(),
            Some(quickbooks_body("Stan's")),
            201,
        ),
        ("standard", &standard, Method::POST, "/workspaces".into(), Some(json!({"id": "nope"})), 403),
        ("standard", &standard, Method::GET, "/users".into(), None, 403),
        ("support", &support, Method::GET, c(""), None, 200),
        ("support", &support, Method::GET, "/workspaces/default/connections".into(), None, 200),
        ("support", &support, Method::POST, c("/test"), None, 200),
        ("support", &support, Method::POST, c("/tables"), None, 200),
        ("support", &support, Method::GET, c("/tables/Customers/columns"), None, 200),
        ("support", &support, Method::GET, c("/logs"), None, 200),
        ("support", &support, Method::PUT, c(""), Some(json!({"labels": ["y"]})), 403),
        ("support", &support, Method::POST, c("/reset-credentials"), None, 403),
        ("support", &support, Method::POST, c("/reset-metadata"), None, 403),
        ("support", &support, Method::DELETE, c(""), None, 403),
        (
            "support",
            &support,
            Method::POST,
            "/workspaces/default/connections".into(),
            Some(quickbooks_body("Sue's")),
            403,
        ),
        ("support", &support, Method::GET, "/connectors".into(), None, 200),
    ];
    for (who, token, method, path, body, status) in cases {
        let mut request = app.request_as(token, method.clone(), &path);
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await.expect("sent");
        let actual = response.status().as_u16();
        let text = response.text().await.expect("body");
        assert_eq!(actual, status, "{who} {method} {path}: {text}");
        if status == 403 {
            assert!(text.contains("\"forbidden\""), "{text}");
        }
    }
    // The deletes last, once they cannot disturb the table above.
    let response = app.request_as(&standard, Method::DELETE, &c("")).send().await.expect("sent");
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn a_workspace_not_granted_is_not_found_so_ids_do_not_leak() {
    let app = spawn_app().await;
    let response = app.create_workspace(&json!({"id": "secret-team"})).await;
    assert_eq!(response.status(), 201);
    let hidden = id_of(&app.create_ok("secret-team", &quickbooks_body("Hidden")).await);
    let outsider = token(&create_user(&app, "otto", "standard", &["default"]).await);
    let cases = [
        (Method::GET, "/workspaces/secret-team".to_string(), "workspace_not_found"),
        (Method::GET, "/workspaces/secret-team/connections".to_string(), "workspace_not_found"),
        (Method::GET, format!("/connections/{hidden}"), "connection_not_found"),
        (Method::PUT, format!("/connections/{hidden}"), "connection_not_found"),
        (Method::POST, format!("/connections/{hidden}/test"), "connection_not_found"),
        (Method::GET, format!("/connections/{hidden}/logs"), "connection_not_found"),
        (Method::DELETE, format!("/connections/{hidden}"), "connection_not_found"),
    ];
    for (method, path, code) in cases {
        let response = app.request_as(&outsider, method, &path).json(&json!({})).send().await.expect("sent");
        assert_error(response, 404, code).await;
    }
    let (_, workspaces) = json(app.request_as(&outsider, Method::GET, "/workspaces").send().await.expect("sent")).await;
    let ids: Vec<&str> =
        workspaces["value"].as_array().expect("value").iter().filter_map(|w| w["id"].as_str()).collect();
    assert_eq!(ids, ["default"]);
    let (_, all) = json(app.list_workspaces().await).await;
    assert_eq!(all["value"].as_array().map(Vec::len), Some(2), "the admin sees every workspace");
}

#[tokio::test]
async fn a_new_token_is_shown_once_and_old_ones_can_be_revoked() {
    let app = spawn_app().await;
    let user = create_user(&app, "rota", "support", &["default"]).await;
    let (id, first) = (id_of(&user), token(&user));
    let (status, fetched) = json(app.request(Method::GET, &format!("/users/{id}")).send().await.expect("sent")).await;
    assert_eq!(status, 200);
    assert!(fetched.get("token").is_none(), "a token is never shown again: {fetched}");
    assert_eq!(fetched["tokens"].as_array().map(Vec::len), Some(1));

    let made = app.request(Method::POST, &format!("/users/{id}/generate-token")).send().await.expect("sent");
    let (status, second) = json(made).await;
    assert_eq!(status, 201, "{second}");
    let second_token = second["token"].as_str().expect("token").to_string();
    assert!(second_token.starts_with("spt_") && second_token.len() >= 40, "at least 128 random bits: {second_token}");
    for t in [&first, &second_token] {
        assert_eq!(app.request_as(t, Method::GET, "/connectors").send().await.expect("sent").status(), 200);
    }
    let third = app
        .request(Method::POST, &format!("/users/{id}/generate-token"))
        .json(&json!({"revoke_others": true, "expires_in_days": 30}))
        .send()
        .await
        .expect("sent");
    let (_, third) = json(third).await;
    assert!(third["expires_at"].is_string(), "{third}");
    for t in [&first, &second_token] {
        let response = app.request_as(t, Method::GET, "/connectors").send().await.expect("sent");
        assert_error(response, 401, "unauthorized").await;
    }
    let third_token = third["token"].as_str().expect("token");
    assert_eq!(app.request_as(third_token, Method::GET, "/connectors").send().await.expect("sent").status(), 200);
    let revoke = format!("/users/{id}/tokens/{}", third["id"].as_str().expect("id"));
    assert_eq!(app.request(Method::DELETE, &revoke).send().await.expect("sent").status(), 204);
    assert_error(
        app.request_as(third_token, Method::GET, "/connectors").send().await.expect("sent"),
        401,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn users_are_managed_by_admins_with_clear_errors() {
    let app = spawn_app().await;
    let user = create_user(&app, "una", "standard", &["default"]).await;
    let id = id_of(&user);
    let update = app
        .request(Method::PUT, &format!("/users/{id}"))
        .json(&json!({"role": "support", "workspaces": []}))
        .send()
        .await
        .expect("sent");
    let (status, updated) = json(update).await;
    assert_eq!((status, updated["role"].as_str()), (200, Some("support")), "{updated}");
    assert_eq!(updated["workspaces"], json!([]));
    let cases: Vec<(&str, Method, String, Value, u16, &str)> = vec![
        ("a taken name", Method::POST, "/users".into(), json!({"name": "UNA", "role": "support"}), 409, "user_exists"),
        ("an unknown role", Method::POST, "/users".into(), json!({"name": "x", "role": "root"}), 400, "invalid_field"),
        ("no role", Method::POST, "/users".into(), json!({"name": "x"}), 400, "missing_field"),
        (
            "an unknown workspace",
            Method::POST,
            "/users".into(),
            json!({"name": "x", "role": "support", "workspaces": ["nope"]}),
            400,
            "unknown_workspace",
        ),
        (
            "an unknown field",
            Method::POST,
            "/users".into(),
            json!({"name": "x", "role": "support", "password": "p"}),
            400,
            "unknown_field",
        ),
        (
            "an unknown user",
            Method::GET,
            "/users/00000000-0000-0000-0000-000000000000".into(),
            json!({}),
            404,
            "user_not_found",
        ),
        ("a malformed user id", Method::GET, "/users/nope".into(), json!({}), 404, "user_not_found"),
    ];
    for (description, method, path, body, status, code) in cases {
        let response = app.request(method, &path).json(&body).send().await.expect("sent");
        let (actual, error) = json(response).await;
        assert_eq!((actual, error["error"]["code"].as_str()), (status, Some(code)), "{description}: {error}");
    }
    assert_eq!(app.request(Method::DELETE, &format!("/users/{id}")).send().await.expect("sent").status(), 204);
    let (_, users) = json(app.request(Method::GET, "/users").send().await.expect("sent")).await;
    let admin = users["value"][0]["id"].as_str().expect("the admin").to_string();
    let last = app.request(Method::DELETE, &format!("/users/{admin}")).send().await.expect("sent");
    assert_error(last, 409, "last_admin").await;
    let demote = app
        .request(Method::PUT, &format!("/users/{admin}"))
        .json(&json!({"role": "standard"}))
        .send()
        .await
        .expect("sent");
    assert_error(demote, 409, "own_role").await;
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes_on_sqlite() {
    sqlite_only();
    let app = spawn_app().await;
    let user = create_user(&app, "hash", "support", &["default"]).await;
    let secret = token(&user);
    let data = app.data.path().join("data");
    for file in ["syncport.db", "syncport.db-wal"] {
        let bytes = std::fs::read(data.join(file)).unwrap_or_default();
        for t in [&secret, &app.token] {
            let needle = t.as_bytes();
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{file} holds a token in clear");
        }
    }
}

#[tokio::test]
async fn repeated_authentication_failures_from_one_address_are_throttled() {
    let app = spawn_app_with(|config| config.auth_failure_limit = 3).await;
    for _ in 0..3 {
        assert_error(
            app.request_as("spt_bad", Method::GET, "/connectors").send().await.expect("sent"),
            401,
            "unauthorized",
        )
        .await;
    }
    let blocked = app.request(Method::GET, "/connectors").send().await.expect("sent");
    let retry = blocked.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
    assert_error(blocked, 429, "too_many_auth_failures").await;
}

#[tokio::test]
async fn deleting_a_workspace_drops_its_grants_so_a_new_one_of_that_id_grants_nothing() {
    let app = spawn_app().await;
    assert_eq!(app.create_workspace(&json!({"id": "finance"})).await.status(), 201);
    let user = create_user(&app, "fay", "standard", &["default", "finance"]).await;
    let (id, fay) = (id_of(&user), token(&user));
    assert_eq!(app.request_as(&fay, Method::GET, "/workspaces/finance").send().await.expect("sent").status(), 200);
    assert_eq!(app.delete_workspace("finance").await.status(), 204);
    assert_eq!(app.create_workspace(&json!({"id": "finance"})).await.status(), 201);
    let response = app.request_as(&fay, Method::GET, "/workspaces/finance").send().await.expect("sent");
    assert_error(response, 404, "workspace_not_found").await;
    let (_, fetched) = json(app.request(Method::GET, &format!("/users/{id}")).send().await.expect("sent")).await;
    assert_eq!(fetched["workspaces"], json!(["default"]));
}
