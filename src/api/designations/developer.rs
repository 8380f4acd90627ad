//! What the developer does: file a draft, submit it, withdraw it, answer an information request.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::JsonBody;
use crate::api::{date_not_past, errors_of, finish, opt_date_field, required, valid};
use crate::auth::Actor;
use crate::clock::to_db;
use crate::db;
use crate::domain::audit::AuditAction;
use crate::domain::designation::{describe, withdraw, DesignationAction, MessageKind};
use crate::domain::policy::{Capability, OrgKind};
use crate::error::{AppError, AppResult, FieldError, ProblemCode};
use crate::mail::templates::Reason;
use crate::notify;
use crate::state::AppState;
use crate::store::designations::{self as store, NewRequest, RequestRow};
use crate::store::models;
use chrono::{DateTime, NaiveDate, Utc};

use super::common::{act, record, require_developer_of, save, transition};
use super::messages::{add_message, MessageBody};
use super::views::RequestOut;
use crate::api::view::View;
use crate::domain::ids::RequestId;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"model_id": "0190d5a4-7c1e-7000-8000-000000000001", "summary": "Aurora-7 shows strong autonomous cyber capabilities in internal evals.", "capability_evidence": "Internal red-team results: …", "requested_response_by": "2026-07-01"}))]
pub struct CreateRequest {
    #[schema(format = Uuid)]
    pub model_id: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: String,
    #[schema(min_length = 1, max_length = 50000)]
    pub capability_evidence: String,
    /// The day you would like an answer by: a calendar date (`2026-07-01`), today or later
    /// (a day is past once it is over everywhere on Earth). An RFC 3339 time is read as its date
    /// in the offset it was written with. Null or "": no date.
    #[schema(schema_with = crate::api::openapi::optional_date_schema)]
    pub requested_response_by: Option<String>,
}

/// A designation request's texts and date, parsed (the model it names is checked against the
/// database when it is filed).
#[derive(Debug, Clone)]
pub struct Filing {
    pub summary: String,
    pub evidence: String,
    pub respond_by: Option<NaiveDate>,
}

impl Filing {
    /// The body's fields as of `now` (a response date whose day is over is refused).
    fn parse(b: &CreateRequest, now: DateTime<Utc>) -> Result<Filing, Vec<FieldError>> {
        let mut errors = Vec::new();
        let summary = required(&mut errors, "summary", &b.summary, 5000);
        let evidence = required(
            &mut errors,
            "capability_evidence",
            &b.capability_evidence,
            50_000,
        );
        let respond_by = response_date(&mut errors, b.requested_response_by.as_deref(), now);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Filing {
            summary,
            evidence,
            respond_by,
        })
    }
}

/// `requested_response_by` parsed, and refused if its day is over (on filing and on editing).
fn response_date(
    errors: &mut Vec<FieldError>,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Option<NaiveDate> {
    let date = opt_date_field(errors, "requested_response_by", value);
    date_not_past(errors, "requested_response_by", date, now);
    date
}

/// The 409 for a second request while `open` is open for the same model version.
fn duplicate(open: &RequestRow) -> AppError {
    AppError::conflict(
        ProblemCode::DuplicateRequest,
        format!(
            "This model version already has an open designation request ({}). Open that request, or withdraw it before filing a new one.",
            describe(open.status)
        ),
    )
    .with_ext("open_request_id", open.id.clone())
}

/// Files a draft designation request for one of the caller's models (filing is voluntary).
/// A model version has at most one open request (any state but `determined` or `withdrawn`): a
/// second one is a 409 `duplicate_request` whose `open_request_id` names the open one.
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests",
    operation_id = "createDesignationRequest",
    tag = "designations",
    request_body = CreateRequest,
    responses(
        (status = 201, body = RequestOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
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
    let now = state.clock.now();
    let filing = Filing::parse(&b, now);
    let out = db::tx(&state.pool, move |conn| {
        let mut errors = errors_of(&filing);
        if models::get_owned(conn, &actor.org_id, &b.model_id.clone().into())?.is_none() {
            errors.push(FieldError::new(
                "model_id",
                "is not one of your organization's models",
            ));
        }
        // Bad values first (422), then the state of the model's requests (409).
        if errors.is_empty() {
            if let Some(open) = store::open_for_model(conn, actor.org_id.as_str(), &b.model_id)? {
                return Err(duplicate(&open));
            }
        }
        let Filing {
            summary,
            evidence,
            respond_by,
        } = valid(errors, filing.clone().ok())?;
        let row = RequestRow::draft(
            NewRequest {
                model_id: b.model_id.clone(),
                organization_id: actor.org_id.to_string(),
                created_by_user_id: actor.user_id.to_string(),
                summary,
                capability_evidence: evidence,
                requested_response_by: respond_by,
            },
            now,
        );
        store::insert(conn, &row)?;
        record(
            conn,
            &actor,
            now,
            &row,
            AuditAction::DesignationCreated,
            json!({"model_id": row.model_id}),
        )?;
        RequestOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"summary": "Aurora-7 shows strong autonomous cyber capabilities in internal evals (revised).", "requested_response_by": "2026-07-15"}))]
pub struct EditRequest {
    /// Absent: unchanged.
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: Option<String>,
    /// Absent: unchanged.
    #[schema(min_length = 1, max_length = 50000)]
    pub capability_evidence: Option<String>,
    /// A calendar date, today or later, as on filing. Absent: unchanged; null or "": no date.
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(schema_with = crate::api::openapi::optional_date_schema)]
    pub requested_response_by: Option<Option<String>>,
}

