//! Users, workspace grants and token hashes.

use super::{Store, StoreError, is_unique_violation, parse_timestamp, timestamp};
use crate::auth::Role;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: Uuid,
    /// Its name, unique case-insensitively.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The workspaces granted (ignored for admins, who see all).
    pub workspaces: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A live token's user, stored hash and expiry.
pub type LiveToken = (User, String, Option<DateTime<Utc>>);

/// A stored token, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its id, to revoke it.
    pub id: Uuid,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

async fn grants(store: &Store, user: &str) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT workspace_id FROM user_workspaces WHERE user_id = $1 ORDER BY workspace_id")
        .bind(user)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| r.try_get("workspace_id").map_err(Into::into)).collect()
}

async fn user_row(store: &Store, r: sqlx::any::AnyRow) -> Result<User, StoreError> {
    let id: String = r.try_get("id")?;
    let role: String = r.try_get("role")?;
    Ok(User {
        id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("user id: {e}")))?,
        name: r.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("user role `{role}`")))?,
        workspaces: grants(store, &id).await?,
        created_at: parse_timestamp(&r.try_get::<String, _>("created_at")?)?,
    })
}

impl Store {
    /// Whether any user exists.
    pub async fn has_users(&self) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT 1 FROM users LIMIT 1").fetch_optional(self.pool()).await?.is_some())
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query("SELECT id, name, role, created_at FROM users ORDER BY name_key")
            .fetch_all(self.pool())
            .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            users.push(user_row(self, row).await?);
        }
        Ok(users)
    }

    /// The user `id`.
    pub async fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, name, role, created_at FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(Some(user_row(self, row).await?)),
            None => Ok(None),
        }
    }

    /// The user holding the token with hash `hash`, if the token is live:
    /// the user, the stored hash, and when the token expires.
    pub async fn user_by_token(&self, hash: &str) -> Result<Option<LiveToken>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.role, u.created_at, t.token_hash, t.expires_at FROM tokens t \
             JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)",
        )
        .bind(hash)
        .bind(timestamp(Utc::now()))
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => {
                let stored: String = row.try_get("token_hash")?;
                let expires_at =
                    row.try_get::<Option<String>, _>("expires_at")?.as_deref().map(parse_timestamp).transpose()?;
                Ok(Some((user_row(self, row).await?, stored, expires_at)))
            }
            None => Ok(None),
        }
    }

    /// Creates a user with its grants; `None` if the name is taken.
    pub async fn create_user(&self, name: &str, role: Role, workspaces: &[String]) -> Result<Option<User>, StoreError> {
        let user = User {
            id: Uuid::new_v4(),
            name: name.to_string(),
            role,
            workspaces: workspaces.to_vec(),
            created_at: super::now(),
        };
        let mut tx = self.pool().begin().await?;
        let inserted =
            sqlx::query("INSERT INTO users (id, name, name_key, role, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(user.id.to_string())
                .bind(&user.name)
                .bind(user.name.to_lowercase())
                .bind(role.as_str())
                .bind(timestamp(user.created_at))
                .execute(&mut *tx)
                .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => return Ok(None),
            other => other?,
        };
        insert_grants(&mut tx, user.id, workspaces).await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// Creates the first user, an admin, only if there is no user yet;
    /// `None` if another server or start made one first.
    pub async fn bootstrap_admin(&self, name: &str) -> Result<Option<User>, StoreError> {
        let now = super::now();
        let id = Uuid::new_v4();
        let inserted = sqlx::query(
            "INSERT INTO users (id, name, name_key, role, created_at) \
             SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM users)",
        )
        .bind(id.to_string())
        .bind(name)
        .bind(name.to_lowercase())
        .bind(Role::Admin.as_str())
        .bind(timestamp(now))
        .execute(self.pool())
        .await;
        match inserted {
            Ok(done) if done.rows_affected() == 1 => Ok(self.user(id).await?),
            Ok(_) => Ok(None),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Replaces a user's name, role and grants; `Ok(false)` if the name is taken.
    pub async fn update_user(&self, user: &User) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query("UPDATE users SET name = $1, name_key = $2, role = $3 WHERE id = $4")
            .bind(&user.name)
            .bind(user.name.to_lowercase())
            .bind(user.role.as_str())
            .bind(user.id.to_string())
            .execute(&mut *tx)
            .await;
        match updated {
            Err(e) if is_unique_violation(&e) => return Ok(false),
            other => other?,
        };
        sqlx::query("DELETE FROM user_workspaces WHERE user_id = $1")
            .bind(user.id.to_string())
            .execute(&mut *tx)
            .await?;
        insert_grants(&mut tx, user.id, &user.workspaces).await?;
        tx.commit().await?;
        self.settle().await;
        Ok(true)
    }

    /// Deletes a user and its tokens, unless it is the last admin; whether
    /// it was deleted.
    pub async fn delete_user(&self, id: Uuid) -> Result<bool, StoreError> {
        let deleted = sqlx::query(
            "DELETE FROM users WHERE id = $1 AND (role <> 'admin' OR \
             (SELECT COUNT(*) FROM users WHERE role = 'admin') > 1)",
        )
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        self.settle().await;
        Ok(deleted.rows_affected() == 1)
    }

    /// Stores a token's hash for a user.
    pub async fn add_token(
        &self,
        user: Uuid,
        hash: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<TokenInfo, StoreError> {
        let token = TokenInfo { id: Uuid::new_v4(), created_at: super::now(), expires_at };
        sqlx::query("INSERT INTO tokens (id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token.id.to_string())
            .bind(user.to_string())
            .bind(hash)
            .bind(timestamp(token.created_at))
            .bind(expires_at.map(timestamp))
            .execute(self.pool())
            .await?;
        Ok(token)
    }

    /// A user's tokens, oldest first.
    pub async fn tokens(&self, user: Uuid) -> Result<Vec<TokenInfo>, StoreError> {
        let rows =
            sqlx::query("SELECT id, created_at, expires_at FROM tokens WHERE user_id = $1 ORDER BY created_at, id")
                .bind(user.to_string())
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                Ok(TokenInfo {
                    id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("token id: {e}")))?,
                    created_at: parse_timestamp(&r.try_get::<String, _>("created_at")?)?,
                    expires_at: r
                        .try_get::<Option<String>, _>("expires_at")?
                        .as_deref()
                        .map(parse_timestamp)
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Revokes tokens of a user: one (`Some(id)`) or all but `keep`.
    pub async fn revoke_tokens(&self, user: Uuid, only: Option<Uuid>, keep: Option<Uuid>) -> Result<u64, StoreError> {
        let result = match (only, keep) {
            (Some(token), _) => {
                sqlx::query("DELETE FROM tokens WHERE user_id = $1 AND id = $2")
                    .bind(user.to_string())
                    .bind(token.to_string())
                    .execute(self.pool())
                    .await?
            }
            (None, keep) => {
                sqlx::query("DELETE FROM tokens WHERE user_id = $1 AND id <> $2")
                    .bind(user.to_string())
                    .bind(keep.map(|k| k.to_string()).unwrap_or_default())
                    .execute(self.pool())
                    .await?
            }
        };
        self.settle().await;
        Ok(result.rows_affected())
    }
}

async fn insert_grants(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user: Uuid,
    workspaces: &[String],
) -> Result<(), StoreError> {
    let mut unique: Vec<&String> = workspaces.iter().collect();
    unique.sort();
    unique.dedup();
    for workspace in unique {
        sqlx::query("INSERT INTO user_workspaces (user_id, workspace_id) VALUES ($1, $2)")
            .bind(user.to_string())
            .bind(workspace)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
