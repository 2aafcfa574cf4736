//! Request extractors whose failures come back in the API's error shape.

use super::error::{ApiError, ErrorDetail};
use axum::body::Bytes;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;

/// Path parameters, as axum's `Path`, with failures in the API's error
/// shape. A parameter that is not UTF-8 once percent-decoded names nothing
/// that can exist, so it is the 404 of what it would name.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => match e.into_kind() {
                ErrorKind::InvalidUtf8InPathParam { key } => {
                    let (code, what) = match key.as_str() {
                        "workspace_id" => ("workspace_not_found", "workspace"),
                        "connection_id" => ("connection_not_found", "connection"),
                        "table_name" => ("table_not_found", "table"),
                        "log_name" => ("log_not_found", "log file"),
                        "user_id" => ("user_not_found", "user"),
                        "token_id" => ("token_not_found", "token"),
                        _ => ("route_not_found", "resource"),
                    };
                    Err(ApiError::not_found(code, format!("The {what} does not exist: `{key}` is not UTF-8.")))
                }
                other => Err(ApiError::bad_request("invalid_path_parameter", other.to_string(), None)),
            },
            Err(other) => Err(ApiError::bad_request("invalid_path_parameter", other.body_text(), None)),
        }
    }
}

/// A JSON object body, to be read into `T`, the type whose schema the
/// document shows.
///
/// The extractor checks what any body must be: not JSON: 415; too large:
/// 413; malformed: 400 `malformed_json` saying the line and column; a key
/// given twice in one object (keys compared as [`normalize`] does, property
/// names case-insensitively): 400 `duplicate_field` or `duplicate_property`
/// naming it; not an object: 400 `invalid_body`. The handler then calls
/// [`JsonBody::parse`] once the caller is authorized, so that a caller who
/// may not act gets its 403 or 404, not a report on the body.
pub struct JsonBody<T>(Map<String, Value>, PhantomData<fn() -> T>);

impl<T: DeserializeOwned> JsonBody<T> {
    /// Reads the body into `T`: the keys are normalized (not those inside
    /// `properties`, which are user data) and serde reads `T`; a failure is
    /// a 400 naming the field by its path as sent ([`serde_problem`]). What
    /// serde cannot say (names, limits, values that depend on the server's
    /// state) each body's `validate` reports, every problem with its target.
    pub fn parse(self) -> Result<T, ApiError> {
        let mut sent = HashMap::new();
        let value = Value::Object(normalize_keys(self.0, true, &mut sent));
        serde_path_to_error::deserialize(value).map_err(|e| into_error(as_sent(serde_problem(e), &sent)))
    }
}

impl<S: Send + Sync, T> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType { expected: "JSON (Content-Type: application/json)" });
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad_request("unreadable_body", rejection.body_text(), Some("body".to_string()))
            }
        })?;
        match parse_unique(&bytes)? {
            Value::Object(map) => Ok(JsonBody(map, PhantomData)),
            other => Err(ApiError::bad_request(
                "invalid_body",
                format!("The body must be a JSON object, not {}.", kind(&other)),
                Some("body".to_string()),
            )),
        }
    }
}

impl<S: Send + Sync, T> axum::extract::OptionalFromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    /// No body at all is `None`; anything else must be a JSON object.
    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, ApiError> {
        let empty = req.headers().get(CONTENT_TYPE).is_none()
            && req
                .headers()
                .get(axum::http::header::CONTENT_LENGTH)
                .is_none_or(|l| l.to_str().is_ok_and(|l| l.trim() == "0"));
        if empty {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(req, state).await.map(Some)
    }
}

