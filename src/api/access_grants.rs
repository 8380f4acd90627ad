//! Government access grants (Sec. 3(b)(ii)): a developer admin offers a model to one or more
//! agencies for a time-boxed window under one versioned set of terms. The union of all
//! Government windows of a model never exceeds 30 days (`domain::window`). Status is derived
//! from the timestamps and the clock. The developer may end or move the window at any time.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;

use crate::api::grants::{self, GrantCtx, RosterBody, RosterList, RosterOut, ViewerOut};
use crate::api::{enum_field, finish, required, time_field, window_error, VOLUNTARY};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::grant::{check_access_log_time, AccessKind, AccessMode, GrantStatus};
use crate::domain::policy::{Capability, OrgKind};
use crate::domain::window::{check_government_window, days_remaining, Interval};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::templates::Reason;
use crate::notify;
use crate::startup::AppState;
use crate::store::grants::{self as store, AccessGrantRow, AccessLogRow, GrantKind};
use crate::store::{accounts, models, new_id, orgs, terms, PageQuery, Paged};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/access-grants", web::get().to(list))
        .route("/access-grants", web::post().to(offer))
        .route("/access-grants/{id}", web::get().to(get))
        .route("/access-grants/{id}", web::patch().to(patch))
        .route("/access-grants/{id}/end", web::post().to(end))
        .route(
            "/access-grants/{id}/accept-terms",
            web::post().to(accept_terms),
        )
        .route(
            "/access-grants/{id}/acknowledge",
            web::post().to(acknowledge),
        )
        .route("/access-grants/{id}/roster", web::get().to(roster))
        .route("/access-grants/{id}/roster", web::post().to(roster_add))
        .route(
            "/access-grants/{id}/roster/{user_id}",
            web::delete().to(roster_remove),
        )
        .route("/access-grants/{id}/access-log", web::get().to(log_list))
        .route("/access-grants/{id}/access-log", web::post().to(log_add));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GranteeOut {
    pub org_id: String,
    pub name: String,
    pub agency_code: Option<String>,
    pub terms_accepted_at: Option<DateTime<Utc>>,
    pub accepted_by_name: Option<String>,
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
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Set when the developer ended the grant early.
    pub ended_at: Option<DateTime<Utc>>,
    pub terms_version_id: String,
    pub terms_label: String,
    pub terms_sha256: String,
    pub developer_accepted_at: Option<DateTime<Utc>>,
    /// `ended`, `expired`, `awaiting_terms`, `scheduled` or `active` — derived from the
    /// timestamps and the current time.
    pub status: String,
    /// Days until the window closes (0 once it has).
    pub days_remaining: f64,
    pub viewer: ViewerOut,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub voluntary_notice: &'static str,
}

pub fn ctx_of(row: &AccessGrantRow, grantees: Vec<String>) -> GrantCtx {
    GrantCtx {
        kind: GrantKind::Access,
        id: row.id.clone(),
        model_id: row.model_id.clone(),
        developer_org_id: row.organization_id.clone(),
        grantee_org_ids: grantees,
        terms_version_id: row.terms_version_id.clone(),
        starts_at: from_db(row.starts_at),
        ends_at: from_db(row.ends_at),
        closed_at: row.ended_at.map(from_db),
        terms_completed: row.terms_completed_at.is_some(),
    }
}

