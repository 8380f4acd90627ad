//! The caller's organization, invitations by org admins, and the directory of organizations
//! (agencies to offer access to, partners to nominate).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::JsonBody;

use crate::accounts::{self, Env};
use crate::api::dto::{InvitationOut, OrgOut, UserOut};
use crate::api::paging::{PageQuery, Paged};
use crate::api::{email_field, finish};
use crate::auth::Actor;
use crate::db;
use crate::domain::policy::{directory_kinds, Capability, DirectoryKind, OrgKind};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::accounts::{UserRow, UserStatus};
use crate::store::{accounts as store, orgs};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/me", web::get().to(my_org))
        .route("/organizations/me", web::patch().to(patch_my_org))
        .route("/organizations/me/invitations", web::post().to(invite))
        .route(
            "/organizations/me/members/{id}",
            web::patch().to(patch_member),
        )
        .route(
            "/organizations/me/members/{id}/invitation",
            web::post().to(resend_member_invitation),
        )
        .route(
            "/organizations/me/members/{id}/invitation",
            web::delete().to(revoke_member_invitation),
        )
        .route("/organizations", web::get().to(directory));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyOrg {
    pub organization: OrgOut,
    /// Everyone in the organization (invited users have an empty name until they accept).
    pub users: Vec<MemberOut>,
    /// Who must sign in with a second factor here.
    pub mfa_policy: MfaPolicyOut,
}

/// A person of the organization, with where their account stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    #[serde(flatten)]
    pub user: UserOut,
    /// `invited` (has not joined yet: the invitation can be resent or revoked), `active` or
    /// `disabled` (by an operator, or a revoked invitation).
    #[schema(value_type = String, example = "invited")]
    pub status: UserStatus,
}