/// `problem` with each key named as the client sent it (`Colour`, not the
/// normalized `colour`), in its target and message.
fn as_sent(mut problem: ErrorDetail, sent: &HashMap<String, String>) -> ErrorDetail {
    let Some(target) = problem.target.take() else { return problem };
    let original: Vec<&str> = target.split('.').map(|key| sent.get(key).map_or(key, String::as_str)).collect();
    let original = original.join(".");
    problem.message = problem.message.replace(&format!("`{target}`"), &format!("`{original}`"));
    for key in target.split('.') {
        if let Some(as_sent) = sent.get(key) {
            problem.message = problem.message.replace(&format!("`{key}`"), &format!("`{as_sent}`"));
        }
    }
    problem.target = Some(original);
    problem
}

/// A request key as compared: trimmed, lowercase, spaces and dashes as
/// underscores.
pub fn normalize(key: &str) -> String {
    key.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// The object with its keys normalized, and those of the objects in it,
/// except the names inside a top-level `properties` (user data). `sent`
/// gets each normalized key that differs from the key as sent.
fn normalize_keys(map: Map<String, Value>, top: bool, sent: &mut HashMap<String, String>) -> Map<String, Value> {
    map.into_iter()
        .map(|(original, value)| {
            let key = normalize(&original);
            if key != original {
                sent.insert(key.clone(), original);
            }
            let value = match value {
                Value::Object(inner) if !(top && key == "properties") => {
                    Value::Object(normalize_keys(inner, false, sent))
                }
                other => other,
            };
            (key, value)
        })
        .collect()
}

/// Parses JSON text, refusing an object that has one key twice.
fn parse_unique(bytes: &[u8]) -> Result<Value, ApiError> {
    let duplicate = std::cell::RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let seed = Unique { path: String::new(), names: false, top: true, duplicate: &duplicate };
    let parsed = serde::de::DeserializeSeed::deserialize(seed, &mut deserializer).and_then(|v| {
        deserializer.end()?;
        Ok(v)
    });
    if let Some(error) = duplicate.into_inner() {
        return Err(error);
    }
    parsed.map_err(|e| {
        ApiError::bad_request(
            "malformed_json",
            format!("The body is not valid JSON: {} (line {}, column {}).", error_text(&e), e.line(), e.column()),
            Some("body".to_string()),
        )
    })
}

/// Builds a [`Value`] like serde_json does, failing on a duplicate key
/// (serde_json keeps the last one silently).
struct Unique<'a> {
    /// Where this value is, for the error: `settings`, `properties.Name`.
    path: String,
    /// Whether this object's keys are property names (compared
    /// case-insensitively, as written) rather than field names.
    names: bool,
    /// Whether this is the body itself.
    top: bool,
    duplicate: &'a std::cell::RefCell<Option<ApiError>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Unique<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Unique<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = format!("{}[{}]", self.path, items.len());
            let seed = Unique { path, names: false, top: false, duplicate: self.duplicate };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        // A set: a body may hold many thousands of keys.
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = access.next_key::<String>()? {
            // As the store compares property names: ASCII case-insensitively.
            let compared = if self.names { key.to_ascii_lowercase() } else { normalize(&key) };
            let path = if self.path.is_empty() { key.clone() } else { format!("{}.{key}", self.path) };
            if seen.contains(&compared) {
                let error = if self.names {
                    ApiError::bad_request(
                        "duplicate_property",
                        format!("Property `{key}` is given twice (property names are case-insensitive)."),
                        Some(path),
                    )
                } else {
                    ApiError::bad_request(
                        "duplicate_field",
                        format!("`{path}` is given twice (keys are case-insensitive; spaces and dashes count as `_`)."),
                        Some(path),
                    )
                };
                *self.duplicate.borrow_mut() = Some(error);
                return Err(serde::de::Error::custom("a key is given twice"));
            }
            let names = self.top && compared == "properties";
            let seed = Unique { path, names, top: false, duplicate: self.duplicate };
            let value = access.next_value_seed(seed)?;
            seen.insert(compared);
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// A serde failure as a problem: `unknown_field`, `missing_field` or
/// `duplicate_field` with the key's path, otherwise `invalid_field` with
/// the path of the value. The target is relative to where serde started.
pub fn serde_problem(error: serde_path_to_error::Error<serde_json::Error>) -> ErrorDetail {
    let path = error.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let message = error.into_inner().to_string();
    let named = message.split('`').nth(1).map(str::to_string);
    let (code, target) = match named {
        Some(name) if message.starts_with("unknown field") => ("unknown_field", join_key(&path, &name)),
        Some(name) if message.starts_with("missing field") => ("missing_field", join_key(&path, &name)),
        Some(name) if message.starts_with("duplicate field") => ("duplicate_field", join_key(&path, &name)),
        _ => ("invalid_field", path),
    };
    let mut text = message;
    if let Some(first) = text.get(..1) {
        text.replace_range(..1, &first.to_uppercase());
    }
    let message = if target.is_empty() { format!("{text}.") } else { format!("`{target}`: {text}.") };
    ErrorDetail { code, message, target: Some(target) }
}

/// `path.name`, unless `path` already ends with `name`.
fn join_key(path: &str, name: &str) -> String {
    if path.is_empty() || path == name || path.ends_with(&format!(".{name}")) {
        if path.is_empty() { name.to_string() } else { path.to_string() }
    } else {
        format!("{path}.{name}")
    }
}

/// `base` followed by `relative` (`""`, `[0]` or `key`).
pub fn join_path(base: &str, relative: &str) -> String {
    match relative {
        "" => base.to_string(),
        r if r.starts_with('[') || base.is_empty() => format!("{base}{r}"),
        r => format!("{base}.{r}"),
    }
}

/// One problem as the error.
fn into_error(p: ErrorDetail) -> ApiError {
    ApiError::BadRequest { code: p.code, message: p.message.clone(), target: p.target.clone(), details: vec![p] }
}

/// Collects a body's problems, then fails with all of them: one is the
/// error; several are `invalid_body` with details.
#[derive(Default)]
pub struct Problems(Vec<ErrorDetail>);

impl Problems {
    /// Adds a problem at `target`.
    pub fn add(&mut self, code: &'static str, target: impl Into<String>, message: impl Into<String>) {
        self.0.push(ErrorDetail { code, message: message.into(), target: Some(target.into()) });
    }

    /// Adds a problem as it is.
    pub fn push(&mut self, problem: ErrorDetail) {
        self.0.push(problem);
    }

    /// `value`, or the problems.
    pub fn finish<T>(self, value: T) -> Result<T, ApiError> {
        into_result(self.0).map(|()| value)
    }
}

/// One problem becomes the error; several become `invalid_body` with details.
pub fn into_result(mut problems: Vec<ErrorDetail>) -> Result<(), ApiError> {
    match problems.len() {
        0 => Ok(()),
        1 => Err(into_error(problems.remove(0))),
        n => Err(ApiError::BadRequest {
            code: "invalid_body",
            message: format!("The body has {n} problems; see details."),
            target: None,
            details: problems,
        }),
    }
}

/// A body field as serde read it: absent, its value, or why its value did
/// not read (kept, so that every field's problem is reported, not only the
/// first). Its schema is `T`'s: each use says `value_type` or `schema_with`.
#[derive(Default)]
pub enum Field<T> {
    /// Not in the body.
    #[default]
    Absent,
    /// Read.
    Given(T),
    /// Not of the field's type; the target is relative to the field.
    Invalid(ErrorDetail),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(value) => Field::Given(value),
            Err(error) => Field::Invalid(serde_problem(error)),
        })
    }
}

