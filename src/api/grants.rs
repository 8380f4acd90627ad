//! What Government access grants and partner early-access grants share: terms acceptance by
//! each party, the roster of named individuals, and personal acknowledgments. One mechanism,
//! keyed by [`GrantKind`]; `access_grants` and `partner_grants` load a [`GrantCtx`] and call in.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::audit::{self, NewEvent};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::grant::{
    government_grant_status, may_see_access_instructions, partner_grant_status, GrantStatus,
    InstructionsViewer,
};
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use crate::mail::templates::Reason;
use crate::notify;
use crate::startup::AppState;
use crate::store::grants::{self as store, AcceptanceRow, GrantKind, RosterRow};
use crate::store::{accounts, new_id, orgs, terms};

/// The parties and window of one grant of either kind.
#[derive(Debug, Clone)]
pub struct GrantCtx {
    pub kind: GrantKind,
    pub id: String,
    pub model_id: String,
    pub developer_org_id: String,
    /// Grantee agencies (access) or the partner (partner).
    pub grantee_org_ids: Vec<String>,
    pub terms_version_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `ended_at` (access) or `revoked_at` (partner).
    pub closed_at: Option<DateTime<Utc>>,
    pub terms_completed: bool,
}

impl GrantCtx {
    pub fn status(&self, now: DateTime<Utc>) -> GrantStatus {
        match self.kind {
            GrantKind::Access => government_grant_status(
                now,
                self.starts_at,
                self.ends_at,
                self.closed_at,
                self.terms_completed,
            ),
            GrantKind::Partner => partner_grant_status(
                now,
                self.starts_at,
                self.ends_at,
                self.closed_at,
                self.terms_completed,
            ),
        }
    }
    pub fn is_developer(&self, actor: &Actor) -> bool {
        actor.org_id == self.developer_org_id
    }
    pub fn is_grantee(&self, actor: &Actor) -> bool {
        self.grantee_org_ids.contains(&actor.org_id)
    }
    pub fn is_finished(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.status(now),
            GrantStatus::Ended | GrantStatus::Revoked | GrantStatus::Expired
        )
    }
    /// Whether the viewer may read the access instructions (the rule is
    /// [`may_see_access_instructions`]); `roster` holds the viewer's entries by grant id
    /// (acknowledged or not).
    pub fn shows_instructions(
        &self,
        actor: &Actor,
        roster: &HashMap<String, bool>,
        now: DateTime<Utc>,
    ) -> bool {
        let viewer = InstructionsViewer {
            is_developer: self.is_developer(actor),
            rostered: roster.contains_key(&self.id),
            acknowledged: roster.get(&self.id).copied().unwrap_or(false),
        };
        may_see_access_instructions(viewer, self.status(now))
    }
    /// The parties: they see the grant's audit events.
    pub fn parties(&self) -> Vec<String> {
        let mut v = vec![self.developer_org_id.clone()];
        v.extend(self.grantee_org_ids.iter().cloned());
        v
    }
    pub fn link(&self) -> String {
        format!("/{}/{}", self.kind.path(), self.id)
    }
    fn audit(
        &self,
        conn: &mut DbConn,
        actor: &Actor,
        now: DateTime<Utc>,
        action: &str,
        detail: serde_json::Value,
    ) -> AppResult<()> {
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action,
                target_type: self.kind.target_type(),
                target_id: &self.id,
                visible_to: self.parties(),
                detail,
            },
        )?;
        Ok(())
    }
    fn refuse_if_finished(&self, now: DateTime<Utc>, what: &str) -> AppResult<()> {
        if self.is_finished(now) {
            return Err(AppError::invalid_transition(format!(
                "This grant is {}; {what} is no longer possible.",
                self.status(now).as_str()
            )));
        }
        Ok(())
    }
}

/// Records an audit event about a grant (for the kind-specific actions).
pub fn record(
    conn: &mut DbConn,
    ctx: &GrantCtx,
    actor: &Actor,
    now: DateTime<Utc>,
    action: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    ctx.audit(conn, actor, now, action, detail)
}

/// Everyone to tell about a grant: admins of every party and the people on its roster.
pub fn participants(conn: &mut DbConn, ctx: &GrantCtx) -> AppResult<Vec<String>> {
    let mut to = notify::org_emails(conn, &ctx.parties(), true)?;
    to.extend(notify::roster_emails(conn, ctx.kind.as_str(), &ctx.id)?);
    Ok(to)
}

