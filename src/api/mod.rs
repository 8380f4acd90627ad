//! The HTTP API (`/api/v1`, DESIGN.md §3). Handlers are thin: extract the caller, validate the
//! body into domain types, run one transaction off the async workers, map the result to JSON.
//! Every error is an RFC 9457 problem answer (`crate::error`).

pub mod access_grants;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod body;
pub use body::JsonBody;
pub mod designations;
pub mod dto;
pub mod grant_messages;
pub mod grants;
pub mod health;
pub mod json;
pub mod mfa;
pub mod models;
pub mod nominations;
pub mod notifications;
pub mod oidc;
pub mod openapi;
pub mod organizations;
pub mod page_cache;
pub mod paging;
pub mod partner_grants;
pub mod rfc3339;
pub mod sessions;
pub mod terms;
pub mod threads;
pub mod view;
pub mod webauthn;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::{problem_response, AppError, FieldError, ProblemCode};

pub const JSON_LIMIT: usize = 256 * 1024;

/// Registers every route of `/api/v1` (and the operational endpoints) on the app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(JSON_LIMIT))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(operational("/healthz").route(get_or_head().to(health::healthz)))
        .service(operational("/readyz").route(get_or_head().to(health::readyz)))
        .service(operational("/metrics").route(get_or_head().to(health::metrics)))
        .configure(openapi::configure)
        .service(
            web::scope("/api/v1")
                .wrap(actix_web::middleware::from_fn(
                    crate::auth::read_tokens_only_read,
                ))
                .wrap(actix_web::middleware::from_fn(refuse_nul_in_url))
                .wrap(actix_web::middleware::from_fn(head_as_get))
                .configure(auth::configure)
                .configure(organizations::configure)
                .configure(admin::configure)
                .configure(audit::configure)
                .configure(models::configure)
                .configure(designations::configure)
                .configure(terms::configure)
                .configure(access_grants::configure)
                .configure(nominations::configure)
                .configure(partner_grants::configure)
                .default_service(web::to(api_fallback)),
        );
}

/// A route for GET that HEAD takes too (the answer without its body).
fn get_or_head() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

/// An operational endpoint outside `/api/v1`: other methods answer 405 like the API's.
fn operational(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(api_fallback))
}

/// HEAD on any `/api/v1` route is routed as its GET: the server (actix-http) sends the headers,
/// `Content-Length` included, and no body, because the request line said HEAD.
async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await.map(|r| r.map_into_boxed_body())
}

/// Whether a raw (percent-encoded) URL part spells a NUL character. A raw NUL byte cannot
/// reach here (the HTTP parser refuses it) and every `%` starts an escape, so `%00` is exact.
fn spells_nul(raw: &str) -> bool {
    raw.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// One guard for every path and query of the API, before any handler or extractor reads them:
/// a NUL character (which PostgreSQL's text cannot hold) in the path is a 404 — no record has
/// such an id — and in the query string a 400. JSON bodies get the same rule in `json::parse`.
async fn refuse_nul_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refused = if spells_nul(req.path()) {
        Some(AppError::not_found())
    } else if spells_nul(req.query_string()) {
        Some(AppError::bad_request(
            "The query string is invalid: it contains a NUL character.",
        ))
    } else {
        None
    };
    if let Some(e) = refused {
        let resp = actix_web::ResponseError::error_response(&e);
        return Ok(req.into_response(resp));
    }
    next.call(req).await.map(|r| r.map_into_boxed_body())
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let e = AppError::bad_request(format!("The query string is invalid: {err}"));
    actix_web::error::InternalError::from_response(
        err,
        actix_web::ResponseError::error_response(&e),
    )
    .into()
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    let e = AppError::not_found();
    actix_web::error::InternalError::from_response(
        err,
        actix_web::ResponseError::error_response(&e),
    )
    .into()
}

/// What a request that no route took answers, as a problem document: 405
/// `method_not_allowed` with `Allow` when the path is one the OpenAPI document lists with other
/// methods, else 404 `not_found`. The default service of `/api/v1`, of `/api/v1/auth` and of
/// the operational endpoints.
pub async fn api_fallback(req: HttpRequest) -> HttpResponse {
    let path = crate::telemetry::redact_target(req.path());
    let allowed = openapi::allowed_methods(req.path());
    if allowed.is_empty() {
        return problem_response(
            StatusCode::NOT_FOUND,
            ProblemCode::NotFound,
            &format!("There is no API route {} {path}.", req.method()),
            &[],
            &Default::default(),
        );
    }
    let allow = allowed
        .iter()
        .map(|m| m.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(", ");
    let mut resp = problem_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ProblemCode::MethodNotAllowed,
        &format!(
            "{} is not allowed on {path}; it takes {allow}.",
            req.method()
        ),
        &[],
        &Default::default(),
    );
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    resp
}

