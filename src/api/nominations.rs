//! Partner co-selection (Sec. 3(b)(iii)): either side nominates a trusted partner for a model;
//! the other side concurs or declines; a partner is selected only when both concur. A new
//! partner organization is created and its contact invited on selection. The developer may
//! rescind at any time; rescinding a selected partner revokes its early-access grants at once.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::page_cache::Shows;
use crate::api::valid;
use crate::api::view::{load, View, Visible};
use crate::api::viewer;
use crate::api::JsonBody;
use crate::domain::audit::AuditAction;
use crate::domain::ids::NominationId;

use crate::accounts::{self, Env, NewOrg};
use crate::api::paging::{PageQuery, Paged};
use crate::api::{email_field, enum_field, required, VOLUNTARY};
use crate::audit::{self, NewEvent};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::nomination::{
    initial_positions, is_valid_sector, nomination_status, respond, NominationStatus, PartnerType,
    Side,
};
use crate::domain::policy::{Capability, OrgKind};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::templates::Reason;
use crate::notify;
use crate::state::AppState;
use crate::store::grants as grant_store;
use crate::store::nominations::{self as store, NominationRow};
use crate::store::{models, new_id, orgs};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/nominations", web::get().to(list))
        .route("/nominations", web::post().to(create))
        .route("/nominations/{id}", web::get().to(get))
        .route("/nominations/{id}/concur", web::post().to(concur))
        .route("/nominations/{id}/decline", web::post().to(decline))
        .route("/nominations/{id}/rescind", web::post().to(rescind));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NominationOut {
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    pub model_version: String,
    pub developer_org_id: String,
    pub developer_org_name: String,
    /// Set for an existing partner, and for a new one once selected.
    pub partner_org_id: Option<String>,
    pub partner_name: String,
    pub partner_type: Option<String>,
    pub sector: Option<String>,
    /// For a proposed new partner: whom to invite on selection.
    pub contact_email: Option<String>,
    /// `developer` or `government`
    pub nominated_by: String,
    /// `pending`, `concur` or `decline`
    pub developer_position: String,
    pub government_position: String,
    pub rationale: String,
    /// `pending`, `selected`, `declined` or `rescinded` (derived from the positions).
    pub status: String,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub rescinded_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
    pub voluntary_notice: &'static str,
}

/// A nomination as a list shows it: the full nomination without its rationale, which
/// `GET /nominations/{id}` carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct NominationSummary {
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    pub model_version: String,
    pub developer_org_id: String,
    pub developer_org_name: String,
    /// Set for an existing partner, and for a new one once selected.
    pub partner_org_id: Option<String>,
    pub partner_name: String,
    pub partner_type: Option<String>,
    pub sector: Option<String>,
    /// For a proposed new partner: whom to invite on selection.
    pub contact_email: Option<String>,
    /// `developer` or `government`
    pub nominated_by: String,
    /// `pending`, `concur` or `decline`
    pub developer_position: String,
    pub government_position: String,
    /// `pending`, `selected`, `declined` or `rescinded` (derived from the positions).
    pub status: String,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub rescinded_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
}

impl From<NominationOut> for NominationSummary {
    fn from(n: NominationOut) -> Self {
        let NominationOut {
            id,
            model_id,
            model_name,
            model_version,
            developer_org_id,
            developer_org_name,
            partner_org_id,
            partner_name,
            partner_type,
            sector,
            contact_email,
            nominated_by,
            developer_position,
            government_position,
            rationale: _,
            status,
            rescinded_at,
            created_at,
            updated_at,
            voluntary_notice: _,
        } = n;
        NominationSummary {
            id,
            model_id,
            model_name,
            model_version,
            developer_org_id,
            developer_org_name,
            partner_org_id,
            partner_name,
            partner_type,
            sector,
            contact_email,
            nominated_by,
            developer_position,
            government_position,
            status,
            rescinded_at,
            created_at,
            updated_at,
        }
    }
}

fn status_of(n: &NominationRow) -> NominationStatus {
    nomination_status(
        n.developer_position,
        n.government_position,
        n.rescinded_at.is_some(),
    )
}

impl View for NominationOut {
    type Row = NominationRow;

