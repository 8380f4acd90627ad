//! `frontier-portal bench-seed`: grows a demo database to benchmark scale in seconds, with
//! valid records the API serves (every foreign key holds, every window fits the 30-day cap,
//! the audit chain verifies). It writes rows directly, in one transaction with prepared
//! statements, instead of going through the handlers (argon2, mail, one transaction per
//! record), which would take hours at a million rows.
//!
//! Run it after `frontier-portal demo`: it adds to the demo's developer ("Aurora"), NSA and
//! first partner organization, so the demo accounts see the grown lists.

use anyhow::{anyhow, Context};
use chrono::{DateTime, Duration, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{chain_hash, AuditRow};
use crate::clock::to_db;
use crate::db::schema::organizations::dsl as o;
use crate::db::schema::{
    access_grant_grantees, access_grants, access_log_entries, audit_event_orgs, audit_events,
    audit_head, models, nominations, organizations, partner_grants, terms_versions, users,
};
use crate::db::{write_tx, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::nomination::{Position, Side};
use crate::domain::policy::OrgKind;
use crate::store::grants::{
    AccessGrantListRow, AccessGrantRow, AccessLogRow, PartnerGrantListRow, PartnerGrantRow,
};
use crate::store::models::ModelRow;
use crate::store::nominations::NominationRow;
use crate::store::orgs::OrgRow;

/// How many rows of each kind to add.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub partner_orgs: usize,
    pub partner_grants: usize,
    /// Of the partner grants, how many go to the demo's first partner organization.
    pub own_partner_grants: usize,
    pub access_grants: usize,
    pub log_rows: usize,
    pub audit_events: usize,
}

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The first id a lookup finds, or the reason bench-seed cannot run.
fn found(id: QueryResult<String>, what: &str) -> anyhow::Result<String> {
    id.optional()?.ok_or_else(|| {
        anyhow!("bench-seed needs the demo database first (`frontier-portal demo`): no {what}")
    })
}

/// Adds `sizes` rows. Returns a one-line summary.
pub fn seed(conn: &mut DbConn, sizes: Sizes, now: DateTime<Utc>) -> anyhow::Result<String> {
    let org_of_kind = |conn: &mut DbConn, kind: OrgKind| {
        o::organizations
            .filter(o::kind.eq(kind))
            .order(o::id.asc())
            .select(o::id)
            .first::<String>(conn)
    };
    let first_user = |conn: &mut DbConn, org: &str| {
        users::table
            .filter(users::organization_id.eq(org.to_string()))
            .order((users::org_role.asc(), users::id.asc()))
            .select(users::id)
            .first::<String>(conn)
    };
    let dev_org = found(
        org_of_kind(conn, OrgKind::Developer),
        "developer organization",
    )?;
    let dev_user = found(first_user(conn, &dev_org), "developer user")?; // `admin` sorts first
    let nsa_org = found(
        o::organizations
            .filter(o::agency_code.eq("NSA"))
            .select(o::id)
            .first(conn),
        "NSA organization",
    )?;
    let nsa_user = found(first_user(conn, &nsa_org), "NSA user")?;
    let own_partner = found(org_of_kind(conn, OrgKind::Partner), "partner organization")?;
    let terms = found(
        terms_versions::table
            .filter(terms_versions::is_template.eq(true))
            .order(terms_versions::id.asc())
            .select(terms_versions::id)
            .first(conn),
        "terms template",
    )?;
    let t = to_db(now);
    let day = Duration::days(1);

    // One transaction (and the audit-head lock, since it extends the chain), a row at a time
    // with prepared statements: the MultiConnection has no batch insert.
    write_tx(conn, |conn| -> anyhow::Result<()> {
        // Models: one per Government grant, so each grant is its model's only window (the
        // 30-day cap holds).
        let mut model_ids = Vec::with_capacity(sizes.access_grants.max(1));
        for i in 0..sizes.access_grants.max(1) {
            let m = ModelRow {
                id: id(),
                organization_id: dev_org.clone(),
                name: format!("Bench-{i}"),
                version: "1.0".into(),
                description: "Benchmark model".into(),
                modality: "text".into(),
                planned_partner_release_at: None,
                released_at: None,
                created_at: t,
                updated_at: t,
            };
            diesel::insert_into(models::table)
                .values(&m)
                .execute(conn)?;
            model_ids.push(m.id);
        }
        // Government grants to NSA: 5-day windows spread over the last and next year.
        let mut grants: Vec<(String, chrono::NaiveDateTime)> =
            Vec::with_capacity(sizes.access_grants);
        for (i, model) in model_ids.iter().enumerate().take(sizes.access_grants) {
            let starts = now - day * 365 + day * ((i % 730) as i32);
            let g = AccessGrantRow {
                head: AccessGrantListRow {
                    id: id(),
                    model_id: model.clone(),
                    organization_id: dev_org.clone(),
                    access_mode: "hosted_api".into(),
                    starts_at: to_db(starts),
                    ends_at: to_db(starts + day * 5),
                    ended_at: None,
                    terms_version_id: terms.clone(),
                    created_at: t,
                    updated_at: t,
                    terms_completed_at: Some(t),
                },
                access_instructions: "Benchmark endpoint; credentials out of band.".into(),
                created_by_user_id: dev_user.clone(),
                start_notice_sent_at: Some(t),
                end_notice_sent_at: Some(t),
            };
            diesel::insert_into(access_grants::table)
                .values(&g)
                .execute(conn)?;
            diesel::insert_into(access_grant_grantees::table)
                .values((
                    access_grant_grantees::grant_id.eq(&g.head.id),
                    access_grant_grantees::organization_id.eq(&nsa_org),
                ))
                .execute(conn)?;
            grants.push((g.head.id, g.head.starts_at));
        }
        // Log rows and audit events hang on the grants: none without grants.
        let (log_rows, audit_rows) = if grants.is_empty() {
            (0, 0)
        } else {
            (sizes.log_rows, sizes.audit_events)
        };
        // Access-log rows on those grants, inside their windows.
        for i in 0..log_rows {
            let (grant, starts) = &grants[i % grants.len()];
            let row = AccessLogRow {
                id: id(),
                grant_id: grant.clone(),
                user_id: nsa_user.clone(),
                organization_id: nsa_org.clone(),
                occurred_at: *starts + Duration::minutes((i % 7000) as i64),
                kind: "evaluation".into(),
                duration_minutes: 30,
                summary: "Benchmark evaluation run.".into(),
                created_at: t,
                corrects_entry_id: None,
            };
            diesel::insert_into(access_log_entries::table)
                .values(&row)
                .execute(conn)?;
        }
        // Partner organizations, each selected by a co-selected nomination (the demo's first
        // partner too).
        let mut partners = vec![own_partner.clone()];
        for i in 0..sizes.partner_orgs {
            let org = OrgRow {
                id: id(),
                name: format!("Bench Partner {i}"),
                kind: OrgKind::Partner,
                agency_code: None,
                partner_type: Some("critical_infrastructure_operator".into()),
                sector: Some("energy".into()),
                created_at: t,
            };
            diesel::insert_into(organizations::table)
                .values(&org)
                .execute(conn)?;
            partners.push(org.id);
        }
        let model0 = &model_ids[0];
        let mut noms = Vec::with_capacity(partners.len());
        for p in &partners {
            let n = NominationRow {
                id: id(),
                model_id: model0.clone(),
                organization_id: dev_org.clone(),
                partner_org_id: Some(p.clone()),
                new_partner_name: None,
                new_partner_type: None,
                new_partner_sector: None,
                new_partner_contact_email: None,
                nominated_by: Side::Developer,
                nominated_by_user_id: dev_user.clone(),
                developer_position: Position::Concur,
                government_position: Position::Concur,
                rationale: "Benchmark partner.".into(),
                rescinded_at: None,
                created_at: t,
                updated_at: t,
            };
            diesel::insert_into(nominations::table)
                .values(&n)
                .execute(conn)?;
            noms.push((n.id, p.clone()));
        }
        // Partner grants: the demo partner gets `own_partner_grants`, the rest go round-robin.
        for i in 0..sizes.partner_grants {
            let (nom, partner) = if i < sizes.own_partner_grants || noms.len() == 1 {
                &noms[0]
            } else {
                &noms[1 + i % (noms.len() - 1)]
            };
            let starts = now - day * 200 + day * ((i % 400) as i32);
            let g = PartnerGrantRow {
                head: PartnerGrantListRow {
                    id: id(),
                    nomination_id: nom.clone(),
                    model_id: model0.clone(),
                    organization_id: dev_org.clone(),
                    partner_org_id: partner.clone(),
                    starts_at: to_db(starts),
                    ends_at: to_db(starts + day * 20),
                    revoked_at: None,
                    terms_version_id: terms.clone(),
                    created_at: t,
                    updated_at: t,
                    terms_completed_at: None,
                },
                access_instructions: "Partner sandbox; credentials by phone.".into(),
                created_by_user_id: dev_user.clone(),
                start_notice_sent_at: Some(t),
                end_notice_sent_at: Some(t),
            };
            diesel::insert_into(partner_grants::table)
                .values(&g)
                .execute(conn)?;
        }
        // Audit events, chained onto the head as `audit::append` chains them: the developer sees
        // them all, NSA one in ten.
        let (mut seq, mut prev): (i64, String) = audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::last_seq, audit_head::last_hash))
            .first(conn)?;
        for i in 0..audit_rows {
            seq += 1;
            let mut visible = vec![dev_org.clone()];
            if i % 10 == 0 {
                visible.push(nsa_org.clone());
            }
            visible.sort();
            let mut row = AuditRow {
                seq,
                id: id(),
                occurred_at: t,
                actor_user_id: Some(dev_user.clone()),
                actor_org_id: Some(dev_org.clone()),
                action: AuditAction::GrantWindowMoved.as_str().into(),
                target_type: "access_grant".into(),
                target_id: grants[i % grants.len()].0.clone(),
                visible_to: serde_json::to_string(&visible)?,
                detail: json!({"bench": i}).to_string(),
                request_id: None,
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            row.hash = chain_hash(&prev, &row);
            diesel::insert_into(audit_events::table)
                .values(&row)
                .execute(conn)?;
            for org in visible {
                diesel::insert_into(audit_event_orgs::table)
                    .values((
                        audit_event_orgs::seq.eq(seq),
                        audit_event_orgs::organization_id.eq(org),
                    ))
                    .execute(conn)?;
            }
            prev = row.hash;
        }
        diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
            .set((
                audit_head::last_seq.eq(seq),
                audit_head::last_hash.eq(&prev),
                audit_head::records_seq.eq(seq),
            ))
            .execute(conn)?;
        Ok(())
    })
    .context("seeding")?;
    // Fresh planner statistics for the grown tables. On SQLite only the per-index row counts
    // (`sqlite_stat1`) are kept: with the samples of `sqlite_stat4` (our bundled SQLite is built
    // with SQLITE_ENABLE_STAT4) a plan may depend on the values bound to a statement, so SQLite
    // recompiles a cached statement on each new binding (a sixth of a list request's
    // instructions under callgrind), and the plan tests, which hold one plan for every value,
    // would no longer describe what runs. A database the portal creates has no statistics at all.
    conn.batch_execute("ANALYZE")?;
    if let DbConn::Sqlite(_) = conn {
        conn.batch_execute("DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")?;
    }
    Ok(format!(
        "added {} partner organizations, {} partner grants ({} to the demo partner), {} Government grants, {} access-log rows, {} audit events",
        sizes.partner_orgs, sizes.partner_grants, sizes.own_partner_grants, sizes.access_grants, sizes.log_rows, sizes.audit_events
    ))
}