/// Trims and checks a required text field of at most `max` characters as sent (the OpenAPI
/// schema's `minLength: 1` with the non-blank pattern, and `maxLength`).
pub fn required(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) -> String {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, "is required"));
        return String::new();
    }
    optional(errors, field, Some(value), max)
}

/// Trims and checks an optional text field (absent or null = empty) of at most `max`
/// characters as sent (JSON Schema's `maxLength` counts the value, spaces included).
pub fn optional(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> String {
    let raw = value.unwrap_or_default();
    if raw.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    raw.trim().to_string()
}

/// The longest email address accepted, in characters as sent.
pub const EMAIL_MAX: usize = 254;

/// A plausible email address (the emailed link proves it): the OpenAPI schema states this rule
/// as its pattern (`openapi::EMAIL_PATTERN`) and `maxLength`.
pub fn email_field(errors: &mut Vec<FieldError>, field: &str, value: &str) -> String {
    let v = value.trim().to_lowercase();
    let ok = value.chars().count() <= EMAIL_MAX
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
        && v.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        });
    if !ok {
        errors.push(FieldError::new(
            field,
            "must be an email address like name@example.gov",
        ));
    }
    v
}

/// The end of parsing: `value` when no field was refused, else 422 with every error in the
/// order found. Field parsers answer `Option`s and push their errors; zip them into one
/// (`a.zip(b)`) and hand it here instead of unwrapping each after [`finish`].
pub fn valid<T>(errors: Vec<FieldError>, value: Option<T>) -> Result<T, AppError> {
    parsed(errors, value).map_err(AppError::validation)
}

/// [`valid`] for a `TryFrom<Body>` of a command: the errors stay a list, so checks made later
/// (against the database) can add theirs to the same 422.
pub fn parsed<T>(errors: Vec<FieldError>, value: Option<T>) -> Result<T, Vec<FieldError>> {
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(errors),
    }
}

/// The errors of a command that did not parse (none if it did), to add later checks' errors to.
pub fn errors_of<T>(command: &Result<T, Vec<FieldError>>) -> Vec<FieldError> {
    command.as_ref().err().cloned().unwrap_or_default()
}

/// The caller as the store's visibility-scoped queries see it.
pub fn viewer(actor: &crate::auth::Actor) -> crate::store::Viewer {
    use crate::domain::policy::OrgKind;
    use crate::store::Viewer;
    let org = actor.org_id.clone();
    match actor.org_kind {
        OrgKind::Developer => Viewer::Developer(org),
        OrgKind::Agency => Viewer::Agency(org),
        OrgKind::Partner => Viewer::Partner(org),
        OrgKind::Operator => Viewer::Operator,
    }
}

/// The one view a `*_outs` builder made for a one-row page (every handler that answers a single
/// record builds it through the same code as its list).
pub fn first<T>(views: Vec<T>) -> Result<T, AppError> {
    views
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a view of one row came back empty")))
}

/// [`valid`] for checks that produce no value: 422 with the errors, if any.
pub fn finish(errors: Vec<FieldError>) -> Result<(), AppError> {
    valid(errors, Some(()))
}

/// The years a time field accepts: what RFC 3339's four-digit year can spell, from the Unix
/// epoch on (every stored time is written back out as RFC 3339, DESIGN §2).
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// Parses a required RFC 3339 time field (every time field of every body goes through here).
/// A time whose UTC year is outside [`YEARS`] is refused (422 on the field).
pub fn time_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::Datelike;
    let parsed = chrono::DateTime::parse_from_rfc3339(value.trim()).ok();
    match parsed.map(|t| t.with_timezone(&chrono::Utc)) {
        Some(t) if YEARS.contains(&t.year()) => Some(crate::clock::truncate(t)),
        Some(_) => {
            errors.push(FieldError::new(
                field,
                "must be a time between the years 1970 and 9999",
            ));
            None
        }
        None => {
            errors.push(FieldError::new(
                field,
                "must be an RFC 3339 time such as 2026-06-02T14:00:00Z",
            ));
            None
        }
    }
}

