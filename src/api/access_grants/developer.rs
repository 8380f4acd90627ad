//! What the developer does: offer a window, move its end, end it early.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::api::grants;
use crate::api::json::Json;
use crate::api::JsonBody;
use crate::api::{enum_field, errors_of, parsed, required, time_field, valid, window_error};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::grant::{AccessMode, Grant};
use crate::domain::policy::{Capability, OrgKind};
use crate::domain::window::{check_changed_government_window, check_government_window, Interval};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::templates::Reason;
use crate::notify;
use crate::state::{AppState, Notifier};
use crate::store::grants::{self as store, AccessGrantListRow, AccessGrantRow};
use crate::store::models::{self, ModelRow};
use crate::store::{new_id, orgs, terms};

use super::common::{context, require_developer};
use super::views::AccessGrantOut;
use crate::api::view::{load, View};
use crate::domain::ids::GrantId;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"model_id": "…", "grantee_org_ids": ["…"], "access_mode": "hosted_api", "access_instructions": "Endpoint and credentials are in the sealed package …", "starts_at": "2026-06-10T00:00:00Z", "ends_at": "2026-07-01T00:00:00Z", "terms_version_id": "…"}))]
pub struct OfferBody {
    #[schema(format = Uuid)]
    pub model_id: String,
    #[schema(min_items = 1)]
    pub grantee_org_ids: Vec<String>,
    pub access_mode: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub access_instructions: String,
    #[schema(schema_with = crate::api::openapi::time_schema)]
    pub starts_at: String,
    #[schema(schema_with = crate::api::openapi::time_schema)]
    pub ends_at: String,
    #[schema(format = Uuid)]
    pub terms_version_id: String,
}

impl OfferBody {
    /// The grantee agencies, each once, in a stable order.
    fn grantees(&self) -> Vec<String> {
        let mut grantees = self.grantee_org_ids.clone();
        grantees.sort();
        grantees.dedup();
        grantees
    }
}

/// An offer's values, parsed (the ids it names are checked against the database when it is
/// made).
#[derive(Debug, Clone)]
pub struct Offer {
    pub grantees: Vec<String>,
    pub mode: AccessMode,
    pub instructions: String,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

impl TryFrom<&OfferBody> for Offer {
    type Error = Vec<FieldError>;

    fn try_from(b: &OfferBody) -> Result<Offer, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mode = enum_field(
            &mut errors,
            "access_mode",
            &b.access_mode,
            AccessMode::ALL,
            AccessMode::as_str,
        );
        let instructions = required(
            &mut errors,
            "access_instructions",
            &b.access_instructions,
            20_000,
        );
        let starts = time_field(&mut errors, "starts_at", &b.starts_at);
        let ends = time_field(&mut errors, "ends_at", &b.ends_at);
        let grantees = b.grantees();
        if grantees.is_empty() {
            errors.push(FieldError::new(
                "grantee_org_ids",
                "name at least one agency",
            ));
        }
        let ((mode, starts), ends) = parsed(errors, mode.zip(starts).zip(ends))?;
        Ok(Offer {
            grantees,
            mode,
            instructions,
            starts,
            ends,
        })
    }
}

/// Offers Government access to a model (developer admins). The window must fit the 30-day cap
/// and end no later than the planned partner release.
#[utoipa::path(
    post,
    path = "/api/v1/access-grants",
    operation_id = "offerAccessGrant",
    tag = "access grants",
    request_body = OfferBody,
    responses(
        (status = 201, body = AccessGrantOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 422, description = "Invalid values, `window_cap_exceeded` (with requested_days, granted_days, remaining_days) or `window_after_release`", body = crate::api::dto::Problem),
    ),
)]
pub async fn offer(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<OfferBody>,
) -> AppResult<HttpResponse> {
    if !actor.is_kind(OrgKind::Developer) {
        return Err(AppError::forbidden(
            "Only developers offer access to their models.",
        ));
    }
    actor.require(
        Capability::OfferGrant,
        "Only an administrator of the developer organization offers access.",
    )?;
    let b = body.into_inner();
    let offer = Offer::try_from(&b);
    let grantees = b.grantees();
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut errors = errors_of(&offer);
        let model = check_references(conn, &actor, &b, &grantees, &mut errors)?;
        let (offer, model) = valid(errors, offer.clone().ok().zip(model))?;
        let row = make_offer(
            conn,
            &actor,
            &notifier,
            now,
            &model,
            offer,
            &b.terms_version_id,
        )?;
        AccessGrantOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(out))
}

