//! Audit events on the caller's organization's records, and their export as CSV or JSON.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

use crate::api::page_cache::Shows;
use crate::audit::AuditRow;
use crate::auth::Actor;
use crate::clock::from_db;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::audit::{last_seq, page_for_org, page_for_org_ascending};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit-events", web::get().to(list))
        .route("/audit-events/export", web::get().to(export));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub seq: i64,
    pub id: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<String>,
    pub actor_org_id: Option<String>,
    /// The actor's name and organization, for people reading the trail.
    pub actor_name: Option<String>,
    pub actor_org_name: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub visible_to: Vec<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEventOut {
    fn from(r: AuditRow) -> Self {
        AuditEventOut {
            seq: r.seq,
            id: r.id,
            occurred_at: from_db(r.occurred_at),
            actor_user_id: r.actor_user_id,
            actor_org_id: r.actor_org_id,
            actor_name: None,
            actor_org_name: None,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            visible_to: serde_json::from_str(&r.visible_to).unwrap_or_default(),
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
            request_id: r.request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEventOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Only events on this record.
    pub target_id: Option<String>,
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (a sequence number).
    pub cursor: Option<String>,
}

/// Converts rows and fills in actor names (one query for users, one for organizations).
fn with_names(conn: &mut DbConn, rows: Vec<AuditRow>) -> QueryResult<Vec<AuditEventOut>> {
    let uids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.actor_user_id.clone())
        .collect();
    let oids: Vec<String> = rows.iter().filter_map(|r| r.actor_org_id.clone()).collect();
    let users: std::collections::HashMap<String, String> =
        crate::store::accounts::user_names(conn, &uids)?;
    let orgs: std::collections::HashMap<String, String> = crate::store::orgs::names(conn, &oids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut e = AuditEventOut::from(r);
            e.actor_name = e.actor_user_id.as_ref().and_then(|u| users.get(u).cloned());
            e.actor_org_name = e.actor_org_id.as_ref().and_then(|o| orgs.get(o).cloned());
            e
        })
        .collect())
}

/// Events on the caller's organization's records (optionally one record), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/audit-events",
    operation_id = "listAuditEvents",
    tag = "audit",
    params(
        AuditQuery,
    ),
    responses(
        (status = 200, body = AuditEventList),
        (status = 401, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<AuditQuery>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 200"));
    }
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| AppError::field("cursor", "is not a cursor returned by this list"))?,
        ),
    };
    let target = q.target_id.clone();
    let pool = state.pool.clone();
    state
        .pages
        .answer(
            Shows::AuditTrail,
            actor,
            &req,
            state.clock.now(),
            |actor, _| async move {
                let (items, more) = db::run(&pool, move |conn| {
                    let mut rows = page_for_org(
                        conn,
                        actor.org_id.as_str(),
                        target.as_deref(),
                        before,
                        limit + 1,
                    )?;
                    let more = rows.len() as i64 > limit;
                    rows.truncate(limit as usize);
                    Ok((with_names(conn, rows)?, more))
                })
                .await?;
                let next_cursor = if more {
                    items.last().map(|r| r.seq.to_string())
                } else {
                    None
                };
                Ok(AuditEventList { items, next_cursor })
            },
        )
        .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `csv` or `json` (default json)
    pub format: Option<String>,
}

/// Every event on the caller's organization's records, oldest first, as CSV or JSON: the trail
/// as it stood when the export began, streamed a page at a time (each page its own short
/// database call within the request deadline), so an export of a million events holds neither a
/// connection nor the whole file in memory. A database failure before the first page answers the
/// usual problem; one later ends the download early (the client sees a truncated file).
#[utoipa::path(
    get,
    path = "/api/v1/audit-events/export",
    operation_id = "exportAuditEvents",
    tag = "audit",
    params(
        ExportQuery,
    ),
    responses(
        (status = 200, description = "A file download (text/csv or application/json)"),
        (status = 401, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn export(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let format = Format::parse(q.format.as_deref())?;
    let org = actor.org_id.to_string();
    let begin = chain_export(move |conn, after, upto, limit| {
        page_for_org_ascending(conn, &org, after, upto, limit)
    });
    stream_export(&state.pool, format, "audit-events", begin).await
}

/// An export of the audit chain: its rows in sequence order, up to the trail's last event when
/// the export began (events appended while it streams come after it).
pub(crate) fn chain_export<R: ExportRow<Key = i64>>(
    load: impl Fn(&mut DbConn, i64, i64, i64) -> QueryResult<Vec<R>> + Send + Sync + 'static,
) -> Begin<R> {
    Box::new(move |conn| {
        let upto = last_seq(conn)?;
        let load = Arc::new(load);
        Ok(Arc::new(move |conn, after, limit| {
            load(conn, after.unwrap_or(0), upto, limit)
        }))
    })
}

/// Answers an export: `begin` fixes where it stops (e.g. the trail's last event now) and gives
/// the page loader; the first page is loaded in the same call (so a database failure is an
/// ordinary problem answer), then the rest is streamed a page at a time.
pub(crate) async fn stream_export<R: ExportRow>(
    pool: &db::DbPool,
    format: Format,
    name: &str,
    begin: Begin<R>,
) -> AppResult<HttpResponse> {
    let pool = pool.clone();
    let (load, first) = db::run(&pool, move |conn| {
        let load = begin(conn)?;
        let first = load(conn, None, EXPORT_PAGE)?;
        Ok((load, first))
    })
    .await?;
    let (content_type, ext) = match format {
        Format::Json => ("application/json", "json"),
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let export = Export {
        pool,
        load,
        format,
        started: false,
        next: Some(first),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{ext}\""),
        ))
        .streaming(export.stream()))
}

