//! Designation review (Sec. 3(a), 3(b)(i)): a developer chooses to ask whether a model is a
//! "covered frontier model"; reviewers assign, ask for information and record consultations;
//! only an NSA reviewer records the determination. The developer may withdraw at any time and
//! a determination changes nothing the developer may do.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;

use crate::api::{enum_field, finish, opt_time_field, optional, required, VOLUNTARY};
use crate::audit::{self, NewEvent};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::designation::{
    consultation_checklist, next_status, withdraw, ConsultationPosition, DesignationAction,
    DesignationStatus, DeterminationOutcome,
};
use crate::domain::policy::{AgencyCode, Capability, OrgKind};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::templates::Reason;
use crate::notify;
use crate::startup::AppState;
use crate::store::designations::{self as store, ConsultationRow, MessageRow, RequestRow, Viewer};
use crate::store::{accounts, models, new_id, orgs, PageQuery, Paged};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/designation-requests", web::get().to(list))
        .route("/designation-requests", web::post().to(create))
        .route("/designation-requests/{id}", web::get().to(get))
        .route("/designation-requests/{id}/submit", web::post().to(submit))
        .route(
            "/designation-requests/{id}/withdraw",
            web::post().to(withdraw_request),
        )
        .route("/designation-requests/{id}/assign", web::post().to(assign))
        .route(
            "/designation-requests/{id}/request-info",
            web::post().to(request_info),
        )
        .route(
            "/designation-requests/{id}/respond",
            web::post().to(respond),
        )
        .route(
            "/designation-requests/{id}/consultations",
            web::post().to(consult),
        )
        .route(
            "/designation-requests/{id}/determination",
            web::post().to(determine),
        )
        .route(
            "/designation-requests/{id}/messages",
            web::get().to(list_messages),
        )
        .route(
            "/designation-requests/{id}/messages",
            web::post().to(post_message),
        );
}

pub fn viewer(actor: &Actor) -> Viewer {
    match actor.org_kind {
        OrgKind::Developer => Viewer::Developer(actor.org_id.clone()),
        OrgKind::Agency => Viewer::Agency,
        _ => Viewer::Nobody,
    }
}

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
    pub requested_response_by: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub assigned_to: Option<PersonRef>,
    pub consultations: Vec<ConsultationOut>,
    /// Which of the offices Sec. 3(a) names (NCD, OSTP for APST, CISA, DOW) have recorded a
    /// consultation.
    #[schema(value_type = Object, example = json!({"NCD": true, "OSTP": false, "CISA": true, "DOW": false}))]
    pub consulted: serde_json::Map<String, serde_json::Value>,
    pub determination: Option<DeterminationOut>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub voluntary_notice: &'static str,
}

/// Builds the JSON of a page of requests with their related rows in a fixed number of queries.
fn outs(conn: &mut DbConn, rows: Vec<RequestRow>) -> AppResult<Vec<RequestOut>> {
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
    let models: HashMap<String, models::ModelRow> = models::get_many(conn, &model_ids)?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let orgs: HashMap<String, String> = orgs::names(conn, &org_ids)?;
    let names: HashMap<String, String> = accounts::user_names(conn, &user_ids)?;
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine: Vec<&ConsultationRow> =
                cons.iter().filter(|c| c.request_id == r.id).collect();
            let consulted = consultation_checklist(mine.iter().map(|c| c.agency_code.as_str()))
                .into_iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::Bool(v)))
                .collect();
            let m = models.get(&r.model_id);
            RequestOut {
                model_name: m.map(|m| m.name.clone()).unwrap_or_default(),
                model_version: m.map(|m| m.version.clone()).unwrap_or_default(),
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
                status: r.status,
                summary: r.summary,
                capability_evidence: r.capability_evidence,
                requested_response_by: r.requested_response_by.map(from_db),
                submitted_at: r.submitted_at.map(from_db),
                withdrawn_at: r.withdrawn_at.map(from_db),
                created_at: from_db(r.created_at),
                updated_at: from_db(r.updated_at),
                voluntary_notice: VOLUNTARY,
            }
        })
        .collect())
}

fn one(conn: &mut DbConn, row: RequestRow) -> AppResult<RequestOut> {
    Ok(outs(conn, vec![row])?.remove(0))
}