impl<T> Field<T> {
    /// The value; a problem of the field `name` goes to `problems`, its
    /// code `invalid_field` unless `code` says otherwise for a problem
    /// inside the value (at a relative target).
    pub fn take(self, name: &str, problems: &mut Problems, code: fn(&str) -> Option<&'static str>) -> Option<T> {
        match self {
            Field::Absent => None,
            Field::Given(value) => Some(value),
            Field::Invalid(mut problem) => {
                let relative = problem.target.take().unwrap_or_default();
                let target = join_path(name, &relative);
                if problem.code == "invalid_field"
                    && let Some(code) = code(&relative)
                {
                    problem.code = code;
                }
                problem.message = match problem.message.split_once("`: ") {
                    Some((_, rest)) => format!("`{target}`: {rest}"),
                    None => format!("`{target}`: {}", problem.message),
                };
                problem.target = Some(target);
                problems.push(problem);
                None
            }
        }
    }

    /// [`Field::take`] with the default codes.
    pub fn get(self, name: &str, problems: &mut Problems) -> Option<T> {
        self.take(name, problems, |_| None)
    }
}

/// A whole number as JSON Schema's `integer` has it: `5` and `5.0` alike.
#[derive(Debug, Clone, Copy)]
pub struct Whole(pub u64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wrong = || serde::de::Error::custom("expected a whole number");
        match Value::deserialize(deserializer)? {
            Value::Number(n) => match (n.as_u64(), n.as_f64()) {
                (Some(n), _) => Ok(Whole(n)),
                // Exact below 2^53; larger values are out of every range anyway.
                (None, Some(f)) if f.fract() == 0.0 && (0.0..9.0e15).contains(&f) => Ok(Whole(f as u64)),
                _ => Err(wrong()),
            },
            other => Err(serde::de::Error::custom(format!("invalid type: {}, expected a whole number", kind(&other)))),
        }
    }
}