/// Edits a draft: its summary, capability evidence and response date (the model stays; file a
/// new request for another model). Only the developer that filed it, only while it is a draft:
/// once submitted it is a 409 `invalid_transition` (reviewers read what was submitted).
#[utoipa::path(
    patch,
    path = "/api/v1/designation-requests/{id}",
    operation_id = "editDesignationRequest",
    tag = "designations",
    request_body = EditRequest,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = RequestOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn edit(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
    body: Json<EditRequest>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let mut errors = Vec::new();
    let now = state.clock.now();
    let summary = b
        .summary
        .as_deref()
        .map(|v| required(&mut errors, "summary", v, 5000));
    let evidence = b
        .capability_evidence
        .as_deref()
        .map(|v| required(&mut errors, "capability_evidence", v, 50_000));
    let respond_by = b
        .requested_response_by
        .as_ref()
        .map(|v| response_date(&mut errors, v.as_deref(), now));
    act(
        state,
        actor,
        path.into_inner(),
        move |conn, actor, r, now, _| {
            require_developer_of(actor, r, Capability::FileDesignation)?;
            let from = transition(r, DesignationAction::Edit)?;
            finish(errors)?;
            let mut changed = Vec::new();
            if let Some(v) = &summary {
                r.summary = v.clone();
                changed.push("summary");
            }
            if let Some(v) = &evidence {
                r.capability_evidence = v.clone();
                changed.push("capability_evidence");
            }
            if let Some(v) = respond_by {
                r.requested_response_by = v;
                changed.push("requested_response_by");
            }
            if changed.is_empty() {
                return Ok(());
            }
            r.updated_at = to_db(now);
            save(
                conn,
                r,
                from,
                store::RequestChange {
                    summary: summary.clone(),
                    capability_evidence: evidence.clone(),
                    requested_response_by: respond_by,
                    ..Default::default()
                },
            )?;
            record(
                conn,
                actor,
                now,
                r,
                AuditAction::DesignationEdited,
                json!({"fields": changed}),
            )?;
            Ok(())
        },
    )
    .await
}

/// Submits a draft for review. Reviewers at NSA are told by email.
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests/{id}/submit",
    operation_id = "submitDesignationRequest",
    tag = "designations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = RequestOut),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
    ),
)]
pub async fn submit(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
) -> AppResult<HttpResponse> {
    act(
        state,
        actor,
        path.into_inner(),
        |conn, actor, r, now, notifier| {
            require_developer_of(actor, r, Capability::SubmitDesignation)?;
            let from = transition(r, DesignationAction::Submit)?;
            r.submitted_at = Some(to_db(now));
            r.updated_at = to_db(now);
            save(
                conn,
                r,
                from,
                store::RequestChange {
                    submitted_at: r.submitted_at,
                    ..Default::default()
                },
            )?;
            record(
                conn,
                actor,
                now,
                r,
                AuditAction::DesignationSubmitted,
                json!({}),
            )?;
            let to = notify::agency_emails(conn, "NSA")?;
            notifier.send(
                conn,
                now,
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
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests/{id}/withdraw",
    operation_id = "withdrawDesignationRequest",
    tag = "designations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = RequestOut),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn withdraw_request(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
) -> AppResult<HttpResponse> {
    act(state, actor, path.into_inner(), |conn, actor, r, now, _| {
        require_developer_of(actor, r, Capability::WithdrawDesignation)?;
        let (next, changed) = withdraw(r.status);
        if changed {
            let from = std::mem::replace(&mut r.status, next);
            r.withdrawn_at = Some(to_db(now));
            r.updated_at = to_db(now);
            save(
                conn,
                r,
                from,
                store::RequestChange {
                    withdrawn_at: r.withdrawn_at,
                    ..Default::default()
                },
            )?;
            record(
                conn,
                actor,
                now,
                r,
                AuditAction::DesignationWithdrawn,
                json!({}),
            )?;
        }
        Ok(())
    })
    .await
}

/// The developer answers an information request.
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests/{id}/respond",
    operation_id = "respondToDesignationInfoRequest",
    tag = "designations",
    request_body = MessageBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = RequestOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn respond(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
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
            save(conn, r, from, Default::default())?;
            let m = add_message(conn, actor, r, MessageKind::Response, &message, now)?;
            record(
                conn,
                actor,
                now,
                r,
                AuditAction::DesignationResponded,
                json!({"message_id": m.id}),
            )?;
            Ok(())
        },
    )
    .await
}
