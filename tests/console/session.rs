//! The console's session rules, over plain HTTP: signing in, the CSRF
//! token every form carries, the cookie's attributes, the
//! Content-Security-Policy of every page, redirects that stay on this site,
//! and revocation.

use super::visitor::{SESSION, SIGN_IN_COOKIE, Visitor, input_value};
use crate::api::{create_user, id_of, json, quickbooks_body, spawn_app, spawn_jobs_app, token};
use crate::helpers::component;
use crate::hostile::renamed;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn signing_in_with_the_admin_token_through_the_form_opens_a_session() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    let form = visitor.get("/sign-in").await;
    assert_eq!(form.status, 200, "{}", form.body);
    for field in ["user", "token", "csrf", "next"] {
        assert!(form.input(field).is_some() || form.body.contains(&format!("name=\"{field}\"")), "field {field}");
    }
    assert!(visitor.cookie(SIGN_IN_COOKIE).is_some(), "the form comes with its cookie: {:?}", form.set_cookies());

    let signed = visitor.sign_in(Some("admin"), &app.token, "/connectors").await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.location(), Some("/connectors"), "back to where the user was going");
    let page = visitor.get("/connectors").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("admin"), "the header names who is signed in");
}

#[tokio::test]
async fn a_wrong_token_or_a_token_of_another_user_opens_no_session() {
    let app = spawn_app().await;
    let rita = token(&create_user(&app, "rita", "standard", &["default"]).await);
    for (user, token, why) in
        [(None, "spt_not-a-token", "an unknown token"), (Some("admin"), rita.as_str(), "rita's token named as admin's")]
    {
        let mut visitor = Visitor::new(&app);
        let page = visitor.sign_in(user, token, "/").await;
        assert_eq!(page.status, 401, "{why}: {}", page.body);
        assert!(page.body.contains("id=\"sign-in-error\""), "{why}: the form says what went wrong");
        assert!(visitor.cookie(SESSION).is_none(), "{why}: no session cookie: {:?}", page.set_cookies());
        assert!(!page.body.contains(token), "{why}: the token is not echoed back");
    }
}