/// Builds the JSON of a page of grants for `actor` in a fixed number of queries.
fn outs(
    conn: &mut DbConn,
    actor: &Actor,
    rows: Vec<AccessGrantRow>,
    now: DateTime<Utc>,
) -> AppResult<Vec<AccessGrantOut>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let grantee_pairs = store::grantees_of(conn, &ids)?;
    let acceptances = store::org_acceptances(conn, GrantKind::Access, &ids)?;
    let mine = grants::viewer_roster(conn, GrantKind::Access, &ids, &actor.user_id)?;
    let mut org_ids: Vec<String> = grantee_pairs.iter().map(|(_, o)| o.clone()).collect();
    org_ids.extend(rows.iter().map(|r| r.organization_id.clone()));
    let orgs: HashMap<String, orgs::OrgRow> = orgs::get_many(conn, &org_ids)?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let model_ids: Vec<String> = rows.iter().map(|r| r.model_id.clone()).collect();
    let models: HashMap<String, models::ModelRow> = models::get_many(conn, &model_ids)?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let terms_ids: Vec<String> = rows.iter().map(|r| r.terms_version_id.clone()).collect();
    let terms: HashMap<String, terms::TermsRow> = terms::get_many(conn, &terms_ids)?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let uids: Vec<String> = acceptances.iter().map(|a| a.user_id.clone()).collect();
    let names: HashMap<String, String> = accounts::user_names(conn, &uids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let grantee_ids: Vec<String> = grantee_pairs
                .iter()
                .filter(|(g, _)| g == &r.id)
                .map(|(_, o)| o.clone())
                .collect();
            let ctx = ctx_of(&r, grantee_ids.clone());
            let accepted = |org: &str| {
                acceptances
                    .iter()
                    .find(|a| a.grant_id == r.id && a.organization_id == org)
            };
            let acknowledged = mine.get(&r.id).copied().unwrap_or(false);
            let status = ctx.status(now);
            let m = models.get(&r.model_id);
            let t = terms.get(&r.terms_version_id);
            AccessGrantOut {
                grantees: grantee_ids
                    .iter()
                    .map(|o| {
                        let a = accepted(o);
                        GranteeOut {
                            org_id: o.clone(),
                            name: orgs.get(o).map(|x| x.name.clone()).unwrap_or_default(),
                            agency_code: orgs.get(o).and_then(|x| x.agency_code.clone()),
                            terms_accepted_at: a.map(|a| from_db(a.accepted_at)),
                            accepted_by_name: a.and_then(|a| names.get(&a.user_id).cloned()),
                        }
                    })
                    .collect(),
                access_instructions: ctx
                    .shows_instructions(actor, &mine, now)
                    .then(|| r.access_instructions.clone()),
                developer_accepted_at: accepted(&r.organization_id).map(|a| from_db(a.accepted_at)),
                model_name: m.map(|m| m.name.clone()).unwrap_or_default(),
                model_version: m.map(|m| m.version.clone()).unwrap_or_default(),
                developer_org_name: orgs
                    .get(&r.organization_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                terms_label: t.map(|t| t.label.clone()).unwrap_or_default(),
                terms_sha256: t.map(|t| t.sha256.clone()).unwrap_or_default(),
                status: status.as_str().into(),
                days_remaining: if matches!(status, GrantStatus::Ended) {
                    0.0
                } else {
                    days_remaining(now, ctx.ends_at)
                },
                viewer: ViewerOut {
                    rostered: mine.contains_key(&r.id),
                    acknowledged,
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
                voluntary_notice: VOLUNTARY,
            }
        })
        .collect())
}

