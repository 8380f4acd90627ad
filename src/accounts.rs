//! Account operations shared by the API, the CLI and the demo seeder: organizations with their
//! first admin's invitation, invitations, and the single-use links sent by email.
//! Every function runs inside the caller's transaction and writes its audit event and email.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::audit::{self, AuditCtx, NewEvent};
use crate::auth::tokens::{Audience, JwtKeys};
use crate::clock::to_db;
use crate::db::DbConn;
use crate::domain::audit::AuditAction;
use crate::domain::membership::{
    may_change_role, may_resend_invitation, may_revoke_invitation, MembershipError,
};
use crate::domain::policy::{OrgKind, OrgRole};
use crate::error::{AppError, AppResult};
use crate::mail::outbox;
use crate::mail::templates::Reason;
use crate::store::accounts::{self, EmailTokenRow, UserRow};
use crate::store::new_id;
use crate::store::orgs::{self, OrgRow};

pub const INVITATION_TTL: Duration = Duration::days(7);
pub const VERIFY_TTL: Duration = Duration::days(2);
pub const RESET_TTL: Duration = Duration::hours(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    Invitation,
    VerifyEmail,
    PasswordReset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::VerifyEmail => "verify_email",
            LinkPurpose::PasswordReset => "password_reset",
        }
    }
    fn ttl(self) -> Duration {
        match self {
            LinkPurpose::Invitation => INVITATION_TTL,
            LinkPurpose::VerifyEmail => VERIFY_TTL,
            LinkPurpose::PasswordReset => RESET_TTL,
        }
    }
    /// The link forms of DESIGN.md §5.
    pub fn url(self, public_url: &str, token: &str) -> String {
        match self {
            LinkPurpose::Invitation => format!("{public_url}/invite/{token}"),
            LinkPurpose::VerifyEmail => format!("{public_url}/verify-email?token={token}"),
            LinkPurpose::PasswordReset => format!("{public_url}/reset-password?token={token}"),
        }
    }
    fn reason(self) -> Reason {
        match self {
            LinkPurpose::Invitation => Reason::Invitation,
            LinkPurpose::VerifyEmail => Reason::EmailVerification,
            LinkPurpose::PasswordReset => Reason::PasswordReset,
        }
    }
}

/// Everything these operations need from the running app.
pub struct Env<'a> {
    pub keys: &'a JwtKeys,
    pub public_url: &'a str,
    pub now: DateTime<Utc>,
}

/// Creates a single-use link for `user_id`, queues its email, and returns the URL.
pub fn issue_link(
    conn: &mut DbConn,
    env: &Env,
    user_id: &str,
    email: &str,
    purpose: LinkPurpose,
) -> AppResult<String> {
    if purpose == LinkPurpose::PasswordReset {
        accounts::expire_email_tokens(conn, user_id, purpose.as_str(), env.now)?;
    }
    let expires = env.now + purpose.ttl();
    let row = EmailTokenRow {
        id: new_id(),
        purpose: purpose.as_str().into(),
        user_id: user_id.into(),
        created_at: to_db(env.now),
        expires_at: to_db(expires),
        used_at: None,
    };
    accounts::insert_email_token(conn, &row)?;
    let token = env
        .keys
        .issue(Audience::EmailLink, &row.id, env.now, expires);
    let url = purpose.url(env.public_url, &token);
    let line = match purpose {
        LinkPurpose::Invitation => {
            let (_, org) = accounts::user_with_org(conn, user_id)?;
            Some(invitation_line(&org.name, email))
        }
        _ => None,
    };
    outbox::enqueue_with_line(
        conn,
        env.now,
        email,
        purpose.reason(),
        line.as_deref(),
        &url,
    )?;
    Ok(url)
}

