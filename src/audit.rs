//! The audit trail (DESIGN.md §2.8): one event per state change, written by the same
//! transaction as the change, chained by `hash = SHA-256(prev_hash ‖ canonical event)`.
//!
//! The canonical event is the JSON object of every stored field but `hash` with its keys sorted
//! and no whitespace, times as RFC 3339 with microseconds and `Z`, and `visible_to` sorted — an
//! outside verifier can recompute it from an export. `verify` re-walks the chain and names the
//! first broken link (a changed row, a removed row, or a head that no longer matches).

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::clock::{from_db, to_db};
use crate::db::schema::{audit_event_orgs, audit_events, audit_head};
use crate::db::DbConn;
use crate::domain::audit::AuditAction;

/// Who caused a change, and the HTTP request it came from (for correlation with logs).
#[derive(Debug, Clone, Default)]
pub struct AuditCtx {
    pub actor_user_id: Option<String>,
    pub actor_org_id: Option<String>,
    pub request_id: Option<String>,
    pub now: Option<DateTime<Utc>>,
}

/// What changed. `detail` must never hold a secret (passwords, tokens, access instructions).
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub action: AuditAction,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub visible_to: Vec<String>,
    pub detail: Value,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub seq: i64,
    pub id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub occurred_at: chrono::NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub actor_org_id: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub visible_to: String,
    pub detail: String,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The canonical bytes that are hashed (see the module doc).
pub fn canonical(row: &AuditRow) -> Vec<u8> {
    let visible: Value = serde_json::from_str(&row.visible_to).unwrap_or(Value::Null);
    let detail: Value =
        serde_json::from_str(&row.detail).unwrap_or(Value::String(row.detail.clone()));
    // serde_json's Map is ordered by key, so this serializes with sorted keys at every level.
    let v = json!({
        "seq": row.seq,
        "id": row.id,
        "occurred_at": rfc3339(from_db(row.occurred_at)),
        "actor_user_id": row.actor_user_id,
        "actor_org_id": row.actor_org_id,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "visible_to": visible,
        "detail": detail,
        "request_id": row.request_id,
        "prev_hash": row.prev_hash,
    });
    serde_json::to_vec(&v).expect("json")
}

pub fn chain_hash(prev_hash: &str, row: &AuditRow) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(row));
    hex::encode(h.finalize())
}

/// Appends one event. Call inside the transaction that makes the change. The head row is locked
/// (`FOR UPDATE` on PostgreSQL; SQLite transactions from `db::write_tx` already hold the write
/// lock) so concurrent appenders from several instances form one chain.
pub fn append(conn: &mut DbConn, ctx: &AuditCtx, ev: NewEvent<'_>) -> QueryResult<i64> {
    let (last_seq, last_hash): (i64, String) = match conn {
        DbConn::Postgres(c) => audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::last_seq, audit_head::last_hash))
            .for_update()
            .first(c)?,
        DbConn::Sqlite(c) => audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::last_seq, audit_head::last_hash))
            .first(c)?,
    };
    let mut visible = ev.visible_to.clone();
    visible.sort();
    visible.dedup();
    let now = ctx
        .now
        .unwrap_or_else(|| crate::clock::truncate(Utc::now()));
    let mut row = AuditRow {
        seq: last_seq + 1,
        id: uuid::Uuid::now_v7().to_string(),
        occurred_at: to_db(now),
        actor_user_id: ctx.actor_user_id.clone(),
        actor_org_id: ctx.actor_org_id.clone(),
        action: ev.action.to_string(),
        target_type: ev.target_type.to_string(),
        target_id: ev.target_id.to_string(),
        visible_to: serde_json::to_string(&visible).expect("json"),
        detail: serde_json::to_string(&ev.detail).expect("json"),
        request_id: ctx.request_id.clone(),
        prev_hash: last_hash.clone(),
        hash: String::new(),
    };
    row.hash = chain_hash(&last_hash, &row);
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(conn)?;
    for org in &visible {
        diesel::insert_into(audit_event_orgs::table)
            .values((
                audit_event_orgs::seq.eq(row.seq),
                audit_event_orgs::organization_id.eq(org),
            ))
            .execute(conn)?;
    }
    let head = audit_head::table.filter(audit_head::id.eq(1));
    let moved = (
        audit_head::last_seq.eq(row.seq),
        audit_head::last_hash.eq(&row.hash),
    );
    if ev.action.changes_records() {
        diesel::update(head)
            .set((moved, audit_head::records_seq.eq(row.seq)))
            .execute(conn)?;
    } else {
        diesel::update(head).set(moved).execute(conn)?;
    }
    Ok(row.seq)
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Verification {
    pub valid: bool,
    pub events: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_broken_seq: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Re-walks the whole chain in pages (memory stays flat however long the trail grows).
pub fn verify(conn: &mut DbConn) -> QueryResult<Verification> {
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut expected_seq = 1i64;
    let mut count = 0i64;
    let broken = |seq: i64, count: i64, reason: &str| Verification {
        valid: false,
        events: count,
        first_broken_seq: Some(seq),
        reason: Some(reason.to_string()),
    };
    loop {
        let page: Vec<AuditRow> = audit_events::table
            .filter(audit_events::seq.ge(expected_seq))
            .order(audit_events::seq.asc())
            .limit(1000)
            .select(AuditRow::as_select())
            .load(conn)?;
        if page.is_empty() {
            break;
        }
        for row in page {
            count += 1;
            if row.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    count,
                    "an event is missing from the chain",
                ));
            }
            if row.prev_hash != prev_hash {
                return Ok(broken(
                    row.seq,
                    count,
                    "prev_hash does not match the previous event's hash",
                ));
            }
            if chain_hash(&prev_hash, &row) != row.hash {
                return Ok(broken(
                    row.seq,
                    count,
                    "the event's content does not match its hash",
                ));
            }
            prev_hash = row.hash;
            expected_seq += 1;
        }
    }
    let (last_seq, last_hash): (i64, String) = audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::last_seq, audit_head::last_hash))
        .first(conn)?;
    if last_seq != expected_seq - 1 || last_hash != prev_hash {
        return Ok(broken(
            expected_seq.min(last_seq.max(1)),
            count,
            "the chain head does not match the last event",
        ));
    }
    Ok(Verification {
        valid: true,
        events: count,
        first_broken_seq: None,
        reason: None,
    })
}
