//! What Government access grants and partner early-access grants share: terms acceptance by
//! each party, the roster of named individuals, and personal acknowledgments. One mechanism,
//! keyed by [`GrantKind`]; `access_grants` and `partner_grants` load a [`Grant`] and call in.

use crate::api::JsonBody;
use crate::domain::ids::OrgId;
use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::first;
use crate::audit::{self, NewEvent};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::grant::{Grant, InstructionsViewer, MayNotAccept, MayNotDecline, Party};
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult, ProblemCode};
use crate::mail::templates::Reason;
use crate::notify;
use crate::state::{AppState, Notifier};
use crate::store::grants::{self as store, AcceptanceRow, DeclineRow, RosterRow};
use crate::store::{accounts, new_id, orgs, terms};

/// Whether the caller may read the grant's access instructions (the rule is
/// [`Grant::shows_instructions`]); `viewer` is the caller's roster entry as its list item shows
/// it.
pub fn shows_instructions(
    grant: &Grant,
    actor: &Actor,
    viewer: &ViewerOut,
    now: DateTime<Utc>,
) -> bool {
    let viewer = InstructionsViewer {
        is_developer: grant.is_developer(&actor.org_id),
        rostered: viewer.rostered,
        acknowledged: viewer.acknowledged,
    };
    grant.shows_instructions(viewer, now)
}

/// 409 `invalid_transition` once the grant is finished: `what` is no longer possible.
fn refuse_if_finished(grant: &Grant, now: DateTime<Utc>, what: &str) -> AppResult<()> {
    if grant.is_finished(now) {
        return Err(AppError::invalid_transition(format!(
            "This grant is {}; {what} is no longer possible.",
            grant.status(now).as_str()
        )));
    }
    Ok(())
}

/// Records an audit event about a grant, visible to its parties.
pub fn record(
    conn: &mut DbConn,
    grant: &Grant,
    actor: &Actor,
    now: DateTime<Utc>,
    action: AuditAction,
    detail: serde_json::Value,
) -> AppResult<()> {
    audit::append(
        conn,
        &actor.audit(now),
        NewEvent {
            action,
            target_type: grant.kind.target_type(),
            target_id: grant.id.as_str(),
            visible_to: grant
                .parties()
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>(),
            detail,
        },
    )?;
    Ok(())
}

/// An admin accepts the grant's terms for their organization (the developer, or a grantee).
/// Repeats are idempotent. When the last required party accepts, everyone is told.
pub fn accept_terms(
    conn: &mut DbConn,
    ctx: &mut Grant,
    actor: &Actor,
    now: DateTime<Utc>,
    notifier: &Notifier,
) -> AppResult<()> {
    match ctx.accepting_party(&actor.org_id) {
        Err(MayNotAccept::AcceptedByIssuing) => {
            return Err(AppError::forbidden(
                "The developer accepted these terms by issuing the grant; the partner's administrator accepts them for the partner.",
            ))
        }
        Err(MayNotAccept::NotAParty) => {
            return Err(AppError::forbidden(
                "Your organization is not a party to this grant.",
            ))
        }
        Ok(Party::Developer) => actor.require(
            Capability::AcceptTermsAsDeveloper,
            "Only an administrator of the developer organization accepts terms for it.",
        )?,
        Ok(Party::Grantee) => actor.require(
            Capability::AcceptTermsAsGrantee,
            "Only an administrator of your organization accepts terms for it.",
        )?,
    }
    // After the party and role checks: a caller who may not accept is told so, not asked for
    // a factor first.
    actor.require_step_up()?;
    let org = actor.org_id.clone();
    let accepted = store::org_acceptances(conn, ctx.kind, &[ctx.id.to_string()])?;
    if accepted.iter().any(|a| a.organization_id == org) {
        return Ok(());
    }
    refuse_if_finished(ctx, now, "accepting its terms")?;
    refuse_if_declined(conn, ctx, actor, "accept its terms")?;
    let t = terms::get_many(conn, &[ctx.terms_version_id.to_string()])?
        .pop()
        .ok_or_else(AppError::not_found)?;
    store::insert_acceptance(
        conn,
        &AcceptanceRow {
            id: new_id(),
            grant_type: ctx.kind.as_str().into(),
            grant_id: ctx.id.to_string(),
            scope: "organization".into(),
            organization_id: org.to_string(),
            user_id: actor.user_id.to_string(),
            terms_version_id: t.id.clone(),
            terms_sha256: t.sha256.clone(),
            accepted_at: to_db(now),
        },
    )?;
    record(
        conn,
        ctx,
        actor,
        now,
        AuditAction::GrantTermsAccepted,
        json!({"organization_id": org, "terms_version_id": t.id, "terms_sha256": t.sha256}),
    )?;
    let mut have: Vec<OrgId> = accepted
        .iter()
        .map(|a| OrgId::from(a.organization_id.as_str()))
        .collect();
    have.push(org);
    complete_if_all_accepted(conn, ctx, &have, now, notifier)
}