/// The invitation email's line: which organization the address is invited into, and the
/// address itself, so the person knows what the link is for before opening it. The
/// organization's name is the one text in an email that a person typed (at sign-up, or an
/// operator); it is shown in plain quotes with control characters removed (never as markup:
/// the HTML part escapes it). Plain ASCII quotes keep an ASCII message in 7-bit, unfolded form.
pub fn invitation_line(org_name: &str, email: &str) -> String {
    let plain = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).collect() };
    format!(
        "You are invited to join \"{}\" on the Frontier Access Portal with the address {}.",
        plain(org_name),
        plain(email)
    )
}

/// What the accept-invitation page shows before the person chooses a password: the
/// organization's name and the invited address, for a link that is still usable (signed,
/// unused, unexpired, of a pending and enabled account). `None` for anything else, so the
/// public lookup answers 404 and tells a guesser nothing more than an invalid link would.
pub fn invitation_preview(
    conn: &mut DbConn,
    keys: &JwtKeys,
    now: DateTime<Utc>,
    token: &str,
) -> AppResult<Option<(String, String)>> {
    let Some(id) = keys.verify(token.trim(), Audience::EmailLink, now) else {
        return Ok(None);
    };
    let Some(user_id) =
        accounts::email_token_user(conn, &id, LinkPurpose::Invitation.as_str(), now)?
    else {
        return Ok(None);
    };
    let (user, org) = accounts::user_with_org(conn, &user_id)?;
    if user.status() != accounts::UserStatus::Invited
        || orgs::deactivated_at(conn, &org.id)?.is_some()
    {
        return Ok(None);
    }
    Ok(Some((org.name, user.email)))
}

/// Redeems a link: checks signature, audience, purpose, expiry and single use.
pub fn redeem_link(
    conn: &mut DbConn,
    keys: &JwtKeys,
    now: DateTime<Utc>,
    token: &str,
    purpose: LinkPurpose,
) -> AppResult<UserRow> {
    let invalid = || {
        AppError::field(
            "token",
            "This link is invalid, was already used, or has expired. Ask for a new one.",
        )
    };
    let id = keys
        .verify(token.trim(), Audience::EmailLink, now)
        .ok_or_else(invalid)?;
    let user_id =
        accounts::use_email_token(conn, &id, purpose.as_str(), now)?.ok_or_else(invalid)?;
    let (user, _) = accounts::user_with_org(conn, &user_id)?;
    if user.disabled_at.is_some() {
        return Err(invalid());
    }
    Ok(user)
}

/// Invites `email` into `org` with `role`: a user without a password plus an invitation link
/// (emailed). Writes one audit event. Returns the new user and the link.
pub fn invite(
    conn: &mut DbConn,
    env: &Env,
    ctx: &AuditCtx,
    org: &OrgRow,
    email: &str,
    role: &str,
) -> AppResult<(UserRow, String)> {
    let (user, url) = invite_user(conn, env, org, email, role)?;
    let mut visible = vec![org.id.clone()];
    visible.extend(ctx.actor_org_id.clone());
    audit::append(
        conn,
        ctx,
        NewEvent {
            action: AuditAction::UserInvited,
            target_type: "user",
            target_id: &user.id,
            visible_to: visible,
            detail: json!({"organization_id": org.id, "org_role": role}),
        },
    )?;
    Ok((user, url))
}

/// An org admin invites a colleague (`POST /organizations/me/invitations`). The answer never
/// reveals whether the address already has an account (DESIGN §6): for a new address this is
/// [`invite`]; for an address with an account — in this organization or any other — nothing is
/// created and no role is given, the address gets a notice without a token, and the caller gets
/// a user of the same shape as a real invitation (a fresh id that no account has). The notice's
/// audit event is visible to the account's own organization only, naming no inviter.
pub fn invite_colleague(
    conn: &mut DbConn,
    env: &Env,
    ctx: &AuditCtx,
    org: &OrgRow,
    email: &str,
    role: &str,
) -> AppResult<UserRow> {
    let Some((existing, _)) = accounts::user_by_email(conn, email)? else {
        return invite(conn, env, ctx, org, email, role).map(|(u, _)| u);
    };
    outbox::enqueue(
        conn,
        env.now,
        &existing.email,
        Reason::InvitationToExistingAccount,
        &format!("{}/sign-in", env.public_url),
    )?;
    audit::append(
        conn,
        ctx,
        NewEvent {
            action: AuditAction::UserInvitationNoticeSent,
            target_type: "user",
            target_id: &existing.id,
            visible_to: vec![existing.organization_id.clone()],
            detail: json!({}),
        },
    )?;
    Ok(UserRow {
        id: new_id(),
        organization_id: org.id.clone(),
        email: existing.email,
        name: String::new(),
        org_role: role.into(),
        password_hash: None,
        email_verified_at: None,
        disabled_at: None,
        created_at: to_db(env.now),
    })
}

