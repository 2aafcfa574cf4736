//! `/users`: users, their role and workspaces, and their tokens. Admin only.

use super::auth::Require;
use super::error::ApiResult;
use super::extract::{Field, JsonBody, Params, Path, Problems, Whole, is_name, name_schema};
use super::state::AppState;
use crate::auth::{Principal, Role};
use crate::service::users::{self as service, Changes, IssuedToken, TokenRequest};
use crate::store::{TokenInfo, User};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of users.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
        .routes(routes!(generate_token))
        .routes(routes!(revoke_token))
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

fn new_token(issued: IssuedToken) -> NewToken {
    NewToken { token: issued.token, info: token_view(issued.info) }
}

/// The fields of a user body, checked: the changes to the user, and what
/// its new token is to be.
#[derive(Default)]
struct UserBody {
    changes: Changes,
    token: TokenRequest,
}

/// The fewest and most days a token may last.
const TOKEN_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;

/// `workspaces`: workspace ids.
fn workspaces_schema() -> utoipa::openapi::schema::Array {
    let id = crate::api::extract::text_schema(1, 64, "^[A-Za-z0-9_-]{1,64}$");
    utoipa::openapi::schema::ArrayBuilder::new().items(id).build()
}

/// `POST /users`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "una", "role": "standard", "workspaces": ["sales"], "expires_in_days": 90}))]
pub struct CreateUser {
    /// Unique, compared case-insensitively; 1 to 128 characters.
    #[schema(schema_with = name_schema)]
    name: Field<String>,
    /// What the user may do (case-insensitive).
    #[schema(value_type = Role)]
    role: Field<String>,
    /// The workspaces granted (each must exist).
    #[serde(default)]
    #[schema(schema_with = workspaces_schema)]
    workspaces: Field<Vec<String>>,
    /// Days until the user's first token expires, 1 to 3650; default: never.
    #[serde(default)]
    #[schema(value_type = u32, minimum = 1, maximum = 3650)]
    expires_in_days: Field<Whole>,
}

/// `PUT /users/{user_id}`: only what is given changes.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "support", "workspaces": ["sales", "default"]}))]
pub struct UpdateUser {
    /// A new name.
    #[serde(default)]
    #[schema(schema_with = name_schema)]
    name: Field<String>,
    /// A new role (case-insensitive).
    #[serde(default)]
    #[schema(value_type = Role)]
    role: Field<String>,
    /// Replaces the granted workspaces (each must exist).
    #[serde(default)]
    #[schema(schema_with = workspaces_schema)]
    workspaces: Field<Vec<String>>,
}

/// `POST /users/{user_id}/generate-token`; the body may be left out.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"expires_in_days": 30, "revoke_others": true}))]
pub struct GenerateToken {
    /// Days until the token expires, 1 to 3650; default: never.
    #[serde(default)]
    #[schema(value_type = u32, minimum = 1, maximum = 3650)]
    expires_in_days: Field<Whole>,
    /// Whether the user's other tokens stop working; default false.
    #[serde(default)]
    #[schema(value_type = bool)]
    revoke_others: Field<bool>,
}

impl UserBody {
    fn read(
        name: Field<String>,
        role: Field<String>,
        workspaces: Field<Vec<String>>,
        days: Field<Whole>,
        revoke_others: Field<bool>,
    ) -> ApiResult<UserBody> {
        let mut problems = Problems::default();
        let mut body = UserBody::default();
        if let Some(name) = name.get("name", &mut problems) {
            if is_name(&name, 128) {
                body.changes.name = Some(name.trim().to_string());
            } else {
                problems.add("invalid_field", "name", "`name` must be a name of 1 to 128 characters.");
            }
        }
        if let Some(role) = role.get("role", &mut problems) {
            body.changes.role = Role::parse(&role);
            if body.changes.role.is_none() {
                problems.add("invalid_field", "role", "`role` must be admin, standard or support.");
            }
        }
        body.changes.workspaces = workspaces.get("workspaces", &mut problems);
        if let Some(days) = days.get("expires_in_days", &mut problems) {
            if let Some(days) = u32::try_from(days.0).ok().filter(|d| TOKEN_DAYS.contains(d)) {
                body.token.expires_in_days = Some(days);
            } else {
                let message = "`expires_in_days` must be a whole number of days from 1 to 3650.";
                problems.add("invalid_field", "expires_in_days", message);
            }
        }
        body.token.revoke_others = revoke_others.get("revoke_others", &mut problems).unwrap_or_default();
        problems.finish(body)
    }
}

