//! Audit events on the caller's organization's records, and their export as CSV or JSON.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditRow;
use crate::auth::Actor;
use crate::clock::from_db;
use crate::db::schema::{audit_event_orgs, audit_events};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit-events", web::get().to(list))
        .route("/audit-events/export", web::get().to(export));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub seq: i64,
    pub id: String,
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

/// One page of the events visible to `org_id`, newest first.
pub fn page_for_org(
    conn: &mut DbConn,
    org_id: &str,
    target: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    // Without a target: the caller's rows of `audit_event_orgs` (primary key organization_id,
    // seq) in order. With one: `audit_events_target_idx` (target_id, seq), each row checked
    // against the organization by primary key. Either way one index-ordered range scan.
    let mut q = audit_events::table
        .inner_join(audit_event_orgs::table)
        .filter(audit_event_orgs::organization_id.eq(org_id))
        .select(AuditRow::as_select())
        .into_boxed();
    match target {
        Some(t) => {
            q = q.filter(audit_events::target_id.eq(t.to_string()));
            if let Some(b) = before {
                q = q.filter(audit_events::seq.lt(b));
            }
            q.order(audit_events::seq.desc()).limit(limit).load(conn)
        }
        None => {
            if let Some(b) = before {
                q = q.filter(audit_event_orgs::seq.lt(b));
            }
            q.order(audit_event_orgs::seq.desc())
                .limit(limit)
                .load(conn)
        }
    }
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
    let (items, more) = db::run(&state.pool, move |conn| {
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
    Ok(HttpResponse::Ok().json(AuditEventList { items, next_cursor }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `csv` or `json` (default json)
    pub format: Option<String>,
}

/// Every event on the caller's organization's records, oldest first, as CSV or JSON.
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
    let format = q.format.clone().unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "csv" | "json") {
        return Err(AppError::field("format", "must be csv or json"));
    }
    let org = actor.org_id.clone();
    let mut rows = db::run(&state.pool, move |conn| {
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let page = page_for_org(conn, org.as_str(), None, before, 1000)?;
            if page.is_empty() {
                break;
            }
            before = page.last().map(|r| r.seq);
            all.extend(page);
        }
        Ok(all)
    })
    .await?;
    rows.reverse();
    let events: Vec<AuditEventOut> = rows.into_iter().map(AuditEventOut::from).collect();
    if format == "json" {
        return Ok(HttpResponse::Ok()
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-events.json\"",
            ))
            .json(events));
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AppError::internal(e);
    w.write_record([
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
    ])
    .map_err(io)?;
    for e in &events {
        w.write_record([
            e.seq.to_string(),
            e.id.clone(),
            crate::audit::rfc3339(e.occurred_at),
            e.actor_user_id.clone().unwrap_or_default(),
            e.actor_org_id.clone().unwrap_or_default(),
            e.action.clone(),
            e.target_type.clone(),
            e.target_id.clone(),
            e.visible_to.join(" "),
            e.detail.to_string(),
            e.request_id.clone().unwrap_or_default(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ])
        .map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("csv: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"audit-events.csv\"",
        ))
        .body(bytes))
}