/// An admin accepts the grant's terms for their organization (the developer, or a grantee).
/// Repeats are idempotent. When the last required party accepts, everyone is told.
pub fn accept_terms(
    conn: &mut DbConn,
    ctx: &mut GrantCtx,
    actor: &Actor,
    now: DateTime<Utc>,
    st: &AppState,
) -> AppResult<()> {
    let org = if ctx.is_developer(actor) && ctx.kind == GrantKind::Partner {
        return Err(AppError::forbidden(
            "The developer accepted these terms by issuing the grant; the partner's administrator accepts them for the partner.",
        ));
    } else if ctx.is_developer(actor) {
        actor.require(
            Capability::AcceptTermsAsDeveloper,
            "Only an administrator of the developer organization accepts terms for it.",
        )?;
        actor.org_id.clone()
    } else if ctx.is_grantee(actor) {
        actor.require(
            Capability::AcceptTermsAsGrantee,
            "Only an administrator of your organization accepts terms for it.",
        )?;
        actor.org_id.clone()
    } else {
        return Err(AppError::forbidden(
            "Your organization is not a party to this grant.",
        ));
    };
    let accepted = store::org_acceptances(conn, ctx.kind, std::slice::from_ref(&ctx.id))?;
    if accepted.iter().any(|a| a.organization_id == org) {
        return Ok(());
    }
    ctx.refuse_if_finished(now, "accepting its terms")?;
    let t = terms::get_many(conn, std::slice::from_ref(&ctx.terms_version_id))?
        .pop()
        .ok_or_else(AppError::not_found)?;
    store::insert_acceptance(
        conn,
        &AcceptanceRow {
            id: new_id(),
            grant_type: ctx.kind.as_str().into(),
            grant_id: ctx.id.clone(),
            scope: "organization".into(),
            organization_id: org.clone(),
            user_id: actor.user_id.clone(),
            terms_version_id: t.id.clone(),
            terms_sha256: t.sha256.clone(),
            accepted_at: to_db(now),
        },
    )?;
    ctx.audit(
        conn,
        actor,
        now,
        "grant.terms_accepted",
        json!({"organization_id": org, "terms_version_id": t.id, "terms_sha256": t.sha256}),
    )?;
    let mut have: Vec<&str> = accepted
        .iter()
        .map(|a| a.organization_id.as_str())
        .collect();
    have.push(&org);
    if required_parties(ctx)
        .iter()
        .all(|p| have.contains(&p.as_str()))
        && !ctx.terms_completed
    {
        store::set_terms_completed(conn, ctx.kind, &ctx.id, now)?;
        ctx.terms_completed = true;
        let to = participants(conn, ctx)?;
        notify::send(
            conn,
            now,
            &st.settings.server.public_url,
            &to,
            Reason::TermsFullyAccepted,
            &ctx.link(),
        )?;
    }
    Ok(())
}

/// Who must accept before the window opens: the developer and every grantee (access grants);
/// the partner (partner grants — the developer accepted by issuing them).
pub fn required_parties(ctx: &GrantCtx) -> Vec<String> {
    match ctx.kind {
        GrantKind::Access => ctx.parties(),
        GrantKind::Partner => ctx.grantee_org_ids.clone(),
    }
}

