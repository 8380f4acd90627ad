//! What every access-grant handler shares: the grant's context, loading a visible grant, the
//! developer check and the hooks into the handlers shared with partner grants (`api::grants`).

use chrono::{DateTime, Utc};

use crate::api::first;
use crate::api::grants;
use crate::auth::Actor;
use crate::db::DbConn;
use crate::domain::grant::Grant;
use crate::domain::grant::GrantStatus;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use crate::store::grants::{self as store, AccessGrantRow};

use super::views::{outs, AccessGrantOut};

/// A visible grant and its context, or 404.
pub(super) fn load(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
) -> AppResult<(AccessGrantRow, Grant)> {
    let row = store::get_access_visible(conn, &actor.org_id, &id.into())?
        .ok_or_else(AppError::not_found)?;
    let grantees = store::grantees_of(conn, std::slice::from_ref(&row.id))?
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    let ctx = row.grant(grantees);
    Ok((row, ctx))
}

pub(super) fn reload(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<AccessGrantOut> {
    let (row, _) = load(conn, actor, id)?;
    first(outs(conn, actor, vec![row], now)?)
}

pub fn parse_status(s: Option<&str>) -> AppResult<Option<GrantStatus>> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => GrantStatus::parse(s)
            .map(Some)
            .map_err(|_| AppError::field("status", "is not a grant status")),
    }
}

pub(super) fn require_developer(ctx: &Grant, actor: &Actor, cap: Capability) -> AppResult<()> {
    if !ctx.is_developer(&actor.org_id) || !actor.may(cap) {
        return Err(AppError::forbidden(
            "Only the developer that offered this grant can do that.",
        ));
    }
    Ok(())
}

/// Hooks this resource into the handlers shared with the other kind of grant.
pub struct AccessResource;

impl grants::GrantResource for AccessResource {
    type View = AccessGrantOut;
    fn context(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Grant> {
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