/// A visible grant and its context, or 404.
fn load(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(AccessGrantRow, GrantCtx)> {
    let row =
        store::get_access_visible(conn, &actor.org_id, id)?.ok_or_else(AppError::not_found)?;
    let grantees = store::grantees_of(conn, std::slice::from_ref(&row.id))?
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    let ctx = ctx_of(&row, grantees);
    Ok((row, ctx))
}

fn reload(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<AccessGrantOut> {
    let (row, _) = load(conn, actor, id)?;
    Ok(outs(conn, actor, vec![row], now)?.remove(0))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessGrantList {
    pub items: Vec<AccessGrantOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Filter by derived status.
    pub status: Option<String>,
    pub model_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub fn parse_status(s: Option<&str>) -> AppResult<Option<GrantStatus>> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => GrantStatus::parse(s)
            .map(Some)
            .map_err(|_| AppError::field("status", "is not a grant status")),
    }
}

/// Grants the caller's organization offered or is a grantee of, newest first.
#[utoipa::path(get, path = "/api/v1/access-grants", tag = "access grants", params(ListQuery), responses(
    (status = 200, body = AccessGrantList), (status = 401, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
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
    let status = parse_status(q.status.as_deref())?;
    let model = q.model_id.clone().filter(|s| !s.is_empty());
    let now = state.clock.now();
    let p = page.clone();
    let viewer = match actor.org_kind {
        OrgKind::Developer => store::AccessViewer::Developer(actor.org_id.clone()),
        OrgKind::Agency => store::AccessViewer::Agency(actor.org_id.clone()),
        OrgKind::Partner | OrgKind::Operator => {
            return Ok(HttpResponse::Ok().json(AccessGrantList {
                items: vec![],
                next_cursor: None,
            }))
        }
    };
    let items = db::run(&state.pool, move |conn| {
        let rows = store::list_access_visible(conn, &viewer, status, model.as_deref(), now, &p)?;
        outs(conn, &actor, rows, now)
    })
    .await?;
    let paged = Paged::from_rows(items, &page, |g| g.id.clone());
    Ok(HttpResponse::Ok().json(AccessGrantList {
        items: paged.items,
        next_cursor: paged.next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"model_id": "…", "grantee_org_ids": ["…"], "access_mode": "hosted_api", "access_instructions": "Endpoint and credentials are in the sealed package …", "starts_at": "2026-06-10T00:00:00Z", "ends_at": "2026-07-01T00:00:00Z", "terms_version_id": "…"}))]
pub struct OfferBody {
    pub model_id: String,
    pub grantee_org_ids: Vec<String>,
    pub access_mode: String,
    pub access_instructions: String,
    pub starts_at: String,
    pub ends_at: String,
    pub terms_version_id: String,
}

/// Offers Government access to a model (developer admins). The window must fit the 30-day cap
/// and end no later than the planned partner release.
#[utoipa::path(post, path = "/api/v1/access-grants", tag = "access grants", request_body = OfferBody, responses(
    (status = 201, body = AccessGrantOut), (status = 403, body = crate::api::dto::Problem),
    (status = 422, description = "Invalid values, `window_cap_exceeded` (with requested_days, granted_days, remaining_days) or `window_after_release`", body = crate::api::dto::Problem)))]
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
    let mut grantees = b.grantee_org_ids.clone();
    grantees.sort();
    grantees.dedup();
    if grantees.is_empty() {
        errors.push(FieldError::new(
            "grantee_org_ids",
            "name at least one agency",
        ));
    }
    let now = state.clock.now();
    let st = state.clone();
    let out = db::tx(&state.pool, move |conn| {
        let model = models::get_owned(conn, &actor.org_id, &b.model_id)?;
        if model.is_none() {
            errors.push(FieldError::new("model_id", "is not one of your organization's models"));
        }
        if !grantees.is_empty() {
            let found = orgs::get_many(conn, &grantees)?;
            if found.len() != grantees.len() || found.iter().any(|o| o.kind != "agency") {
                errors.push(FieldError::new("grantee_org_ids", "must all be Government agency organizations"));
            }
        }
        let terms = terms::get_usable(conn, &actor.org_id, &b.terms_version_id)?;
        if terms.is_none() {
            errors.push(FieldError::new("terms_version_id", "must be a terms template or your organization's own terms"));
        }
        finish(errors)?;
        let (model, starts, ends) = (model.expect("checked"), starts.expect("checked"), ends.expect("checked"));
        let existing: Vec<Interval> =
            models::government_windows(conn, std::slice::from_ref(&model.id), None)?.into_iter().map(|(_, i)| i).collect();
        check_government_window(&existing, Interval::new(starts, ends), model.planned_partner_release_at.map(from_db)).map_err(window_error)?;
        let row = AccessGrantRow {
            id: new_id(),
            model_id: model.id.clone(),
            organization_id: actor.org_id.clone(),
            access_mode: mode.expect("checked").as_str().into(),
            access_instructions: instructions,
            starts_at: to_db(starts),
            ends_at: to_db(ends),
            ended_at: None,
            terms_version_id: b.terms_version_id.clone(),
            created_by_user_id: actor.user_id.clone(),
            created_at: to_db(now),
            updated_at: to_db(now),
            terms_completed_at: None,
            start_notice_sent_at: None,
            end_notice_sent_at: None,
        };
        store::insert_access(conn, &row, &grantees)?;
        let ctx = ctx_of(&row, grantees.clone());
        grants::record(
            conn,
            &ctx,
            &actor,
            now,
            "grant.offered",
            json!({"model_id": row.model_id, "grantee_org_ids": grantees, "access_mode": row.access_mode,
                   "starts_at": crate::audit::rfc3339(starts), "ends_at": crate::audit::rfc3339(ends), "terms_version_id": row.terms_version_id}),
        )?;
        let to = notify::org_emails(conn, &grantees, true)?;
        notify::send(conn, now, &st.settings.server.public_url, &to, Reason::GrantOffered, &ctx.link())?;
        Ok(outs(conn, &actor, vec![row], now)?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// One grant (its developer and grantee agencies).
#[utoipa::path(get, path = "/api/v1/access-grants/{id}", tag = "access grants", params(("id" = String, Path)), responses(
    (status = 200, body = AccessGrantOut), (status = 404, body = crate::api::dto::Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let out = db::run(&state.pool, move |conn| reload(conn, &actor, &id, now)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"ends_at": "2026-06-25T00:00:00Z"}))]
pub struct PatchBody {
    /// Earlier, or later within the 30-day cap and the planned release.
    pub ends_at: String,
}

fn require_developer(ctx: &GrantCtx, actor: &Actor, cap: Capability) -> AppResult<()> {
    if !ctx.is_developer(actor) || !actor.may(cap) {
        return Err(AppError::forbidden(
            "Only the developer that offered this grant can do that.",
        ));
    }
    Ok(())
}

/// Moves the end of the window (developer members): earlier at any time, later within the cap.
#[utoipa::path(patch, path = "/api/v1/access-grants/{id}", tag = "access grants", request_body = PatchBody, params(("id" = String, Path)), responses(
    (status = 200, body = AccessGrantOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem),
    (status = 409, description = "Extending a grant that already ended", body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<PatchBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let mut errors = Vec::new();
    let ends = time_field(&mut errors, "ends_at", &body.ends_at);
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let (mut row, ctx) = load(conn, &actor, &id)?;
        require_developer(&ctx, &actor, Capability::EditGrant)?;
        finish(errors)?;
        let ends = ends.expect("checked");
        if ctx.is_finished(now) && ends > ctx.ends_at {
            return Err(AppError::invalid_transition(
                "This grant has already closed; offer a new window instead of extending it.",
            ));
        }
        if ends == ctx.ends_at {
            return Ok(outs(conn, &actor, vec![row], now)?.remove(0));
        }
        let model = models::get_owned(conn, &actor.org_id, &row.model_id)?
            .ok_or_else(AppError::not_found)?;
        let others: Vec<Interval> =
            models::government_windows(conn, std::slice::from_ref(&model.id), Some(&row.id))?
                .into_iter()
                .map(|(_, i)| i)
                .collect();
        let shortening = ends < ctx.ends_at;
        let check = check_government_window(
            &others,
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
        let old = ctx.ends_at;
        store::set_access_ends_at(conn, &row.id, ends, now)?;
        row.ends_at = to_db(ends);
        row.updated_at = to_db(now);
        grants::record(
            conn,
            &ctx,
            &actor,
            now,
            "grant.window_moved",
            json!({"from": crate::audit::rfc3339(old), "to": crate::audit::rfc3339(ends)}),
        )?;
        Ok(outs(conn, &actor, vec![row], now)?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Ends the grant now (developer members). Always succeeds; a repeat changes nothing.
#[utoipa::path(post, path = "/api/v1/access-grants/{id}/end", tag = "access grants", params(("id" = String, Path)), responses(
    (status = 200, body = AccessGrantOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem)))]
pub async fn end(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let st = state.clone();
    let out = db::tx(&state.pool, move |conn| {
        let (mut row, ctx) = load(conn, &actor, &id)?;
        require_developer(&ctx, &actor, Capability::EndGrant)?;
        if !ctx.is_finished(now) && store::end_access(conn, &row.id, now)? {
            row.ended_at = Some(to_db(now));
            row.updated_at = to_db(now);
            grants::record(conn, &ctx, &actor, now, "grant.ended", json!({}))?;
            let to = grants::participants(conn, &ctx)?;
            notify::send(
                conn,
                now,
                &st.settings.server.public_url,
                &to,
                Reason::EndedEarly,
                &ctx.link(),
            )?;
        }
        Ok(outs(conn, &actor, vec![row], now)?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Accepts the grant's terms for the caller's organization (the developer admin, or an admin
/// of a grantee agency). The window opens only when every party has accepted.
#[utoipa::path(post, path = "/api/v1/access-grants/{id}/accept-terms", tag = "access grants", params(("id" = String, Path)), responses(
    (status = 200, body = AccessGrantOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem), (status = 409, body = crate::api::dto::Problem)))]
pub async fn accept_terms(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    grants::accept_terms_route::<AccessResource>(state, actor, path.into_inner()).await
}

/// A rostered user acknowledges the terms personally; the access instructions then show.
#[utoipa::path(post, path = "/api/v1/access-grants/{id}/acknowledge", tag = "access grants", params(("id" = String, Path)), responses(
    (status = 200, body = AccessGrantOut), (status = 403, description = "`not_rostered`", body = crate::api::dto::Problem),
    (status = 404, body = crate::api::dto::Problem), (status = 409, description = "`terms_not_accepted`", body = crate::api::dto::Problem)))]
