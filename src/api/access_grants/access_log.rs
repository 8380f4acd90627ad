//! The access log: every recorded use of the access, append-only.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::first;
use crate::api::grants;
use crate::api::json::Json;
use crate::api::paging::{PageQuery, Paged};
use crate::api::parsed;
use crate::api::JsonBody;
use crate::api::{enum_field, required, time_field};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::grant::{check_access_log_time, may_correct_log_entry, AccessKind};
use crate::error::{AppError, AppResult, FieldError, ProblemCode};
use crate::state::AppState;
use crate::store::grants::{self as store, AccessGrantRow, AccessLogRow, GrantKind};
use crate::store::{accounts, new_id, orgs};

use super::common::context;
use crate::api::view::load;
use crate::domain::ids::GrantId;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogOut {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub organization_name: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub occurred_at: DateTime<Utc>,
    /// `evaluation`, `red_team`, `benchmark` or `other`
    pub kind: String,
    pub duration_minutes: i32,
    pub summary: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    /// The entry this one corrects (an entry of the same grant), when it is a correction.
    pub corrects: Option<String>,
    /// The entries that correct this one, oldest first (entries are never changed: a correction
    /// is a new entry).
    pub corrected_by: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogList {
    pub items: Vec<AccessLogOut>,
    pub next_cursor: Option<String>,
}

pub(super) fn log_outs(conn: &mut DbConn, rows: Vec<AccessLogRow>) -> AppResult<Vec<AccessLogOut>> {
    let uids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
    let oids: Vec<String> = rows.iter().map(|r| r.organization_id.clone()).collect();
    let eids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let users: HashMap<String, String> = accounts::user_names(conn, &uids)?;
    let orgs: HashMap<String, String> = orgs::names(conn, &oids)?;
    let mut corrected_by: HashMap<String, Vec<String>> = HashMap::new();
    for (corrected, by) in store::corrections_of(conn, &eids)? {
        corrected_by.entry(corrected).or_default().push(by);
    }
    Ok(rows
        .into_iter()
        .map(|r| AccessLogOut {
            corrected_by: corrected_by.remove(&r.id).unwrap_or_default(),
            corrects: r.corrects_entry_id,
            user_name: users.get(&r.user_id).cloned().unwrap_or_default(),
            organization_name: orgs.get(&r.organization_id).cloned().unwrap_or_default(),
            id: r.id,
            user_id: r.user_id,
            occurred_at: from_db(r.occurred_at),
            kind: r.kind,
            duration_minutes: r.duration_minutes,
            summary: r.summary,
            created_at: from_db(r.created_at),
        })
        .collect())
}

/// Every recorded use of the access, newest first (developer and grantees).
#[utoipa::path(
    get,
    path = "/api/v1/access-grants/{id}/access-log",
    operation_id = "listAccessLog",
    tag = "access grants",
    params(
        ("id" = String, Path),
        PageQuery,
    ),
    responses(
        (status = 200, body = AccessLogList),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn log_list(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<GrantId>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let page = q.page()?;
    let p = page.clone();
    let items = db::run(&state.pool, move |conn| {
        let row: AccessGrantRow = load(conn, &actor, &id)?;
        let rows = store::log_of(conn, &row.head.id.clone().into(), &p)?;
        log_outs(conn, rows)
    })
    .await?;
    let paged = Paged::from_rows(items, &page, |e| e.id.clone());
    Ok(HttpResponse::Ok().json_body(AccessLogList {
        items: paged.items,
        next_cursor: paged.next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"occurred_at": "2026-06-12T15:00:00Z", "kind": "red_team", "duration_minutes": 90, "summary": "Probed tool-use jailbreaks against the hosted API."}))]
pub struct LogBody {
    #[schema(schema_with = crate::api::openapi::time_schema)]
    pub occurred_at: String,
    /// `evaluation`, `red_team`, `benchmark` or `other`
    pub kind: String,
    /// 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    #[serde(deserialize_with = "crate::api::json::integer")]
    pub duration_minutes: i64,
    #[schema(min_length = 1, max_length = 10000)]
    pub summary: String,
    /// The id of the entry of this grant's log that this entry corrects (the corrected entry
    /// stays as it was). Its author, or an administrator of the author's organization, may
    /// correct it.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub corrects: Option<String>,
}

const NOT_IN_THIS_LOG: &str = "is not in this grant's access log";

/// An access-log entry, parsed.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub occurred: DateTime<Utc>,
    pub kind: AccessKind,
    pub duration_minutes: i32,
    pub summary: String,
    pub corrects: Option<String>,
}

impl TryFrom<LogBody> for LogEntry {
    type Error = Vec<FieldError>;

    fn try_from(b: LogBody) -> Result<LogEntry, Vec<FieldError>> {
        let mut errors = Vec::new();
        let occurred = time_field(&mut errors, "occurred_at", &b.occurred_at);
        let kind = enum_field(
            &mut errors,
            "kind",
            &b.kind,
            AccessKind::ALL,
            AccessKind::as_str,
        );
        if !(1..=1440).contains(&b.duration_minutes) {
            errors.push(FieldError::new(
                "duration_minutes",
                "must be between 1 and 1440",
            ));
        }
        let summary = required(&mut errors, "summary", &b.summary, 10_000);
        let corrects = b.corrects.filter(|c| !c.trim().is_empty());
        if corrects.as_ref().is_some_and(|c| c.len() > 100) {
            errors.push(FieldError::new("corrects", NOT_IN_THIS_LOG));
        }
        let (occurred, kind) = parsed(errors, occurred.zip(kind))?;
        Ok(LogEntry {
            occurred,
            kind,
            duration_minutes: b.duration_minutes as i32,
            summary,
            corrects,
        })
    }
}

/// Records one use of the access (rostered users who acknowledged the terms). Append-only:
/// a correction is a new entry whose `corrects` names the entry it corrects, an entry of the
/// same grant (else 422 on `corrects`) logged by the caller or, for an administrator of the
/// grantee, by a colleague (else 403).
#[utoipa::path(
    post,
    path = "/api/v1/access-grants/{id}/access-log",
    operation_id = "addAccessLogEntry",
    tag = "access grants",
    request_body = LogBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 201, body = AccessLogOut),
        (status = 403, description = "`not_rostered`", body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`terms_not_accepted`", body = crate::api::dto::Problem),
        (status = 422, description = "Invalid values or `outside_window`", body = crate::api::dto::Problem),
    ),
)]
pub async fn log_add(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<GrantId>,
    body: Json<LogBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let log_entry = LogEntry::try_from(body.into_inner());
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let row: AccessGrantRow = load(conn, &actor, &id)?;
        let ctx = context(conn, &row)?;
        let entry = store::roster_entry(conn, GrantKind::Access, &row.head.id.clone().into(), &actor.user_id)?
            .ok_or_else(|| AppError::forbidden_code(ProblemCode::NotRostered, "Only people on this grant's roster can log its use."))?;
        if entry.acknowledged_at.is_none() || !ctx.terms_accepted {
            return Err(AppError::conflict(ProblemCode::TermsNotAccepted, "The terms must be accepted by every party and acknowledged by you before access is logged."));
        }
        let LogEntry {
            occurred,
            kind,
            duration_minutes,
            summary,
            corrects,
        } = log_entry.clone().map_err(AppError::validation)?;
        if let Some(c) = &corrects {
            let original = store::log_entry_on_grant(conn, &row.head.id.clone().into(), c)?
                .ok_or_else(|| AppError::field("corrects", NOT_IN_THIS_LOG))?;
            if !may_correct_log_entry(&original.user_id, &original.organization_id, actor.user_id.as_str(), actor.org_id.as_str(), actor.is_admin()) {
                return Err(AppError::forbidden("Only the person who logged an entry, or an administrator of their organization, can correct it."));
            }
        }
        check_access_log_time(now, occurred, ctx.starts_at, ctx.ends_at, ctx.ended_at).map_err(|e| {
            AppError::unprocessable(e.code(), crate::error::plain_field_sentence("", &e.to_string())).with_errors(vec![FieldError::new("occurred_at", e.to_string())])
        })?;
        let log = AccessLogRow {
            id: new_id(),
            grant_id: row.head.id.clone(),
            user_id: actor.user_id.to_string(),
            organization_id: actor.org_id.to_string(),
            occurred_at: to_db(occurred),
            kind: kind.as_str().into(),
            duration_minutes,
            summary,
            created_at: to_db(now),
            corrects_entry_id: corrects,
        };
        store::insert_log(conn, &log)?;
        grants::record(conn, &ctx, &actor, now, AuditAction::GrantAccessLogged, json!({"entry_id": log.id, "kind": log.kind, "duration_minutes": log.duration_minutes, "corrects": log.corrects_entry_id}))?;
        first(log_outs(conn, vec![log])?)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(out))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OwnLogExportQuery {
    /// `csv` or `json` (default json)
    pub format: Option<String>,
}