/// Checks what an offer names against the database — one of the caller's models, Government
/// agencies only, usable terms — adding a field error for each that fails; answers the model.
fn check_references(
    conn: &mut DbConn,
    actor: &Actor,
    b: &OfferBody,
    grantees: &[String],
    errors: &mut Vec<FieldError>,
) -> AppResult<Option<ModelRow>> {
    let model = models::get_owned(conn, &actor.org_id, &b.model_id.clone().into())?;
    if model.is_none() {
        errors.push(FieldError::new(
            "model_id",
            "is not one of your organization's models",
        ));
    }
    if !grantees.is_empty() {
        let found = orgs::get_many(conn, grantees)?;
        if found.len() != grantees.len() || found.iter().any(|o| o.kind != OrgKind::Agency) {
            errors.push(FieldError::new(
                "grantee_org_ids",
                "must all be Government agency organizations",
            ));
        }
    }
    if terms::get_usable(conn, actor.org_id.as_str(), &b.terms_version_id)?.is_none() {
        errors.push(FieldError::new(
            "terms_version_id",
            "must be a terms template or your organization's own terms",
        ));
    }
    Ok(model)
}

/// Makes a checked offer: the window against the model's other Government windows (the cap and
/// the planned release), then the grant, its audit event and the grantees' email.
fn make_offer(
    conn: &mut DbConn,
    actor: &Actor,
    notifier: &Notifier,
    now: DateTime<Utc>,
    model: &ModelRow,
    offer: Offer,
    terms_version_id: &str,
) -> AppResult<AccessGrantRow> {
    let Offer {
        grantees,
        mode,
        instructions,
        starts,
        ends,
    } = offer;
    let existing: Vec<Interval> =
        models::government_windows(conn, std::slice::from_ref(&model.id), None)?
            .into_iter()
            .map(|(_, i)| i)
            .collect();
    check_government_window(
        &existing,
        Interval::new(starts, ends),
        model.planned_partner_release_at.map(from_db),
    )
    .map_err(window_error)?;
    let row = AccessGrantRow {
        head: AccessGrantListRow {
            id: new_id(),
            model_id: model.id.clone(),
            organization_id: actor.org_id.to_string(),
            access_mode: mode.as_str().into(),
            starts_at: to_db(starts),
            ends_at: to_db(ends),
            ended_at: None,
            terms_version_id: terms_version_id.to_string(),
            created_at: to_db(now),
            updated_at: to_db(now),
            terms_completed_at: None,
        },
        access_instructions: instructions,
        created_by_user_id: actor.user_id.to_string(),
        start_notice_sent_at: None,
        end_notice_sent_at: None,
    };
    store::insert_access(conn, &row, &grantees)?;
    let ctx = row.grant(grantees.clone());
    grants::record(
        conn,
        &ctx,
        actor,
        now,
        AuditAction::GrantOffered,
        json!({"model_id": row.head.model_id, "grantee_org_ids": grantees, "access_mode": row.head.access_mode,
               "starts_at": crate::audit::rfc3339(starts), "ends_at": crate::audit::rfc3339(ends),
               "terms_version_id": row.head.terms_version_id}),
    )?;
    let to = notify::org_emails(conn, &grantees, true)?;
    notifier.send(conn, now, &to, Reason::GrantOffered, &ctx.link())?;
    Ok(row)
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"ends_at": "2026-06-25T00:00:00Z"}))]
pub struct PatchBody {
    /// Earlier, or later within the 30-day cap and the planned release.
    #[schema(schema_with = crate::api::openapi::time_schema)]
    pub ends_at: String,
}