/// The organizations that declined the grant.
fn declined_orgs(conn: &mut DbConn, ctx: &Grant) -> AppResult<Vec<OrgId>> {
    Ok(store::declines_of(conn, ctx.kind, &[ctx.id.to_string()])?
        .into_iter()
        .map(|d| OrgId::from(d.organization_id))
        .collect())
}

/// Records that the terms are complete once every party still taking part (`have` accepted;
/// grantees that declined are not waited for) has accepted, and tells everyone.
fn complete_if_all_accepted(
    conn: &mut DbConn,
    ctx: &mut Grant,
    have: &[OrgId],
    now: DateTime<Utc>,
    notifier: &Notifier,
) -> AppResult<()> {
    let declined = declined_orgs(conn, ctx)?;
    if ctx.accepted_by_all(have, &declined) && !ctx.terms_accepted {
        store::set_terms_accepted(conn, ctx.kind, &ctx.id, now)?;
        ctx.terms_accepted = true;
        let to = notify::participants(conn, ctx)?;
        notifier.send(conn, now, &to, Reason::TermsFullyAccepted, &ctx.link())?;
    }
    Ok(())
}

/// 409 `invalid_transition` once the caller's organization declined the grant.
fn refuse_if_declined(conn: &mut DbConn, ctx: &Grant, actor: &Actor, what: &str) -> AppResult<()> {
    if declined_orgs(conn, ctx)?.contains(&actor.org_id) {
        return Err(AppError::invalid_transition(format!(
            "Your organization declined this grant, so you can no longer {what}. The developer can offer a new one."
        )));
    }
    Ok(())
}

