//! Operators: organizations (agencies and partners with their first admin), users (disable),
//! and audit-chain verification. Operators never see the content of developer records.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::JsonBody;
use crate::domain::audit::AuditAction;
use crate::domain::policy::OrgKind;

use crate::accounts::{self, Env};
use crate::api::audit as audit_export;
use crate::api::dto::{InvitationOut, OrgOut, UserOut};
use crate::api::paging::{PageQuery, Paged};
use crate::api::{email_field, finish, required};
use crate::audit::{self, NewEvent, Verification};
use crate::auth::Actor;
use crate::db;
use crate::domain::nomination::{is_valid_sector, PartnerType};
use crate::domain::policy::{AgencyCode, Capability, OrgRole};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::accounts::UserStatus;
use crate::store::{accounts as store, audit as audit_store, orgs};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/organizations", web::post().to(create_org))
        .route("/admin/organizations", web::get().to(list_orgs))
        .route("/admin/users", web::get().to(list_users))
        .route("/admin/organizations/{id}", web::patch().to(patch_org))
        .route("/admin/users/{id}", web::patch().to(patch_user))
        .route(
            "/admin/users/{id}/invitation",
            web::post().to(resend_invitation),
        )
        .route(
            "/admin/users/{id}/invitation",
            web::delete().to(revoke_invitation),
        )
        .route("/admin/audit/verify", web::get().to(verify_audit))
        .route("/admin/audit/chain", web::get().to(export_chain));
}

fn require_operator(actor: &Actor) -> AppResult<()> {
    // Non-operators get 404: the admin surface does not exist for them.
    if actor.may(Capability::ManageOrganizations) {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"kind": "partner", "name": "Valley Rural Health", "partner_type": "critical_infrastructure_operator", "sector": "healthcare_and_public_health", "admin_email": "security@valleyrural.example"}))]