    fn page(
        conn: &mut DbConn,
        _actor: &Actor,
        _now: DateTime<Utc>,
        rows: Vec<NominationRow>,
    ) -> AppResult<Vec<NominationOut>> {
        let model_ids: Vec<String> = rows.iter().map(|n| n.model_id.clone()).collect();
        let mut org_ids: Vec<String> = rows.iter().map(|n| n.organization_id.clone()).collect();
        org_ids.extend(rows.iter().filter_map(|n| n.partner_org_id.clone()));
        let models: HashMap<String, (String, String)> = models::names(conn, &model_ids)?;
        let orgs: HashMap<String, orgs::OrgRow> = orgs::get_many(conn, &org_ids)?
            .into_iter()
            .map(|o| (o.id.clone(), o))
            .collect();
        rows.into_iter()
            .map(|n| {
                let status = status_of(&n);
                let partner = n.partner_org_id.as_ref().and_then(|p| orgs.get(p));
                Ok(NominationOut {
                    model_name: models
                        .get(&n.model_id)
                        .map(|m| m.0.clone())
                        .unwrap_or_default(),
                    model_version: models
                        .get(&n.model_id)
                        .map(|m| m.1.clone())
                        .unwrap_or_default(),
                    developer_org_name: orgs
                        .get(&n.organization_id)
                        .map(|o| o.name.clone())
                        .unwrap_or_default(),
                    partner_name: partner
                        .map(|p| p.name.clone())
                        .or(n.new_partner_name.clone())
                        .unwrap_or_default(),
                    partner_type: partner
                        .and_then(|p| p.partner_type.clone())
                        .or(n.new_partner_type.clone()),
                    sector: partner
                        .and_then(|p| p.sector.clone())
                        .or(n.new_partner_sector.clone()),
                    contact_email: n.new_partner_contact_email.clone(),
                    status: status.as_str().into(),
                    id: n.id,
                    model_id: n.model_id,
                    developer_org_id: n.organization_id,
                    partner_org_id: n.partner_org_id,
                    nominated_by: n.nominated_by.as_str().into(),
                    developer_position: n.developer_position.as_str().into(),
                    government_position: n.government_position.as_str().into(),
                    rationale: n.rationale,
                    rescinded_at: n.rescinded_at.map(from_db),
                    created_at: from_db(n.created_at),
                    updated_at: from_db(n.updated_at),
                    voluntary_notice: VOLUNTARY,
                })
            })
            .collect()
    }
}

impl Visible for NominationRow {
    type Id = NominationId;
    fn find_visible(
        conn: &mut DbConn,
        actor: &Actor,
        id: &NominationId,
    ) -> AppResult<Option<Self>> {
        Ok(store::get_visible(conn, &viewer(actor), id.as_str())?)
    }
}