/// The invitation itself, for callers that describe it in their own audit event.
pub fn invite_user(
    conn: &mut DbConn,
    env: &Env,
    org: &OrgRow,
    email: &str,
    role: &str,
) -> AppResult<(UserRow, String)> {
    if accounts::email_exists(conn, email)? {
        return Err(AppError::conflict(
            crate::error::ProblemCode::EmailTaken,
            "That email address already has an account on the portal.",
        )
        .with_errors(vec![crate::error::FieldError::new(
            "email",
            "already has an account on the portal",
        )]));
    }
    let user = UserRow {
        id: new_id(),
        organization_id: org.id.clone(),
        email: accounts::normalize_email(email),
        name: String::new(),
        org_role: role.into(),
        password_hash: None,
        email_verified_at: None,
        disabled_at: None,
        created_at: to_db(env.now),
    };
    accounts::insert_user(conn, &user)?;
    let url = issue_link(conn, env, &user.id, &user.email, LinkPurpose::Invitation)?;
    Ok((user, url))
}

/// A new organization's description.
#[derive(Debug, Clone)]
pub struct NewOrg<'a> {
    pub kind: OrgKind,
    pub name: &'a str,
    pub agency_code: Option<&'a str>,
    pub partner_type: Option<&'a str>,
    pub sector: Option<&'a str>,
}

/// Inserts an organization (no audit event: the caller writes the one event of its change).
pub fn insert_org(conn: &mut DbConn, now: DateTime<Utc>, new: &NewOrg) -> AppResult<OrgRow> {
    if orgs::name_taken(conn, new.kind, new.name)? {
        return Err(AppError::conflict(
            crate::error::ProblemCode::NameTaken,
            format!("An organization named {:?} already exists.", new.name),
        )
        .with_errors(vec![crate::error::FieldError::new(
            "name",
            "is already used by another organization of this kind",
        )]));
    }
    let org = OrgRow {
        id: new_id(),
        name: new.name.into(),
        kind: new.kind,
        agency_code: new.agency_code.map(str::to_string),
        partner_type: new.partner_type.map(str::to_string),
        sector: new.sector.map(str::to_string),
        created_at: to_db(now),
    };
    orgs::insert(conn, &org)?;
    Ok(org)
}

/// Creates an organization (by an operator, the CLI or the demo) and invites its first admin;
/// one audit event describes both.
pub fn create_org_with_admin(
    conn: &mut DbConn,
    env: &Env,
    ctx: &AuditCtx,
    new: &NewOrg,
    admin_email: &str,
) -> AppResult<(OrgRow, UserRow, String)> {
    let org = insert_org(conn, env.now, new)?;
    let (user, url) = invite_user(conn, env, &org, admin_email, "admin")?;
    let mut visible = vec![org.id.clone()];
    visible.extend(ctx.actor_org_id.clone());
    audit::append(
        conn,
        ctx,
        NewEvent {
            action: AuditAction::OrganizationCreated,
            target_type: "organization",
            target_id: &org.id,
            visible_to: visible,
            detail: json!({"kind": new.kind.as_str(), "name": new.name, "agency_code": new.agency_code, "partner_type": new.partner_type,
                           "sector": new.sector, "admin_user_id": user.id}),
        },
    )?;
    Ok((org, user, url))
}

