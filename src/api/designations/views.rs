//! The JSON a designation request is served as, built for a page of requests in a fixed
//! number of queries.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::view::View;
use crate::api::VOLUNTARY;
use crate::auth::Actor;
use crate::clock::from_db;
use crate::db::DbConn;
use crate::domain::designation::{consultation_checklist, is_overdue};
use crate::error::AppResult;
use crate::store::designations::{self as store, ConsultationRow, RequestRow};
use crate::store::{accounts, models, orgs};

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationOut {
    pub id: String,
    pub agency_code: String,
    /// `concur`, `non_concur` or `no_comment`
    pub position: String,
    pub note: String,
    pub recorded_by_name: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeterminationOut {
    /// `covered` or `not_covered`
    pub outcome: String,
    /// Unclassified rationale shared with the developer.
    pub rationale: String,
    /// An opaque reference label to the (classified) benchmark; the benchmark itself never
    /// enters the portal.
    pub benchmark_ref: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub determined_at: DateTime<Utc>,
    pub determined_by_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestOut {
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    pub model_version: String,
    pub developer_org_id: String,
    pub developer_org_name: String,
    /// `draft`, `submitted`, `under_review`, `info_requested`, `determined` or `withdrawn`
    pub status: String,
    pub summary: String,
    pub capability_evidence: String,
    /// The day the developer would like an answer by: a calendar date (`YYYY-MM-DD`) with no
    /// time of day and no zone, so it reads the same day everywhere.
    pub requested_response_by: Option<NaiveDate>,
    /// The response date's day is over everywhere on Earth and the request still awaits the
    /// Government (`submitted` or `under_review`). Always false without a response date.
    pub overdue: bool,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub assigned_to: Option<PersonRef>,
    pub consultations: Vec<ConsultationOut>,
    /// Which of the offices Sec. 3(a) names (NCD, OSTP for APST, CISA, DOW) have recorded a
    /// consultation.
    #[schema(value_type = Object, example = json!({"NCD": true, "OSTP": false, "CISA": true, "DOW": false}))]
    pub consulted: serde_json::Map<String, serde_json::Value>,
    pub determination: Option<DeterminationOut>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
    pub voluntary_notice: &'static str,
}

/// A determination as a list shows it: the outcome, without the rationale and benchmark label.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeterminationSummary {
    /// `covered` or `not_covered`
    pub outcome: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub determined_at: DateTime<Utc>,
}

/// A designation request as a list shows it: the full request without its long texts (the
/// capability evidence, the consultations' notes and the determination's rationale), which
/// `GET /designation-requests/{id}` carries. The summary stays: the list shows its start and
/// the search reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestSummary {
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    pub model_version: String,
    pub developer_org_id: String,
    pub developer_org_name: String,
    /// `draft`, `submitted`, `under_review`, `info_requested`, `determined` or `withdrawn`
    pub status: String,
    pub summary: String,
    /// The day the developer would like an answer by: a calendar date (`YYYY-MM-DD`) with no
    /// time of day and no zone, so it reads the same day everywhere.
    pub requested_response_by: Option<NaiveDate>,
    /// The response date's day is over everywhere on Earth and the request still awaits the
    /// Government (`submitted` or `under_review`). Always false without a response date.
    pub overdue: bool,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub assigned_to: Option<PersonRef>,
    /// Which of the offices Sec. 3(a) names (NCD, OSTP for APST, CISA, DOW) have recorded a
    /// consultation.
    #[schema(value_type = Object, example = json!({"NCD": true, "OSTP": false, "CISA": true, "DOW": false}))]
    pub consulted: serde_json::Map<String, serde_json::Value>,
    pub determination: Option<DeterminationSummary>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
}

impl From<RequestOut> for RequestSummary {
    fn from(r: RequestOut) -> Self {
        let RequestOut {
            id,
            model_id,
            model_name,
            model_version,
            developer_org_id,
            developer_org_name,
            status,
            summary,
            capability_evidence: _,
            requested_response_by,
            overdue,
            submitted_at,
            withdrawn_at,
            assigned_to,
            consultations: _,
            consulted,
            determination,
            created_at,
            updated_at,
            voluntary_notice: _,
        } = r;
        RequestSummary {
            id,
            model_id,
            model_name,
            model_version,
            developer_org_id,
            developer_org_name,
            status,
            summary,
            requested_response_by,
            overdue,
            submitted_at,
            withdrawn_at,
            assigned_to,
            consulted,
            determination: determination.map(|d| DeterminationSummary {
                outcome: d.outcome,
                determined_at: d.determined_at,
            }),
            created_at,
            updated_at,
        }
    }
}

