//! `/users`: users, their role and workspaces, and their tokens. Admin only.

use super::auth::Require;
use super::error::{ApiError, ApiResult};
use super::extract::{JsonObject, Params, Path, kind};
use super::state::AppState;
use crate::auth::{Principal, Role, token};
use crate::store::{TokenInfo, User};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The routes of users.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{user_id}", get(read).put(update).delete(remove))
        .route("/users/{user_id}/generate-token", post(generate_token))
        .route("/users/{user_id}/tokens/{token_id}", delete(revoke_token))
}

/// A token, without its value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Its id (to revoke it).
    pub id: Uuid,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A user in a response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The workspaces granted (admins see every workspace).
    pub workspaces: Vec<String>,
    /// Its tokens.
    pub tokens: Vec<TokenView>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// A new token, shown only in the response that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// A list of users.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserList {
    /// By name.
    pub value: Vec<UserView>,
}

/// A new token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    /// The token: shown once, never again.
    pub token: String,
    /// Its id and dates.
    #[serde(flatten)]
    pub info: TokenView,
}

fn token_view(t: TokenInfo) -> TokenView {
    TokenView { id: t.id, created_at: t.created_at, expires_at: t.expires_at }
}

async fn view(state: &AppState, user: User, token: Option<String>) -> ApiResult<UserView> {
    let tokens = state.store.tokens(user.id).await?.into_iter().map(token_view).collect();
    Ok(UserView {
        id: user.id,
        name: user.name,
        role: user.role,
        workspaces: user.workspaces,
        tokens,
        created_at: user.created_at,
        token,
    })
}

async fn find(state: &AppState, id: &str) -> ApiResult<User> {
    let missing = || ApiError::not_found("user_not_found", format!("User `{id}` does not exist."));
    let id = Uuid::parse_str(id).map_err(|_| missing())?;
    state.store.user(id).await?.ok_or_else(missing)
}

/// The fields of a user body.
#[derive(Default)]
struct UserBody {
    name: Option<String>,
    role: Option<Role>,
    workspaces: Option<Vec<String>>,
    expires_in_days: Option<u32>,
    revoke_others: bool,
}

fn parse(map: Map<String, Value>, accepted: &[&str]) -> ApiResult<UserBody> {
    let mut body = UserBody::default();
    for (key, value) in map {
        let field = key.trim().to_ascii_lowercase();
        if !accepted.contains(&field.as_str()) {
            return Err(ApiError::bad_request(
                "unknown_field",
                format!("Unknown field `{key}`; accepted: {}.", accepted.join(", ")),
                Some(key),
            ));
        }
        let invalid = |what: &str| {
            ApiError::bad_request(
                "invalid_field",
                format!("`{key}` must be {what}, not {}.", kind(&value)),
                Some(key.clone()),
            )
        };
        match (field.as_str(), &value) {
            ("name", Value::String(s))
                if !s.trim().is_empty() && s.len() <= 128 && !s.chars().any(char::is_control) =>
            {
                body.name = Some(s.trim().to_string());
            }
            ("name", _) => return Err(invalid("a name of 1 to 128 characters")),
            ("role", Value::String(s)) => {
                body.role = Some(Role::parse(s).ok_or_else(|| invalid("admin, standard or support"))?);
            }
            ("role", _) => return Err(invalid("admin, standard or support")),
            ("workspaces", Value::Array(items)) => {
                let ids: Option<Vec<String>> = items.iter().map(|i| i.as_str().map(str::to_string)).collect();
                body.workspaces = Some(ids.ok_or_else(|| invalid("an array of workspace ids"))?);
            }
            ("workspaces", _) => return Err(invalid("an array of workspace ids")),
            ("expires_in_days", Value::Number(n)) if n.as_u64().is_some_and(|d| (1..=3650).contains(&d)) => {
                body.expires_in_days = n.as_u64().map(|d| d as u32);
            }
            ("expires_in_days", _) => return Err(invalid("a whole number of days from 1 to 3650")),
            ("revoke_others", Value::Bool(b)) => body.revoke_others = *b,
            ("revoke_others", _) => return Err(invalid("true or false")),
            _ => unreachable!("accepted fields are matched above"),
        }
    }
    Ok(body)
}

/// Fails unless every workspace in `ids` exists.
async fn check_workspaces(state: &AppState, ids: &[String]) -> ApiResult<()> {
    for id in ids {
        if state.store.workspace(id).await?.is_none() {
            return Err(ApiError::bad_request(
                "unknown_workspace",
                format!("Workspace `{id}` does not exist."),
                Some("workspaces".into()),
            ));
        }
    }
    Ok(())
}

/// Makes a token for `user`; returns its value (shown once) and info.
async fn issue(state: &AppState, user: Uuid, expires_in_days: Option<u32>) -> ApiResult<NewToken> {
    let (token, hash) = token::generate();
    let expires_at = expires_in_days.map(|d| crate::store::now() + chrono::Duration::days(i64::from(d)));
    let info = state.store.add_token(user, &hash, expires_at).await?;
    Ok(NewToken { token, info: token_view(info) })
}

/// `GET /users`
#[utoipa::path(get, operation_id = "list_users", path = "/api.rsc/v2/users", tag = "users",
    responses((status = 200, body = UserList), (status = 403, body = super::error::ErrorResponse)))]
pub async fn list(State(state): State<AppState>, principal: Principal, params: Params) -> ApiResult<Json<UserList>> {
    params.only(&[])?;
    principal.require_admin()?;
    let mut value = Vec::new();
    for user in state.store.users().await? {
        value.push(view(&state, user, None).await?);
    }
    Ok(Json(UserList { value }))
}

