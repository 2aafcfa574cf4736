//! Secrets at rest: encrypted in the database, with a key that persists,
//! is refused when others can read it, and can be rotated; and never shown
//! in a response, a connection log, a server log line or the database file.

use super::{TestApp, fill, id_of, json, quickbooks_body, server_log, spawn_app, spawn_app_with, sqlite_only, text};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use syncport::secrets::{self, KeyConfig, SecretKey};
use syncport::server::{self, ServerConfig};

/// The admin token of the servers these tests restart on one data directory.
const TOKEN: &str = "secrets-test-admin-token-0123456789";

/// A value found nowhere else: `label` and 32 random hex digits.
fn canary(label: &str) -> String {
    format!("canary{label}{}", uuid::Uuid::new_v4().simple())
}

/// A new random key.
fn random_key() -> SecretKey {
    SecretKey::from_base64(&SecretKey::generate_base64().expect("random"), "test key").expect("key")
}

/// The bytes of the SQLite database of data directory `data`: the file, its
/// write-ahead log and its shared-memory index, whichever exist.
fn database_bytes(data: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["syncport.db", "syncport.db-wal", "syncport.db-shm"] {
        if let Ok(content) = std::fs::read(data.join(name)) {
            bytes.extend_from_slice(&content);
        }
    }
    assert!(!bytes.is_empty(), "no database in {}", data.display());
    bytes
}

/// Everything the database holds: SQLite's files, or on PostgreSQL every
/// row of every table as text (`bytea` in PostgreSQL's hex form: look for
/// `hex::encode(needle)` too).
async fn database_contents(app: &TestApp) -> Vec<u8> {
    let Some(pool) = app.postgres_pool().await else { return database_bytes(&data_dir(app)) };
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'")
            .fetch_all(&pool)
            .await
            .expect("the tables");
    assert!(tables.iter().any(|t| t == "connections"), "the tables of the database: {tables:?}");
    let mut text = String::new();
    for table in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t"))
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("reading {table}: {e}"));
        text.extend(rows.into_iter().map(|row| row + "\n"));
    }
    text.into_bytes()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The data directory of a `spawn_app` server.
fn data_dir(app: &TestApp) -> PathBuf {
    app.data.path().join("data")
}

/// The SQLite URL of a data directory.
fn sqlite_url(data: &Path) -> String {
    format!("sqlite://{}", data.join("syncport.db").display())
}

/// A QuickBooks create body with `secrets` as its client secret, access
/// token and refresh token.
fn quickbooks_with(name: &str, secrets: [&str; 3]) -> Value {
    let mut body = quickbooks_body(name);
    body["properties"]["OAuthClientSecret"] = json!(secrets[0]);
    body["properties"]["OAuthAccessToken"] = json!(secrets[1]);
    body["properties"]["OAuthRefreshToken"] = json!(secrets[2]);
    body
}

/// A Salesforce create body (Basic) with `secrets` as its password,
/// security token and OAuth access token.
fn salesforce_with(name: &str, user: &str, secrets: [&str; 3]) -> Value {
    json!({
        "name": name,
        "connector": "Salesforce",
        "properties": {
            "User": user,
            "Password": secrets[0],
            "SecurityToken": secrets[1],
            "OAuthAccessToken": secrets[2]
        }
    })
}

/// Starts a server on the data directory `data` (kept across restarts),
/// with `keys`.
async fn spawn_app_on(data: &Path, keys: KeyConfig) -> TestApp {
    let data = data.to_path_buf();
    spawn_app_with(move |c| {
        c.data_dir = data;
        c.admin_token = Some(TOKEN.into());
        c.secret_keys = keys;
    })
    .await
}