/// The longest reason a grantee may give for declining, in characters.
pub const DECLINE_REASON_MAX: usize = 2000;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "We cannot staff an evaluation in this window."}))]
pub struct DeclineBody {
    /// Why, in plain text, shown to the developer (optional; at most 2000 characters).
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// A grantee admin declines a grant offered to its organization: the grantee's own choice,
/// recorded for that grantee only (another grantee of the same Government grant goes on), and
/// never a gate on the developer, whose controls read nothing of it. Allowed while the grant is
/// open and the grantee has not accepted its terms; a repeat answers the grant unchanged.
pub fn decline(
    conn: &mut DbConn,
    ctx: &mut Grant,
    actor: &Actor,
    reason: Option<String>,
    now: DateTime<Utc>,
    notifier: &Notifier,
) -> AppResult<()> {
    let accepted: Vec<OrgId> = store::org_acceptances(conn, ctx.kind, &[ctx.id.to_string()])?
        .into_iter()
        .map(|a| OrgId::from(a.organization_id))
        .collect();
    if ctx.is_grantee(&actor.org_id) {
        actor.require(
            Capability::AcceptTermsAsGrantee,
            "Only an administrator of your organization can decline this grant for it.",
        )?;
        if declined_orgs(conn, ctx)?.contains(&actor.org_id) {
            return Ok(());
        }
    }
    match ctx.check_decline(&actor.org_id, &accepted, now) {
        Ok(()) => {}
        Err(MayNotDecline::NotAGrantee) if ctx.is_developer(&actor.org_id) => {
            return Err(AppError::forbidden(
                "Only the organization this grant was offered to can decline it. You can end or revoke it yourself at any time.",
            ))
        }
        Err(MayNotDecline::NotAGrantee) => {
            return Err(AppError::forbidden(
                "Only the organization this grant was offered to can decline it.",
            ))
        }
        Err(MayNotDecline::Accepted) => {
            return Err(AppError::invalid_transition(
                "Your organization already accepted this grant's terms, so it can no longer be declined. Ask the developer to end it if you no longer need the access.",
            ))
        }
        Err(MayNotDecline::Finished(status)) => {
            return Err(AppError::invalid_transition(format!(
                "This grant is {}; it can no longer be declined.",
                status.as_str()
            )))
        }
    }
    store::insert_decline(
        conn,
        &DeclineRow {
            id: new_id(),
            grant_type: ctx.kind.as_str().into(),
            grant_id: ctx.id.to_string(),
            organization_id: actor.org_id.to_string(),
            user_id: actor.user_id.to_string(),
            reason: reason.clone(),
            declined_at: to_db(now),
        },
    )?;
    record(
        conn,
        ctx,
        actor,
        now,
        AuditAction::GrantDeclined,
        json!({"organization_id": actor.org_id, "reason_given": reason.is_some()}),
    )?;
    let to = notify::org_emails(conn, &[ctx.developer_org_id.to_string()], true)?;
    notifier.send(conn, now, &to, Reason::GrantDeclined, &ctx.link())?;
    // The others may now have accepted all there is to accept.
    complete_if_all_accepted(conn, ctx, &accepted, now, notifier)
}

/// `POST …/{id}/decline` for either kind: the body is optional (`{}` or none: no reason).
pub async fn decline_route<R: GrantResource>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let body: DeclineBody = if body.iter().all(u8::is_ascii_whitespace) {
        DeclineBody::default()
    } else {
        crate::api::json::parse(&body)?
    };
    let mut errors = Vec::new();
    let reason = crate::api::optional(
        &mut errors,
        "reason",
        body.reason.as_deref(),
        DECLINE_REASON_MAX,
    );
    crate::api::finish(errors)?;
    let reason = (!reason.is_empty()).then_some(reason);
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut ctx = R::context(conn, &actor, &id)?;
        decline(conn, &mut ctx, &actor, reason.clone(), now, &notifier)?;
        R::view(conn, &actor, &id, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// Records the developer's acceptance when it issues a partner grant.
pub fn record_issuer_acceptance(
    conn: &mut DbConn,
    ctx: &Grant,
    actor: &Actor,
    sha256: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    store::insert_acceptance(
        conn,
        &AcceptanceRow {
            id: new_id(),
            grant_type: ctx.kind.as_str().into(),
            grant_id: ctx.id.to_string(),
            scope: "organization".into(),
            organization_id: ctx.developer_org_id.to_string(),
            user_id: actor.user_id.to_string(),
            terms_version_id: ctx.terms_version_id.to_string(),
            terms_sha256: sha256.into(),
            accepted_at: to_db(now),
        },
    )?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RosterBody {
    /// A user of the caller's (grantee) organization.
    #[schema(format = Uuid)]
    pub user_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterOut {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub organization_id: String,
    pub organization_name: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub added_at: DateTime<Utc>,
    /// When this person acknowledged the terms personally.
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Set when the entry was removed (only in the answer to a removal).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub removed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterList {
    pub items: Vec<RosterOut>,
    pub next_cursor: Option<String>,
}

pub fn roster_outs(conn: &mut DbConn, rows: Vec<RosterRow>) -> AppResult<Vec<RosterOut>> {
    let uids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
    let oids: Vec<String> = rows.iter().map(|r| r.organization_id.clone()).collect();
    let users: HashMap<String, (String, String)> = accounts::users_by_ids(conn, &uids)?
        .into_iter()
        .map(|u| (u.id, (u.name, u.email)))
        .collect();
    let orgs: HashMap<String, String> = orgs::names(conn, &oids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (name, email) = users.get(&r.user_id).cloned().unwrap_or_default();
            RosterOut {
                name,
                email,
                organization_name: orgs.get(&r.organization_id).cloned().unwrap_or_default(),
                user_id: r.user_id,
                organization_id: r.organization_id,
                added_at: from_db(r.added_at),
                acknowledged_at: r.acknowledged_at.map(from_db),
                removed_at: r.removed_at.map(from_db),
            }
        })
        .collect())
}

/// The roster (developer and grantees see all of it).
pub fn roster_list(conn: &mut DbConn, ctx: &Grant, actor: &Actor) -> AppResult<Vec<RosterOut>> {
    if !(ctx.is_developer(&actor.org_id) || ctx.is_grantee(&actor.org_id)) {
        return Err(AppError::forbidden(
            "Only the parties to this grant see its roster.",
        ));
    }
    let rows = store::roster_of(conn, ctx.kind, &[ctx.id.to_string()])?;
    roster_outs(conn, rows)
}

/// A grantee admin names one of their organization's users. Returns the entry and whether it
/// is new (an existing entry is returned unchanged).
pub fn roster_add(
    conn: &mut DbConn,
    ctx: &Grant,
    actor: &Actor,
    user_id: &str,
    now: DateTime<Utc>,
) -> AppResult<(RosterOut, bool)> {
    if !ctx.is_grantee(&actor.org_id) {
        return Err(AppError::forbidden(
            "Only the grantee organization's administrators manage its roster.",
        ));
    }
    actor.require(
        Capability::ManageRosterAsGrantee,
        "Only an administrator of your organization manages the roster.",
    )?;
    actor.require_step_up()?;
    refuse_if_finished(ctx, now, "adding people")?;
    refuse_if_declined(conn, ctx, actor, "add people to its roster")?;
    let user = accounts::user_in_org(conn, actor.org_id.as_str(), user_id)?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| AppError::field("user_id", "must be an active user of your organization"))?;
    if let Some(existing) = store::roster_entry(conn, ctx.kind, &ctx.id, &user.id.clone().into())? {
        return Ok((first(roster_outs(conn, vec![existing])?)?, false));
    }
    let row = RosterRow {
        id: new_id(),
        grant_type: ctx.kind.as_str().into(),
        grant_id: ctx.id.to_string(),
        user_id: user.id.clone(),
        organization_id: actor.org_id.to_string(),
        added_by_user_id: actor.user_id.to_string(),
        added_at: to_db(now),
        acknowledged_at: None,
        removed_at: None,
    };
    store::insert_roster(conn, &row)?;
    record(
        conn,
        ctx,
        actor,
        now,
        AuditAction::GrantRosterAdded,
        json!({"user_id": user.id}),
    )?;
    Ok((first(roster_outs(conn, vec![row])?)?, true))
}

/// Removes someone from the roster: the developer may remove anyone at any time (Sec. 3(c));
/// a grantee admin may remove their own people. A repeat is an idempotent success: the same
/// answer, the entry as it was removed (DESIGN §2.7).
pub fn roster_remove(
    conn: &mut DbConn,
    ctx: &Grant,
    actor: &Actor,
    user_id: &str,
    now: DateTime<Utc>,
) -> AppResult<RosterOut> {
    let entry = store::roster_entry(conn, ctx.kind, &ctx.id, &user_id.into())?;
    if ctx.is_developer(&actor.org_id) {
        actor.require(
            Capability::RemoveFromRosterAsDeveloper,
            "Only developer members can remove people.",
        )?;
    } else if ctx.is_grantee(&actor.org_id) {
        actor.require(
            Capability::ManageRosterAsGrantee,
            "Only an administrator of your organization manages the roster.",
        )?;
        if entry
            .as_ref()
            .is_some_and(|e| e.organization_id != actor.org_id)
        {
            return Err(AppError::forbidden(
                "You can only remove people of your own organization.",
            ));
        }
    } else {
        return Err(AppError::forbidden(
            "Your organization is not a party to this grant.",
        ));
    }
    match entry {
        Some(mut e) => {
            store::remove_roster(conn, &e.id, now)?;
            e.removed_at = Some(to_db(now));
            record(
                conn,
                ctx,
                actor,
                now,
                AuditAction::GrantRosterRemoved,
                json!({"user_id": user_id}),
            )?;
            first(roster_outs(conn, vec![e])?)
        }
        None => match store::last_removed_roster_entry(conn, ctx.kind, &ctx.id, &user_id.into())? {
            Some(e) => first(roster_outs(conn, vec![e])?),
            None => Err(AppError::not_found()),
        },
    }
}

/// A rostered person acknowledges the terms personally (after their organization accepted).
pub fn acknowledge(
    conn: &mut DbConn,
    ctx: &Grant,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let entry = store::roster_entry(conn, ctx.kind, &ctx.id, &actor.user_id)?.ok_or_else(|| {
        AppError::forbidden_code(
            ProblemCode::NotRostered,
            "You are not on this grant's roster; ask your organization's administrator to add you.",
        )
    })?;
    if entry.acknowledged_at.is_some() {
        return Ok(());
    }
    let accepted = store::org_acceptances(conn, ctx.kind, &[ctx.id.to_string()])?;
    if !accepted.iter().any(|a| a.organization_id == actor.org_id) {
        return Err(AppError::conflict(
            ProblemCode::TermsNotAccepted,
            "Your organization has not accepted this grant's terms yet.",
        ));
    }
    refuse_if_finished(ctx, now, "acknowledging its terms")?;
    let t = terms::get_many(conn, &[ctx.terms_version_id.to_string()])?
        .pop()
        .ok_or_else(AppError::not_found)?;
    store::acknowledge(conn, &entry.id, now)?;
    store::insert_acceptance(
        conn,
        &AcceptanceRow {
            id: new_id(),
            grant_type: ctx.kind.as_str().into(),
            grant_id: ctx.id.to_string(),
            scope: "individual".into(),
            organization_id: actor.org_id.to_string(),
            user_id: actor.user_id.to_string(),
            terms_version_id: t.id.clone(),
            terms_sha256: t.sha256.clone(),
            accepted_at: to_db(now),
        },
    )?;
    record(
        conn,
        ctx,
        actor,
        now,
        AuditAction::GrantAcknowledged,
        json!({"user_id": actor.user_id, "terms_sha256": t.sha256}),
    )?;
    Ok(())
}

/// A page's acceptances or declines by `(grant id, organization id)`, made once so each row
/// finds its own without scanning the page's (where a pair repeats, the first in the rows'
/// order, id order, counts).
pub fn by_grant_and_org<'a, T>(
    rows: &'a [T],
    key: impl Fn(&'a T) -> (&'a str, &'a str),
) -> HashMap<(&'a str, &'a str), &'a T> {
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        out.entry(key(r)).or_insert(r);
    }
    out
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViewerOut {
    /// The caller is on this grant's roster.
    pub rostered: bool,
    /// The caller acknowledged the terms personally.
    pub acknowledged: bool,
}

/// What each kind of grant resource gives the shared handlers below: how to find a visible
/// grant's context, and its JSON view for the caller.
pub trait GrantResource: 'static {
    type View: Serialize + Send + 'static;
    fn context(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Grant>;
    fn view(
        conn: &mut DbConn,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Self::View>;
}

/// `POST …/{id}/accept-terms` for either kind.
pub async fn accept_terms_route<R: GrantResource>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut ctx = R::context(conn, &actor, &id)?;
        accept_terms(conn, &mut ctx, &actor, now, &notifier)?;
        R::view(conn, &actor, &id, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// `POST …/{id}/acknowledge` for either kind.
pub async fn acknowledge_route<R: GrantResource>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let ctx = R::context(conn, &actor, &id)?;
        acknowledge(conn, &ctx, &actor, now)?;
        R::view(conn, &actor, &id, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// `GET …/{id}/roster` for either kind.
pub async fn roster_route<R: GrantResource>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
) -> AppResult<HttpResponse> {
    let items = db::run(&state.pool, move |conn| {
        let ctx = R::context(conn, &actor, &id)?;
        roster_list(conn, &ctx, &actor)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(RosterList {
        items,
        next_cursor: None,
    }))
}

/// `POST …/{id}/roster`: 201 for a new entry, 200 when the person was already on it.
pub async fn roster_add_route<R: GrantResource>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
    user_id: String,
) -> AppResult<HttpResponse> {
    // Adding needs step-up (checked in `roster_add` after the role check); removing (the
    // developer's off switch, or a grantee's own) never.
    let now = state.clock.now();
    let (entry, created) = db::tx(&state.pool, move |conn| {
        let ctx = R::context(conn, &actor, &id)?;
        roster_add(conn, &ctx, &actor, &user_id, now)
    })
    .await?;
    Ok(if created {
        HttpResponse::Created().json_body(entry)
    } else {
        HttpResponse::Ok().json_body(entry)
    })
}

/// `DELETE …/{id}/roster/{user_id}`: 200 with the removed entry, the first time and on a repeat.
pub async fn roster_remove_route<R: GrantResource>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
    user_id: String,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let removed = db::tx(&state.pool, move |conn| {
        let ctx = R::context(conn, &actor, &id)?;
        roster_remove(conn, &ctx, &actor, &user_id, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(removed))
}

#[cfg(test)]
mod tests {
    #[test]
    fn by_grant_and_org_keeps_the_first_of_a_pair() {
        let rows = [
            ("g1", "o1", 1),
            ("g1", "o1", 2),
            ("g1", "o2", 3),
            ("g2", "o1", 4),
        ];
        let by = super::by_grant_and_org(&rows, |r| (r.0, r.1));
        assert_eq!(by.len(), 3);
        assert_eq!(by[&("g1", "o1")].2, 1);
        assert_eq!(by[&("g1", "o2")].2, 3);
        assert_eq!(by[&("g2", "o1")].2, 4);
        assert!(!by.contains_key(&("g2", "o2")));
    }
}
