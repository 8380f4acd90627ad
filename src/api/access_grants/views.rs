//! The JSON an access grant is served as, built for a page of grants in a fixed number of queries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::grants::{self, ViewerOut};
use crate::api::view::View;
use crate::api::VOLUNTARY;
use crate::auth::Actor;
use crate::clock::from_db;
use crate::db::DbConn;
use crate::domain::grant::GrantStatus;
use crate::domain::window::days_remaining;
use crate::error::AppResult;
use crate::store::grants::{self as store, AccessGrantListRow, AccessGrantRow, GrantKind};
use crate::store::{accounts, models, orgs, terms};

#[derive(Debug, Serialize, ToSchema)]
pub struct GranteeOut {
    pub org_id: String,
    pub name: String,
    pub agency_code: Option<String>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub terms_accepted_at: Option<DateTime<Utc>>,
    pub accepted_by_name: Option<String>,
    /// Set when this agency declined the grant (its own choice; the other grantees go on, and
    /// nothing of it holds the developer).
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub declined_at: Option<DateTime<Utc>>,
    pub declined_by_name: Option<String>,
    /// The agency's reason, plain text, when it gave one.
    pub decline_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessGrantOut {
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    pub model_version: String,
    pub developer_org_id: String,
    pub developer_org_name: String,
    pub grantees: Vec<GranteeOut>,
    /// `hosted_api`, `weights_on_premises`, `sandbox` or `other`
    pub access_mode: String,
    /// Shown to the developer, and to rostered grantee users once they acknowledged the terms;
    /// `null` for everyone else.
    pub access_instructions: Option<String>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub starts_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub ends_at: DateTime<Utc>,
    /// Set when the developer ended the grant early.
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub ended_at: Option<DateTime<Utc>>,
    pub terms_version_id: String,
    pub terms_label: String,
    pub terms_sha256: String,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub developer_accepted_at: Option<DateTime<Utc>>,
    /// `ended`, `expired`, `awaiting_terms`, `scheduled` or `active` — derived from the
    /// timestamps and the current time.
    pub status: String,
    /// Days until the window closes (0 once it has).
    pub days_remaining: f64,
    pub viewer: ViewerOut,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
    pub voluntary_notice: &'static str,
}

/// An access grant as a list shows it: the full grant without its access instructions, which
/// `GET /access-grants/{id}` carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessGrantSummary {
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    pub model_version: String,
    pub developer_org_id: String,
    pub developer_org_name: String,
    pub grantees: Vec<GranteeOut>,
    /// `hosted_api`, `weights_on_premises`, `sandbox` or `other`
    pub access_mode: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub starts_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub ends_at: DateTime<Utc>,
    /// Set when the developer ended the grant early.
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub ended_at: Option<DateTime<Utc>>,
    pub terms_version_id: String,
    pub terms_label: String,
    pub terms_sha256: String,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub developer_accepted_at: Option<DateTime<Utc>>,
    /// `ended`, `expired`, `awaiting_terms`, `scheduled` or `active` — derived from the
    /// timestamps and the current time.
    pub status: String,
    /// Days until the window closes (0 once it has).
    pub days_remaining: f64,
    pub viewer: ViewerOut,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
}

/// The JSON of a page of grants as a list shows them, for `actor`, in a fixed number of
/// queries; built from the columns a list reads ([`AccessGrantListRow`]).
impl View for AccessGrantSummary {
    type Row = AccessGrantListRow;