#[tokio::test]
async fn the_sign_in_form_is_refused_with_403_without_its_cookie_or_with_another_forms_token() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    let form = visitor.get("/sign-in").await;
    let csrf = form.input("csrf").expect("csrf");

    let mut stranger = Visitor::new(&app);
    let page = stranger.post("/sign-in", &[("csrf", &csrf), ("next", "/"), ("token", &app.token)]).await;
    assert_eq!(page.status, 403, "a post without the form's cookie (another site's form): {}", page.body);
    assert!(stranger.cookie(SESSION).is_none());

    let page = visitor.post("/sign-in", &[("csrf", "0123"), ("next", "/"), ("token", &app.token)]).await;
    assert_eq!(page.status, 403, "a token that is not the form's: {}", page.body);
    let page = visitor.post("/sign-in", &[("next", "/"), ("token", &app.token)]).await;
    assert_eq!(page.status, 403, "no token at all: {}", page.body);
    assert!(visitor.cookie(SESSION).is_none(), "no session came of it");
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_or_with_a_wrong_one_is_refused_with_403() {
    let app = spawn_app().await;
    let mut visitor = Visitor::signed_in(&app, &app.token).await;
    let csrf = visitor.csrf().await;
    let other = Visitor::signed_in(&app, &app.token).await.csrf().await;
    assert_ne!(csrf, other, "each session has its own CSRF token");

    for (fields, why) in [
        (vec![], "no csrf field"),
        (vec![("csrf", "")], "an empty one"),
        (vec![("csrf", "wrong")], "a wrong one"),
        (vec![("csrf", other.as_str())], "another session's"),
    ] {
        let page = visitor.post("/sign-out", &fields).await;
        assert_eq!(page.status, 403, "{why}: {}", page.body);
        assert!(page.body.contains("CSRF"), "{why}: the page says why");
        assert!(visitor.cookie(SESSION).is_some(), "{why}: the session is not ended");
    }
    assert_eq!(visitor.get("/connectors").await.status, 200, "still signed in");

    let page = visitor.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(visitor.cookie(SESSION).is_none(), "signing out clears the cookie: {:?}", page.set_cookies());
    let page = visitor.get("/connectors").await;
    assert_eq!(page.status, 303);
    assert!(page.location().is_some_and(|l| l.starts_with("/sign-in")), "{:?}", page.location());
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_strict_and_holds_no_token_in_clear() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    let form = visitor.get("/sign-in").await;
    let form_cookie = form.set_cookie(SIGN_IN_COOKIE).expect("the form's cookie");
    let signed = visitor.sign_in(None, &app.token, "/").await;
    let session = signed.set_cookie(SESSION).expect("the session cookie");
    for (cookie, name) in [(&session, SESSION), (&form_cookie, SIGN_IN_COOKIE)] {
        let attributes: Vec<String> = cookie.split(';').skip(1).map(|a| a.trim().to_ascii_lowercase()).collect();
        assert!(attributes.iter().any(|a| a == "httponly"), "{name} is HttpOnly: {cookie}");
        assert!(attributes.iter().any(|a| a == "samesite=strict"), "{name} is SameSite=Strict: {cookie}");
        assert!(!attributes.iter().any(|a| a.starts_with("domain")), "{name} is for this host only: {cookie}");
    }
    assert!(session.to_ascii_lowercase().contains("path=/"), "{session}");
    let value = visitor.cookie(SESSION).expect("kept");
    assert!(!value.contains(&app.token) && !value.contains(app.token.trim_start_matches("spt_")), "sealed: {value}");

    let mut tampered = value.to_string();
    let last = tampered.pop().map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
    tampered.push(last);
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{}/connectors", visitor.origin))
        .header("cookie", format!("{SESSION}={tampered}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), 303, "a tampered cookie is no session");
}

#[tokio::test]
async fn every_console_page_has_a_content_security_policy_without_unsafe_inline() {
    let app = spawn_app().await;
    let mut anonymous = Visitor::new(&app);
    let mut admin = Visitor::signed_in(&app, &app.token).await;
    let mut pages = Vec::new();
    for path in ["/sign-in", "/sign-in?next=%2Fconnectors", "/", "/connectors", "/workspaces/default/connections"] {
        pages.push((format!("signed out: {path}"), anonymous.get(path).await));
    }
    for path in [
        "/",
        "/connectors",
        "/users",
        "/workspaces/default/connections",
        "/workspaces/default/connections/new",
        "/workspaces/default/jobs",
        "/workspaces/nowhere/connections",
        "/connections/00000000-0000-0000-0000-000000000000",
    ] {
        pages.push((format!("signed in: {path}"), admin.get(path).await));
    }
    let csrf = admin.csrf().await;
    pages.push(("a refused post".into(), admin.post("/sign-out", &[("csrf", "wrong")]).await));
    pages.push(("signing out".into(), admin.post("/sign-out", &[("csrf", &csrf)]).await));
    for (what, page) in pages {
        let policy = page
            .headers
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{what} ({}) has a Content-Security-Policy", page.status))
            .to_str()
            .expect("ASCII")
            .to_string();
        for unsafe_source in ["'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:"] {
            assert!(!policy.split_whitespace().any(|s| s == unsafe_source), "{what}: {policy}");
        }
        for directive in ["default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"] {
            assert!(policy.contains(directive), "{what}: {directive} in {policy}");
        }
        assert_eq!(page.headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
        if page.headers.get("content-type").is_some_and(|v| v.to_str().unwrap_or_default().starts_with("text/html")) {
            // What the policy would block must not be relied on.
            let html = page.body.to_ascii_lowercase();
            assert!(!html.contains("<script"), "{what}: no script");
            assert!(!html.contains(" style=") && !html.contains("<style"), "{what}: no inline style");
            assert!(!inline_handler(&html), "{what}: no inline event handler");
        }
    }
}

/// Whether `html` has an inline event handler attribute (`onclick=`, ...).
fn inline_handler(html: &str) -> bool {
    html.split(|c: char| c.is_whitespace()).any(|word| {
        word.strip_prefix("on")
            .and_then(|rest| rest.split_once('='))
            .is_some_and(|(name, _)| !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase()))
    })
}

#[tokio::test]
async fn a_next_that_leaves_the_site_is_not_followed_after_signing_in() {
    let app = spawn_app().await;
    for next in [
        "//evil.example",
        "//evil.example/connectors",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        // Browsers drop tabs and newlines from a URL: `/<TAB>/evil.example` is `//evil.example`.
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
    ] {
        let mut visitor = Visitor::new(&app);
        let form = visitor.get(&format!("/sign-in?next={}", super::visitor::encode(next))).await;
        assert_eq!(form.status, 200, "{next:?}: {}", form.body);
        assert_eq!(form.input("next").as_deref(), Some("/"), "{next:?}: the form goes back to / instead");
        // And posted as is, past the form.
        let csrf = form.input("csrf").expect("csrf");
        let page = visitor.post("/sign-in", &[("csrf", &csrf), ("next", next), ("token", &app.token)]).await;
        assert_eq!(page.status, 303, "{next:?}: {}", page.body);
        assert_eq!(page.location(), Some("/"), "{next:?}");
    }
    let mut visitor = Visitor::new(&app);
    let page = visitor.sign_in(None, &app.token, "/workspaces/default/jobs?x=1").await;
    assert_eq!(page.location(), Some("/workspaces/default/jobs?x=1"), "a path of this site is kept");
}

#[tokio::test]
async fn a_page_asked_for_while_signed_out_leads_to_the_sign_in_form_and_back() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    let page = visitor.get("/workspaces/default/connections?label=prod").await;
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location().expect("a redirect").to_string();
    assert!(location.starts_with("/sign-in?"), "{location}");
    let form = visitor.get(&location).await;
    assert_eq!(form.input("next").as_deref(), Some("/workspaces/default/connections?label=prod"));
    let csrf = form.input("csrf").expect("csrf");
    let next = form.input("next").expect("next");
    let page = visitor.post("/sign-in", &[("csrf", &csrf), ("next", &next), ("token", &app.token)]).await;
    assert_eq!(page.location(), Some("/workspaces/default/connections?label=prod"));
}

#[tokio::test]
async fn a_revoked_token_ends_the_session() {
    let app = spawn_app().await;
    let rita = create_user(&app, "rita", "standard", &["default"]).await;
    let mut visitor = Visitor::signed_in(&app, &token(&rita)).await;
    let page = visitor.get("/workspaces/default/connections").await;
    assert_eq!(page.status, 200, "{}", page.body);

    let user = rita["id"].as_str().expect("id");
    let token_id = rita["tokens"][0]["id"].as_str().expect("its token's id");
    let revoked = app.request(Method::DELETE, &format!("/users/{user}/tokens/{token_id}")).send().await.expect("sent");
    assert_eq!(revoked.status(), 204);

    let page = visitor.get("/workspaces/default/connections").await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(page.location().is_some_and(|l| l.starts_with("/sign-in")), "{:?}", page.location());
    assert!(visitor.cookie(SESSION).is_none(), "the cookie is cleared: {:?}", page.set_cookies());
    let csrf = input_value(&visitor.get("/sign-in").await.body, "csrf").expect("csrf");
    let page = visitor.post("/sign-in", &[("csrf", &csrf), ("next", "/"), ("token", &token(&rita))]).await;
    assert_eq!(page.status, 401, "the revoked token cannot sign in again");
}

#[tokio::test]
async fn deleting_a_user_ends_their_sessions() {
    let app = spawn_app().await;
    let rita = create_user(&app, "rita", "standard", &["default"]).await;
    let mut visitor = Visitor::signed_in(&app, &token(&rita)).await;
    assert_eq!(visitor.get("/connectors").await.status, 200);
    let user = rita["id"].as_str().expect("id");
    let deleted = app.request(Method::DELETE, &format!("/users/{user}")).send().await.expect("sent");
    assert_eq!(deleted.status(), 204);
    let page = visitor.get("/connectors").await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(visitor.cookie(SESSION).is_none());
}

#[tokio::test]
async fn every_form_of_the_console_refuses_a_post_without_the_sessions_csrf_token_and_changes_nothing() {
    let app = spawn_jobs_app(Duration::from_secs(30)).await;
    let mut books = quickbooks_body("Books");
    books["connector_version"] = json!("2.0.0");
    let source = id_of(&app.create_ok("default", &books).await);
    let files = id_of(&app.create_ok("default", &json!({"name": "Files", "connector": "CSV"})).await);
    let job = json!({"name": "Nightly", "source_connection_id": source, "destination_connection_id": files});
    let (status, job) = json(app.create_job("default", &job).await).await;
    assert_eq!(status, 201, "{job}");
    let job = id_of(&job);
    let acme = renamed(&component("fixtures/stub-renamable.wasm"), "Acme", "1.0.0");
    assert_eq!(app.install_connector(acme.clone(), None).await.status(), 201);
    let rita = create_user(&app, "rita", "standard", &["default"]).await;
    let (user, rita_token) = (id_of(&rita), rita["tokens"][0]["id"].as_str().expect("a token id").to_string());

    let mut visitor = Visitor::signed_in(&app, &app.token).await;
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/sign-out".into(), vec![]),
        (
            "/workspaces/default/connections".into(),
            vec![("name", "Made"), ("connector", "CSV"), ("connector_version", "1.0.0")],
        ),
        (
            format!("/connections/{source}"),
            vec![("name", "Renamed"), ("connector", "QuickBooks"), ("connector_version", "2.0.0")],
        ),
        (format!("/connections/{source}/test"), vec![]),
        (format!("/connections/{source}/reset-metadata"), vec![]),
        (format!("/connections/{source}/reset-credentials"), vec![]),
        (format!("/connections/{source}/authorize"), vec![]),
        (format!("/connections/{files}/delete"), vec![]),
        ("/connectors/Acme/versions/1.0.0/remove".into(), vec![]),
        (
            "/workspaces/default/jobs".into(),
            vec![
                ("name", "Made"),
                ("source_connection_id", &source),
                ("destination_connection_id", &files),
                ("tables", "all"),
            ],
        ),
        (
            format!("/jobs/{job}"),
            vec![
                ("name", "Renamed"),
                ("source_connection_id", &source),
                ("destination_connection_id", &files),
                ("tables", "all"),
            ],
        ),
        (format!("/jobs/{job}/run"), vec![]),
        (format!("/jobs/{job}/cancel"), vec![]),
        (format!("/jobs/{job}/delete"), vec![]),
        ("/users".into(), vec![("name", "mallory"), ("role", "admin")]),
        (format!("/users/{user}"), vec![("role", "admin")]),
        (format!("/users/{user}/generate-token"), vec![("revoke_others", "1")]),
        (format!("/users/{user}/tokens/{rita_token}/revoke"), vec![]),
        (format!("/users/{user}/delete"), vec![]),
    ];
    for (path, fields) in &forms {
        for csrf in [None, Some("wrong")] {
            let mut posted = fields.clone();
            posted.extend(csrf.map(|c| ("csrf", c)));
            let page = visitor.post(path, &posted).await;
            assert_eq!(page.status, 403, "{path} with csrf {csrf:?}: {}", page.body);
            assert!(page.body.contains("CSRF"), "{path}: the page says why");
        }
    }
    for path in ["/connectors", "/connectors/try"] {
        for csrf in [None, Some("wrong")] {
            let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![("component", Some("acme.wasm"), &acme)];
            parts.extend(csrf.map(|c| ("csrf", None, c.as_bytes())));
            let page = visitor.post_multipart(path, &parts).await;
            assert_eq!(page.status, 403, "{path} (an upload) with csrf {csrf:?}: {}", page.body);
        }
    }

    // Nothing changed.
    assert!(visitor.cookie(SESSION).is_some(), "still signed in");
    assert_eq!(app.connection_names("default", "").await, ["Books", "Files"]);
    let read = app.get_ok(&source).await;
    assert_eq!((read["status"].as_str(), read["last_tested_at"].as_str()), (Some("untested"), None), "{read}");
    assert_eq!(read["properties"]["OAuthAccessToken"], "********", "credentials not reset: {read}");
    let (_, stored_job) = json(app.get_job(&job).await).await;
    assert_eq!(stored_job["name"], "Nightly");
    let (_, history) = json(app.job_history(&job, "").await).await;
    assert_eq!(history["value"].as_array().map(Vec::len), Some(0), "never run: {history}");
    assert_eq!(app.get_connector_version("Acme", "1.0.0").await.status(), 200);
    let (_, users) = json(app.request(Method::GET, "/users").send().await.expect("sent")).await;
    let names: Vec<&str> =
        users["value"].as_array().expect("users").iter().filter_map(|u| u["name"].as_str()).collect();
    assert_eq!(names.len(), 2, "{users}");
    let (_, rita) = json(app.request(Method::GET, &format!("/users/{user}")).send().await.expect("sent")).await;
    assert_eq!(rita["role"], "standard");
    assert_eq!(rita["tokens"].as_array().map(Vec::len), Some(1), "{rita}");
}