/// Moves the end of the window (developer members): earlier at any time, later within the cap.
#[utoipa::path(
    patch,
    path = "/api/v1/access-grants/{id}",
    operation_id = "updateAccessGrant",
    tag = "access grants",
    request_body = PatchBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = AccessGrantOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "Extending a grant that already ended", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn patch(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<GrantId>,
    body: Json<PatchBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let mut errors = Vec::new();
    let ends = time_field(&mut errors, "ends_at", &body.ends_at);
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let mut row: AccessGrantRow = load(conn, &actor, &id)?;
        let ctx = context(conn, &row)?;
        require_developer(&ctx, &actor, Capability::EditGrant)?;
        let ends = valid(errors, ends)?;
        if ctx.is_finished(now) && ends > ctx.ends_at {
            return Err(AppError::invalid_transition(
                "This grant has already closed; offer a new window instead of extending it.",
            ));
        }
        if ends == ctx.ends_at {
            return AccessGrantOut::one(conn, &actor, now, row);
        }
        check_new_end(conn, &actor, &row, &ctx, ends)?;
        let old = ctx.ends_at;
        store::set_access_ends_at(conn, &row.head.id.clone().into(), ends, now)?;
        row.head.ends_at = to_db(ends);
        row.head.updated_at = to_db(now);
        grants::record(
            conn,
            &ctx,
            &actor,
            now,
            AuditAction::GrantWindowMoved,
            json!({"from": crate::audit::rfc3339(old), "to": crate::audit::rfc3339(ends)}),
        )?;
        AccessGrantOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// A new end for the grant's window fits the model's other Government windows and its planned
/// release; shortening only has to keep the window non-empty (it gives access back).
fn check_new_end(
    conn: &mut DbConn,
    actor: &Actor,
    row: &AccessGrantRow,
    ctx: &Grant,
    ends: DateTime<Utc>,
) -> AppResult<()> {
    let model = models::get_owned(conn, &actor.org_id, &row.head.model_id.clone().into())?
        .ok_or_else(AppError::not_found)?;
    let others: Vec<Interval> = models::government_windows(
        conn,
        std::slice::from_ref(&model.id),
        Some(&row.head.id.clone().into()),
    )?
    .into_iter()
    .map(|(_, i)| i)
    .collect();
    let shortening = ends < ctx.ends_at;
    let check = check_changed_government_window(
        &others,
        Some(crate::domain::window::effective_interval(
            ctx.starts_at,
            ctx.ends_at,
            ctx.ended_at,
        )),
        Interval::new(ctx.starts_at, ends),
        model.planned_partner_release_at.map(from_db),
    );
    match check {
        // Shortening never needs the cap or release checks (it only gives access back),
        // but the window must stay non-empty.
        Err(crate::domain::window::WindowError::NotPositive) => {
            return Err(window_error(
                crate::domain::window::WindowError::NotPositive,
            ))
        }
        Err(e) if !shortening => return Err(window_error(e)),
        _ => {}
    }
    Ok(())
}

/// Ends the grant now (developer members). Always succeeds; a repeat changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/access-grants/{id}/end",
    operation_id = "endAccessGrant",
    tag = "access grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = AccessGrantOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn end(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<GrantId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut row: AccessGrantRow = load(conn, &actor, &id)?;
        let ctx = context(conn, &row)?;
        require_developer(&ctx, &actor, Capability::EndGrant)?;
        if !ctx.is_finished(now) && store::end_access(conn, &row.head.id.clone().into(), now)? {
            row.head.ended_at = Some(to_db(now));
            row.head.updated_at = to_db(now);
            grants::record(conn, &ctx, &actor, now, AuditAction::GrantEnded, json!({}))?;
            let to = notify::participants(conn, &ctx)?;
            notifier.send(conn, now, &to, Reason::EndedEarly, &ctx.link())?;
        }
        AccessGrantOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}