/// Events per page of an export.
const EXPORT_PAGE: i64 = 1000;

#[derive(Clone, Copy)]
pub(crate) enum Format {
    Json,
    Csv,
}

impl Format {
    /// `?format=`: `json` (the default) or `csv`.
    pub(crate) fn parse(v: Option<&str>) -> AppResult<Format> {
        match v.unwrap_or("json") {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            _ => Err(AppError::field("format", "must be csv or json")),
        }
    }
}

/// Reads the next rows of an export after the key of the last row sent (`None`: from the
/// start), in key order, at most `limit`.
pub(crate) type Loader<R> = Arc<
    dyn Fn(&mut DbConn, Option<<R as ExportRow>::Key>, i64) -> QueryResult<Vec<R>> + Send + Sync,
>;

/// Starts an export inside its first database call: fixes where it ends and gives its loader.
pub(crate) type Begin<R> = Box<dyn FnOnce(&mut DbConn) -> QueryResult<Loader<R>> + Send>;

/// A row of an export: its key (its place in the export's order), its JSON object and its CSV
/// record.
pub(crate) trait ExportRow: Send + 'static {
    /// The keyset cursor: the next page starts after the last row's key.
    type Key: Clone + Send + 'static;
    const CSV_COLUMNS: &'static [&'static str];
    fn key(&self) -> Self::Key;
    fn write_json(self, out: &mut Vec<u8>) -> serde_json::Result<()>;
    fn csv_record(self) -> Vec<String>;
}

impl ExportRow for AuditRow {
    type Key = i64;
    const CSV_COLUMNS: &'static [&'static str] = &[
        "seq",
        "id",
        "occurred_at",
        "actor_user_id",
        "actor_org_id",
        "action",
        "target_type",
        "target_id",
        "visible_to",
        "detail",
        "request_id",
        "prev_hash",
        "hash",
    ];
    fn key(&self) -> i64 {
        self.seq
    }
    fn write_json(self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, &AuditEventOut::from(self))
    }
    fn csv_record(self) -> Vec<String> {
        let e = AuditEventOut::from(self);
        vec![
            e.seq.to_string(),
            e.id,
            crate::audit::rfc3339(e.occurred_at),
            e.actor_user_id.unwrap_or_default(),
            e.actor_org_id.unwrap_or_default(),
            e.action,
            e.target_type,
            e.target_id,
            e.visible_to.join(" "),
            e.detail.to_string(),
            e.request_id.unwrap_or_default(),
            e.prev_hash,
            e.hash,
        ]
    }
}

/// Where an export stands: the page in hand (`None` once the last one was sent).
struct Export<R: ExportRow> {
    pool: db::DbPool,
    load: Loader<R>,
    format: Format,
    started: bool,
    next: Option<Vec<R>>,
}

impl<R: ExportRow> Export<R> {
    fn stream(self) -> impl Stream<Item = Result<web::Bytes, actix_web::Error>> {
        stream::unfold(self, |mut ex| async move {
            let rows = ex.next.take()?;
            let full = rows.len() as i64 == EXPORT_PAGE;
            let last = rows.last().map(|r| r.key());
            let chunk = match ex.chunk(rows) {
                Ok(c) => c,
                Err(e) => return Some((Err(e.into()), ex)),
            };
            if let (true, Some(after)) = (full, last) {
                let (pool, load) = (ex.pool.clone(), ex.load.clone());
                match db::run(&pool, move |conn| Ok(load(conn, Some(after), EXPORT_PAGE)?)).await {
                    Ok(rows) => ex.next = Some(rows),
                    Err(e) => return Some((Err(e.into()), ex)),
                }
            }
            let end = ex.next.is_none();
            Some((Ok(ex.close(chunk, end)), ex))
        })
    }

    /// The bytes of one page, with what opens the file before the first.
    fn chunk(&mut self, rows: Vec<R>) -> AppResult<Vec<u8>> {
        let mut out = Vec::new();
        match self.format {
            Format::Json => {
                for r in rows {
                    out.push(if self.started { b',' } else { b'[' });
                    self.started = true;
                    r.write_json(&mut out).map_err(AppError::internal)?;
                }
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                let io = |e: csv::Error| AppError::internal(e);
                if !self.started {
                    w.write_record(R::CSV_COLUMNS).map_err(io)?;
                    self.started = true;
                }
                for r in rows {
                    w.write_record(r.csv_record()).map_err(io)?;
                }
                out = w
                    .into_inner()
                    .map_err(|e| AppError::internal(anyhow::anyhow!("csv: {e}")))?;
            }
        }
        Ok(out)
    }

    /// `chunk`, with what closes the file after the last page.
    fn close(&mut self, mut chunk: Vec<u8>, end: bool) -> web::Bytes {
        if end {
            if let Format::Json = self.format {
                chunk.extend_from_slice(if self.started { b"]" } else { b"[]" });
            }
        }
        web::Bytes::from(chunk)
    }
}
