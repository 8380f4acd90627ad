//! One error type for the whole HTTP surface, rendered as RFC 9457 `application/problem+json`:
//! `{type, title, status, detail, code}` plus `errors[]` on 422 and any extension members
//! (e.g. the day counts of `window_cap_exceeded`). Internal causes are logged with the request
//! id and never sent to the client.
//!
//! "The database is not there" — the pool has no connection to give within its timeout, the
//! server closed the connection or cannot be reached, a statement ran into `statement_timeout`,
//! SQLite stayed locked past `busy_timeout`, or the request's deadline passed (`db::run`) — is
//! decided here, in one place, and answers `503 database_unavailable` with `Retry-After`: the
//! request may succeed if repeated, unlike a 500.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{Map, Value};

pub use crate::domain::problem::ProblemCode;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A field's name in words for a `detail` sentence: the last part of its path, with the few
/// names whose words differ from the field's (`occurred_at` is "When" in every form).
pub fn field_words(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    match last {
        "occurred_at" => "when".to_string(),
        "starts_at" => "window start".to_string(),
        "ends_at" => "window end".to_string(),
        "benchmark_ref" => "benchmark reference".to_string(),
        "requested_response_by" => "response requested by".to_string(),
        "planned_partner_release_at" => "planned partner release".to_string(),
        "capability_evidence" => "capability evidence".to_string(),
        "partner_org_id" => "partner organization".to_string(),
        "model_id" => "model".to_string(),
        "agency_code" => "agency".to_string(),
        "user_id" => "person".to_string(),
        "corrects" => "the entry to correct".to_string(),
        "email" | "contact_email" => "email address".to_string(),
        other => other.replace('_', " "),
    }
}

/// "Version is required." from `version` and "is required": the field's words, then the
/// message, as one sentence (the field name itself stays in `errors[].field`).
pub fn plain_field_sentence(field: &str, message: &str) -> String {
    let mut s = if field.is_empty() || field == "body" {
        message.to_string()
    } else {
        format!("{} {}", field_words(field), message)
    };
    if let Some(first) = s.get(0..1) {
        s = first.to_uppercase() + &s[1..];
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: ProblemCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub extensions: Map<String, Value>,
    pub retry_after: Option<u64>,
    source: Option<anyhow::Error>,
}

pub type AppResult<T> = Result<T, AppError>;

/// `Retry-After` of a 503 `database_unavailable`.
pub const RETRY_AFTER_SECS: u64 = 2;

impl AppError {
    pub fn new(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            extensions: Map::new(),
            retry_after: None,
            source: None,
        }
    }
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ProblemCode::MalformedRequest,
            detail,
        )
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemCode::Unauthenticated,
            "Sign in to continue.",
        )
    }
    pub fn unauthorized_with(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemCode::Unauthenticated,
            detail,
        )
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ProblemCode::Forbidden, detail)
    }
    pub fn forbidden_code(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ProblemCode::NotFound,
            "No such record, or it is not visible to you.",
        )
    }
    pub fn conflict(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }
    /// 409 `invalid_transition`. The detail is shown to people as it is, so a rule's fragment
    /// ("a draft request cannot be assigned; submit it first") becomes a sentence here.
    pub fn invalid_transition(detail: impl Into<String>) -> Self {
        Self::conflict(ProblemCode::InvalidTransition, as_sentence(detail.into()))
    }
    /// 422 with per-field messages.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => plain_field_sentence(&one.field, &one.message),
            _ => format!("{} fields need correcting.", errors.len()),
        };
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::ValidationFailed,
            detail,
        );
        e.errors = errors;
        e
    }
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }
    /// 422 with a workflow code (e.g. `window_cap_exceeded`).
    pub fn unprocessable(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }
    pub fn too_many(retry_after_secs: u64, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemCode::Throttled,
            detail,
        );
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }
    /// 503: the database cannot be used right now; the client may retry after a moment.
    pub fn database_unavailable() -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::DatabaseUnavailable,
            "The database is not available right now. Try again in a moment.",
        );
        e.retry_after = Some(RETRY_AFTER_SECS);
        e
    }
    fn database_unavailable_because(err: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::database_unavailable();
        e.source = Some(err.into());
        e
    }
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemCode::InternalError,
            "An unexpected error occurred. It has been logged; quote the request id when reporting it.",
        );
        e.source = Some(err.into());
        e
    }
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }
    pub fn with_ext(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.to_string(), value.into());
        self
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        if let Some(src) = &self.source {
            write!(f, " ({src:#})")?;
        }
        Ok(())
    }
}

/// Builds the problem document; used by `AppError` and by the framework error handlers.
pub fn problem_response(
    status: StatusCode,
    code: ProblemCode,
    detail: &str,
    errors: &[FieldError],
    extensions: &Map<String, Value>,
) -> HttpResponse {
    let mut body = Map::new();
    body.insert(
        "type".into(),
        Value::String(format!("urn:frontier-portal:problem:{code}")),
    );
    body.insert(
        "title".into(),
        Value::String(status.canonical_reason().unwrap_or("Error").to_string()),
    );
    body.insert("status".into(), Value::from(status.as_u16()));
    body.insert("detail".into(), Value::String(detail.to_string()));
    body.insert("code".into(), Value::String(code.as_str().to_string()));
    if !errors.is_empty() || status == StatusCode::UNPROCESSABLE_ENTITY {
        body.insert(
            "errors".into(),
            serde_json::to_value(errors).unwrap_or(Value::Array(vec![])),
        );
    }
    for (k, v) in extensions {
        body.entry(k.clone()).or_insert_with(|| v.clone());
    }
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(Value::Object(body).to_string())
}

impl std::error::Error for AppError {}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        if let Some(src) = &self.source {
            if self.status == StatusCode::SERVICE_UNAVAILABLE {
                tracing::warn!(error = %format!("{src:#}"), "database unavailable");
            } else {
                tracing::error!(error = %format!("{src:#}"), "internal error");
            }
        }
        let mut resp = problem_response(
            self.status,
            self.code,
            &self.detail,
            &self.errors,
            &self.extensions,
        );
        if let Some(secs) = self.retry_after {
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// Whether a query failed because the database is unreachable or out of time (not because of
/// the query): the connection is gone or could not send, the server cancelled the statement
/// (`statement_timeout`) or is shutting down, SQLite's lock wait ran out.
pub fn is_database_unavailable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error};
    match e {
        Error::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("canceling statement due to statement timeout")
                || m.contains("terminating connection")
                || m.contains("the database system is")
                || m.contains("database is locked")
        }
        _ => false,
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::not_found(),
            other if is_database_unavailable(&other) => {
                AppError::database_unavailable_because(other)
            }
            other => AppError::internal(other),
        }
    }
}

/// The pool could not hand out a connection within `database.acquire_timeout_ms`: every
/// connection is busy or none can be opened.
impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::database_unavailable_because(e)
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::internal(e)
    }
}

impl crate::db::RetryableError for AppError {
    fn is_retryable(&self) -> bool {
        self.source
            .as_ref()
            .and_then(|s| s.downcast_ref::<diesel::result::Error>())
            .is_some_and(crate::db::is_retryable_db_error)
    }
}

/// A capital first letter and a closing full stop (unless it already ends a sentence).
fn as_sentence(text: String) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return text;
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod sentence_tests {
    #[test]
    fn fragments_become_sentences() {
        assert_eq!(
            super::as_sentence("only a draft request can be edited".into()),
            "Only a draft request can be edited."
        );
        assert_eq!(super::as_sentence("Already one.".into()), "Already one.");
        assert_eq!(super::as_sentence(String::new()), "");
    }
}