/// The operators' organization (made on first use).
pub fn operator_org(conn: &mut DbConn, now: DateTime<Utc>) -> AppResult<OrgRow> {
    use crate::db::schema::organizations;
    use diesel::prelude::*;
    let existing = organizations::table
        .filter(organizations::kind.eq(OrgKind::Operator))
        .select(OrgRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(o) = existing {
        return Ok(o);
    }
    let org = OrgRow {
        id: new_id(),
        name: "Portal Operators".into(),
        kind: OrgKind::Operator,
        agency_code: None,
        partner_type: None,
        sector: None,
        created_at: to_db(now),
    };
    orgs::insert(conn, &org)?;
    audit::append(
        conn,
        &AuditCtx {
            now: Some(now),
            ..Default::default()
        },
        NewEvent {
            action: AuditAction::OrganizationCreated,
            target_type: "organization",
            target_id: &org.id,
            visible_to: vec![org.id.clone()],
            detail: json!({"kind": "operator", "name": org.name}),
        },
    )?;
    Ok(org)
}

/// Whether any operator account has been set up (or invited).
pub fn has_operator(conn: &mut DbConn) -> AppResult<bool> {
    use crate::db::schema::{organizations, users};
    use diesel::prelude::*;
    let n: i64 = users::table
        .inner_join(organizations::table)
        .filter(organizations::kind.eq(OrgKind::Operator))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// `frontier-portal admin create --email E --if-needed` (which `make run` calls): an invitation
/// link for the operator account `email` while it is not set up yet — a fresh link each time
/// while the invitation is pending, `None` once the account has a password (or the address
/// belongs to another organization). Only this command prints such a link; the server's log
/// never does.
pub fn operator_invitation_if_needed(
    conn: &mut DbConn,
    env: &Env,
    email: &str,
) -> AppResult<Option<String>> {
    let org = operator_org(conn, env.now)?;
    match accounts::user_by_email(conn, email)? {
        None => {
            let ctx = AuditCtx {
                now: Some(env.now),
                ..Default::default()
            };
            let (_, url) = invite(conn, env, &ctx, &org, email, "admin")?;
            Ok(Some(url))
        }
        Some((u, o)) if u.password_hash.is_none() && o.kind == OrgKind::Operator => Ok(Some(
            issue_link(conn, env, &u.id, &u.email, LinkPurpose::Invitation)?,
        )),
        Some(_) => Ok(None),
    }
}

/// 403 `organization_deactivated` when the organization was deactivated by an operator: nobody
/// in it signs in or uses an API token until it is reactivated. Checked after the credential
/// was found right (so it tells a guesser nothing), and on every request (`auth::actor_for_user`
/// reads the deactivation with the user, [`organization_deactivated`] is the refusal).
pub fn refuse_if_deactivated(conn: &mut DbConn, org_id: &str) -> AppResult<()> {
    if orgs::deactivated_at(conn, org_id)?.is_some() {
        return Err(organization_deactivated());
    }
    Ok(())
}

/// The refusal of anyone of a deactivated organization (403 `organization_deactivated`).
pub fn organization_deactivated() -> AppError {
    AppError::forbidden_code(
        crate::error::ProblemCode::OrganizationDeactivated,
        "Your organization's access to the portal has been turned off by the portal's operators. Ask them to turn it back on.",
    )
}

fn membership_error(e: MembershipError, revoking: bool) -> AppError {
    match e {
        MembershipError::LastAdmin if revoking => AppError::conflict(
            crate::error::ProblemCode::LastAdmin,
            "This is the only admin invitation of an organization that has no active admin yet, so nobody else could invite anyone into it. Resend the invitation instead.",
        ),
        MembershipError::LastAdmin => AppError::conflict(
            crate::error::ProblemCode::LastAdmin,
            "This person is the organization's last admin. Make someone else an admin first.",
        ),
        MembershipError::NotInvited => AppError::conflict(
            crate::error::ProblemCode::NotInvited,
            "This person has no pending invitation: they have already joined, or their account is disabled.",
        ),
    }
}

/// Who sees the audit event of a change to `user`: its organization, and the actor's (an
/// operator's) when that is another.
fn visible_for(ctx: &AuditCtx, user: &UserRow) -> Vec<String> {
    let mut v = vec![user.organization_id.clone()];
    if let Some(o) = ctx
        .actor_org_id
        .clone()
        .filter(|o| *o != user.organization_id)
    {
        v.push(o);
    }
    v
}

/// Sends a pending invitation again: a new link by email (through the outbox, as the first
/// one), and every earlier link of the invitation stops working. 409 `not_invited` unless the
/// person is invited.
pub fn resend_invitation(
    conn: &mut DbConn,
    env: &Env,
    ctx: &AuditCtx,
    user: &UserRow,
) -> AppResult<DateTime<Utc>> {
    may_resend_invitation(user.status()).map_err(|e| membership_error(e, false))?;
    accounts::expire_email_tokens(conn, &user.id, LinkPurpose::Invitation.as_str(), env.now)?;
    issue_link(conn, env, &user.id, &user.email, LinkPurpose::Invitation)?;
    audit::append(
        conn,
        ctx,
        NewEvent {
            action: AuditAction::UserInvitationResent,
            target_type: "user",
            target_id: &user.id,
            visible_to: visible_for(ctx, user),
            detail: json!({"organization_id": user.organization_id}),
        },
    )?;
    Ok(env.now + INVITATION_TTL)
}

/// Revokes a pending invitation: every link of it stops working and the person can no longer
/// join. The account row is **kept and marked disabled** rather than removed: an invited person
/// may already be named elsewhere (a grantee admin may roster an invited colleague), and the
/// audit trail names the row. An operator can enable it again and resend the invitation.
/// 409 `not_invited` unless the person is invited; 409 `last_admin` for the only admin
/// invitation of an organization without an active admin.
pub fn revoke_invitation(conn: &mut DbConn, ctx: &AuditCtx, user: &UserRow) -> AppResult<()> {
    let now = ctx.now.unwrap_or_else(Utc::now);
    let role = OrgRole::parse(&user.org_role).map_err(AppError::internal)?;
    let others = accounts::other_admins(conn, &user.organization_id, &user.id)?;
    may_revoke_invitation(role, user.status(), others).map_err(|e| membership_error(e, true))?;
    accounts::expire_email_tokens(conn, &user.id, LinkPurpose::Invitation.as_str(), now)?;
    accounts::set_disabled(conn, &user.id, Some(now))?;
    audit::append(
        conn,
        ctx,
        NewEvent {
            action: AuditAction::UserInvitationRevoked,
            target_type: "user",
            target_id: &user.id,
            visible_to: visible_for(ctx, user),
            detail: json!({"organization_id": user.organization_id}),
        },
    )?;
    Ok(())
}

/// Makes `user` an admin or a member of its organization; 409 `last_admin` when that would
/// leave the organization without an admin. A repeat changes nothing (`false`). The new role
/// applies at the user's next request (roles are read on every request).
pub fn change_role(
    conn: &mut DbConn,
    ctx: &AuditCtx,
    user: &UserRow,
    to: OrgRole,
) -> AppResult<bool> {
    let role = OrgRole::parse(&user.org_role).map_err(AppError::internal)?;
    let others = accounts::other_admins(conn, &user.organization_id, &user.id)?;
    if !may_change_role(role, user.status(), to, others).map_err(|e| membership_error(e, false))? {
        return Ok(false);
    }
    accounts::set_role(conn, &user.id, to.as_str())?;
    audit::append(
        conn,
        ctx,
        NewEvent {
            action: AuditAction::UserRoleChanged,
            target_type: "user",
            target_id: &user.id,
            visible_to: visible_for(ctx, user),
            detail: json!({"from": role.as_str(), "to": to.as_str()}),
        },
    )?;
    Ok(true)
}