/// The developer and every agency see nomination events.
fn record(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    n: &NominationRow,
    action: AuditAction,
    detail: serde_json::Value,
) -> AppResult<()> {
    let mut visible = vec![n.organization_id.clone()];
    visible.extend(orgs::ids_of_kind(conn, OrgKind::Agency)?);
    audit::append(
        conn,
        &actor.audit(now),
        NewEvent {
            action,
            target_type: "nomination",
            target_id: &n.id,
            visible_to: visible,
            detail,
        },
    )?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NominationList {
    /// Summaries: the rationale is in the detail.
    pub items: Vec<NominationSummary>,
    pub next_cursor: Option<String>,
    /// The voluntary notice, once for the page (each record's own answer carries it too).
    pub voluntary_notice: &'static str,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// `pending`, `selected`, `declined` or `rescinded`
    pub status: Option<String>,
    pub model_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Nominations visible to the caller (a developer's own; all of them for agencies). Items are
/// summaries: the rationale is in `GET /nominations/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/nominations",
    operation_id = "listNominations",
    tag = "nominations",
    params(
        ListQuery,
    ),
    responses(
        (status = 200, body = NominationList),
        (status = 401, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<ListQuery>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(NominationStatus::parse(s).map_err(|_| {
            AppError::field("status", "must be pending, selected, declined or rescinded")
        })?),
    };
    let model = q.model_id.clone().filter(|s| !s.is_empty());
    let pool = state.pool.clone();
    state
        .pages
        .answer(
            Shows::Records,
            actor,
            &req,
            state.clock.now(),
            |actor, now| async move {
                let p = page.clone();
                let items = db::run(&pool, move |conn| {
                    let rows =
                        store::list_visible(conn, &viewer(&actor), status, model.as_deref(), &p)?;
                    NominationOut::page(conn, &actor, now, rows)
                })
                .await?;
                let paged =
                    Paged::from_rows(items, &page, |n| n.id.clone()).map(NominationSummary::from);
                Ok(NominationList {
                    items: paged.items,
                    next_cursor: paged.next_cursor,
                    voluntary_notice: VOLUNTARY,
                })
            },
        )
        .await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPartnerBody {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// federal_agency, state_local_authority, critical_infrastructure_operator, security_researcher or other
    pub partner_type: String,
    /// One of CISA's 16 critical-infrastructure sectors (snake_case), optional.
    pub sector: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub contact_email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"model_id": "…", "new_partner": {"name": "Valley Rural Health", "partner_type": "critical_infrastructure_operator", "sector": "healthcare_and_public_health", "contact_email": "security@valleyrural.example"}, "rationale": "Rural hospital network exposed to ransomware; early defensive testing."}))]
pub struct CreateBody {
    #[schema(format = Uuid)]
    pub model_id: String,
    /// An existing partner organization (from `GET /organizations?kind=partner`)…
    #[schema(format = Uuid)]
    pub partner_org_id: Option<String>,
    /// …or a new one, created and invited when selected.
    #[serde(default, deserialize_with = "crate::api::json::object")]
    pub new_partner: Option<NewPartnerBody>,
    #[schema(min_length = 1, max_length = 10000)]
    pub rationale: String,
}

/// Nominates a trusted partner (a developer member, or an agency member for the Government).
#[utoipa::path(
    post,
    path = "/api/v1/nominations",
    operation_id = "createNomination",
    tag = "nominations",
    request_body = CreateBody,
    responses(
        (status = 201, body = NominationOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<CreateBody>,
) -> AppResult<HttpResponse> {
    let side = match actor.org_kind {
        OrgKind::Developer => {
            actor.require(
                Capability::NominatePartnerAsDeveloper,
                "Only developer members nominate partners.",
            )?;
            Side::Developer
        }
        OrgKind::Agency => {
            actor.require(
                Capability::NominatePartnerAsGovernment,
                "Only agency members nominate partners for the Government.",
            )?;
            Side::Government
        }
        _ => {
            return Err(AppError::forbidden(
                "Only developers and agencies nominate partners.",
            ))
        }
    };
    let b = body.into_inner();
    let mut errors = Vec::new();
    let rationale = required(&mut errors, "rationale", &b.rationale, 10_000);
    let mut new_partner = None;
    match (&b.partner_org_id, &b.new_partner) {
        (Some(_), Some(_)) | (None, None) => errors.push(FieldError::new(
            "partner_org_id",
            "give either partner_org_id or new_partner, not both or neither",
        )),
        (None, Some(np)) => {
            let name = required(&mut errors, "new_partner.name", &np.name, 200);
            let ptype = enum_field(
                &mut errors,
                "new_partner.partner_type",
                &np.partner_type,
                PartnerType::ALL,
                PartnerType::as_str,
            );
            let sector = np
                .sector
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if sector.as_deref().is_some_and(|s| !is_valid_sector(s)) {
                errors.push(FieldError::new(
                    "new_partner.sector",
                    crate::api::sector_message(),
                ));
            }
            let email = email_field(&mut errors, "new_partner.contact_email", &np.contact_email);
            new_partner = Some((name, ptype, sector, email));
        }
        (Some(_), None) => {}
    }
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let model = match side {
            Side::Developer => models::get_owned(conn, &actor.org_id, &b.model_id.clone().into())?,
            Side::Government => {
                if store::model_known_to_agency(conn, actor.org_id.as_str(), &b.model_id)? {
                    models::get_any(conn, &b.model_id.clone().into())?
                } else {
                    None
                }
            }
        };
        if model.is_none() {
            errors.push(FieldError::new("model_id", "is not a model you can nominate partners for"));
        }
        if let Some((name, ..)) = &new_partner {
            if orgs::name_taken(conn, OrgKind::Partner, name)? {
                errors.push(FieldError::new(
                    "new_partner.name",
                    "is the name of a partner organization already in the directory; nominate that organization instead",
                ));
            }
        }
        if let Some(pid) = &b.partner_org_id {
            let ok = orgs::get_many(conn, std::slice::from_ref(pid))?.iter().any(|o| o.kind == OrgKind::Partner);
            if !ok {
                errors.push(FieldError::new("partner_org_id", "is not a partner organization"));
            }
        }
        let model = valid(errors, model)?;
        let (dev, gov) = initial_positions(side);
        let (np_name, np_type, np_sector, np_email) = match new_partner {
            Some((n, t, s, e)) => (Some(n), t.map(|t| t.as_str().to_string()), s, Some(e)),
            None => (None, None, None, None),
        };
        let row = NominationRow {
            id: new_id(),
            model_id: model.id.clone(),
            organization_id: model.organization_id.clone(),
            partner_org_id: b.partner_org_id.clone(),
            new_partner_name: np_name,
            new_partner_type: np_type,
            new_partner_sector: np_sector,
            new_partner_contact_email: np_email,
            nominated_by: side,
            nominated_by_user_id: actor.user_id.to_string(),
            developer_position: dev,
            government_position: gov,
            rationale,
            rescinded_at: None,
            created_at: to_db(now),
            updated_at: to_db(now),
        };
        store::insert(conn, &row)?;
        record(conn, &actor, now, &row, AuditAction::NominationProposed, json!({"model_id": row.model_id, "nominated_by": row.nominated_by, "partner_org_id": row.partner_org_id, "new_partner_name": row.new_partner_name}))?;
        let to = match side {
            Side::Developer => notify::all_agency_admin_emails(conn)?,
            Side::Government => notify::org_emails(conn, std::slice::from_ref(&row.organization_id), true)?,
        };
        notifier.send(conn, now, &to, Reason::NominationProposed, &format!("/nominations/{}", row.id))?;
        NominationOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(out))
}

/// One nomination.
#[utoipa::path(
    get,
    path = "/api/v1/nominations/{id}",
    operation_id = "getNomination",
    tag = "nominations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = NominationOut),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<NominationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let out = db::run(&state.pool, move |conn| {
        let n: NominationRow = load(conn, &actor, &id)?;
        NominationOut::one(conn, &actor, now, n)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

async fn answer(
    state: web::Data<AppState>,
    actor: Actor,
    id: NominationId,
    concur_: bool,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let st = state.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut n: NominationRow = load(conn, &actor, &id)?;
        let side = match actor.org_kind {
            OrgKind::Developer if n.organization_id == actor.org_id => {
                actor.require(Capability::ConcurAsDeveloper, "Only developer members answer for the developer.")?;
                Side::Developer
            }
            OrgKind::Agency => {
                actor.require(Capability::ConcurAsGovernment, "Only an agency administrator answers for the Government.")?;
                Side::Government
            }
            _ => return Err(AppError::forbidden("You cannot answer this nomination.")),
        };
        // Concurring is a decision: after the role check, so a caller who may not answer is
        // told so rather than asked for a factor. Declining never asks.
        if concur_ {
            actor.require_step_up()?;
        }
        let (d, g) = (n.developer_position, n.government_position);
        let (nd, ng) = respond(d, g, n.rescinded_at.is_some(), side, concur_)
            .map_err(|e| AppError::conflict(e.code(), e.to_string()))?;
        if (nd, ng) == (d, g) {
            return NominationOut::one(conn, &actor, now, n);
        }
        let status = nomination_status(nd, ng, false);
        let mut detail = json!({"side": side.as_str(), "position": if concur_ { "concur" } else { "decline" }, "status": status.as_str()});
        let mut selected_org = None;
        if status == NominationStatus::Selected {
            let partner_org = match &n.partner_org_id {
                Some(p) => p.clone(),
                None => {
                    let (org, invited) = create_new_partner(conn, &st, now, &n)?;
                    detail["created_partner_org_id"] = json!(org.id);
                    detail["invited_user_id"] = json!(invited);
                    org.id
                }
            };
            selected_org = Some(partner_org);
        }
        if !store::set_positions(
            conn,
            &n.id,
            (d, g),
            (nd, ng),
            selected_org.as_deref(),
            now,
        )? {
            return Err(AppError::invalid_transition(
                "This nomination changed while you were answering it. Reload it and try again.",
            ));
        }
        n.developer_position = nd;
        n.government_position = ng;
        n.updated_at = to_db(now);
        if let Some(partner_org) = selected_org {
            let to = notify::org_emails(conn, std::slice::from_ref(&partner_org), true)?;
            st.notifier.send(conn, now, &to, Reason::PartnerSelected, "/")?;
            n.partner_org_id = Some(partner_org);
            // The developer nominated and the Government's concurrence completed the selection:
            // tell the developer's people (any member may act on its nominations).
            if side == Side::Government {
                let to = notify::org_emails(conn, std::slice::from_ref(&n.organization_id), false)?;
                st.notifier.send(conn, now, &to, Reason::NominationConcurred, &format!("/nominations/{}", n.id))?;
            }
        }
        record(conn, &actor, now, &n, if concur_ { AuditAction::NominationConcurred } else { AuditAction::NominationDeclined }, detail)?;
        NominationOut::one(conn, &actor, now, n)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// Creates the organization of a selected `new_partner` nomination and invites its contact as
/// its first admin (DESIGN.md §2.5). It is always a **new** organization: when the name is
/// already used by another partner (one created since the nomination), the new one gets a
/// numbered name instead of merging, so a nomination can never give anyone a role in an
/// organization that exists. A contact whose address already has an account is not invited
/// (a user belongs to one organization) and is given nothing.
fn create_new_partner(
    conn: &mut DbConn,
    st: &AppState,
    now: DateTime<Utc>,
    n: &NominationRow,
) -> AppResult<(orgs::OrgRow, Option<String>)> {
    let base = n.new_partner_name.clone().unwrap_or_default();
    let mut name = base.clone();
    let mut k = 2;
    while orgs::name_taken(conn, OrgKind::Partner, &name)? {
        name = format!("{base} ({k})");
        k += 1;
    }
    let org = accounts::insert_org(
        conn,
        now,
        &NewOrg {
            kind: OrgKind::Partner,
            name: &name,
            partner_type: n.new_partner_type.as_deref(),
            sector: n.new_partner_sector.as_deref(),
            agency_code: None,
        },
    )?;
    let contact = n.new_partner_contact_email.clone().unwrap_or_default();
    let env = Env {
        keys: &st.keys,
        public_url: st.notifier.public_url(),
        now,
    };
    if crate::store::accounts::email_exists(conn, &contact)? {
        return Ok((org, None));
    }
    let (user, _) = accounts::invite_user(conn, &env, &org, &contact, "admin")?;
    st.notifier
        .send(conn, now, &[contact], Reason::PartnerSelected, "/")?;
    Ok((org, Some(user.id)))
}

/// The other side concurs (a developer member, or an agency admin for the Government). When
/// both sides concur the partner is selected (a new partner organization is created and invited).
#[utoipa::path(
    post,
    path = "/api/v1/nominations/{id}/concur",
    operation_id = "concurInNomination",
    tag = "nominations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = NominationOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`invalid_transition`: not your side's turn, or the nomination is finished", body = crate::api::dto::Problem),
    ),
)]
pub async fn concur(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<NominationId>,
) -> AppResult<HttpResponse> {
    answer(state, actor, path.into_inner(), true).await
}