pub async fn acknowledge(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    grants::acknowledge_route::<AccessResource>(state, actor, path.into_inner()).await
}

/// The named individuals who may use the access.
#[utoipa::path(get, path = "/api/v1/access-grants/{id}/roster", tag = "access grants", params(("id" = String, Path)), responses(
    (status = 200, body = RosterList), (status = 404, body = crate::api::dto::Problem)))]
pub async fn roster(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    grants::roster_route::<AccessResource>(state, actor, path.into_inner()).await
}

/// A grantee admin adds one of their organization's users to the roster.
#[utoipa::path(post, path = "/api/v1/access-grants/{id}/roster", tag = "access grants", request_body = RosterBody, params(("id" = String, Path)), responses(
    (status = 201, body = RosterOut), (status = 200, description = "Already on the roster", body = RosterOut), (status = 403, body = crate::api::dto::Problem),
    (status = 404, body = crate::api::dto::Problem), (status = 409, body = crate::api::dto::Problem), (status = 422, body = crate::api::dto::Problem)))]
pub async fn roster_add(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<RosterBody>,
) -> AppResult<HttpResponse> {
    grants::roster_add_route::<AccessResource>(
        state,
        actor,
        path.into_inner(),
        body.into_inner().user_id,
    )
    .await
}

/// Removes someone from the roster: the developer at any time, or a grantee admin for their
/// own people. A repeat succeeds and changes nothing.
#[utoipa::path(delete, path = "/api/v1/access-grants/{id}/roster/{user_id}", tag = "access grants", params(("id" = String, Path), ("user_id" = String, Path)), responses(
    (status = 200, body = RosterOut), (status = 403, body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem)))]
