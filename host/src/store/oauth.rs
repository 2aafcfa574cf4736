//! OAuth bookkeeping: the authorizations under way (each `state` used at
//! most once) and the lease that lets one server at a time renew a
//! connection's tokens.

use super::{Store, StoreError, now, parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

/// An authorization under way, as stored.
#[derive(Clone)]
pub struct OAuthState {
    /// SHA-256 (hex) of the state handed out.
    pub state_hash: String,
    /// The connection being authorized.
    pub connection_id: Uuid,
    /// The user who asked.
    pub user_id: Uuid,
    /// The PKCE code verifier, sealed with the secret key.
    pub sealed_verifier: String,
    /// The redirect URI sent with it, sent again with the code.
    pub redirect_uri: String,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Records an authorization under way, dropping every expired one.
    pub async fn add_oauth_state(&self, state: &OAuthState) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
            .bind(timestamp(now()))
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO oauth_states (state_hash, connection_id, user_id, verifier, redirect_uri, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&state.state_hash)
        .bind(state.connection_id.to_string())
        .bind(state.user_id.to_string())
        .bind(&state.sealed_verifier)
        .bind(&state.redirect_uri)
        .bind(timestamp(state.expires_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Takes the authorization whose state hashes to `state_hash`: it is
    /// deleted as it is read, so a second callback finds nothing.
    pub async fn take_oauth_state(&self, state_hash: &str) -> Result<Option<OAuthState>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM oauth_states WHERE state_hash = $1 \
             RETURNING connection_id, user_id, verifier, redirect_uri, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let uuid = |s: String| Uuid::parse_str(&s).map_err(|e| StoreError::Corrupt(format!("oauth state id: {e}")));
        Ok(Some(OAuthState {
            state_hash: state_hash.to_string(),
            connection_id: uuid(row.try_get(0)?)?,
            user_id: uuid(row.try_get(1)?)?,
            sealed_verifier: row.try_get(2)?,
            redirect_uri: row.try_get(3)?,
            expires_at: parse_timestamp(&row.try_get::<String, _>(4)?)?,
        }))
    }

    /// Drops every authorization under way for `connection`.
    pub async fn clear_oauth_states(&self, connection: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_states WHERE connection_id = $1")
            .bind(connection.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Drops every authorization under way (at a key rotation).
    pub async fn clear_all_oauth_states(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_states").execute(self.pool()).await?;
        Ok(())
    }

    /// Takes the renewal lease of `connection` for `holder` until `until`,
    /// unless another holder's lease is still running; whether it is taken.
    pub async fn take_renewal(&self, connection: Uuid, holder: &str, until: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO oauth_renewals (connection_id, holder, until) VALUES ($1, $2, $3) \
             ON CONFLICT (connection_id) DO UPDATE SET holder = excluded.holder, until = excluded.until \
             WHERE oauth_renewals.until < $4",
        )
        .bind(connection.to_string())
        .bind(holder)
        .bind(timestamp(until))
        .bind(timestamp(now()))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the renewal lease of `connection` back, if `holder` holds it.
    pub async fn end_renewal(&self, connection: Uuid, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_renewals WHERE connection_id = $1 AND holder = $2")
            .bind(connection.to_string())
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