pub struct CreateOrgBody {
    /// `agency` or `partner`
    pub kind: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// For agencies: NSA, CISA, TREASURY, DOW, NCD, OSTP, NIST or OTHER.
    pub agency_code: Option<String>,
    /// For partners: federal_agency, state_local_authority, critical_infrastructure_operator, security_researcher or other.
    pub partner_type: Option<String>,
    /// For partners, optional: one of CISA's 16 critical-infrastructure sectors (snake_case).
    pub sector: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub admin_email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOrg {
    pub organization: OrgOut,
    /// The invited first admin.
    pub admin: UserOut,
}

/// Creates an agency or partner organization and invites its first admin by email.
#[utoipa::path(
    post,
    path = "/api/v1/admin/organizations",
    operation_id = "adminCreateOrganization",
    tag = "admin",
    request_body = CreateOrgBody,
    responses(
        (status = 201, body = CreatedOrg),
        (status = 404, description = "Not an operator", body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn create_org(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<CreateOrgBody>,
) -> AppResult<HttpResponse> {
    require_operator(&actor)?;
    let b = body.into_inner();
    let mut errors = Vec::new();
    let name = required(&mut errors, "name", &b.name, 200);
    let email = email_field(&mut errors, "admin_email", &b.admin_email);
    let mut agency_code = None;
    let mut partner_type = None;
    let mut sector = None;
    let kind = OrgKind::parse(&b.kind)
        .ok()
        .filter(|k| matches!(k, OrgKind::Agency | OrgKind::Partner));
    match kind {
        Some(OrgKind::Agency) => match b.agency_code.as_deref().map(AgencyCode::parse) {
            Some(Ok(c)) => agency_code = Some(c.as_str().to_string()),
            _ => errors.push(FieldError::new("agency_code", crate::api::CHOOSE_ONE)),
        },
        Some(OrgKind::Partner) => {
            match b.partner_type.as_deref().map(PartnerType::parse) {
                Some(Ok(t)) => partner_type = Some(t.as_str().to_string()),
                _ => errors.push(FieldError::new("partner_type", crate::api::CHOOSE_ONE)),
            }
            match b.sector.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => {}
                Some(s) if is_valid_sector(s) => sector = Some(s.to_string()),
                Some(_) => errors.push(FieldError::new("sector", crate::api::sector_message())),
            }
        }
        _ => errors.push(FieldError::new("kind", "must be agency or partner")),
    }
    finish(errors)?;
    let kind = kind.ok_or_else(|| AppError::field("kind", "must be agency or partner"))?;
    let now = state.clock.now();
    let st = state.clone();
    let (org, user) = db::tx(&state.pool, move |conn| {
        if let Some(code) = &agency_code {
            if code != "OTHER" && orgs::find_agency_by_code(conn, code)?.is_some() {
                return Err(AppError::conflict(
                    crate::error::ProblemCode::AgencyExists,
                    format!("An agency with code {code} already exists."),
                ));
            }
        }
        let env = Env {
            keys: &st.keys,
            public_url: st.notifier.public_url(),
            now,
        };
        let new = accounts::NewOrg {
            kind,
            name: &name,
            agency_code: agency_code.as_deref(),
            partner_type: partner_type.as_deref(),
            sector: sector.as_deref(),
        };
        let (org, user, _url) =
            accounts::create_org_with_admin(conn, &env, &actor.audit(now), &new, &email)?;
        Ok((org, user))
    })
    .await?;
    Ok(HttpResponse::Created().json_body(CreatedOrg {
        organization: OrgOut::from(&org),
        admin: UserOut::from(&user),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OrgListQuery {
    pub kind: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrg {
    #[serde(flatten)]
    pub organization: OrgOut,
    pub user_count: i64,
    /// When an operator deactivated it (`null` while active): its users cannot sign in or use
    /// API tokens; its records stay.
    pub deactivated_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrgList {
    pub items: Vec<AdminOrg>,
    pub next_cursor: Option<String>,
}

/// Every organization, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/organizations",
    operation_id = "adminListOrganizations",
    tag = "admin",
    params(
        OrgListQuery,
    ),
    responses(
        (status = 200, body = AdminOrgList),
        (status = 404, description = "Not an operator", body = crate::api::dto::Problem),
    ),
)]
pub async fn list_orgs(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<OrgListQuery>,
) -> AppResult<HttpResponse> {
    require_operator(&actor)?;
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    // A kind that is not one finds nothing (as before: no organization has it).
    let kind = match q.kind.as_deref().map(OrgKind::parse) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(_)) => {
            return Ok(HttpResponse::Ok().json_body(AdminOrgList {
                items: vec![],
                next_cursor: None,
            }))
        }
    };
    let p = page.clone();
    let rows = db::run(&state.pool, move |conn| {
        let rows = orgs::list(conn, kind, &p)?;
        let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
        let counts: std::collections::HashMap<String, i64> =
            orgs::count_users(conn, &ids)?.into_iter().collect();
        let off = orgs::deactivations(conn, &ids)?;
        let out: Vec<(
            crate::store::orgs::OrgRow,
            i64,
            Option<chrono::NaiveDateTime>,
        )> = rows
            .into_iter()
            .map(|o| {
                let n = counts.get(&o.id).copied().unwrap_or(0);
                let d = off.get(&o.id).copied();
                (o, n, d)
            })
            .collect();
        Ok(out)
    })
    .await?;
    let paged = Paged::from_rows(rows, &page, |(o, _, _)| o.id.clone());
    Ok(HttpResponse::Ok().json_body(AdminOrgList {
        items: paged
            .items
            .iter()
            .map(|(o, n, d)| AdminOrg {
                organization: OrgOut::from(o),
                user_count: *n,
                deactivated_at: d.map(crate::clock::from_db),
            })
            .collect(),
        next_cursor: paged.next_cursor,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUser {
    #[serde(flatten)]
    pub user: UserOut,
    pub organization_name: String,
    pub organization_kind: String,
    /// `invited` (never accepted the invitation: no password yet), `active` or `disabled`.
    #[schema(value_type = String, example = "invited")]
    pub status: UserStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserList {
    pub items: Vec<AdminUser>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserListQuery {
    /// Part of a name or an email address (any case).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// `invited`, `active` or `disabled`
    pub status: Option<String>,
    /// Only the users of this organization.
    pub organization_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The filters of the users list, or a 422 naming each bad one.
fn user_filter(q: &UserListQuery) -> AppResult<store::UserFilter> {
    use crate::store::designations::{Search, SEARCH_MAX_CHARS};
    let mut errors = Vec::new();
    let text = q.q.as_deref().unwrap_or_default().trim();
    if text.chars().count() > SEARCH_MAX_CHARS {
        errors.push(FieldError::new(
            "q",
            format!("must be at most {SEARCH_MAX_CHARS} characters"),
        ));
    } else if text.chars().any(char::is_control) {
        errors.push(FieldError::new("q", "must not contain control characters"));
    }
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match UserStatus::parse(s) {
            Ok(s) => Some(s),
            Err(_) => {
                errors.push(FieldError::new(
                    "status",
                    "must be invited, active or disabled",
                ));
                None
            }
        },
    };
    finish(errors)?;
    Ok(store::UserFilter {
        search: (!text.is_empty()).then(|| Search::contains(&text.to_lowercase())),
        status,
        organization_id: q
            .organization_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    })
}

/// Every user, newest first, narrowed by a search of names and addresses (`q`, any case), a
/// `status` and an `organization_id`; the same cursor pages with or without them.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    operation_id = "adminListUsers",
    tag = "admin",
    params(
        UserListQuery,
    ),
    responses(
        (status = 200, body = AdminUserList),
        (status = 404, description = "Not an operator", body = crate::api::dto::Problem),
        (status = 422, description = "A status that is not one, or a search too long", body = crate::api::dto::Problem),
    ),
)]
pub async fn list_users(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<UserListQuery>,
) -> AppResult<HttpResponse> {
    require_operator(&actor)?;
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    let filter = user_filter(&q)?;
    let p = page.clone();
    let rows = db::run(&state.pool, move |conn| {
        Ok(store::list_users(conn, &filter, &p)?)
    })
    .await?;
    let paged = Paged::from_rows(rows, &page, |(u, _)| u.id.clone());
    Ok(HttpResponse::Ok().json_body(AdminUserList {
        items: paged
            .items
            .iter()
            .map(|(u, o)| AdminUser {
                user: UserOut::from(u),
                organization_name: o.name.clone(),
                organization_kind: o.kind.as_str().into(),
                status: u.status(),
            })
            .collect(),
        next_cursor: paged.next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"org_role": "admin"}))]
pub struct PatchUserBody {
    /// Disable (`true`) or enable again (`false`).
    pub disabled: Option<bool>,
    /// `admin` or `member`: the user's role in their own organization.
    pub org_role: Option<String>,
}

/// The role named in a body, or the 422 that names the field.
pub fn parse_role(role: &str) -> AppResult<OrgRole> {
    OrgRole::parse(role).map_err(|_| AppError::field("org_role", "must be admin or member"))
}

/// Disables (every session and API token ends at once, for good) or re-enables a user (which
/// revives none of them: the user signs in afresh), and changes their role in their
/// organization (`admin` ↔ `member`; 409 `last_admin` when it would leave the organization
/// without an admin). Each change is one audit event; a repeat changes nothing.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/users/{id}",
    operation_id = "adminUpdateUser",
    tag = "admin",
    request_body = PatchUserBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = UserOut),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`own_account`: operators cannot disable themselves or change their own role; `last_admin`: the organization's last admin", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn patch_user(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<PatchUserBody>,
) -> AppResult<HttpResponse> {
    require_operator(&actor)?;
    let id = path.into_inner();
    let b = body.into_inner();
    let role = b.org_role.as_deref().map(parse_role).transpose()?;
    if b.disabled.is_none() && role.is_none() {
        return Err(AppError::field(
            "disabled",
            "say whether to disable the user, or which role to give them",
        ));
    }
    if id == actor.user_id {
        if b.disabled == Some(true) {
            return Err(AppError::conflict(
                crate::error::ProblemCode::OwnAccount,
                "You cannot disable your own account. Another operator can.",
            ));
        }
        if role.is_some() {
            return Err(AppError::conflict(
                crate::error::ProblemCode::OwnAccount,
                "You cannot change your own role. Another operator can.",
            ));
        }
    }
    let now = state.clock.now();
    let user = db::tx(&state.pool, move |conn| {
        let (user, _) = store::user_with_org(conn, &id)?;
        let ctx = actor.audit(now);
        if let Some(to) = role {
            accounts::change_role(conn, &ctx, &user, to)?;
        }
        if let Some(disabled) = b.disabled.filter(|d| user.disabled_at.is_some() != *d) {
            store::set_disabled(conn, &id, disabled.then_some(now))?;
            if disabled {
                store::revoke_user_credentials(conn, &id, now)?;
            }
            audit::append(
                conn,
                &ctx,
                NewEvent {
                    action: if disabled {
                        AuditAction::UserDisabled
                    } else {
                        AuditAction::UserEnabled
                    },
                    target_type: "user",
                    target_id: &id,
                    visible_to: vec![user.organization_id.clone(), actor.org_id.to_string()],
                    detail: json!({}),
                },
            )?;
        }
        Ok(store::user_with_org(conn, &id)?.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(UserOut::from(&user)))
}

/// Sends a pending invitation again: a new link by email, and the earlier links stop working.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/invitation",
    operation_id = "adminResendInvitation",
    tag = "admin",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = InvitationOut),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`not_invited`: the person has joined or is disabled", body = crate::api::dto::Problem),
    ),
)]
pub async fn resend_invitation(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    require_operator(&actor)?;
    let id = path.into_inner();
    let now = state.clock.now();
    let st = state.clone();
    let (user, expires_at) = db::tx(&state.pool, move |conn| {
        let (user, _) = store::user_with_org(conn, &id)?;
        let env = Env {
            keys: &st.keys,
            public_url: st.notifier.public_url(),
            now,
        };
        let expires = accounts::resend_invitation(conn, &env, &actor.audit(now), &user)?;
        Ok((user, expires))
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(InvitationOut {
        user: UserOut::from(&user),
        expires_at,
    }))
}

/// Revokes a pending invitation: its links stop working and the person can no longer join. The
/// account is kept, marked disabled (an invited person may already be named on a roster); an
/// operator may enable it and resend the invitation later.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{id}/invitation",
    operation_id = "adminRevokeInvitation",
    tag = "admin",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = UserOut),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`not_invited`: the person has joined or is disabled; `last_admin`: the only admin invitation of an organization without an active admin", body = crate::api::dto::Problem),
    ),
)]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    require_operator(&actor)?;
    let id = path.into_inner();
    let now = state.clock.now();
    let user = db::tx(&state.pool, move |conn| {
        let (user, _) = store::user_with_org(conn, &id)?;
        accounts::revoke_invitation(conn, &actor.audit(now), &user)?;
        Ok(store::user_with_org(conn, &id)?.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(UserOut::from(&user)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"deactivated": true}))]
pub struct PatchOrgBody {
    /// A new name (unique among organizations of its kind).
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Deactivate (`true`: nobody in it signs in or uses an API token, every session and token
    /// ends now, its records stay) or reactivate (`false`, which revives no session or token).
    pub deactivated: Option<bool>,
}

/// Renames, deactivates or reactivates an organization. The operators' own organization cannot
/// be deactivated (409 `own_organization`). A developer organization with something only its own
/// off switch closes (a request under review, a window or partner grant not over, a pending
/// nomination) is not deactivated (409 `organization_has_open_records`): DESIGN §2.7 keeps that
/// switch in the developer's reach. Each change is one audit event; a repeat changes nothing.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/organizations/{id}",
    operation_id = "adminUpdateOrganization",
    tag = "admin",
    request_body = PatchOrgBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = AdminOrg),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`own_organization`, `organization_has_open_records` or `name_taken`", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn patch_org(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<PatchOrgBody>,
) -> AppResult<HttpResponse> {
    require_operator(&actor)?;
    let id = path.into_inner();
    let b = body.into_inner();
    let mut errors = Vec::new();
    let name = b
        .name
        .as_deref()
        .map(|n| required(&mut errors, "name", n, 200));
    if name.is_none() && b.deactivated.is_none() {
        errors.push(FieldError::new(
            "name",
            "give a new name, or say whether to deactivate the organization",
        ));
    }
    finish(errors)?;
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let org = orgs::get(conn, &id.clone().into())?;
        let ctx = actor.audit(now);
        let visible = || {
            let mut v = vec![org.id.clone()];
            if org.id != actor.org_id.as_str() {
                v.push(actor.org_id.to_string());
            }
            v
        };
        if let Some(name) = name.filter(|n| *n != org.name) {
            if orgs::name_taken(conn, org.kind, &name)? {
                return Err(AppError::conflict(
                    crate::error::ProblemCode::NameTaken,
                    "Another organization of this kind already has that name.",
                )
                .with_errors(vec![FieldError::new(
                    "name",
                    "is already used by another organization of this kind",
                )]));
            }
            orgs::rename(conn, &org.id, &name)?;
            audit::append(
                conn,
                &ctx,
                NewEvent {
                    action: AuditAction::OrganizationRenamed,
                    target_type: "organization",
                    target_id: &org.id,
                    visible_to: visible(),
                    detail: json!({"from": org.name, "to": name}),
                },
            )?;
        }
        let was = orgs::deactivated_at(conn, &org.id)?.is_some();
        if let Some(deactivate) = b.deactivated.filter(|d| *d != was) {
            if deactivate {
                if org.kind == OrgKind::Operator {
                    return Err(AppError::conflict(
                        crate::error::ProblemCode::OwnOrganization,
                        "The portal operators' own organization cannot be deactivated: nobody could run the portal.",
                    ));
                }
                if org.kind == OrgKind::Developer
                    && orgs::has_open_developer_records(conn, &org.id, crate::clock::to_db(now))?
                {
                    return Err(AppError::conflict(
                        crate::error::ProblemCode::OrganizationHasOpenRecords,
                        "This developer still has a request under review, a window or partner grant that has not ended, or a nomination waiting for an answer. Only the developer can withdraw, end, revoke or rescind those, so it stays active until they are closed.",
                    ));
                }
                orgs::set_deactivated(conn, &org.id, Some(crate::clock::to_db(now)))?;
                store::revoke_org_credentials(conn, &org.id, now)?;
            } else {
                orgs::set_deactivated(conn, &org.id, None)?;
            }
            audit::append(
                conn,
                &ctx,
                NewEvent {
                    action: if deactivate {
                        AuditAction::OrganizationDeactivated
                    } else {
                        AuditAction::OrganizationReactivated
                    },
                    target_type: "organization",
                    target_id: &org.id,
                    visible_to: visible(),
                    detail: json!({}),
                },
            )?;
        }
        let org = orgs::get(conn, &id.clone().into())?;
        let users = orgs::count_users(conn, std::slice::from_ref(&org.id))?
            .first()
            .map(|(_, n)| *n)
            .unwrap_or(0);
        let deactivated_at = orgs::deactivated_at(conn, &org.id)?;
        Ok(AdminOrg {
            organization: OrgOut::from(&org),
            user_count: users,
            deactivated_at: deactivated_at.map(crate::clock::from_db),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// The chain's verification, and how much of it the operator's own list and export show.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerifyOut {
    #[serde(flatten)]
    pub verification: Verification,
    /// The hash of the newest event (what the last link of `GET /admin/audit/chain` must end
    /// with); the 64 zeros of the genesis when the trail is empty.
    pub last_hash: String,
    /// Events the operators' organization may read in `GET /audit-events` and its export: those
    /// on organizations and users that operators created or changed. Events on developer,
    /// agency and partner records are visible only to those organizations, so they count in
    /// `events` but are listed only as links of the chain.
    pub visible_to_operators: i64,
}

/// Re-walks the audit hash chain and names the first broken link.
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit/verify",
    operation_id = "adminVerifyAudit",
    tag = "admin",
    responses(
        (status = 200, body = AuditVerifyOut, example = json!({"valid": true, "events": 140, "last_hash": "9f2c…", "visible_to_operators": 7})),
        (status = 404, description = "Not an operator", body = crate::api::dto::Problem),
    ),
)]
pub async fn verify_audit(state: web::Data<AppState>, actor: Actor) -> AppResult<HttpResponse> {
    if !actor.may(Capability::VerifyAudit) {
        return Err(AppError::not_found());
    }
    let org = actor.org_id.to_string();
    let out = db::run(&state.pool, move |conn| {
        // Read first: events appended while the chain is walked come after it.
        let verification = audit::verify(conn)?;
        let last_hash = audit_store::head_hash(conn)?;
        let visible_to_operators = audit_store::count_for_org(conn, &org)?;
        Ok(AuditVerifyOut {
            verification,
            last_hash,
            visible_to_operators,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

impl audit_export::ExportRow for audit_store::ChainLinkRow {
    type Key = i64;
    const CSV_COLUMNS: &'static [&'static str] =
        &["seq", "occurred_at", "action", "prev_hash", "hash"];
    fn key(&self) -> i64 {
        self.seq
    }
    fn write_json(self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(
            out,
            &json!({
                "seq": self.seq,
                "occurred_at": audit::rfc3339(crate::clock::from_db(self.occurred_at)),
                "action": self.action,
                "prev_hash": self.prev_hash,
                "hash": self.hash,
            }),
        )
    }
    fn csv_record(self) -> Vec<String> {
        vec![
            self.seq.to_string(),
            audit::rfc3339(crate::clock::from_db(self.occurred_at)),
            self.action,
            self.prev_hash,
            self.hash,
        ]
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ChainQuery {
    /// `csv` or `json` (default json)
    pub format: Option<String>,
}

/// Every link of the audit chain, oldest first, as CSV or JSON: `seq`, `occurred_at`, `action`,
/// `prev_hash`, `hash` — no actor, target or detail, so operators (who never see the content
/// of developer records) can hand the whole chain to an outside auditor.
///
/// From the links alone the auditor checks that `seq` runs from 1 without a gap, that the first
/// `prev_hash` is 64 zeros, that each `prev_hash` is the hash of the link before it, and that
/// the last hash is the `last_hash` of `GET /admin/audit/verify`. With an organization's own
/// event export (`GET /audit-events/export`, every stored field), the auditor re-computes each
/// of those events' hashes by the rule below and finds it at the same `seq` in the chain.
///
/// hash = lowercase hex SHA-256 of prev_hash (its 64 hex characters) followed by the canonical
/// event: the JSON object of the event's stored fields except hash, keys sorted at every level,
/// no whitespace, occurred_at as RFC 3339 UTC with microseconds and Z, visible_to sorted.
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit/chain",
    operation_id = "adminExportAuditChain",
    tag = "admin",
    params(
        ChainQuery,
    ),
    responses(
        (status = 200, description = "A file download (text/csv or application/json)"),
        (status = 404, description = "Not an operator", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn export_chain(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<ChainQuery>,
) -> AppResult<HttpResponse> {
    if !actor.may(Capability::VerifyAudit) {
        return Err(AppError::not_found());
    }
    let format = audit_export::Format::parse(q.format.as_deref())?;
    let begin = audit_export::chain_export(audit_store::chain_links);
    audit_export::stream_export(&state.pool, format, "audit-chain", begin).await
}