/// Organizations that may see events on this request: the developer, and every agency once it
/// was submitted (a draft withdrawn unsubmitted stays private).
fn visible_to(conn: &mut DbConn, r: &RequestRow) -> AppResult<Vec<String>> {
    let mut v = vec![r.organization_id.clone()];
    if r.submitted_at.is_some() {
        v.extend(orgs::ids_of_kind(conn, "agency")?);
    }
    Ok(v)
}

/// Emails the developer's admins and the request's author a link to the request.
fn tell_developer(
    conn: &mut DbConn,
    st: &AppState,
    r: &RequestRow,
    now: DateTime<Utc>,
    reason: Reason,
) -> AppResult<()> {
    let mut to = notify::org_emails(conn, std::slice::from_ref(&r.organization_id), true)?;
    to.extend(notify::user_emails(
        conn,
        std::slice::from_ref(&r.created_by_user_id),
    )?);
    notify::send(
        conn,
        now,
        &st.settings.server.public_url,
        &to,
        reason,
        &format!("/designation-requests/{}", r.id),
    )?;
    Ok(())
}

fn status_of(r: &RequestRow) -> AppResult<DesignationStatus> {
    DesignationStatus::parse(&r.status).map_err(AppError::internal)
}

/// Checks `action` against the request's state and moves `r` to the next one; returns the
/// state it was checked against, for [`save`].
fn transition(r: &mut RequestRow, action: DesignationAction) -> AppResult<String> {
    let next = next_status(status_of(r)?, action)
        .map_err(|e| AppError::invalid_transition(e.to_string()))?;
    Ok(std::mem::replace(&mut r.status, next.as_str().to_string()))
}

/// Writes the columns of one change, provided the request is still in the state `from` that the
/// change was checked against (always so inside `db::write_tx`; the check makes a lost update
/// impossible even if a caller forgot the lock).
fn save(
    conn: &mut DbConn,
    r: &RequestRow,
    from: &str,
    change: store::RequestChange,
) -> AppResult<()> {
    let change = store::RequestChange {
        status: Some(r.status.clone()),
        updated_at: Some(r.updated_at),
        ..change
    };
    if !store::apply_change(conn, &r.id, from, &change)? {
        return Err(AppError::invalid_transition(
            "This request changed while you were acting on it. Reload it and try again.",
        ));
    }
    Ok(())
}