/// Why a server on `data` with `keys` does not start.
async fn start_error(data: &Path, keys: KeyConfig) -> String {
    let config = ServerConfig { secret_keys: keys, admin_token: Some(TOKEN.into()), ..ServerConfig::new(data) };
    match server::start(&config, "127.0.0.1:0".parse().expect("addr"), std::future::pending()).await {
        Ok(running) => panic!("the server started on {}", running.addr),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn the_database_holds_no_secret_and_no_property_name_in_clear_on_sqlite() {
    sqlite_only();
    let app = spawn_app().await;
    let qb = [canary("QbClientSecret"), canary("QbAccessToken"), canary("QbRefreshToken")];
    let sf = [canary("SfPassword"), canary("SfSecurityToken"), canary("SfAccessToken")];
    let user = format!("{}@example.com", canary("SfUser"));
    app.create_ok("default", &quickbooks_with("Books at rest", [&qb[0], &qb[1], &qb[2]])).await;
    app.create_ok("default", &salesforce_with("Sales at rest", &user, [&sf[0], &sf[1], &sf[2]])).await;

    let db = database_bytes(&data_dir(&app));
    assert!(contains(&db, "Books at rest") && contains(&db, "Sales at rest"), "the rows are in the files read");
    for secret in qb.iter().chain(&sf) {
        assert!(!contains(&db, secret), "{secret} is in the database in clear");
    }
    // The whole properties object is one envelope: no name and no value,
    // secret or not, is readable.
    assert!(!contains(&db, &user), "a non-secret value is in the database in clear");
    for name in ["OAuthClientSecret", "OAuthAccessToken", "OAuthRefreshToken", "SecurityToken", "CompanyId"] {
        assert!(!contains(&db, name), "the property name {name} is in the database in clear");
    }
    assert!(contains(&db, "v1:"), "the properties are stored as envelopes");
}

#[tokio::test]
async fn the_key_file_is_owner_only_and_a_key_file_others_can_read_is_refused() {
    let app = spawn_app().await;
    let key_file = data_dir(&app).join("secret.key");
    let mode = std::fs::metadata(&key_file).expect("the first start made a key file").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");

    let data = tempfile::tempdir().expect("data dir");
    let key = SecretKey::generate_base64().expect("random");
    let path = data.path().join("secret.key");
    std::fs::write(&path, &key).expect("write key");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let error = start_error(data.path(), KeyConfig::default()).await;
    assert!(error.contains(&path.display().to_string()), "names the file: {error}");
    assert!(error.contains("0644") && error.contains("chmod 600"), "says what to do: {error}");
    assert!(!error.contains(key.trim()), "never shows the key: {error}");
    assert!(!data.path().join("syncport.db").exists(), "refused before opening the database");
}

#[tokio::test]
async fn a_restart_reads_the_secrets_back_and_a_different_key_refuses_to_start_on_sqlite() {
    sqlite_only();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let secret = canary("RestartSecret");
    let (good, expired) = {
        let app = spawn_app_on(&data, KeyConfig::default()).await;
        let good = id_of(
            &app.create_ok("default", &quickbooks_with("Good", [&secret, "access-token", "refresh-token"])).await,
        );
        let expired = id_of(
            &app.create_ok("default", &quickbooks_with("Expired", ["client-secret", "expired-token", "refresh-token"]))
                .await,
        );
        (good, expired)
    };

    let app = spawn_app_on(&data, KeyConfig::default()).await;
    let read = app.get_ok(&good).await;
    assert_eq!(read["properties"]["CompanyId"], "9130357766");
    assert_eq!(read["properties"]["OAuthClientSecret"], "********");
    assert_eq!(app.test_ok(&good).await["success"], true, "the secrets decrypt to what was stored");
    let failed = app.test_ok(&expired).await;
    assert_eq!(failed["error"]["code"], "auth_failed", "{failed}");
    assert!(failed["message"].as_str().expect("message").contains("expired"), "{failed}");
    drop(app);

    let key_file = std::fs::read_to_string(data.join("secret.key")).expect("key file");
    let error = start_error(&data, KeyConfig::with_key(random_key())).await;
    assert!(error.contains("does not have") && error.contains("SYNCPORT_SECRET_KEY"), "{error}");
    assert!(!error.contains(&secret) && !error.contains(key_file.trim()), "{error}");

    // Without its key file the server refuses too, and leaves no new key behind.
    std::fs::rename(data.join("secret.key"), dir.path().join("kept.key")).expect("move the key away");
    let error = start_error(&data, KeyConfig::default()).await;
    assert!(error.contains("does not have"), "{error}");
    assert!(!data.join("secret.key").exists(), "no stray key file");
}

#[tokio::test]
async fn a_key_from_the_environment_writes_no_key_file_and_is_needed_again_to_start_on_sqlite() {
    sqlite_only();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let key_text = SecretKey::generate_base64().expect("random");
    let key = || SecretKey::from_base64(&key_text, "SYNCPORT_SECRET_KEY").expect("key");
    let id = {
        let app = spawn_app_on(&data, KeyConfig::with_key(key())).await;
        id_of(
            &app.create_ok("default", &quickbooks_with("Env key", ["client-secret", "access-token", "refresh-token"]))
                .await,
        )
    };
    assert!(!data.join("secret.key").exists(), "with a key in the environment, no key file is made");

    let app = spawn_app_on(&data, KeyConfig::with_key(key())).await;
    assert_eq!(app.test_ok(&id).await["success"], true);
    drop(app);
    let error = start_error(&data, KeyConfig::default()).await;
    assert!(error.contains("does not have"), "{error}");
    assert!(!data.join("secret.key").exists(), "no stray key file");
}

#[tokio::test]
async fn rotate_key_re_encrypts_everything_and_the_old_key_decrypts_nothing_on_sqlite() {
    sqlite_only();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let secret = canary("RotatedSecret");
    let (books, sales) = {
        let app = spawn_app_on(&data, KeyConfig::default()).await;
        let books = id_of(
            &app.create_ok("default", &quickbooks_with("Books", [&secret, "access-token", "refresh-token"])).await,
        );
        let sales = id_of(
            &app.create_ok("default", &salesforce_with("Sales", "admin@example.com", ["pass", "token", "oauth"])).await,
        );
        assert!(!app.tables_ok(&books, "").await.is_empty(), "cached metadata, whose key is encrypted too");
        (books, sales)
    };
    let old_text = std::fs::read_to_string(data.join("secret.key")).expect("key file");
    let old = SecretKey::from_base64(&old_text, "old").expect("old key");

    let rotation =
        syncport::store::rotate_key(&data, &sqlite_url(&data), &KeyConfig::default()).await.expect("rotated");
    assert_eq!(rotation.connections, 2, "{rotation:?}");
    assert_eq!(rotation.retired, [old.id()], "{rotation:?}");
    let new_text = std::fs::read_to_string(data.join("secret.key")).expect("key file");
    assert_ne!(new_text, old_text, "a new key");
    assert_eq!(SecretKey::from_base64(&new_text, "new").expect("new key").id(), rotation.key_id);
    let mode = std::fs::metadata(data.join("secret.key")).expect("key file").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(!data.join("secret.key.next").exists(), "the next key became the key");
    let db = database_bytes(&data);
    assert!(!contains(&db, &format!("v1:{}:", old.id())), "nothing is left encrypted with the old key");
    assert!(!contains(&db, &secret));

    let app = spawn_app_on(&data, KeyConfig::default()).await;
    assert_eq!(app.test_ok(&books).await["success"], true);
    assert_eq!(app.test_ok(&sales).await["success"], true);
    assert!(!app.tables_ok(&books, "").await.is_empty());
    assert_eq!(app.get_ok(&sales).await["properties"]["User"], "admin@example.com");
    drop(app);

    let error = start_error(&data, KeyConfig::with_key(old)).await;
    assert!(error.contains("does not have"), "the old key opens nothing: {error}");
}

#[tokio::test]
async fn a_rotation_interrupted_before_its_last_step_is_finished_by_the_next_start_on_sqlite() {
    sqlite_only();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let id = {
        let app = spawn_app_on(&data, KeyConfig::default()).await;
        id_of(
            &app.create_ok("default", &quickbooks_with("Books", ["client-secret", "access-token", "refresh-token"]))
                .await,
        )
    };
    // As if rotate-key had stopped right after writing the new key.
    let next_text = SecretKey::generate_base64().expect("random");
    secrets::keyfile::replace(&data.join("secret.key.next"), &next_text).expect("next key");

    let app = spawn_app_on(&data, KeyConfig::default()).await;
    assert_eq!(app.test_ok(&id).await["success"], true);
    assert!(!data.join("secret.key.next").exists(), "the start finished the rotation");
    assert_eq!(std::fs::read_to_string(data.join("secret.key")).expect("key").trim(), next_text);
}

#[tokio::test]
async fn rotate_key_with_the_key_in_the_environment_moves_from_the_previous_key_to_the_new_one_on_sqlite() {
    sqlite_only();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let (old_text, new_text) =
        (SecretKey::generate_base64().expect("random"), SecretKey::generate_base64().expect("r"));
    let key = |text: &str| SecretKey::from_base64(text, "test").expect("key");
    let id = {
        let app = spawn_app_on(&data, KeyConfig::with_key(key(&old_text))).await;
        id_of(
            &app.create_ok("default", &quickbooks_with("Books", ["client-secret", "access-token", "refresh-token"]))
                .await,
        )
    };

    let alone = syncport::store::rotate_key(&data, &sqlite_url(&data), &KeyConfig::with_key(key(&new_text))).await;
    let refused = alone.expect_err("nothing to rotate from").to_string();
    assert!(refused.contains("SYNCPORT_SECRET_KEY_PREVIOUS"), "says how: {refused}");

    let both = KeyConfig { key: Some(key(&new_text)), previous: vec![key(&old_text)] };
    let rotation = syncport::store::rotate_key(&data, &sqlite_url(&data), &both).await.expect("rotated");
    let new_id = key(&new_text).id().to_string();
    assert_eq!((rotation.connections, rotation.key_id), (1, new_id));
    assert!(!data.join("secret.key").exists(), "no key file in environment mode");

    let app = spawn_app_on(&data, KeyConfig::with_key(key(&new_text))).await;
    assert_eq!(app.test_ok(&id).await["success"], true);
    drop(app);
    let error = start_error(&data, KeyConfig::with_key(key(&old_text))).await;
    assert!(error.contains("does not have"), "{error}");
}

/// Every response's status, headers and body, as text.
#[derive(Default)]
struct Seen(String);

impl Seen {
    async fn add(&mut self, response: Response) -> (u16, String) {
        let status = response.status().as_u16();
        for (name, value) in response.headers() {
            self.0.push_str(&format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())));
        }
        let body = response.text().await.expect("body");
        self.0.push_str(&body);
        self.0.push('\n');
        (status, body)
    }

    async fn add_json(&mut self, response: Response) -> (u16, Value) {
        let (status, body) = self.add(response).await;
        (status, serde_json::from_str(&body).unwrap_or_else(|_| panic!("{status}: not JSON: {body}")))
    }
}