impl crate::api::audit::ExportRow for AccessLogRow {
    type Key = String;
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "grant_id",
        "occurred_at",
        "kind",
        "duration_minutes",
        "summary",
        "corrects",
        "created_at",
    ];
    fn key(&self) -> String {
        self.id.clone()
    }
    fn write_json(self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(
            out,
            &json!({
                "id": self.id,
                "grant_id": self.grant_id,
                "occurred_at": crate::audit::rfc3339(from_db(self.occurred_at)),
                "kind": self.kind,
                "duration_minutes": self.duration_minutes,
                "summary": self.summary,
                "corrects": self.corrects_entry_id,
                "created_at": crate::audit::rfc3339(from_db(self.created_at)),
            }),
        )
    }
    fn csv_record(self) -> Vec<String> {
        vec![
            self.id,
            self.grant_id,
            crate::audit::rfc3339(from_db(self.occurred_at)),
            self.kind,
            self.duration_minutes.to_string(),
            self.summary,
            self.corrects_entry_id.unwrap_or_default(),
            crate::audit::rfc3339(from_db(self.created_at)),
        ]
    }
}

/// The caller's own access-log entries on every grant, in the order they were recorded, as CSV
/// or JSON (`id`, `grant_id`, `occurred_at`, `kind`, `duration_minutes`, `summary`, `corrects`,
/// `created_at`), streamed a page at a time like the audit export. Corrections are rows of
/// their own that name the entry they correct. Anyone signed in may ask; someone who logged
/// nothing gets the header only (CSV) or `[]`.
#[utoipa::path(
    get,
    path = "/api/v1/access-log/export",
    operation_id = "exportOwnAccessLog",
    tag = "access grants",
    params(
        OwnLogExportQuery,
    ),
    responses(
        (status = 200, description = "A file download (text/csv or application/json)"),
        (status = 401, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn own_log_export(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<OwnLogExportQuery>,
) -> AppResult<HttpResponse> {
    use crate::api::audit::{stream_export, Begin, Format};
    let format = Format::parse(q.format.as_deref())?;
    let user = actor.user_id.to_string();
    let begin: Begin<AccessLogRow> = Box::new(move |_conn| {
        Ok(std::sync::Arc::new(
            move |conn, after: Option<String>, limit| {
                store::own_log_after(conn, &user, after.as_deref(), limit)
            },
        ))
    });
    stream_export(&state.pool, format, "my-access-log", begin).await
}