impl From<&UserRow> for MemberOut {
    fn from(u: &UserRow) -> Self {
        MemberOut {
            user: UserOut::from(u),
            status: u.status(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MfaPolicyOut {
    /// The organization's own choice (an org admin sets it with `PATCH /organizations/me`).
    pub required_by_organization: bool,
    /// The portal requires it for every organization of this kind (`auth.mfa_required_kinds`).
    pub required_by_kind: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"mfa_required": true}))]
pub struct PatchMyOrgBody {
    /// Require every member to sign in with a second factor (members without one are held on
    /// the enrolment page until they set one up).
    pub mfa_required: bool,
}

/// An org admin changes the organization's own settings: "require a second factor for my
/// organization". Audited (`organization.mfa_policy_changed`); a repeat changes nothing.
#[utoipa::path(
    patch,
    path = "/api/v1/organizations/me",
    operation_id = "updateMyOrganization",
    tag = "organizations",
    request_body = PatchMyOrgBody,
    responses(
        (status = 200, body = MyOrg),
        (status = 403, description = "`forbidden`: not an org admin", body = crate::api::dto::Problem),
    ),
)]
pub async fn patch_my_org(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<PatchMyOrgBody>,
) -> AppResult<HttpResponse> {
    if !actor.is_admin() {
        return Err(AppError::forbidden(
            "Only an admin of the organization changes its settings.",
        ));
    }
    let on = body.into_inner().mfa_required;
    let now = state.clock.now();
    let by_kind = state
        .settings
        .auth
        .mfa_required_kinds
        .contains(&actor.org_kind);
    let (org, users, flag) = db::tx(&state.pool, move |conn| {
        if crate::store::mfa::set_org_requires_mfa(conn, actor.org_id.as_str(), on)? {
            crate::audit::append(
                conn,
                &actor.audit(now),
                crate::audit::NewEvent {
                    action: crate::domain::audit::AuditAction::OrganizationMfaPolicyChanged,
                    target_type: "organization",
                    target_id: actor.org_id.as_str(),
                    visible_to: vec![actor.org_id.to_string()],
                    detail: serde_json::json!({"mfa_required": on}),
                },
            )?;
        }
        Ok((
            orgs::get(conn, &actor.org_id)?,
            store::users_of_org(conn, actor.org_id.as_str())?,
            crate::store::mfa::org_requires_mfa(conn, actor.org_id.as_str())?,
        ))
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(MyOrg {
        organization: OrgOut::from(&org),
        users: users.iter().map(MemberOut::from).collect(),
        mfa_policy: MfaPolicyOut {
            required_by_organization: flag,
            required_by_kind: by_kind,
        },
    }))
}

/// The caller's organization and its users.
#[utoipa::path(
    get,
    path = "/api/v1/organizations/me",
    operation_id = "getMyOrganization",
    tag = "organizations",
    responses(
        (status = 200, body = MyOrg),
        (status = 401, body = crate::api::dto::Problem),
    ),
)]
pub async fn my_org(state: web::Data<AppState>, actor: Actor) -> AppResult<HttpResponse> {
    let by_kind = state
        .settings
        .auth
        .mfa_required_kinds
        .contains(&actor.org_kind);
    let (org, users, flag) = db::run(&state.pool, move |conn| {
        Ok((
            orgs::get(conn, &actor.org_id)?,
            store::users_of_org(conn, actor.org_id.as_str())?,
            crate::store::mfa::org_requires_mfa(conn, actor.org_id.as_str())?,
        ))
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(MyOrg {
        organization: OrgOut::from(&org),
        users: users.iter().map(MemberOut::from).collect(),
        mfa_policy: MfaPolicyOut {
            required_by_organization: flag,
            required_by_kind: by_kind,
        },
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "colleague@aurora-ai.example", "org_role": "member"}))]
pub struct InvitationBody {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// `admin` or `member`
    pub org_role: String,
}

/// An org admin invites a colleague; the invitation link is emailed. The answer is the same
/// whether or not the address already has an account (then nothing is created, no role is given,
/// and the address gets a notice without a link token), so it reveals no account.
#[utoipa::path(
    post,
    path = "/api/v1/organizations/me/invitations",
    operation_id = "inviteMember",
    tag = "organizations",
    request_body = InvitationBody,
    responses(
        (status = 201, body = InvitationOut, description = "Invited (also the answer when the address already has an account: nothing is revealed)"),
        (status = 403, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn invite(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<InvitationBody>,
) -> AppResult<HttpResponse> {
    actor.require(
        Capability::InviteColleagues,
        "Only an administrator of your organization can invite colleagues.",
    )?;
    let mut errors = Vec::new();
    let email = email_field(&mut errors, "email", &body.email);
    if !matches!(body.org_role.as_str(), "admin" | "member") {
        errors.push(FieldError::new("org_role", "must be admin or member"));
    }
    finish(errors)?;
    let role = body.org_role.clone();
    let now = state.clock.now();
    let st = state.clone();
    let user = db::tx(&state.pool, move |conn| {
        let org = orgs::get(conn, &actor.org_id)?;
        let env = Env {
            keys: &st.keys,
            public_url: st.notifier.public_url(),
            now,
        };
        accounts::invite_colleague(conn, &env, &actor.audit(now), &org, &email, &role)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(InvitationOut {
        user: UserOut::from(&user),
        expires_at: now + accounts::INVITATION_TTL,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DirectoryQuery {
    /// `partner`, `agency` or `developer` (agencies and operators only; a developer finds no
    /// developers)
    pub kind: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgList {
    pub items: Vec<OrgOut>,
    pub next_cursor: Option<String>,
}

/// The directory of organizations by kind (e.g. partners to nominate, agencies to offer access).
/// Developers find agencies and partners only, never other developers (`kind=developer` finds
/// nothing for them).
#[utoipa::path(
    get,
    path = "/api/v1/organizations",
    operation_id = "listOrganizations",
    tag = "organizations",
    params(
        DirectoryQuery,
    ),
    responses(
        (status = 200, body = OrgList),
        (status = 401, body = crate::api::dto::Problem),
        (status = 403, description = "`forbidden`: partner organizations do not use the directory", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn directory(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<DirectoryQuery>,
) -> AppResult<HttpResponse> {
    let asked = match q.kind.as_deref().map(DirectoryKind::parse) {
        None => None,
        Some(Ok(k)) => Some(k.org_kind()),
        Some(Err(_)) => {
            return Err(AppError::field(
                "kind",
                "must be partner, agency or developer",
            ))
        }
    };
    // Partners only ever deal with the developers and agencies of their own grants; they do not
    // browse the directory.
    if actor.is_kind(OrgKind::Partner) {
        return Err(AppError::forbidden(
            "Partner organizations do not use the directory.",
        ));
    }
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    // Only the kinds this viewer may find (developers never see other developers); asking for
    // another kind finds nothing, like a record that is not visible.
    let kinds: Vec<OrgKind> = directory_kinds(actor.org_kind)
        .iter()
        .copied()
        .filter(|k| asked.is_none_or(|a| a == *k))
        .collect();
    let rows = db::run(&state.pool, move |conn| {
        Ok(orgs::directory(conn, &kinds, &page)?)
    })
    .await?;
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    let paged = Paged::from_rows(rows, &page, |o| o.id.clone()).map(|o| OrgOut::from(&o));
    Ok(HttpResponse::Ok().json_body(OrgList {
        items: paged.items,
        next_cursor: paged.next_cursor,
    }))
}

/// A person of the caller's own organization, for its admin: another organization's user is a
/// 404 like a missing one. 403 for a caller who is not an admin.
fn my_member(conn: &mut db::DbConn, actor: &Actor, id: &str) -> AppResult<UserRow> {
    let user =
        store::user_in_org(conn, actor.org_id.as_str(), id)?.ok_or_else(AppError::not_found)?;
    actor.require(
        Capability::InviteColleagues,
        "Only an administrator of your organization manages its people.",
    )?;
    Ok(user)
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"org_role": "admin"}))]
pub struct PatchMemberBody {
    /// `admin` or `member`
    pub org_role: String,
}

/// An org admin makes a colleague an admin or a member (`admin` ↔ `member`). 409 `last_admin`
/// when it would leave the organization without an admin; a repeat changes nothing.
#[utoipa::path(
    patch,
    path = "/api/v1/organizations/me/members/{id}",
    operation_id = "updateMember",
    tag = "organizations",
    request_body = PatchMemberBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = MemberOut),
        (status = 403, description = "`forbidden`: not an org admin", body = crate::api::dto::Problem),
        (status = 404, description = "No such person in your organization", body = crate::api::dto::Problem),
        (status = 409, description = "`last_admin`", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn patch_member(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<PatchMemberBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let role = body.org_role.clone();
    let now = state.clock.now();
    let user = db::tx(&state.pool, move |conn| {
        let user = my_member(conn, &actor, &id)?;
        let to = crate::api::admin::parse_role(&role)?;
        accounts::change_role(conn, &actor.audit(now), &user, to)?;
        Ok(store::user_with_org(conn, &id)?.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(MemberOut::from(&user)))
}

/// An org admin sends a colleague's pending invitation again: a new link by email, and the
/// earlier links stop working.
#[utoipa::path(
    post,
    path = "/api/v1/organizations/me/members/{id}/invitation",
    operation_id = "resendMemberInvitation",
    tag = "organizations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = InvitationOut),
        (status = 403, description = "`forbidden`: not an org admin", body = crate::api::dto::Problem),
        (status = 404, description = "No such person in your organization", body = crate::api::dto::Problem),
        (status = 409, description = "`not_invited`", body = crate::api::dto::Problem),
    ),
)]
pub async fn resend_member_invitation(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let st = state.clone();
    let (user, expires_at) = db::tx(&state.pool, move |conn| {
        let user = my_member(conn, &actor, &id)?;
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

/// An org admin revokes a colleague's pending invitation: its links stop working and the person
/// can no longer join (the account is kept, marked disabled).
#[utoipa::path(
    delete,
    path = "/api/v1/organizations/me/members/{id}/invitation",
    operation_id = "revokeMemberInvitation",
    tag = "organizations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = MemberOut),
        (status = 403, description = "`forbidden`: not an org admin", body = crate::api::dto::Problem),
        (status = 404, description = "No such person in your organization", body = crate::api::dto::Problem),
        (status = 409, description = "`not_invited` or `last_admin`", body = crate::api::dto::Problem),
    ),
)]
pub async fn revoke_member_invitation(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let user = db::tx(&state.pool, move |conn| {
        let user = my_member(conn, &actor, &id)?;
        accounts::revoke_invitation(conn, &actor.audit(now), &user)?;
        Ok(store::user_with_org(conn, &id)?.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(MemberOut::from(&user)))
}
