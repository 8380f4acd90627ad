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
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{chain_hash, AuditRow};
use crate::clock::to_db;
use crate::db::schema::{
    access_grant_grantees, access_grants, access_log_entries, audit_event_orgs, audit_events,
    audit_head, models, nominations, organizations, partner_grants, terms_versions, users,
};
use crate::db::{write_tx, DbConn};
use crate::store::grants::{AccessGrantRow, AccessLogRow, PartnerGrantRow};
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

const BATCH: usize = 500;

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn first_id(conn: &mut DbConn, sql: &str) -> anyhow::Result<String> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    diesel::sql_query(sql)
        .load::<Id>(conn)?
        .into_iter()
        .next()
        .map(|r| r.id)
        .ok_or_else(|| {
            anyhow!("bench-seed needs the demo database first (`frontier-portal demo`): {sql}")
        })
}

/// Adds `sizes` rows. Returns a one-line summary.
pub fn seed(conn: &mut DbConn, sizes: Sizes, now: DateTime<Utc>) -> anyhow::Result<String> {
    let dev_org = first_id(
        conn,
        "SELECT id FROM organizations WHERE kind = 'developer' ORDER BY id LIMIT 1",
    )?;
    let dev_user = first_id(conn, &format!("SELECT id FROM users WHERE organization_id = '{dev_org}' AND org_role = 'admin' ORDER BY id LIMIT 1"))?;
    let nsa_org = first_id(
        conn,
        "SELECT id FROM organizations WHERE kind = 'agency' AND agency_code = 'NSA' LIMIT 1",
    )?;
    let nsa_user = first_id(
        conn,
        &format!("SELECT id FROM users WHERE organization_id = '{nsa_org}' ORDER BY id LIMIT 1"),
    )?;
    let own_partner = first_id(
        conn,
        "SELECT id FROM organizations WHERE kind = 'partner' ORDER BY id LIMIT 1",
    )?;
    let terms = first_id(
        conn,
        "SELECT id FROM terms_versions WHERE is_template = TRUE ORDER BY id LIMIT 1",
    )?;
    let _ = (users::table, terms_versions::table);
    let t = to_db(now);
    let day = Duration::days(1);

    write_tx(conn, |conn| -> anyhow::Result<()> {
        // Models: one per Government grant, so each grant is its model's only window (the
        // 30-day cap holds).
        let model_count = sizes.access_grants.max(1);
        let model_rows: Vec<ModelRow> = (0..model_count)
            .map(|i| ModelRow {
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
            })
            .collect();
        for c in model_rows.chunks(BATCH) {
            for r in c.iter() {
                diesel::insert_into(models::table).values(r).execute(conn)?;
            }
        }
        // Government grants to NSA: 5-day windows spread over the last and next year.
        let mut grants = Vec::with_capacity(sizes.access_grants);
        for (i, m) in model_rows.iter().enumerate().take(sizes.access_grants) {
            let starts = now - day * 365 + day * ((i % 730) as i32);
            grants.push(AccessGrantRow {
                id: id(),
                model_id: m.id.clone(),
                organization_id: dev_org.clone(),
                access_mode: "hosted_api".into(),
                access_instructions: "Benchmark endpoint; credentials out of band.".into(),
                starts_at: to_db(starts),
                ends_at: to_db(starts + day * 5),
                ended_at: None,
                terms_version_id: terms.clone(),
                created_by_user_id: dev_user.clone(),
                created_at: t,
                updated_at: t,
                terms_completed_at: Some(t),
                start_notice_sent_at: Some(t),
                end_notice_sent_at: Some(t),
            });
        }
        for c in grants.chunks(BATCH) {
            for r in c.iter() {
                diesel::insert_into(access_grants::table)
                    .values(r)
                    .execute(conn)?;
            }
            let gg: Vec<_> = c
                .iter()
                .map(|g| {
                    (
                        access_grant_grantees::grant_id.eq(g.id.clone()),
                        access_grant_grantees::organization_id.eq(nsa_org.clone()),
                    )
                })
                .collect();
            for r in gg.iter() {
                diesel::insert_into(access_grant_grantees::table)
                    .values(r)
                    .execute(conn)?;
            }
        }
        // Access-log rows on those grants, inside their windows.
        let mut log = Vec::with_capacity(BATCH);
        for i in 0..sizes.log_rows {
            let g = &grants[i % grants.len().max(1)];
            log.push(AccessLogRow {
                id: id(),
                grant_id: g.id.clone(),
                user_id: nsa_user.clone(),
                organization_id: nsa_org.clone(),
                occurred_at: g.starts_at + Duration::minutes((i % 7000) as i64),
                kind: "evaluation".into(),
                duration_minutes: 30,
                summary: "Benchmark evaluation run.".into(),
                created_at: t,
            });
            if log.len() == BATCH {
                for r in log.iter() {
                    diesel::insert_into(access_log_entries::table)
                        .values(r)
                        .execute(conn)?;
                }
                log.clear();
            }
        }
        if !log.is_empty() {
            for r in log.iter() {
                diesel::insert_into(access_log_entries::table)
                    .values(r)
                    .execute(conn)?;
            }
        }
        // Partner organizations, each selected by a co-selected nomination.
        let mut partners = vec![own_partner.clone()];
        let mut noms = vec![];
        let orgs: Vec<OrgRow> = (0..sizes.partner_orgs)
            .map(|i| OrgRow {
                id: id(),
                name: format!("Bench Partner {i}"),
                kind: "partner".into(),
                agency_code: None,
                partner_type: Some("critical_infrastructure_operator".into()),
                sector: Some("energy".into()),
                created_at: t,
            })
            .collect();
        for c in orgs.chunks(BATCH) {
            for r in c.iter() {
                diesel::insert_into(organizations::table)
                    .values(r)
                    .execute(conn)?;
            }
        }
        partners.extend(orgs.iter().map(|o| o.id.clone()));
        let model0 = &model_rows[0].id;
        let nom_rows: Vec<NominationRow> = partners
            .iter()
            .map(|p| NominationRow {
                id: id(),
                model_id: model0.clone(),
                organization_id: dev_org.clone(),
                partner_org_id: Some(p.clone()),
                new_partner_name: None,
                new_partner_type: None,
                new_partner_sector: None,
                new_partner_contact_email: None,
                nominated_by: "developer".into(),
                nominated_by_user_id: dev_user.clone(),
                developer_position: "concur".into(),
                government_position: "concur".into(),
                rationale: "Benchmark partner.".into(),
                rescinded_at: None,
                created_at: t,
                updated_at: t,
            })
            .collect();
        for c in nom_rows.chunks(BATCH) {
            for r in c.iter() {
                diesel::insert_into(nominations::table)
                    .values(r)
                    .execute(conn)?;
            }
        }
        noms.extend(
            nom_rows
                .iter()
                .map(|n| (n.id.clone(), n.partner_org_id.clone().unwrap())),
        );
        // Partner grants: the demo partner gets `own_partner_grants`, the rest go round-robin.
        let mut batch = Vec::with_capacity(BATCH);
        for i in 0..sizes.partner_grants {
            let (nom, partner) = if i < sizes.own_partner_grants || noms.len() == 1 {
                &noms[0]
            } else {
                &noms[1 + i % (noms.len() - 1)]
            };
            let starts = now - day * 200 + day * ((i % 400) as i32);
            batch.push(PartnerGrantRow {
                id: id(),
                nomination_id: nom.clone(),
                model_id: model0.clone(),
                organization_id: dev_org.clone(),
                partner_org_id: partner.clone(),
                starts_at: to_db(starts),
                ends_at: to_db(starts + day * 20),
                revoked_at: None,
                terms_version_id: terms.clone(),
                access_instructions: "Partner sandbox; credentials by phone.".into(),
                created_by_user_id: dev_user.clone(),
                created_at: t,
                updated_at: t,
                terms_completed_at: None,
                start_notice_sent_at: Some(t),
                end_notice_sent_at: Some(t),
            });
            if batch.len() == BATCH {
                for r in batch.iter() {
                    diesel::insert_into(partner_grants::table)
                        .values(r)
                        .execute(conn)?;
                }
                batch.clear();
            }
        }
        if !batch.is_empty() {
            for r in batch.iter() {
                diesel::insert_into(partner_grants::table)
                    .values(r)
                    .execute(conn)?;
            }
        }
        // Audit events, chained onto the head: the developer sees them all, NSA one in ten.
        let (mut seq, mut prev): (i64, String) = audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::last_seq, audit_head::last_hash))
            .first(conn)?;
        let mut rows = Vec::with_capacity(BATCH);
        let mut links = Vec::with_capacity(BATCH * 2);
        for i in 0..sizes.audit_events {
            seq += 1;
            let target = &grants[i % grants.len().max(1)].id;
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
                action: "grant.window_moved".into(),
                target_type: "access_grant".into(),
                target_id: target.clone(),
                visible_to: serde_json::to_string(&visible)?,
                detail: json!({"bench": i}).to_string(),
                request_id: None,
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            row.hash = chain_hash(&prev, &row);
            prev = row.hash.clone();
            for o in visible {
                links.push((
                    audit_event_orgs::seq.eq(seq),
                    audit_event_orgs::organization_id.eq(o),
                ));
            }
            rows.push(row);
            if rows.len() == BATCH {
                for r in rows.iter() {
                    diesel::insert_into(audit_events::table)
                        .values(r)
                        .execute(conn)?;
                }
                for r in links.iter() {
                    diesel::insert_into(audit_event_orgs::table)
                        .values(r)
                        .execute(conn)?;
                }
                rows.clear();
                links.clear();
            }
        }
        if !rows.is_empty() {
            for r in rows.iter() {
                diesel::insert_into(audit_events::table)
                    .values(r)
                    .execute(conn)?;
            }
            for r in links.iter() {
                diesel::insert_into(audit_event_orgs::table)
                    .values(r)
                    .execute(conn)?;
            }
        }
        diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
            .set((
                audit_head::last_seq.eq(seq),
                audit_head::last_hash.eq(&prev),
            ))
            .execute(conn)?;
        Ok(())
    })
    .context("seeding")?;
    if let DbConn::Sqlite(c) = conn {
        diesel::connection::SimpleConnection::batch_execute(c, "ANALYZE")?;
    }
    if let DbConn::Postgres(c) = conn {
        diesel::connection::SimpleConnection::batch_execute(c, "ANALYZE")?;
    }
    Ok(format!(
        "added {} partner organizations, {} partner grants ({} to the demo partner), {} Government grants, {} access-log rows, {} audit events",
        sizes.partner_orgs, sizes.partner_grants, sizes.own_partner_grants, sizes.access_grants, sizes.log_rows, sizes.audit_events
    ))
}
