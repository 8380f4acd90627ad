//! Who is told about what (DESIGN.md §2.9). Each function runs inside the transaction of the
//! change and writes to the outbox; an email carries a link and a one-line reason, nothing else.

use diesel::prelude::*;

use crate::db::in_list;
use crate::db::schema::{organizations, roster_entries, users};
use crate::db::DbConn;
use crate::domain::grant::Grant;
use crate::domain::policy::OrgKind;
use crate::mail::outbox;
use crate::mail::templates::Reason;
use chrono::{DateTime, Utc};

/// Enabled, activated users of the given organizations (admins only when `admins_only`).
pub fn org_emails(
    conn: &mut DbConn,
    org_ids: &[String],
    admins_only: bool,
) -> QueryResult<Vec<String>> {
    let mut q = users::table
        .filter(in_list(users::organization_id, org_ids))
        .filter(users::disabled_at.is_null())
        .filter(users::password_hash.is_not_null())
        .select(users::email)
        .into_boxed();
    if admins_only {
        q = q.filter(users::org_role.eq("admin"));
    }
    q.load(conn)
}

/// Enabled users of agencies with this code (e.g. every NSA reviewer).
pub fn agency_emails(conn: &mut DbConn, code: &str) -> QueryResult<Vec<String>> {
    users::table
        .inner_join(organizations::table)
        .filter(organizations::kind.eq(OrgKind::Agency))
        .filter(organizations::agency_code.eq(code))
        .filter(users::disabled_at.is_null())
        .filter(users::password_hash.is_not_null())
        .select(users::email)
        .load(conn)
}

/// Admins of every agency (the Government side of co-selection).
pub fn all_agency_admin_emails(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    users::table
        .inner_join(organizations::table)
        .filter(organizations::kind.eq(OrgKind::Agency))
        .filter(users::org_role.eq("admin"))
        .filter(users::disabled_at.is_null())
        .filter(users::password_hash.is_not_null())
        .select(users::email)
        .load(conn)
}

pub fn user_emails(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    users::table
        .filter(in_list(users::id, ids))
        .filter(users::disabled_at.is_null())
        .select(users::email)
        .load(conn)
}

/// Users currently on a grant's roster.
pub fn roster_emails(
    conn: &mut DbConn,
    grant_type: &str,
    grant_id: &str,
) -> QueryResult<Vec<String>> {
    roster_entries::table
        .inner_join(users::table)
        .filter(roster_entries::grant_type.eq(grant_type))
        .filter(roster_entries::grant_id.eq(grant_id))
        .filter(roster_entries::removed_at.is_null())
        .filter(users::disabled_at.is_null())
        .select(users::email)
        .load(conn)
}

/// Queues `reason` with a link to `path` (e.g. `/access-grants/<id>`) to every address, but
/// those whose user turned this reason off (the outbox applies the opt-outs for every email).
pub fn send(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    public_url: &str,
    to: &[String],
    reason: Reason,
    path: &str,
) -> QueryResult<()> {
    outbox::enqueue_all(conn, now, to, reason, &format!("{public_url}{path}"))
}

/// Everyone to tell about a grant: admins of every party and the people on its roster.
pub fn participants(conn: &mut DbConn, grant: &Grant) -> QueryResult<Vec<String>> {
    let mut to = org_emails(
        conn,
        &grant
            .parties()
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>(),
        true,
    )?;
    to.extend(roster_emails(conn, grant.kind.as_str(), grant.id.as_str())?);
    Ok(to)
}
