//! What every access-grant handler shares: the grant's context, loading a visible grant, the
//! developer check and the hooks into the handlers shared with partner grants (`api::grants`).

use chrono::{DateTime, Utc};

use crate::api::grants;
use crate::api::view::{load, View, Visible};
use crate::auth::Actor;
use crate::db::DbConn;
use crate::domain::grant::Grant;
use crate::domain::grant::GrantStatus;
use crate::domain::ids::GrantId;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use crate::store::grants::{self as store, AccessGrantRow};

use super::views::AccessGrantOut;

impl Visible for AccessGrantRow {
    type Id = GrantId;
    fn find_visible(conn: &mut DbConn, actor: &Actor, id: &GrantId) -> AppResult<Option<Self>> {
        Ok(store::get_access_visible(conn, &actor.org_id, id)?)
    }
}

/// The rules' view of a grant: its row and its grantees (one query).
pub(super) fn context(conn: &mut DbConn, row: &AccessGrantRow) -> AppResult<Grant> {
    let grantees = store::grantees_of(conn, std::slice::from_ref(&row.head.id))?
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    Ok(row.grant(grantees))
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
        let row = load(conn, actor, &id.into())?;
        context(conn, &row)
    }
    fn view(
        conn: &mut DbConn,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<AccessGrantOut> {
        let row = load(conn, actor, &id.into())?;
        AccessGrantOut::one(conn, actor, now, row)
    }
}
