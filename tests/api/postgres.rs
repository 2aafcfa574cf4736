//! The PostgreSQL backend of the suite: when `SYNCPORT_TEST_BACKEND=postgres`
//! (set by `cargo xtask test` for its second run), every app gets its own
//! database on the server at `SYNCPORT_TEST_POSTGRES_URL`, so tests run in
//! parallel; it is dropped with the app.

use sqlx::Connection;

/// The admin URL when the suite runs on PostgreSQL.
pub fn backend() -> Option<String> {
    if std::env::var("SYNCPORT_TEST_BACKEND").ok()?.trim() != "postgres" {
        return None;
    }
    let url = std::env::var("SYNCPORT_TEST_POSTGRES_URL")
        .expect("SYNCPORT_TEST_BACKEND=postgres needs SYNCPORT_TEST_POSTGRES_URL");
    Some(url)
}

/// A database of one test.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates a new empty database on the server of `admin_url`.
    pub async fn create(admin_url: &str) -> Self {
        let name = format!("syncport_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create the test database");
        admin.close().await.expect("close");
        let (base, query) = admin_url.split_once('?').map_or((admin_url, ""), |(b, q)| (b, q));
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        let url = if query.is_empty() { format!("{server}/{name}") } else { format!("{server}/{name}?{query}") };
        Self { url, admin_url: admin_url.to_string(), name }
    }
}

impl TestDatabase {
    /// A pool on the database, to look behind the server.
    pub async fn pool(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&self.url).await.expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Its own runtime: drop may run inside the test's.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}