/// The JSON of a page of requests with their related rows, in a fixed number of queries.
impl View for RequestOut {
    type Row = RequestRow;

    fn page(
        conn: &mut DbConn,
        _actor: &Actor,
        now: DateTime<Utc>,
        rows: Vec<RequestRow>,
    ) -> AppResult<Vec<RequestOut>> {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let model_ids: Vec<String> = rows.iter().map(|r| r.model_id.clone()).collect();
        let org_ids: Vec<String> = rows.iter().map(|r| r.organization_id.clone()).collect();
        let cons = store::consultations_of(conn, &ids)?;
        let mut user_ids: Vec<String> = rows
            .iter()
            .flat_map(|r| {
                [
                    r.assigned_to_user_id.clone(),
                    r.determined_by_user_id.clone(),
                ]
            })
            .flatten()
            .collect();
        user_ids.extend(cons.iter().map(|c| c.recorded_by_user_id.clone()));
        let models = models::names(conn, &model_ids)?;
        let orgs: HashMap<String, String> = orgs::names(conn, &org_ids)?;
        let names: HashMap<String, String> = accounts::user_names(conn, &user_ids)?;
        let name_of = |id: &str| names.get(id).cloned().unwrap_or_default();
        // Each request's consultations, grouped once.
        let mut cons_of: HashMap<&str, Vec<&ConsultationRow>> = HashMap::new();
        for c in &cons {
            cons_of.entry(c.request_id.as_str()).or_default().push(c);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let mine: &[&ConsultationRow] =
                    cons_of.get(r.id.as_str()).map_or(&[][..], |c| &c[..]);
                let consulted = consultation_checklist(mine.iter().map(|c| c.agency_code.as_str()))
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::Bool(v)))
                    .collect();
                let m = models.get(&r.model_id);
                RequestOut {
                    model_name: m.map(|m| m.0.clone()).unwrap_or_default(),
                    model_version: m.map(|m| m.1.clone()).unwrap_or_default(),
                    developer_org_name: orgs.get(&r.organization_id).cloned().unwrap_or_default(),
                    assigned_to: r.assigned_to_user_id.as_ref().map(|id| PersonRef {
                        id: id.clone(),
                        name: name_of(id),
                    }),
                    consultations: mine
                        .iter()
                        .map(|c| ConsultationOut {
                            id: c.id.clone(),
                            agency_code: c.agency_code.clone(),
                            position: c.position.clone(),
                            note: c.note.clone(),
                            recorded_by_name: name_of(&c.recorded_by_user_id),
                            created_at: from_db(c.created_at),
                        })
                        .collect(),
                    consulted,
                    determination: match (&r.outcome, r.determined_at) {
                        (Some(o), Some(at)) => Some(DeterminationOut {
                            outcome: o.clone(),
                            rationale: r.rationale.clone().unwrap_or_default(),
                            benchmark_ref: r.benchmark_ref.clone().unwrap_or_default(),
                            determined_at: from_db(at),
                            determined_by_name: r
                                .determined_by_user_id
                                .as_deref()
                                .map(name_of)
                                .unwrap_or_default(),
                        }),
                        _ => None,
                    },
                    id: r.id,
                    model_id: r.model_id,
                    developer_org_id: r.organization_id,
                    status: r.status.as_str().into(),
                    summary: r.summary,
                    capability_evidence: r.capability_evidence,
                    overdue: is_overdue(r.status, r.requested_response_by, now),
                    requested_response_by: r.requested_response_by,
                    submitted_at: r.submitted_at.map(from_db),
                    withdrawn_at: r.withdrawn_at.map(from_db),
                    created_at: from_db(r.created_at),
                    updated_at: from_db(r.updated_at),
                    voluntary_notice: VOLUNTARY,
                }
            })
            .collect())
    }
}