#[tokio::test]
async fn a_canary_in_every_secret_never_appears_in_a_response_log_server_log_or_the_database() {
    let app = spawn_app().await;
    let mut canaries: Vec<String> = Vec::new();
    let fresh = |label: &str, canaries: &mut Vec<String>| {
        let c = canary(label);
        canaries.push(c.clone());
        c
    };
    let mut seen = Seen::default();
    let verbose = json!({"logfile_verbosity": "Verbose"});

    // Both connectors, every secret property.
    let qb = [fresh("QbSecret", &mut canaries), fresh("QbAccess", &mut canaries), fresh("QbRefresh", &mut canaries)];
    let mut body = quickbooks_with("Canary Books", [&qb[0], &qb[1], &qb[2]]);
    body["settings"] = verbose.clone();
    let (status, created) = seen.add_json(app.create_connection("default", &body).await).await;
    assert_eq!(status, 201, "{created}");
    let books = id_of(&created);
    let sf = [fresh("SfPassword", &mut canaries), fresh("SfToken", &mut canaries), fresh("SfOauth", &mut canaries)];
    let mut body = salesforce_with("Canary Sales", "admin@example.com", [&sf[0], &sf[1], &sf[2]]);
    body["settings"] = verbose.clone();
    let (status, created) = seen.add_json(app.create_connection("default", &body).await).await;
    assert_eq!(status, 201, "{created}");
    let sales = id_of(&created);
    // The misbehaving plugin: leaking its password everywhere it can,
    // panicking, and spinning until the deadline.
    let mut misbehaving = Vec::new();
    for mode in ["leak", "panic", "loop"] {
        let password = fresh(&format!("Misbehave{mode}"), &mut canaries);
        let body = json!({
            "name": format!("Canary {mode}"),
            "connector": "Misbehave",
            "properties": {"Mode": mode, "Password": password},
            "settings": verbose
        });
        let (status, created) = seen.add_json(app.create_connection("default", &body).await).await;
        assert_eq!(status, 201, "{created}");
        misbehaving.push((mode, id_of(&created)));
    }

    // Every operation on every connection, succeeding and failing.
    let all: Vec<String> =
        [books.clone(), sales.clone()].into_iter().chain(misbehaving.iter().map(|(_, id)| id.clone())).collect();
    for id in &all {
        let looping = misbehaving.iter().any(|(mode, m)| *mode == "loop" && m == id);
        seen.add(app.get_connection(id).await).await;
        seen.add(app.test_connection(id).await).await;
        seen.add(app.list_tables(id, "").await).await;
        if !looping {
            // Each call of the looping plugin waits out the deadline: two are enough.
            seen.add(app.list_tables_with_get(id, "include_table_types=TABLE,VIEW").await).await;
            seen.add(app.list_tables(id, "reset_metadata=true").await).await;
            seen.add(app.list_columns(id, "Customers", "").await).await;
            seen.add(app.list_columns(id, "Account", "reset_metadata=true").await).await;
            seen.add(app.reset_metadata(id).await).await;
        }
    }
    seen.add(app.list_connections("default", "").await).await;
    seen.add(app.list_connections("default", "connector=Misbehave&$top=1").await).await;

    // Updates: the mask sent back keeps each secret; new canaries replace them.
    let masked = |names: &[&str]| {
        let properties: serde_json::Map<String, Value> =
            names.iter().map(|n| (n.to_string(), json!("********"))).collect();
        json!({ "properties": properties })
    };
    let (status, body) = seen
        .add(
            app.update_connection(&books, &masked(&["OAuthClientSecret", "OAuthAccessToken", "OAuthRefreshToken"]))
                .await,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = seen
        .add(app.update_connection(&sales, &masked(&["Password", "SecurityToken", "OAuthAccessToken"])).await)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.test_ok(&books).await["success"], true, "the mask kept the secrets");
    let qb2 = fresh("QbSecretTwo", &mut canaries);
    let sf2 = fresh("SfPasswordTwo", &mut canaries);
    seen.add(app.update_connection(&books, &json!({"properties": {"OAuthClientSecret": qb2}})).await).await;
    seen.add(app.update_connection(&sales, &json!({"properties": {"Password": sf2}})).await).await;
    for (_, id) in &misbehaving {
        let password = fresh("MisbehaveTwo", &mut canaries);
        seen.add(app.update_connection(id, &json!({"properties": {"Password": password}})).await).await;
        seen.add(app.test_connection(id).await).await;
    }

    // Requests that fail with a secret in them.
    let stray = fresh("Stray", &mut canaries);
    let bad_bodies = [
        json!({"name": "Canary Books", "connector": "QuickBooks", "properties": {"OAuthClientSecret": stray}}),
        json!({"name": "Misspelt", "connector": "QuickBooks", "properties": {"OAuthClientSecrett": stray}}),
        json!({"name": "No such", "connector": "NoSuchConnector", "properties": {"Password": stray}}),
        json!({"name": "Bad version", "connector": "Misbehave", "connector_version": "9.9.9",
               "properties": {"Password": stray}}),
        json!({"name": "Bad field", "connector": "Misbehave", "properties": {"Password": [stray]}}),
    ];
    for body in &bad_bodies {
        let (status, reply) = seen.add(app.create_connection("default", body).await).await;
        assert!((400..500).contains(&status), "{status}: {reply}");
    }
    let (status, reply) = seen
        .add(app.update_connection(&books, &json!({"properties": {"Password": stray, "CompanyId": "x"}})).await)
        .await;
    assert_eq!(status, 400, "{reply}");
    let truncated = format!(r#"{{"name": "Cut", "connector": "Misbehave", "properties": {{"Password": "{stray}""#);
    let path = "/workspaces/default/connections";
    seen.add(app.send_raw(Method::POST, path, Some("application/json"), truncated).await).await;

    // Logs: listed and downloaded by both methods.
    let mut logs_seen = 0;
    for id in &all {
        let (status, list) = seen.add_json(app.list_logs(id).await).await;
        assert_eq!(status, 200, "{list}");
        for file in list["value"].as_array().expect("value") {
            let name = file["name"].as_str().expect("name");
            seen.add(app.download_log(id, name).await).await;
            seen.add(app.download_log_with_get(id, name).await).await;
            logs_seen += 1;
        }
    }
    assert!(logs_seen >= all.len(), "every connection logged at Verbose");
    seen.add(app.list_connectors().await).await;
    seen.add(app.openapi().await).await;

    // Credentials reset; the connection logs as they stand before deletions.
    for id in &all {
        seen.add(app.reset_credentials(id).await).await;
    }
    let on_disk = app.stored_logs().await;

    // Every route of the API once more, each POST and PUT carrying a secret;
    // the connection is deleted last.
    let sweep = fresh("Sweep", &mut canaries);
    let log = log_name(&app, &books).await;
    let mut routes: Vec<&(&str, &str)> = super::ROUTES.iter().collect();
    routes.sort_by_key(|(method, path)| (*method == "DELETE" && path.starts_with("/connections"), path.len()));
    for (method, template) in routes {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = app.request(method.clone(), &fill(template, &books, &log));
        if method == Method::POST || method == Method::PUT {
            request = request.json(&json!({"properties": {"Password": sweep, "OAuthClientSecret": sweep}}));
        }
        seen.add(request.send().await.expect("sent")).await;
    }

    for id in &all[1..] {
        seen.add(app.delete_connection(id).await).await;
    }

    assert!(seen.0.contains("password ******** refused"), "the leak was exercised: the error, masked");
    assert!(seen.0.contains("connector_crashed") && seen.0.contains("connector_timeout"), "faults were exercised");
    let server = server_log();
    assert!(server.contains(&books), "the server log was captured (it names the connections)");
    assert!(on_disk.contains("[stderr]") && on_disk.contains("********"), "plugin output was logged, masked");
    let db = database_contents(&app).await;
    for canary in &canaries {
        assert!(!seen.0.contains(canary.as_str()), "{canary} is in a response");
        assert!(!on_disk.contains(canary.as_str()), "{canary} is in a connection log");
        assert!(!app.stored_logs().await.contains(canary.as_str()), "{canary} is in a connection log");
        assert!(!server.contains(canary.as_str()), "{canary} is in the server log");
        assert!(!contains(&db, canary), "{canary} is in the database in clear");
        assert!(!contains(&db, &hex::encode(canary)), "{canary} is in the database in clear, as bytes");
    }
}

/// The name of one log file of a connection.
async fn log_name(app: &TestApp, id: &str) -> String {
    let (status, list) = json(app.list_logs(id).await).await;
    assert_eq!(status, 200, "{list}");
    list["value"][0]["name"].as_str().map(str::to_string).unwrap_or_else(|| "none.log".into())
}

#[tokio::test]
async fn a_connection_whose_stored_properties_do_not_decrypt_is_an_internal_error_never_garbage_on_sqlite() {
    sqlite_only();
    let app = spawn_app().await;
    let secret = canary("Swapped");
    let a = id_of(&app.create_ok("default", &quickbooks_with("A", [&secret, "t", "r"])).await);
    let b = id_of(
        &app.create_ok("default", &quickbooks_with("B", ["client-secret", "access-token", "refresh-token"])).await,
    );
    // Copy A's sealed properties onto B: bound to A, they do not open for B.
    let pool = sqlx::SqlitePool::connect(&sqlite_url(&data_dir(&app))).await.expect("sqlite");
    sqlx::query("UPDATE connections SET properties = (SELECT properties FROM connections WHERE id = ?) WHERE id = ?")
        .bind(&a)
        .bind(&b)
        .execute(&pool)
        .await
        .expect("swap");
    pool.close().await;
    let (status, body) = text(app.get_connection(&b).await).await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("internal_error") && !body.contains(&secret), "{body}");
    assert!(server_log().contains(&format!("connection {b} properties: does not decrypt")), "the log says why");
    assert_eq!(app.get_ok(&a).await["properties"]["CompanyId"], "9130357766", "A is untouched");
}

