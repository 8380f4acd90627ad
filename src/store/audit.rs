//! Reading the audit trail on behalf of an organization: the events on its records, through
//! `audit_event_orgs` (primary key organization_id, seq), so every page is one index-ordered
//! range scan however long the trail is.

use diesel::prelude::*;

use crate::audit::AuditRow;
use crate::db::schema::{audit_event_orgs, audit_events, audit_head};
use crate::db::DbConn;

/// One page of the events visible to `org_id`, newest first, strictly before `before`.
pub fn page_for_org(
    conn: &mut DbConn,
    org_id: &str,
    target: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    crate::on_backend!(conn, |c| {
        // Without a target: the caller's rows of `audit_event_orgs` in order. With one:
        // `audit_events_target_idx` (target_id, seq), each row checked against the organization by
        // primary key. Either way one index-ordered range scan.
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
                q.order(audit_events::seq.desc()).limit(limit).load(c)
            }
            None => {
                if let Some(b) = before {
                    q = q.filter(audit_event_orgs::seq.lt(b));
                }
                q.order(audit_event_orgs::seq.desc()).limit(limit).load(c)
            }
        }
    })
}

/// The last sequence number of the whole trail (0 when empty): where an export stops, so that
/// events written while it streams do not make it run on.
pub fn last_seq(conn: &mut DbConn) -> QueryResult<i64> {
    audit_events::table
        .select(diesel::dsl::max(audit_events::seq))
        .first::<Option<i64>>(conn)
        .map(|s| s.unwrap_or(0))
}

/// One page of the events visible to `org_id`, oldest first: sequence numbers in
/// `(after, upto]`, at most `limit` of them.
pub fn page_for_org_ascending(
    conn: &mut DbConn,
    org_id: &str,
    after: i64,
    upto: i64,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    audit_events::table
        .inner_join(audit_event_orgs::table)
        .filter(audit_event_orgs::organization_id.eq(org_id))
        .filter(audit_event_orgs::seq.gt(after))
        .filter(audit_event_orgs::seq.le(upto))
        .select(AuditRow::as_select())
        .order(audit_event_orgs::seq.asc())
        .limit(limit)
        .load(conn)
}

/// One link of the whole chain as an outside auditor re-walks it: where it sits, when, what kind
/// of change, and the two hashes. No actor, target or detail: the record behind it stays with
/// the organizations that may see it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct ChainLinkRow {
    pub seq: i64,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub occurred_at: chrono::NaiveDateTime,
    pub action: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Links with sequence numbers in `(after, upto]`, oldest first, at most `limit` (a range scan of
/// the primary key).
pub fn chain_links(
    conn: &mut DbConn,
    after: i64,
    upto: i64,
    limit: i64,
) -> QueryResult<Vec<ChainLinkRow>> {
    audit_events::table
        .filter(audit_events::seq.gt(after))
        .filter(audit_events::seq.le(upto))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select(ChainLinkRow::as_select())
        .load(conn)
}

/// How many events `org_id` may read (its range of the `audit_event_orgs` primary key).
pub fn count_for_org(conn: &mut DbConn, org_id: &str) -> QueryResult<i64> {
    audit_event_orgs::table
        .filter(audit_event_orgs::organization_id.eq(org_id))
        .count()
        .get_result(conn)
}

/// The hash of the newest event (the genesis zeros when there is none).
pub fn head_hash(conn: &mut DbConn) -> QueryResult<String> {
    audit_head::table
        .filter(audit_head::id.eq(1))
        .select(audit_head::last_hash)
        .first(conn)
}