pub async fn roster_remove(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, user_id) = path.into_inner();
    grants::roster_remove_route::<AccessResource>(state, actor, id, user_id).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogOut {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub organization_name: String,
    pub occurred_at: DateTime<Utc>,
    /// `evaluation`, `red_team`, `benchmark` or `other`
    pub kind: String,
    pub duration_minutes: i32,
    pub summary: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogList {
    pub items: Vec<AccessLogOut>,
    pub next_cursor: Option<String>,
}

fn log_outs(conn: &mut DbConn, rows: Vec<AccessLogRow>) -> AppResult<Vec<AccessLogOut>> {
    let uids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
    let oids: Vec<String> = rows.iter().map(|r| r.organization_id.clone()).collect();
    let users: HashMap<String, String> = accounts::user_names(conn, &uids)?;
    let orgs: HashMap<String, String> = orgs::names(conn, &oids)?;
    Ok(rows
        .into_iter()
        .map(|r| AccessLogOut {
            user_name: users.get(&r.user_id).cloned().unwrap_or_default(),
            organization_name: orgs.get(&r.organization_id).cloned().unwrap_or_default(),
            id: r.id,
            user_id: r.user_id,
            occurred_at: from_db(r.occurred_at),
            kind: r.kind,
            duration_minutes: r.duration_minutes,
            summary: r.summary,
            created_at: from_db(r.created_at),
        })
        .collect())
}

/// Every recorded use of the access, newest first (developer and grantees).
#[utoipa::path(get, path = "/api/v1/access-grants/{id}/access-log", tag = "access grants", params(("id" = String, Path), PageQuery), responses(
    (status = 200, body = AccessLogList), (status = 404, body = crate::api::dto::Problem)))]