    fn page(
        conn: &mut DbConn,
        actor: &Actor,
        now: DateTime<Utc>,
        rows: Vec<AccessGrantListRow>,
    ) -> AppResult<Vec<AccessGrantSummary>> {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let grantee_pairs = store::grantees_of(conn, &ids)?;
        let acceptances = store::org_acceptances(conn, GrantKind::Access, &ids)?;
        let declines = store::declines_of(conn, GrantKind::Access, &ids)?;
        let mine = store::rostered(conn, GrantKind::Access, &ids, actor.user_id.as_str())?;
        let mut org_ids: Vec<String> = grantee_pairs.iter().map(|(_, o)| o.clone()).collect();
        org_ids.extend(rows.iter().map(|r| r.organization_id.clone()));
        let orgs: HashMap<String, orgs::OrgRow> = orgs::get_many(conn, &org_ids)?
            .into_iter()
            .map(|o| (o.id.clone(), o))
            .collect();
        let model_ids: Vec<String> = rows.iter().map(|r| r.model_id.clone()).collect();
        let models = models::names(conn, &model_ids)?;
        let terms_ids: Vec<String> = rows.iter().map(|r| r.terms_version_id.clone()).collect();
        let terms = terms::labels(conn, &terms_ids)?;
        let mut uids: Vec<String> = acceptances.iter().map(|a| a.user_id.clone()).collect();
        uids.extend(declines.iter().map(|d| d.user_id.clone()));
        let names: HashMap<String, String> = accounts::user_names(conn, &uids)?;
        // Each related row by its grant (and organization), found once per row rather than by
        // scanning the page's related rows for every row; the first acceptance of a pair (in id
        // order) counts.
        let mut grantees_of: HashMap<&str, Vec<String>> = HashMap::new();
        for (g, o) in &grantee_pairs {
            grantees_of.entry(g.as_str()).or_default().push(o.clone());
        }
        let accepted_by = grants::by_grant_and_org(&acceptances, |a| {
            (a.grant_id.as_str(), a.organization_id.as_str())
        });
        let declined_by = grants::by_grant_and_org(&declines, |d| {
            (d.grant_id.as_str(), d.organization_id.as_str())
        });
        Ok(rows
            .into_iter()
            .map(|r| {
                let grantee_ids: Vec<String> =
                    grantees_of.get(r.id.as_str()).cloned().unwrap_or_default();
                let ctx = r.grant(grantee_ids.clone());
                let accepted = |org: &str| accepted_by.get(&(r.id.as_str(), org)).copied();
                let status = ctx.status(now);
                let m = models.get(&r.model_id);
                let t = terms.get(&r.terms_version_id);
                AccessGrantSummary {
                    grantees: grantee_ids
                        .iter()
                        .map(|o| {
                            let a = accepted(o);
                            let d = declined_by.get(&(r.id.as_str(), o.as_str())).copied();
                            GranteeOut {
                                declined_at: d.map(|d| from_db(d.declined_at)),
                                declined_by_name: d.and_then(|d| names.get(&d.user_id).cloned()),
                                decline_reason: d.and_then(|d| d.reason.clone()),
                                org_id: o.clone(),
                                name: orgs.get(o).map(|x| x.name.clone()).unwrap_or_default(),
                                agency_code: orgs.get(o).and_then(|x| x.agency_code.clone()),
                                terms_accepted_at: a.map(|a| from_db(a.accepted_at)),
                                accepted_by_name: a.and_then(|a| names.get(&a.user_id).cloned()),
                            }
                        })
                        .collect(),
                    developer_accepted_at: accepted(&r.organization_id)
                        .map(|a| from_db(a.accepted_at)),
                    model_name: m.map(|m| m.0.clone()).unwrap_or_default(),
                    model_version: m.map(|m| m.1.clone()).unwrap_or_default(),
                    developer_org_name: orgs
                        .get(&r.organization_id)
                        .map(|o| o.name.clone())
                        .unwrap_or_default(),
                    terms_label: t.map(|t| t.0.clone()).unwrap_or_default(),
                    terms_sha256: t.map(|t| t.1.clone()).unwrap_or_default(),
                    status: status.as_str().into(),
                    days_remaining: if matches!(status, GrantStatus::Ended) {
                        0.0
                    } else {
                        days_remaining(now, ctx.ends_at)
                    },
                    viewer: ViewerOut {
                        rostered: mine.contains_key(&r.id),
                        acknowledged: mine.get(&r.id).copied().unwrap_or(false),
                    },
                    id: r.id,
                    model_id: r.model_id,
                    developer_org_id: r.organization_id,
                    access_mode: r.access_mode,
                    starts_at: from_db(r.starts_at),
                    ends_at: from_db(r.ends_at),
                    ended_at: r.ended_at.map(from_db),
                    terms_version_id: r.terms_version_id,
                    created_at: from_db(r.created_at),
                    updated_at: from_db(r.updated_at),
                }
            })
            .collect())
    }
}

/// The JSON of grants as their detail answers them: each one's list item and the access
/// instructions, for callers who may read them.
impl View for AccessGrantOut {
    type Row = AccessGrantRow;

    fn page(
        conn: &mut DbConn,
        actor: &Actor,
        now: DateTime<Utc>,
        rows: Vec<AccessGrantRow>,
    ) -> AppResult<Vec<AccessGrantOut>> {
        let (heads, instructions): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .map(|r| (r.head, r.access_instructions))
            .unzip();
        let summaries = AccessGrantSummary::page(conn, actor, now, heads.clone())?;
        Ok(summaries
            .into_iter()
            .zip(heads)
            .zip(instructions)
            .map(|((s, head), text)| {
                let ctx = head.grant(s.grantees.iter().map(|g| g.org_id.clone()).collect());
                let shown = grants::shows_instructions(&ctx, actor, &s.viewer, now);
                AccessGrantOut::detail(s, shown.then_some(text))
            })
            .collect())
    }
}

impl AccessGrantOut {
    /// A grant's detail: its list item and, when the caller may read them, the instructions.
    fn detail(s: AccessGrantSummary, access_instructions: Option<String>) -> AccessGrantOut {
        let AccessGrantSummary {
            id,
            model_id,
            model_name,
            model_version,
            developer_org_id,
            developer_org_name,
            grantees,
            access_mode,
            starts_at,
            ends_at,
            ended_at,
            terms_version_id,
            terms_label,
            terms_sha256,
            developer_accepted_at,
            status,
            days_remaining,
            viewer,
            created_at,
            updated_at,
        } = s;
        AccessGrantOut {
            id,
            model_id,
            model_name,
            model_version,
            developer_org_id,
            developer_org_name,
            grantees,
            access_mode,
            access_instructions,
            starts_at,
            ends_at,
            ended_at,
            terms_version_id,
            terms_label,
            terms_sha256,
            developer_accepted_at,
            status,
            days_remaining,
            viewer,
            created_at,
            updated_at,
            voluntary_notice: VOLUNTARY,
        }
    }
}
