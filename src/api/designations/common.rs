//! What every designation handler shares: who sees a request, loading it, checking and saving a
//! transition, the audit record and the developer's email.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};

use crate::api::viewer;
use crate::api::JsonBody;
use crate::audit::{self, NewEvent};
use crate::auth::Actor;
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::designation::{next_status, DesignationAction, DesignationStatus};
use crate::domain::policy::{Capability, OrgKind};
use crate::error::{AppError, AppResult};
use crate::mail::templates::Reason;
use crate::notify;
use crate::state::{AppState, Notifier};
use crate::store::designations::{self as store, RequestRow};
use crate::store::orgs;

use super::views::RequestOut;
use crate::api::view::{load, View, Visible};
use crate::domain::ids::RequestId;

/// Organizations that may see events on this request: the developer, and every agency once it
/// was submitted (a draft withdrawn unsubmitted stays private).
pub(super) fn visible_to(conn: &mut DbConn, r: &RequestRow) -> AppResult<Vec<String>> {
    let mut v = vec![r.organization_id.clone()];
    if r.submitted_at.is_some() {
        v.extend(orgs::ids_of_kind(conn, OrgKind::Agency)?);
    }
    Ok(v)
}

/// Emails the developer's admins and the request's author a link to the request.
pub(super) fn tell_developer(
    conn: &mut DbConn,
    notifier: &Notifier,
    r: &RequestRow,
    now: DateTime<Utc>,
    reason: Reason,
) -> AppResult<()> {
    let mut to = notify::org_emails(conn, std::slice::from_ref(&r.organization_id), true)?;
    to.extend(notify::user_emails(
        conn,
        std::slice::from_ref(&r.created_by_user_id),
    )?);
    notifier.send(
        conn,
        now,
        &to,
        reason,
        &format!("/designation-requests/{}", r.id),
    )?;
    Ok(())
}

/// Checks `action` against the request's state and moves `r` to the next one; returns the
/// state it was checked against, for [`save`].
pub(super) fn transition(
    r: &mut RequestRow,
    action: DesignationAction,
) -> AppResult<DesignationStatus> {
    let next =
        next_status(r.status, action).map_err(|e| AppError::invalid_transition(e.to_string()))?;
    Ok(std::mem::replace(&mut r.status, next))
}

/// Writes the columns of one change, provided the request is still in the state `from` that the
/// change was checked against (always so inside `db::write_tx`; the check makes a lost update
/// impossible even if a caller forgot the lock).
pub(super) fn save(
    conn: &mut DbConn,
    r: &RequestRow,
    from: DesignationStatus,
    change: store::RequestChange,
) -> AppResult<()> {
    let change = store::RequestChange {
        status: Some(r.status),
        updated_at: Some(r.updated_at),
        ..change
    };
    if !store::apply_change(conn, &r.id, from, &change)? {
        return Err(AppError::invalid_transition(
            "This request changed while you were acting on it. Reload it and try again.",
        ));
    }
    Ok(())
}

impl Visible for RequestRow {
    type Id = RequestId;
    fn find_visible(conn: &mut DbConn, actor: &Actor, id: &RequestId) -> AppResult<Option<Self>> {
        Ok(store::get_visible(conn, &viewer(actor), id.as_str())?)
    }
}

pub(super) fn record(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    r: &RequestRow,
    action: AuditAction,
    detail: serde_json::Value,
) -> AppResult<()> {
    let visible = visible_to(conn, r)?;
    audit::append(
        conn,
        &actor.audit(now),
        NewEvent {
            action,
            target_type: "designation_request",
            target_id: &r.id,
            visible_to: visible,
            detail,
        },
    )?;
    Ok(())
}

/// Shared shape of the developer's and reviewers' simple actions.
pub(super) async fn act<F>(
    state: web::Data<AppState>,
    actor: Actor,
    id: RequestId,
    f: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConn, &Actor, &mut RequestRow, DateTime<Utc>, &Notifier) -> AppResult<()>
        + Clone
        + Send
        + 'static,
{
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut r: RequestRow = load(conn, &actor, &id)?;
        f(conn, &actor, &mut r, now, &notifier)?;
        RequestOut::one(conn, &actor, now, r)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

pub(super) fn require_developer_of(
    actor: &Actor,
    r: &RequestRow,
    cap: Capability,
) -> AppResult<()> {
    if r.organization_id != actor.org_id || !actor.may(cap) {
        return Err(AppError::forbidden(
            "Only the developer that filed this request can do that.",
        ));
    }
    Ok(())
}

pub(super) fn require_reviewer(actor: &Actor, cap: Capability) -> AppResult<()> {
    if !actor.may(cap) {
        let msg = match cap {
            Capability::Determine => "Only an NSA reviewer records the determination.",
            _ => "Only Government reviewers can do that.",
        };
        return Err(AppError::forbidden(msg));
    }
    Ok(())
}