/// Parses an optional RFC 3339 time field (absent or null = None).
pub fn opt_time_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    match value {
        None => None,
        Some(v) if v.trim().is_empty() => None,
        Some(v) => time_field(errors, field, v),
    }
}

/// Parses an optional calendar-date field (absent, null or "" = None): `2026-12-15`, or an
/// RFC 3339 time, whose date is taken in the offset it was written with
/// (`2026-12-15T23:59:00-05:00` is Dec 15), so clients that sent times keep working. A date
/// carries no zone: it is stored and sent back as `YYYY-MM-DD` and reads the same everywhere.
pub fn opt_date_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    let parsed = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .filter(|_| v.len() == 10)
        .or_else(|| {
            chrono::DateTime::parse_from_rfc3339(v)
                .ok()
                .map(|t| t.date_naive())
        });
    match parsed {
        Some(d) if YEARS.contains(&d.year()) => Some(d),
        Some(_) => {
            errors.push(FieldError::new(
                field,
                "must be a date between the years 1970 and 9999",
            ));
            None
        }
        None => {
            errors.push(FieldError::new(field, "must be a date such as 2026-12-15"));
            None
        }
    }
}

/// Refuses a calendar date whose day is already over everywhere
/// ([`crate::domain::designation::day_has_passed`]): 422 on the field, in words.
pub fn date_not_past(
    errors: &mut Vec<FieldError>,
    field: &str,
    date: Option<chrono::NaiveDate>,
    now: chrono::DateTime<chrono::Utc>,
) {
    if date.is_some_and(|d| crate::domain::designation::day_has_passed(d, now)) {
        errors.push(FieldError::new(field, "must be today or a later date"));
    }
}

/// Refuses a time before `now`: 422 on the field, in words.
pub fn time_not_past(
    errors: &mut Vec<FieldError>,
    field: &str,
    time: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) {
    if time.is_some_and(|t| t < now) {
        errors.push(FieldError::new(field, "must not be in the past"));
    }
}

/// For `Option<Option<T>>` fields of a PATCH body with `#[serde(default)]`: absent → `None`
/// (unchanged), `null` → `Some(None)` (clear), a value → `Some(Some(v))`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// Parses one of a domain enum's strings. The message is in words; the accepted values are the
/// schema's `enum` (the OpenAPI document), never listed to the person reading the message.
pub fn enum_field<T: Copy>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Option<T> {
    let found = all.iter().copied().find(|v| as_str(*v) == value.trim());
    if found.is_none() {
        errors.push(FieldError::new(field, CHOOSE_ONE));
    }
    found
}

/// Maps a refused window to its 422 problem (with the day counts for `window_cap_exceeded`).
pub fn window_error(e: crate::domain::window::WindowError) -> AppError {
    use crate::domain::window::WindowError;
    let field = e.field();
    let msg = e.to_string();
    let mut err = AppError::unprocessable(e.code(), msg.clone())
        .with_errors(vec![FieldError::new(field, msg)]);
    match e {
        WindowError::CapExceeded {
            requested_days,
            total_days,
            granted_days,
            remaining_days,
            latest_end,
        } => {
            err = err
                .with_ext("requested_days", requested_days)
                .with_ext("total_days", total_days)
                .with_ext("granted_days", granted_days)
                .with_ext("remaining_days", remaining_days);
            if let Some(end) = latest_end {
                err = err.with_ext("latest_end_at", crate::audit::rfc3339(end));
            }
        }
        WindowError::AfterRelease {
            planned_partner_release_at,
        } => {
            err = err.with_ext(
                "planned_partner_release_at",
                crate::audit::rfc3339(planned_partner_release_at),
            );
        }
        WindowError::NotPositive => {}
    }
    err
}

/// The statement shown wherever a developer acts (DESIGN §2.7).
pub const VOLUNTARY: &str = "Participation is voluntary: you can withdraw, end, revoke or release at any time, and nothing here waits on the Government.";

/// The message of a missing or unknown choice (an enum field): plain words.
pub const CHOOSE_ONE: &str = "is missing or not one of the choices offered";

/// The 422 message for an unknown sector (the codes are the schema's `enum`).
pub fn sector_message() -> String {
    "must be one of CISA's 16 critical-infrastructure sectors".to_string()
}