/// Records the developer's acceptance when it issues a partner grant.
pub fn record_issuer_acceptance(
    conn: &mut DbConn,
    ctx: &GrantCtx,
    actor: &Actor,
    sha256: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    store::insert_acceptance(
        conn,
        &AcceptanceRow {
            id: new_id(),
            grant_type: ctx.kind.as_str().into(),
            grant_id: ctx.id.clone(),
            scope: "organization".into(),
            organization_id: ctx.developer_org_id.clone(),
            user_id: actor.user_id.clone(),
            terms_version_id: ctx.terms_version_id.clone(),
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
    pub added_at: DateTime<Utc>,
    /// When this person acknowledged the terms personally.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Set when the entry was removed (only in the answer to a removal).
    #[serde(skip_serializing_if = "Option::is_none")]
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
pub fn roster_list(conn: &mut DbConn, ctx: &GrantCtx, actor: &Actor) -> AppResult<Vec<RosterOut>> {
    if !(ctx.is_developer(actor) || ctx.is_grantee(actor)) {
        return Err(AppError::forbidden(
            "Only the parties to this grant see its roster.",
        ));
    }
    let rows = store::roster_of(conn, ctx.kind, std::slice::from_ref(&ctx.id))?;
    roster_outs(conn, rows)
}

/// A grantee admin names one of their organization's users. Returns the entry and whether it
/// is new (an existing entry is returned unchanged).
pub fn roster_add(
    conn: &mut DbConn,
    ctx: &GrantCtx,
    actor: &Actor,
    user_id: &str,
    now: DateTime<Utc>,
) -> AppResult<(RosterOut, bool)> {
    if !ctx.is_grantee(actor) {
        return Err(AppError::forbidden(
            "Only the grantee organization's administrators manage its roster.",
        ));
    }
    actor.require(
        Capability::ManageRosterAsGrantee,
        "Only an administrator of your organization manages the roster.",
    )?;
    ctx.refuse_if_finished(now, "adding people")?;
    let user = accounts::user_in_org(conn, &actor.org_id, user_id)?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| AppError::field("user_id", "must be an active user of your organization"))?;
    if let Some(existing) = store::roster_entry(conn, ctx.kind, &ctx.id, &user.id)? {
        return Ok((roster_outs(conn, vec![existing])?.remove(0), false));
    }
    let row = RosterRow {
        id: new_id(),
        grant_type: ctx.kind.as_str().into(),
        grant_id: ctx.id.clone(),
        user_id: user.id.clone(),
        organization_id: actor.org_id.clone(),
        added_by_user_id: actor.user_id.clone(),
        added_at: to_db(now),
        acknowledged_at: None,
        removed_at: None,
    };
    store::insert_roster(conn, &row)?;
    ctx.audit(
        conn,
        actor,
        now,
        "grant.roster_added",
        json!({"user_id": user.id}),
    )?;
    Ok((roster_outs(conn, vec![row])?.remove(0), true))
}

/// Removes someone from the roster: the developer may remove anyone at any time (Sec. 3(c));
/// a grantee admin may remove their own people. A repeat is an idempotent success: the same
/// answer, the entry as it was removed (DESIGN §2.7).
pub fn roster_remove(
    conn: &mut DbConn,
    ctx: &GrantCtx,
    actor: &Actor,
    user_id: &str,
    now: DateTime<Utc>,
) -> AppResult<RosterOut> {
    let entry = store::roster_entry(conn, ctx.kind, &ctx.id, user_id)?;
    if ctx.is_developer(actor) {
        actor.require(
            Capability::RemoveFromRosterAsDeveloper,
            "Only developer members can remove people.",
        )?;
    } else if ctx.is_grantee(actor) {
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
            ctx.audit(
                conn,
                actor,
                now,
                "grant.roster_removed",
                json!({"user_id": user_id}),
            )?;
            Ok(roster_outs(conn, vec![e])?.remove(0))
        }
        None => match store::last_removed_roster_entry(conn, ctx.kind, &ctx.id, user_id)? {
            Some(e) => Ok(roster_outs(conn, vec![e])?.remove(0)),
            None => Err(AppError::not_found()),
        },
    }
}

/// A rostered person acknowledges the terms personally (after their organization accepted).
pub fn acknowledge(
    conn: &mut DbConn,
    ctx: &GrantCtx,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let entry = store::roster_entry(conn, ctx.kind, &ctx.id, &actor.user_id)?.ok_or_else(|| {
        AppError::forbidden_code(
            "not_rostered",
            "You are not on this grant's roster; ask your organization's administrator to add you.",
        )
    })?;
    if entry.acknowledged_at.is_some() {
        return Ok(());
    }
    let accepted = store::org_acceptances(conn, ctx.kind, std::slice::from_ref(&ctx.id))?;
    if !accepted.iter().any(|a| a.organization_id == actor.org_id) {
        return Err(AppError::conflict(
            "terms_not_accepted",
            "Your organization has not accepted this grant's terms yet.",
        ));
    }
    ctx.refuse_if_finished(now, "acknowledging its terms")?;
    let t = terms::get_many(conn, std::slice::from_ref(&ctx.terms_version_id))?
        .pop()
        .ok_or_else(AppError::not_found)?;
    store::acknowledge(conn, &entry.id, now)?;
    store::insert_acceptance(
        conn,
        &AcceptanceRow {
            id: new_id(),
            grant_type: ctx.kind.as_str().into(),
            grant_id: ctx.id.clone(),
            scope: "individual".into(),
            organization_id: actor.org_id.clone(),
            user_id: actor.user_id.clone(),
            terms_version_id: t.id.clone(),
            terms_sha256: t.sha256.clone(),
            accepted_at: to_db(now),
        },
    )?;
    ctx.audit(
        conn,
        actor,
        now,
        "grant.acknowledged",
        json!({"user_id": actor.user_id, "terms_sha256": t.sha256}),
    )?;
    Ok(())
}

/// The caller's own roster state on a set of grants: `grant_id → acknowledged?`.
pub fn viewer_roster(
    conn: &mut DbConn,
    kind: GrantKind,
    grant_ids: &[String],
    user_id: &str,
) -> AppResult<HashMap<String, bool>> {
    Ok(store::roster_of(conn, kind, grant_ids)?
        .into_iter()
        .filter(|r| r.user_id == user_id)
        .map(|r| (r.grant_id, r.acknowledged_at.is_some()))
        .collect())
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
    fn context(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<GrantCtx>;
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
    let st = state.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut ctx = R::context(conn, &actor, &id)?;
        accept_terms(conn, &mut ctx, &actor, now, &st)?;
        R::view(conn, &actor, &id, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
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
    Ok(HttpResponse::Ok().json(out))
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
    Ok(HttpResponse::Ok().json(RosterList {
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
    let now = state.clock.now();
    let (entry, created) = db::tx(&state.pool, move |conn| {
        let ctx = R::context(conn, &actor, &id)?;
        roster_add(conn, &ctx, &actor, &user_id, now)
    })
    .await?;
    Ok(if created {
        HttpResponse::Created().json(entry)
    } else {
        HttpResponse::Ok().json(entry)
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
    Ok(HttpResponse::Ok().json(removed))
}