/// `GET /users`
#[utoipa::path(get, operation_id = "list_users", path = "/users", tag = "users",
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
#[utoipa::path(post, operation_id = "create_user", path = "/users", tag = "users",
    request_body(content = CreateUser),
    responses((status = 201, body = UserView), (status = 400, body = super::error::ErrorResponse),
        (status = 403, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    params: Params,
    body: JsonBody<CreateUser>,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    principal.require_admin()?;
    let body = body.parse()?;
    let body = UserBody::read(body.name, body.role, body.workspaces, body.expires_in_days, Field::Absent)?;
    let (user, token) = service::create(&state.services(), body.changes, body.token).await?;
    let location = format!("/api.rsc/v2/users/{}", user.id);
    let view = view(&state, user, Some(token.token)).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)))
}

/// `GET /users/{user_id}`
#[utoipa::path(get, operation_id = "get_user", path = "/users/{user_id}", tag = "users",
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
    Ok(Json(view(&state, service::find(&state.store, &id).await?, None).await?))
}

/// `PUT /users/{user_id}` with any of `name`, `role`, `workspaces` (replaced).
#[utoipa::path(put, operation_id = "update_user", path = "/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "The user id.")),
    request_body(content = UpdateUser),
    responses((status = 200, body = UserView), (status = 400, body = super::error::ErrorResponse),
        (status = 403, body = super::error::ErrorResponse), (status = 404, body = super::error::ErrorResponse),
        (status = 409, body = super::error::ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
    body: JsonBody<UpdateUser>,
) -> ApiResult<Json<UserView>> {
    params.only(&[])?;
    principal.require_admin()?;
    let body = body.parse()?;
    let body = UserBody::read(body.name, body.role, body.workspaces, Field::Absent, Field::Absent)?;
    let user = service::update(&state.services(), principal.user_id, &id, body.changes).await?;
    Ok(Json(view(&state, user, None).await?))
}

/// `DELETE /users/{user_id}`: never the last admin.
#[utoipa::path(delete, operation_id = "delete_user", path = "/users/{user_id}", tag = "users",
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
    service::delete(&state.services(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /users/{user_id}/generate-token` with optional `expires_in_days`
/// and `revoke_others`: 201 with the new token (shown once).
#[utoipa::path(post, operation_id = "generate_token", path = "/users/{user_id}/generate-token", tag = "users",
    params(("user_id" = String, Path, description = "The user id.")),
    request_body(content = GenerateToken, description = "Optional: without a body, a token that never expires."),
    responses((status = 201, body = NewToken), (status = 403, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse)))]
pub async fn generate_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
    body: Option<JsonBody<GenerateToken>>,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    principal.require_admin()?;
    let body = match body {
        Some(b) => {
            let b = b.parse()?;
            UserBody::read(Field::Absent, Field::Absent, Field::Absent, b.expires_in_days, b.revoke_others)?
        }
        None => UserBody::default(),
    };
    let token = service::generate_token(&state.services(), &id, body.token).await?;
    Ok((StatusCode::CREATED, Json(new_token(token))))
}

/// `DELETE /users/{user_id}/tokens/{token_id}`: revokes one token.
#[utoipa::path(delete, operation_id = "revoke_token", path = "/users/{user_id}/tokens/{token_id}", tag = "users",
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
    service::revoke_token(&state.services(), &id, &token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
