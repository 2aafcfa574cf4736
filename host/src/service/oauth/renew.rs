//! Renewing tokens: before a call when the access token expires within the
//! margin, and once after a call fails with `auth_failed`. One renewal at a
//! time per connection, across every server on the database: the renewal
//! lease (`oauth_renewals`) is taken first, the connection read again under
//! it, and a server that finds the lease taken waits for the new token
//! instead of spending the refresh token a second time. The lease outlasts
//! the token request's own timeout, the renewal runs in a task of its own
//! (a caller that goes away does not drop a rotated refresh token), and the
//! new tokens are written only over the tokens that were spent (never over
//! a reset or a newer authorization).

use super::tokens::{self, Grant};
use super::{OAuthFailure, access_token};
use crate::connections::{Connection, Status};
use crate::connector::model::{ErrorKind, OAuthSpec, Property};
use crate::logs::OperationRecord;
use crate::runtime::{Call, CallError, Plugin};
use crate::service::connections::{find, write_credentials};
use crate::service::{ServiceError, ServiceResult, Services};
use std::future::Future;
use std::time::{Duration, Instant};

/// How much longer than the token request's timeout the renewal lease
/// lasts: the write after the answer fits well within it.
const LEASE_MARGIN: Duration = Duration::from_secs(15);

/// How often a server waiting for another's renewal looks again.
const POLL: Duration = Duration::from_millis(100);

/// Runs `call` with the properties `connection` gives its connector (never
/// the client secret or refresh token), with tokens renewed first when they
/// expire soon and, if the connector answers `auth_failed`, renewed once
/// more and the call run again. The connection as the call used it, and
/// the call; an [`OAuthFailure`] when no working token can be had.
pub async fn with_tokens<T, F, Fut>(
    services: &Services,
    connection: &Connection,
    plugin: &Plugin,
    call: F,
) -> ServiceResult<(Connection, Call<T>)>
where
    F: Fn(Vec<Property>) -> Fut,
    Fut: Future<Output = Call<T>>,
{
    let info = plugin.info();
    let Some(spec) = &info.oauth else {
        return Ok((connection.clone(), call(connection.properties.for_connector(info)).await));
    };
    let mut current = connection.clone();
    if expires_soon(&current, spec, services.oauth.renew_margin) && can_renew(&current, spec) {
        current = renew(services, current, plugin, spec).await?;
    }
    if access_token(&current, spec).is_none() {
        return Err(not_authorized(&current, spec));
    }
    let first = call(current.properties.for_connector(info)).await;
    let auth_failed = matches!(&first.result, Err(CallError::Connector(e)) if e.kind == ErrorKind::AuthFailed);
    if !auth_failed || !can_renew(&current, spec) {
        return Ok((current, first));
    }
    let renewed = renew(services, current.clone(), plugin, spec).await?;
    if access_token(&renewed, spec).is_none() {
        // Reset, or refused at another server, meanwhile.
        return Err(not_authorized(&renewed, spec));
    }
    if access_token(&renewed, spec) == access_token(&current, spec) {
        return Ok((current, first));
    }
    let second = call(renewed.properties.for_connector(info)).await;
    Ok((renewed, second))
}

/// Whether the access token is missing, or expires within `margin`.
fn expires_soon(c: &Connection, spec: &OAuthSpec, margin: Duration) -> bool {
    if access_token(c, spec).is_none() {
        return true;
    }
    let at = c.properties.get(&spec.expires_at_property).and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let margin = chrono::Duration::from_std(margin).unwrap_or_default();
    at.is_some_and(|at| at.with_timezone(&chrono::Utc) - chrono::Utc::now() <= margin)
}

/// Whether the host can get new tokens without a user: a refresh token, or
/// the client-credentials grant and a client secret.
fn can_renew(c: &Connection, spec: &OAuthSpec) -> bool {
    let has = |name: &str| c.properties.get(name).is_some_and(|v| !v.is_empty());
    (spec.grants.refresh_token && has(&spec.refresh_token_property))
        || (spec.grants.client_credentials && has(&spec.client_id_property) && has(&spec.client_secret_property))
}

fn not_authorized(c: &Connection, spec: &OAuthSpec) -> ServiceError {
    let how = if spec.grants.authorization_code {
        format!(
            "authorize it (POST /connections/{}/oauth/authorize, or `syncport connection authorize {}`)",
            c.id, c.name
        )
    } else {
        format!("set `{}` and `{}`", spec.client_id_property, spec.client_secret_property)
    };
    ServiceError::OAuth(OAuthFailure::needs_credentials(format!(
        "Connection `{}` has no OAuth access token: {how}.",
        c.name
    )))
}