#[tokio::test]
async fn a_server_with_another_key_refuses_to_start_even_before_anything_is_encrypted_on_sqlite() {
    sqlite_only();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    // The first start records its key; nothing is encrypted yet.
    drop(spawn_app_on(&data, KeyConfig::with_key(random_key())).await);

    let error = start_error(&data, KeyConfig::with_key(random_key())).await;

    assert!(error.contains("does not have") && error.contains("SYNCPORT_SECRET_KEY"), "{error}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn two_servers_started_at_once_with_different_keys_on_one_database_one_refuses_on_postgres() {
    super::app::postgres_only();
    let admin_url = super::postgres::backend().expect("PostgreSQL");
    let database = super::postgres::TestDatabase::create(&admin_url).await;
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let config = |dir: &Path| ServerConfig {
        database_url: Some(database.url.clone()),
        secret_keys: KeyConfig::with_key(random_key()),
        admin_token: Some(TOKEN.into()),
        ..ServerConfig::new(dir.join("data"))
    };
    let (config_a, config_b) = (config(a.path()), config(b.path()));
    let addr = "127.0.0.1:0".parse().expect("addr");

    let (on_a, on_b) = tokio::join!(
        server::start(&config_a, addr, std::future::pending()),
        server::start(&config_b, addr, std::future::pending())
    );

    let errors: Vec<String> = [on_a.err(), on_b.err()].into_iter().flatten().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1, "exactly one of them starts: {errors:?}");
    assert!(errors[0].contains("does not have") && errors[0].contains("SYNCPORT_SECRET_KEY"), "{errors:?}");
}