pub async fn log_list(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let page = q.page()?;
    let p = page.clone();
    let items = db::run(&state.pool, move |conn| {
        let (row, _) = load(conn, &actor, &id)?;
        let rows = store::log_of(conn, &row.id, &p)?;
        log_outs(conn, rows)
    })
    .await?;
    let paged = Paged::from_rows(items, &page, |e| e.id.clone());
    Ok(HttpResponse::Ok().json(AccessLogList {
        items: paged.items,
        next_cursor: paged.next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"occurred_at": "2026-06-12T15:00:00Z", "kind": "red_team", "duration_minutes": 90, "summary": "Probed tool-use jailbreaks against the hosted API."}))]
pub struct LogBody {
    pub occurred_at: String,
    /// `evaluation`, `red_team`, `benchmark` or `other`
    pub kind: String,
    /// 1 to 1440.
    pub duration_minutes: i64,
    pub summary: String,
}

/// Records one use of the access (rostered users who acknowledged the terms). Append-only:
/// a correction is a new entry.
#[utoipa::path(post, path = "/api/v1/access-grants/{id}/access-log", tag = "access grants", request_body = LogBody, params(("id" = String, Path)), responses(
    (status = 201, body = AccessLogOut), (status = 403, description = "`not_rostered`", body = crate::api::dto::Problem), (status = 404, body = crate::api::dto::Problem),
    (status = 409, description = "`terms_not_accepted`", body = crate::api::dto::Problem), (status = 422, description = "Invalid values or `outside_window`", body = crate::api::dto::Problem)))]
pub async fn log_add(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<LogBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let b = body.into_inner();
    let mut errors = Vec::new();
    let occurred = time_field(&mut errors, "occurred_at", &b.occurred_at);
    let kind = enum_field(
        &mut errors,
        "kind",
        &b.kind,
        AccessKind::ALL,
        AccessKind::as_str,
    );
    if !(1..=1440).contains(&b.duration_minutes) {
        errors.push(FieldError::new(
            "duration_minutes",
            "must be between 1 and 1440",
        ));
    }
    let summary = required(&mut errors, "summary", &b.summary, 10_000);
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let (row, ctx) = load(conn, &actor, &id)?;
        let entry = store::roster_entry(conn, GrantKind::Access, &row.id, &actor.user_id)?
            .ok_or_else(|| AppError::forbidden_code("not_rostered", "Only people on this grant's roster can log its use."))?;
        if entry.acknowledged_at.is_none() || !ctx.terms_completed {
            return Err(AppError::conflict("terms_not_accepted", "The terms must be accepted by every party and acknowledged by you before access is logged."));
        }
        finish(errors)?;
        let occurred = occurred.expect("checked");
        check_access_log_time(now, occurred, ctx.starts_at, ctx.ends_at, ctx.closed_at).map_err(|e| {
            AppError::unprocessable(e.code(), e.to_string()).with_errors(vec![FieldError::new("occurred_at", e.to_string())])
        })?;
        let log = AccessLogRow {
            id: new_id(),
            grant_id: row.id.clone(),
            user_id: actor.user_id.clone(),
            organization_id: actor.org_id.clone(),
            occurred_at: to_db(occurred),
            kind: kind.expect("checked").as_str().into(),
            duration_minutes: b.duration_minutes as i32,
            summary,
            created_at: to_db(now),
        };
        store::insert_log(conn, &log)?;
        grants::record(conn, &ctx, &actor, now, "grant.access_logged", json!({"entry_id": log.id, "kind": log.kind, "duration_minutes": log.duration_minutes}))?;
        Ok(log_outs(conn, vec![log])?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Hooks this resource into the handlers shared with the other kind of grant.
pub struct AccessResource;

impl grants::GrantResource for AccessResource {
    type View = AccessGrantOut;
    fn context(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<GrantCtx> {
        load(conn, actor, id).map(|(_, ctx)| ctx)
    }
    fn view(
        conn: &mut DbConn,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<AccessGrantOut> {
        reload(conn, actor, id, now)
    }
}