/// New tokens for `seen` (the connection as the caller read it), got by
/// this server under the renewal lease or by another server meanwhile.
async fn renew(services: &Services, seen: Connection, plugin: &Plugin, spec: &OAuthSpec) -> ServiceResult<Connection> {
    let store = &services.store;
    let holder = uuid::Uuid::new_v4().to_string();
    let lease = plugin.request_timeout() + LEASE_MARGIN;
    let give_up = Instant::now() + lease;
    loop {
        let until = crate::store::now() + chrono::Duration::from_std(lease).unwrap_or_default();
        if store.take_renewal(seen.id, &holder, until).await? {
            // In a task of its own: once the token endpoint has answered,
            // its tokens are stored even if this caller goes away.
            let (services, seen, plugin, spec) = (services.clone(), seen.clone(), plugin.clone(), spec.clone());
            let task = tokio::spawn(async move {
                let renewed = renew_held(&services, &seen, &plugin, &spec).await;
                if let Err(error) = services.store.end_renewal(seen.id, &holder).await {
                    tracing::warn!(%error, connection = %seen.id, "could not end a token renewal lease; it expires by itself");
                }
                renewed
            });
            return task.await.map_err(|e| ServiceError::Internal(format!("a token renewal failed: {e}")))?;
        }
        tokio::time::sleep(POLL).await;
        let current = find(store, &seen.id.to_string()).await?;
        if access_token(&current, spec) != access_token(&seen, spec) || current.status == Status::NeedsCredentials {
            return Ok(current);
        }
        if Instant::now() > give_up {
            return Err(ServiceError::OAuth(OAuthFailure::token_endpoint(format!(
                "Another server has been renewing the tokens of connection `{}` for {} s; try again.",
                seen.name,
                lease.as_secs()
            ))));
        }
    }
}

/// The tokens the connection holds now: access and refresh.
fn tokens_of<'a>(c: &'a Connection, spec: &OAuthSpec) -> (Option<&'a str>, Option<&'a str>) {
    (access_token(c, spec), c.properties.get(&spec.refresh_token_property))
}

/// Renews the tokens while holding the lease.
async fn renew_held(
    services: &Services,
    seen: &Connection,
    plugin: &Plugin,
    spec: &OAuthSpec,
) -> ServiceResult<Connection> {
    let started = Instant::now();
    // Another server may have renewed between the caller's read and the lease.
    let current = find(&services.store, &seen.id.to_string()).await?;
    if access_token(&current, spec) != access_token(seen, spec) || !can_renew(&current, spec) {
        return Ok(current);
    }
    let spent = (tokens_of(&current, spec).0.map(str::to_string), tokens_of(&current, spec).1.map(str::to_string));
    let unchanged = |c: &Connection| {
        let now = tokens_of(c, spec);
        (now.0, now.1) == (spent.0.as_deref(), spent.1.as_deref())
    };
    let refresh = current.properties.get(&spec.refresh_token_property).filter(|t| !t.is_empty());
    let grant = match refresh {
        Some(token) if spec.grants.refresh_token => Grant::Refresh(token),
        _ => Grant::ClientCredentials,
    };
    let how = if matches!(grant, Grant::Refresh(_)) { "refresh token" } else { "client credentials" };
    let (result, lines) = tokens::request(plugin, spec, &current.properties, grant).await;
    let verbosity = current.settings.logfile_verbosity;
    match result {
        Ok(tokens) => {
            // Only over the tokens spent: a reset or a new authorization
            // meanwhile stands.
            let written = write_credentials(services, current, |c| {
                let mut next = c.clone();
                tokens::store(&mut next.properties, spec, &tokens, chrono::Utc::now());
                unchanged(c).then_some(next)
            })
            .await?;
            let lifetime = tokens.expires_in.map(|s| format!(", valid {s} s")).unwrap_or_default();
            let outcome = format!("renewed the access token with the {how}{lifetime}");
            let record = OperationRecord::new("oauth-renew", true, outcome, started.elapsed()).with_plugin(&lines);
            services.logs.record(written.id, verbosity, record).await;
            Ok(written)
        }
        Err(error) if error.is_invalid_grant() => {
            let written = write_credentials(services, current, |c| {
                let mut next = c.clone();
                next.properties.remove_credentials(plugin.info());
                next.status = Status::NeedsCredentials;
                unchanged(c).then_some(next)
            })
            .await?;
            let message = format!(
                "The {how} of connection `{}` no longer works ({error}); authorize the connection again.",
                written.name
            );
            let record =
                OperationRecord::new("oauth-renew", false, message.clone(), started.elapsed()).with_plugin(&lines);
            services.logs.record(written.id, verbosity, record).await;
            Err(ServiceError::OAuth(OAuthFailure::needs_credentials(message)))
        }
        Err(error) => {
            let message = format!("Renewing the access token of connection `{}` failed: {error}.", current.name);
            let record =
                OperationRecord::new("oauth-renew", false, message.clone(), started.elapsed()).with_plugin(&lines);
            services.logs.record(current.id, verbosity, record).await;
            Err(ServiceError::OAuth(OAuthFailure::token_endpoint(message)))
        }
    }
}