/// Loads a visible request or 404.
fn load(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<RequestRow> {
    store::get_visible(conn, &viewer(actor), id)?.ok_or_else(AppError::not_found)
}

fn record(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    r: &RequestRow,
    action: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    let visible = visible_to(conn, r)?;
    audit::append(
        conn,
        &actor.audit(now),
        NewEvent {
            action,
            target_type: "designation_request",
            target_id: &r.id,
            visible_to: visible,
            detail,
        },
    )?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Filter by status.
    pub status: Option<String>,
    /// Filter by model.
    pub model_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Requests visible to the caller (a developer's own; every non-draft one for agencies).
#[utoipa::path(get, path = "/api/v1/designation-requests", tag = "designations", params(ListQuery), responses(
    (status = 200, body = RequestList), (status = 401, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            DesignationStatus::parse(s)
                .map_err(|_| AppError::field("status", "is not a designation status"))?
                .as_str(),
        ),
    };
    let model = q.model_id.clone().filter(|s| !s.is_empty());
    let p = page.clone();
    let items = db::run(&state.pool, move |conn| {
        let rows = store::list_visible(conn, &viewer(&actor), status, model.as_deref(), &p)?;
        outs(conn, rows)
    })
    .await?;
    let paged = Paged::from_rows(items, &page, |r| r.id.clone());
    Ok(HttpResponse::Ok().json(RequestList {
        items: paged.items,
        next_cursor: paged.next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"model_id": "0190d5a4-7c1e-7000-8000-000000000001", "summary": "Aurora-7 shows strong autonomous cyber capabilities in internal evals.", "capability_evidence": "Internal red-team results: …", "requested_response_by": "2026-07-01T00:00:00Z"}))]
pub struct CreateRequest {
    pub model_id: String,
    pub summary: String,
    pub capability_evidence: String,
    pub requested_response_by: Option<String>,
}

/// Files a draft designation request for one of the caller's models (filing is voluntary).
#[utoipa::path(post, path = "/api/v1/designation-requests", tag = "designations", request_body = CreateRequest, responses(
    (status = 201, body = RequestOut), (status = 403, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<CreateRequest>,
) -> AppResult<HttpResponse> {
    if !actor.is_kind(OrgKind::Developer) {
        return Err(AppError::forbidden(
            "Only developers file designation requests.",
        ));
    }
    actor.require(
        Capability::FileDesignation,
        "Only developer members file designation requests.",
    )?;
    let b = body.into_inner();
    let mut errors = Vec::new();
    let summary = required(&mut errors, "summary", &b.summary, 5000);
    let evidence = required(
        &mut errors,
        "capability_evidence",
        &b.capability_evidence,
        50_000,
    );
    let respond_by = opt_time_field(
        &mut errors,
        "requested_response_by",
        b.requested_response_by.as_deref(),
    );
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        if models::get_owned(conn, &actor.org_id, &b.model_id)?.is_none() {
            errors.push(FieldError::new(
                "model_id",
                "is not one of your organization's models",
            ));
        }
        finish(errors)?;
        let row = RequestRow {
            id: new_id(),
            model_id: b.model_id.clone(),
            organization_id: actor.org_id.clone(),
            status: DesignationStatus::Draft.as_str().into(),
            summary,
            capability_evidence: evidence,
            requested_response_by: respond_by.map(to_db),
            submitted_at: None,
            withdrawn_at: None,
            assigned_to_user_id: None,
            assigned_at: None,
            determined_at: None,
            outcome: None,
            rationale: None,
            benchmark_ref: None,
            determined_by_user_id: None,
            created_by_user_id: actor.user_id.clone(),
            created_at: to_db(now),
            updated_at: to_db(now),
        };
        store::insert(conn, &row)?;
        record(
            conn,
            &actor,
            now,
            &row,
            "designation.created",
            json!({"model_id": row.model_id}),
        )?;
        one(conn, row)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/designation-requests/{id}", tag = "designations", params(("id" = String, Path)), responses(
    (status = 200, body = RequestOut), (status = 404, body = crate::api::dto::Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let out = db::run(&state.pool, move |conn| {
        let r = load(conn, &actor, &id)?;
        one(conn, r)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Shared shape of the developer's and reviewers' simple actions.
async fn act<F>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
    f: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConn, &Actor, &mut RequestRow, DateTime<Utc>, &AppState) -> AppResult<()>
        + Clone
        + Send
        + 'static,
{
    let now = state.clock.now();
    let st = state.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut r = load(conn, &actor, &id)?;
        f(conn, &actor, &mut r, now, &st)?;
        one(conn, r)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

fn require_developer_of(actor: &Actor, r: &RequestRow, cap: Capability) -> AppResult<()> {
    if actor.org_id != r.organization_id || !actor.may(cap) {
        return Err(AppError::forbidden(
            "Only the developer that filed this request can do that.",
        ));
    }
    Ok(())
}

/// Submits a draft for review. Reviewers at NSA are told by email.
#[utoipa::path(post, path = "/api/v1/designation-requests/{id}/submit", tag = "designations", params(("id" = String, Path)), responses(
    (status = 200, body = RequestOut), (status = 404, body = crate::api::dto::Problem), (status = 409, body = crate::api::dto::Problem)))]
pub async fn submit(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    act(
        state,
        actor,
        path.into_inner(),
        |conn, actor, r, now, st| {
            require_developer_of(actor, r, Capability::SubmitDesignation)?;
            let from = transition(r, DesignationAction::Submit)?;
            r.submitted_at = Some(to_db(now));
            r.updated_at = to_db(now);
            save(
                conn,
                r,
                &from,
                store::RequestChange {
                    submitted_at: r.submitted_at,
                    ..Default::default()
                },
            )?;
            record(conn, actor, now, r, "designation.submitted", json!({}))?;
            let to = notify::agency_emails(conn, "NSA")?;
            notify::send(
                conn,
                now,
                &st.settings.server.public_url,
                &to,
                Reason::RequestSubmitted,
                &format!("/designation-requests/{}", r.id),
            )?;
            Ok(())
        },
    )
    .await
}

/// Withdraws the request: immediate, from any state, no reason needed; a repeat changes nothing.
#[utoipa::path(post, path = "/api/v1/designation-requests/{id}/withdraw", tag = "designations", params(("id" = String, Path)), responses(
    (status = 200, body = RequestOut), (status = 404, body = crate::api::dto::Problem)))]