/// `POST /users` with `{"name", "role", "workspaces", "expires_in_days"}`:
/// 201 with the user and its first token (shown once).
#[utoipa::path(post, operation_id = "create_user", path = "/api.rsc/v2/users", tag = "users",
    request_body(content = super::bodies::CreateUser),
    responses((status = 201, body = UserView), (status = 400, body = super::error::ErrorResponse),
        (status = 403, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    params: Params,
    JsonObject(body): JsonObject,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    principal.require_admin()?;
    let body = parse(body, &["name", "role", "workspaces", "expires_in_days"])?;
    let name =
        body.name.ok_or_else(|| ApiError::bad_request("missing_field", "`name` is required.", Some("name".into())))?;
    let role =
        body.role.ok_or_else(|| ApiError::bad_request("missing_field", "`role` is required.", Some("role".into())))?;
    let workspaces = body.workspaces.unwrap_or_default();
    check_workspaces(&state, &workspaces).await?;
    let Some(user) = state.store.create_user(&name, role, &workspaces).await? else {
        return Err(ApiError::conflict(
            "user_exists",
            format!("A user named `{name}` already exists."),
            Some("name".into()),
        ));
    };
    let token = issue(&state, user.id, body.expires_in_days).await?;
    let location = format!("/api.rsc/v2/users/{}", user.id);
    let view = view(&state, user, Some(token.token)).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)))
}

/// `GET /users/{user_id}`
#[utoipa::path(get, operation_id = "get_user", path = "/api.rsc/v2/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "The user id.")),
    responses((status = 200, body = UserView), (status = 403, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse)))]
pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<UserView>> {
    params.only(&[])?;
    principal.require_admin()?;
    Ok(Json(view(&state, find(&state, &id).await?, None).await?))
}

/// `PUT /users/{user_id}` with any of `name`, `role`, `workspaces` (replaced).
#[utoipa::path(put, operation_id = "update_user", path = "/api.rsc/v2/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "The user id.")),
    request_body(content = super::bodies::UpdateUser),
    responses((status = 200, body = UserView), (status = 400, body = super::error::ErrorResponse),
        (status = 403, body = super::error::ErrorResponse), (status = 404, body = super::error::ErrorResponse),
        (status = 409, body = super::error::ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<UserView>> {
    params.only(&[])?;
    principal.require_admin()?;
    let body = parse(body, &["name", "role", "workspaces"])?;
    let mut user = find(&state, &id).await?;
    if user.id == principal.user_id && body.role.is_some_and(|r| r != Role::Admin) {
        return Err(ApiError::conflict("own_role", "An admin cannot demote themself.", Some("role".into())));
    }
    if let Some(workspaces) = &body.workspaces {
        check_workspaces(&state, workspaces).await?;
        user.workspaces = workspaces.clone();
    }
    user.name = body.name.unwrap_or(user.name);
    user.role = body.role.unwrap_or(user.role);
    let updated = state.store.update_user(&user).await?;
    state.principals.clear();
    if !updated {
        return Err(ApiError::conflict(
            "user_exists",
            format!("A user named `{}` already exists.", user.name),
            Some("name".into()),
        ));
    }
    Ok(Json(view(&state, user, None).await?))
}

/// `DELETE /users/{user_id}`: never the last admin.
#[utoipa::path(delete, operation_id = "delete_user", path = "/api.rsc/v2/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "The user id.")),
    responses((status = 204), (status = 403, body = super::error::ErrorResponse), (status = 404, body = super::error::ErrorResponse),
        (status = 409, body = super::error::ErrorResponse)))]
pub async fn remove(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<StatusCode> {
    params.only(&[])?;
    principal.require_admin()?;
    let user = find(&state, &id).await?;
    let deleted = state.store.delete_user(user.id).await?;
    state.principals.clear();
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::conflict("last_admin", "The last admin cannot be deleted.", None))
    }
}

/// `POST /users/{user_id}/generate-token` with optional `expires_in_days`
/// and `revoke_others`: 201 with the new token (shown once).
#[utoipa::path(post, operation_id = "generate_token", path = "/api.rsc/v2/users/{user_id}/generate-token", tag = "users",
    params(("user_id" = String, Path, description = "The user id.")),
    request_body(content = super::bodies::GenerateToken),
    responses((status = 201, body = NewToken), (status = 403, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse)))]
pub async fn generate_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
    body: Option<JsonObject>,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    principal.require_admin()?;
    let body = parse(body.map(|JsonObject(m)| m).unwrap_or_default(), &["expires_in_days", "revoke_others"])?;
    let user = find(&state, &id).await?;
    let token = issue(&state, user.id, body.expires_in_days).await?;
    if body.revoke_others {
        state.store.revoke_tokens(user.id, None, Some(token.info.id)).await?;
        state.principals.clear();
    }
    Ok((StatusCode::CREATED, Json(token)))
}

/// `DELETE /users/{user_id}/tokens/{token_id}`: revokes one token.
#[utoipa::path(delete, operation_id = "revoke_token", path = "/api.rsc/v2/users/{user_id}/tokens/{token_id}", tag = "users",
    params(("user_id" = String, Path, description = "The user id."), ("token_id" = String, Path, description = "The token id.")),
    responses((status = 204), (status = 403, body = super::error::ErrorResponse), (status = 404, body = super::error::ErrorResponse)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, token_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<StatusCode> {
    params.only(&[])?;
    principal.require_admin()?;
    let user = find(&state, &id).await?;
    let missing = || ApiError::not_found("token_not_found", format!("Token `{token_id}` does not exist."));
    let token = Uuid::parse_str(&token_id).map_err(|_| missing())?;
    let revoked = state.store.revoke_tokens(user.id, Some(token), None).await?;
    state.principals.clear();
    match revoked {
        0 => Err(missing()),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}