/// The other side declines.
#[utoipa::path(
    post,
    path = "/api/v1/nominations/{id}/decline",
    operation_id = "declineNomination",
    tag = "nominations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = NominationOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
    ),
)]
pub async fn decline(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<NominationId>,
) -> AppResult<HttpResponse> {
    answer(state, actor, path.into_inner(), false).await
}

/// The developer rescinds the nomination at any time (idempotent). A selected partner's
/// early-access grants are revoked at once.
#[utoipa::path(
    post,
    path = "/api/v1/nominations/{id}/rescind",
    operation_id = "rescindNomination",
    tag = "nominations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = NominationOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn rescind(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<NominationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut n: NominationRow = load(conn, &actor, &id)?;
        if n.organization_id != actor.org_id || !actor.may(Capability::RescindNomination) {
            return Err(AppError::forbidden(
                "Only the developer can rescind a nomination.",
            ));
        }
        if n.rescinded_at.is_none() {
            store::set_rescinded(conn, &n.id, now)?;
            n.rescinded_at = Some(to_db(now));
            n.updated_at = to_db(now);
            let revoked = grant_store::revoke_partner_grants_of(conn, &n.id, now)?;
            for g in &revoked {
                let mut to =
                    notify::org_emails(conn, std::slice::from_ref(&g.head.partner_org_id), true)?;
                to.extend(notify::roster_emails(conn, "partner", &g.head.id)?);
                notifier.send(conn, now, &to, Reason::PartnerGrantRevoked, "/")?;
            }
            let ids: Vec<&str> = revoked.iter().map(|g| g.head.id.as_str()).collect();
            record(
                conn,
                &actor,
                now,
                &n,
                AuditAction::NominationRescinded,
                json!({"revoked_partner_grant_ids": ids}),
            )?;
        }
        NominationOut::one(conn, &actor, now, n)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}