/// Whether `text` is a name: 1 to `max` characters (as sent), no control
/// characters, not only white space.
pub fn is_name(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}

/// JSON Schema pattern of [`is_name`] (without the length): some
/// character that is not white space, and no control characters.
pub const NAME_PATTERN: &str =
    "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// JSON Schema pattern of text without control characters.
pub const PRINTABLE_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// The schema of a string of `min..=max` characters matching `pattern`.
pub fn text_schema(min: usize, max: usize, pattern: &str) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let min = (min > 0).then_some(min);
    ObjectBuilder::new().schema_type(Type::String).min_length(min).max_length(Some(max)).pattern(Some(pattern)).build()
}

/// The schema of a name ([`is_name`]): 1 to 128 characters.
pub fn name_schema() -> utoipa::openapi::schema::Object {
    text_schema(1, 128, NAME_PATTERN)
}

/// serde_json's message without its own " at line L column C" suffix.
fn error_text(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The JSON type of a value, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Query parameters with case-insensitive names; `$top` and `top` are one.
/// Each route names the parameters it accepts, and others are a 400.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Params(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.trim_start_matches('$').to_ascii_lowercase(), v.into_owned()))
                .collect(),
        ))
    }
}

impl Params {
    /// Fails on any parameter not in `allowed` (lower case, without `$`).
    pub fn only(&self, allowed: &[&str]) -> Result<&Self, ApiError> {
        match self.0.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            None => Ok(self),
            Some((k, _)) => Err(ApiError::bad_request(
                "unknown_parameter",
                format!("Unknown query parameter `{k}`; this route accepts: {}.", allowed.join(", ")),
                Some(k.clone()),
            )),
        }
    }

    /// The value of `name`, if given (the last one wins).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// `name` as a boolean (`true`/`false`/`1`/`0`, any case); absent is false.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if v == "true" || v == "1" => Ok(true),
            Some(v) if v == "false" || v == "0" || v.is_empty() => Ok(false),
            Some(v) => Err(ApiError::bad_request(
                "invalid_parameter",
                format!("Query parameter `{name}` must be true or false, not `{v}`."),
                Some(name.to_string()),
            )),
        }
    }

    /// `name` as a whole number from 0 to `max`.
    pub fn count(&self, name: &str, max: i64) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.trim().parse::<i64>().ok().filter(|n| (0..=max).contains(n)).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_parameter",
                        format!("Query parameter `{name}` must be a whole number from 0 to {max}, not `{v}`."),
                        Some(name.to_string()),
                    )
                })
            })
            .transpose()
    }
}