pub async fn withdraw_request(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    act(state, actor, path.into_inner(), |conn, actor, r, now, _| {
        require_developer_of(actor, r, Capability::WithdrawDesignation)?;
        let (next, changed) = withdraw(status_of(r)?);
        if changed {
            let from = std::mem::replace(&mut r.status, next.as_str().into());
            r.withdrawn_at = Some(to_db(now));
            r.updated_at = to_db(now);
            save(
                conn,
                r,
                &from,
                store::RequestChange {
                    withdrawn_at: r.withdrawn_at,
                    ..Default::default()
                },
            )?;
            record(conn, actor, now, r, "designation.withdrawn", json!({}))?;
        }
        Ok(())
    })
    .await
}

fn require_reviewer(actor: &Actor, cap: Capability) -> AppResult<()> {
    if !actor.may(cap) {
        let msg = match cap {
            Capability::Determine => "Only an NSA reviewer records the determination.",
            _ => "Only Government reviewers can do that.",
        };
        return Err(AppError::forbidden(msg));
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct AssignBody {
    /// An agency user; omitted = the caller.
    pub user_id: Option<String>,
}

/// Assigns the request to a Government reviewer (agency members).
#[utoipa::path(post, path = "/api/v1/designation-requests/{id}/assign", tag = "designations", request_body = AssignBody, params(("id" = String, Path)), responses(
    (status = 200, body = RequestOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem), (status = 409, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn assign(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    // The body is optional (no body = assign to the caller), but a body that is there must be valid.
    let body: AssignBody = if body.iter().all(u8::is_ascii_whitespace) {
        AssignBody::default()
    } else {
        crate::api::json::parse(&body)?
    };
    let user_id = body.user_id.filter(|s| !s.is_empty());
    act(
        state,
        actor,
        path.into_inner(),
        move |conn, actor, r, now, _| {
            require_reviewer(actor, Capability::Assign)?;
            let assignee = user_id.unwrap_or_else(|| actor.user_id.clone());
            let ok = match accounts::user_with_org(conn, &assignee) {
                Ok((u, o)) => o.kind == "agency" && u.disabled_at.is_none(),
                Err(diesel::result::Error::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if !ok {
                return Err(AppError::field(
                    "user_id",
                    "must be an active Government reviewer",
                ));
            }
            let from = transition(r, DesignationAction::Assign)?;
            r.assigned_to_user_id = Some(assignee.clone());
            r.assigned_at = Some(to_db(now));
            r.updated_at = to_db(now);
            save(
                conn,
                r,
                &from,
                store::RequestChange {
                    assigned_to_user_id: r.assigned_to_user_id.clone(),
                    assigned_at: r.assigned_at,
                    ..Default::default()
                },
            )?;
            record(
                conn,
                actor,
                now,
                r,
                "designation.assigned",
                json!({"assigned_to_user_id": assignee}),
            )?;
            Ok(())
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"message": "Please share the evaluation harness configuration used for the cyber results."}))]
pub struct MessageBody {
    pub message: String,
}

fn add_message(
    conn: &mut DbConn,
    actor: &Actor,
    r: &RequestRow,
    kind: &str,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<MessageRow> {
    let m = MessageRow {
        id: new_id(),
        request_id: r.id.clone(),
        author_user_id: actor.user_id.clone(),
        author_org_id: actor.org_id.clone(),
        kind: kind.into(),
        body: body.into(),
        created_at: to_db(now),
    };
    store::insert_message(conn, &m)?;
    Ok(m)
}

/// A reviewer asks the developer for more information (adds to the thread; the developer is
/// emailed a link).
#[utoipa::path(post, path = "/api/v1/designation-requests/{id}/request-info", tag = "designations", request_body = MessageBody, params(("id" = String, Path)), responses(
    (status = 200, body = RequestOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem), (status = 409, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn request_info(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<MessageBody>,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let message = required(&mut errors, "message", &body.message, 20_000);
    act(
        state,
        actor,
        path.into_inner(),
        move |conn, actor, r, now, st| {
            require_reviewer(actor, Capability::RequestInfo)?;
            finish(errors)?;
            let from = transition(r, DesignationAction::RequestInfo)?;
            r.updated_at = to_db(now);
            save(conn, r, &from, Default::default())?;
            let m = add_message(conn, actor, r, "info_request", &message, now)?;
            record(
                conn,
                actor,
                now,
                r,
                "designation.info_requested",
                json!({"message_id": m.id}),
            )?;
            tell_developer(conn, st, r, now, Reason::InformationRequested)?;
            Ok(())
        },
    )
    .await
}

/// The developer answers an information request.
#[utoipa::path(post, path = "/api/v1/designation-requests/{id}/respond", tag = "designations", request_body = MessageBody, params(("id" = String, Path)), responses(
    (status = 200, body = RequestOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem), (status = 409, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn respond(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<MessageBody>,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let message = required(&mut errors, "message", &body.message, 20_000);
    act(
        state,
        actor,
        path.into_inner(),
        move |conn, actor, r, now, _| {
            require_developer_of(actor, r, Capability::RespondDesignation)?;
            finish(errors)?;
            let from = transition(r, DesignationAction::Respond)?;
            r.updated_at = to_db(now);
            save(conn, r, &from, Default::default())?;
            let m = add_message(conn, actor, r, "response", &message, now)?;
            record(
                conn,
                actor,
                now,
                r,
                "designation.responded",
                json!({"message_id": m.id}),
            )?;
            Ok(())
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"agency_code": "CISA", "position": "concur", "note": "Agrees the cyber results meet the covered threshold."}))]
pub struct ConsultationBody {
    /// The consulted office: the caller's own agency code (NCD, OSTP for APST, CISA, DOW, …);
    /// another office's code is refused with 403.
    pub agency_code: String,
    /// `concur`, `non_concur` or `no_comment`
    pub position: String,
    pub note: String,
}

/// Records the position of a consulted office (agency members).
#[utoipa::path(post, path = "/api/v1/designation-requests/{id}/consultations", tag = "designations", request_body = ConsultationBody, params(("id" = String, Path)), responses(
    (status = 201, body = RequestOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem), (status = 409, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn consult(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<ConsultationBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let mut errors = Vec::new();
    let code = enum_field(
        &mut errors,
        "agency_code",
        &b.agency_code,
        AgencyCode::ALL,
        AgencyCode::as_str,
    );
    let position = enum_field(
        &mut errors,
        "position",
        &b.position,
        ConsultationPosition::ALL,
        ConsultationPosition::as_str,
    );
    let note = optional(&mut errors, "note", Some(&b.note), 10_000);
    let resp = act(state, actor, path.into_inner(), move |conn, actor, r, now, _| {
        require_reviewer(actor, Capability::Consult)?;
        finish(errors)?;
        let (code, position) = (code.expect("validated"), position.expect("validated"));
        // An office records only its own position (DESIGN §2.2).
        if actor.agency_code != Some(code) {
            return Err(AppError::forbidden(
                "An office records only its own consultation: agency_code must be your agency's code.",
            ));
        }
        let from = transition(r, DesignationAction::Consult)?;
        r.updated_at = to_db(now);
        save(conn, r, &from, Default::default())?;
        let c = ConsultationRow {
            id: new_id(),
            request_id: r.id.clone(),
            agency_code: code.as_str().into(),
            position: position.as_str().into(),
            note,
            recorded_by_user_id: actor.user_id.clone(),
            organization_id: actor.org_id.clone(),
            created_at: to_db(now),
        };
        store::insert_consultation(conn, &c)?;
        record(conn, actor, now, r, "designation.consultation_recorded", json!({"consultation_id": c.id, "agency_code": c.agency_code, "position": c.position}))?;
        Ok(())
    })
    .await?;
    let mut resp = resp;
    *resp.status_mut() = actix_web::http::StatusCode::CREATED;
    Ok(resp)
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"outcome": "covered", "rationale": "Meets the covered-model threshold on autonomous cyber operations.", "benchmark_ref": "BM-2026-17"}))]
pub struct DeterminationBody {
    /// `covered` or `not_covered`
    pub outcome: String,
    /// Unclassified rationale, shared with the developer.
    pub rationale: String,
    /// Opaque label of the classified benchmark.
    pub benchmark_ref: String,
}

/// Records the determination (NSA reviewers only). It has no effect on what the developer may do.
#[utoipa::path(post, path = "/api/v1/designation-requests/{id}/determination", tag = "designations", request_body = DeterminationBody, params(("id" = String, Path)), responses(
    (status = 200, body = RequestOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem),
    (status = 409, description = "Withdrawn, draft or already determined (`invalid_transition`)", body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn determine(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<DeterminationBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let mut errors = Vec::new();
    let outcome = enum_field(
        &mut errors,
        "outcome",
        &b.outcome,
        DeterminationOutcome::ALL,
        DeterminationOutcome::as_str,
    );
    let rationale = required(&mut errors, "rationale", &b.rationale, 20_000);
    let benchmark_ref = required(&mut errors, "benchmark_ref", &b.benchmark_ref, 200);
    act(
        state,
        actor,
        path.into_inner(),
        move |conn, actor, r, now, st| {
            require_reviewer(actor, Capability::Determine)?;
            let from = transition(r, DesignationAction::Determine)?;
            finish(errors)?;
            let outcome = outcome.expect("validated");
            r.outcome = Some(outcome.as_str().into());
            r.rationale = Some(rationale);
            r.benchmark_ref = Some(benchmark_ref);
            r.determined_at = Some(to_db(now));
            r.determined_by_user_id = Some(actor.user_id.clone());
            r.updated_at = to_db(now);
            save(
                conn,
                r,
                &from,
                store::RequestChange {
                    determined_at: r.determined_at,
                    outcome: r.outcome.clone(),
                    rationale: r.rationale.clone(),
                    benchmark_ref: r.benchmark_ref.clone(),
                    determined_by_user_id: r.determined_by_user_id.clone(),
                    ..Default::default()
                },
            )?;
            record(
                conn,
                actor,
                now,
                r,
                "designation.determined",
                json!({"outcome": outcome.as_str(), "benchmark_ref": r.benchmark_ref}),
            )?;
            tell_developer(conn, st, r, now, Reason::Determination)?;
            Ok(())
        },
    )
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: String,
    pub author_name: String,
    pub author_org_name: String,
    /// `message`, `info_request` or `response`
    pub kind: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageOut>,
    pub next_cursor: Option<String>,
}

fn message_outs(conn: &mut DbConn, rows: Vec<MessageRow>) -> AppResult<Vec<MessageOut>> {
    let uids: Vec<String> = rows.iter().map(|m| m.author_user_id.clone()).collect();
    let oids: Vec<String> = rows.iter().map(|m| m.author_org_id.clone()).collect();
    let users: HashMap<String, String> = accounts::user_names(conn, &uids)?;
    let orgs: HashMap<String, String> = orgs::names(conn, &oids)?;
    Ok(rows
        .into_iter()
        .map(|m| MessageOut {
            author_name: users.get(&m.author_user_id).cloned().unwrap_or_default(),
            author_org_name: orgs.get(&m.author_org_id).cloned().unwrap_or_default(),
            id: m.id,
            kind: m.kind,
            body: m.body,
            created_at: from_db(m.created_at),
        })
        .collect())
}

/// The message thread between the developer and reviewers, oldest first.
#[utoipa::path(get, path = "/api/v1/designation-requests/{id}/messages", tag = "designations", params(("id" = String, Path), PageQuery), responses(
    (status = 200, body = MessageList), (status = 404, body = crate::api::dto::Problem)))]
pub async fn list_messages(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = q.page()?;
    let id = path.into_inner();
    let (items, more) = db::run(&state.pool, move |conn| {
        let r = load(conn, &actor, &id)?;
        let mut rows = store::messages(conn, &r.id, page.before.as_deref(), page.limit + 1)?;
        let more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        Ok((message_outs(conn, rows)?, more))
    })
    .await?;
    let next_cursor = if more {
        items.last().map(|m| m.id.clone())
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(MessageList { items, next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PostMessageBody {
    pub body: String,
}

/// Adds a message to the thread (the developer or a reviewer; not on drafts or withdrawn requests).
#[utoipa::path(post, path = "/api/v1/designation-requests/{id}/messages", tag = "designations", request_body = PostMessageBody, params(("id" = String, Path)), responses(
    (status = 201, body = MessageOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem), (status = 409, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn post_message(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<PostMessageBody>,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let text = required(&mut errors, "body", &body.body, 20_000);
    let id = path.into_inner();
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let r = load(conn, &actor, &id)?;
        let allowed = match actor.org_kind {
            OrgKind::Developer => r.organization_id == actor.org_id,
            OrgKind::Agency => true,
            _ => false,
        };
        if !allowed {
            return Err(AppError::forbidden("You cannot post on this request."));
        }
        next_status(status_of(&r)?, DesignationAction::PostMessage)
            .map_err(|e| AppError::invalid_transition(e.to_string()))?;
        finish(errors)?;
        let m = add_message(conn, &actor, &r, "message", &text, now)?;
        record(
            conn,
            &actor,
            now,
            &r,
            "designation.message_posted",
            json!({"message_id": m.id}),
        )?;
        Ok(message_outs(conn, vec![m])?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}
