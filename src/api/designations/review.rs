//! What Government reviewers do: assign, ask for information, record consultations and (NSA
//! only) the determination.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::parsed;
use crate::api::{enum_field, finish, optional, required};
use crate::auth::Actor;
use crate::clock::to_db;
use crate::domain::audit::AuditAction;
use crate::domain::designation::{
    ConsultationPosition, DesignationAction, DeterminationOutcome, MessageKind,
};
use crate::domain::policy::OrgKind;
use crate::domain::policy::{AgencyCode, Capability};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::templates::Reason;
use crate::state::AppState;
use crate::store::designations::{self as store, ConsultationRow};
use crate::store::{accounts, new_id};

use super::common::{act, record, require_reviewer, save, tell_developer, transition};
use super::messages::{add_message, MessageBody};
use super::views::RequestOut;
use crate::domain::ids::RequestId;

#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct AssignBody {
    /// An agency user; omitted = the caller.
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
}

/// Assigns the request to a Government reviewer (agency members).
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests/{id}/assign",
    operation_id = "assignDesignationRequest",
    tag = "designations",
    request_body = AssignBody,
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
pub async fn assign(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
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
            let assignee = user_id.unwrap_or_else(|| actor.user_id.to_string());
            let ok = match accounts::user_with_org(conn, &assignee) {
                Ok((u, o)) => o.kind == OrgKind::Agency && u.disabled_at.is_none(),
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
                from,
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
                AuditAction::DesignationAssigned,
                json!({"assigned_to_user_id": assignee}),
            )?;
            Ok(())
        },
    )
    .await
}

/// A reviewer asks the developer for more information (adds to the thread; the developer is
/// emailed a link).
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests/{id}/request-info",
    operation_id = "requestDesignationInfo",
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
pub async fn request_info(
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
        move |conn, actor, r, now, notifier| {
            require_reviewer(actor, Capability::RequestInfo)?;
            finish(errors)?;
            let from = transition(r, DesignationAction::RequestInfo)?;
            r.updated_at = to_db(now);
            save(conn, r, from, Default::default())?;
            let m = add_message(conn, actor, r, MessageKind::InfoRequest, &message, now)?;
            record(
                conn,
                actor,
                now,
                r,
                AuditAction::DesignationInfoRequested,
                json!({"message_id": m.id}),
            )?;
            tell_developer(conn, notifier, r, now, Reason::InformationRequested)?;
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
    #[schema(max_length = 10000)]
    pub note: String,
}

/// A consultation, parsed: the office, its position and its note.
#[derive(Debug, Clone)]
pub struct Consultation {
    pub code: AgencyCode,
    pub position: ConsultationPosition,
    pub note: String,
}

impl TryFrom<ConsultationBody> for Consultation {
    type Error = Vec<FieldError>;

    fn try_from(b: ConsultationBody) -> Result<Consultation, Vec<FieldError>> {
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
        let (code, position) = parsed(errors, code.zip(position))?;
        Ok(Consultation {
            code,
            position,
            note,
        })
    }
}

/// A determination, parsed.
#[derive(Debug, Clone)]
pub struct Determination {
    pub outcome: DeterminationOutcome,
    pub rationale: String,
    pub benchmark_ref: String,
}

impl TryFrom<DeterminationBody> for Determination {
    type Error = Vec<FieldError>;

    fn try_from(b: DeterminationBody) -> Result<Determination, Vec<FieldError>> {
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
        let outcome = parsed(errors, outcome)?;
        Ok(Determination {
            outcome,
            rationale,
            benchmark_ref,
        })
    }
}

/// Records the position of a consulted office (agency members).
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests/{id}/consultations",
    operation_id = "consultOnDesignationRequest",
    tag = "designations",
    request_body = ConsultationBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 201, body = RequestOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn consult(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
    body: Json<ConsultationBody>,
) -> AppResult<HttpResponse> {
    let consultation = Consultation::try_from(body.into_inner());
    let resp = act(state, actor, path.into_inner(), move |conn, actor, r, now, _| {
        require_reviewer(actor, Capability::Consult)?;
        let Consultation {
            code,
            position,
            note,
        } = consultation.clone().map_err(AppError::validation)?;
        // An office records only its own position (DESIGN §2.2).
        if actor.agency_code != Some(code) {
            return Err(AppError::forbidden(
                "An office records only its own consultation: agency_code must be your agency's code.",
            ));
        }
        let from = transition(r, DesignationAction::Consult)?;
        r.updated_at = to_db(now);
        save(conn, r, from, Default::default())?;
        let c = ConsultationRow {
            id: new_id(),
            request_id: r.id.clone(),
            agency_code: code.as_str().into(),
            position: position.as_str().into(),
            note,
            recorded_by_user_id: actor.user_id.to_string(),
            organization_id: actor.org_id.to_string(),
            created_at: to_db(now),
        };
        store::insert_consultation(conn, &c)?;
        record(conn, actor, now, r, AuditAction::DesignationConsultationRecorded, json!({"consultation_id": c.id, "agency_code": c.agency_code, "position": c.position}))?;
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
    #[schema(min_length = 1, max_length = 20000)]
    pub rationale: String,
    /// Opaque label of the classified benchmark.
    #[schema(min_length = 1, max_length = 200)]
    pub benchmark_ref: String,
}

/// Records the determination (NSA reviewers only). It has no effect on what the developer may do.
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests/{id}/determination",
    operation_id = "determineDesignationRequest",
    tag = "designations",
    request_body = DeterminationBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = RequestOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "Withdrawn, draft or already determined (`invalid_transition`)", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn determine(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
    body: Json<DeterminationBody>,
) -> AppResult<HttpResponse> {
    let determination = Determination::try_from(body.into_inner());
    act(
        state,
        actor,
        path.into_inner(),
        move |conn, actor, r, now, notifier| {
            require_reviewer(actor, Capability::Determine)?;
            // After the role check: a caller who may not decide is told so (403), not asked
            // for a factor first.
            actor.require_step_up()?;
            let from = transition(r, DesignationAction::Determine)?;
            let Determination {
                outcome,
                rationale,
                benchmark_ref,
            } = determination.clone().map_err(AppError::validation)?;
            r.outcome = Some(outcome.as_str().into());
            r.rationale = Some(rationale);
            r.benchmark_ref = Some(benchmark_ref);
            r.determined_at = Some(to_db(now));
            r.determined_by_user_id = Some(actor.user_id.to_string());
            r.updated_at = to_db(now);
            save(
                conn,
                r,
                from,
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
                AuditAction::DesignationDetermined,
                json!({"outcome": outcome.as_str(), "benchmark_ref": r.benchmark_ref}),
            )?;
            tell_developer(conn, notifier, r, now, Reason::Determination)?;
            Ok(())
        },
    )
    .await
}
