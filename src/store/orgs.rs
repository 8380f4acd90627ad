//! Organizations and their users as seen by members and operators.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::in_list;
use crate::db::schema::{organizations, users};
use crate::db::DbConn;
use crate::domain::ids::OrgId;
use crate::domain::policy::OrgKind;
use crate::store::{merge_newest_first, Page};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub agency_code: Option<String>,
    pub partner_type: Option<String>,
    pub sector: Option<String>,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &OrgRow) -> QueryResult<()> {
    diesel::insert_into(organizations::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn get(conn: &mut DbConn, id: &OrgId) -> QueryResult<OrgRow> {
    organizations::table
        .find(id)
        .select(OrgRow::as_select())
        .first(conn)
}

pub fn get_many(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<OrgRow>> {
    crate::on_backend!(conn, |c| organizations::table
        .filter(in_list(organizations::id, ids))
        .select(OrgRow::as_select())
        .load(c))
}

/// The directory of organizations of one kind (partners for nominations, agencies for grants):
/// names and kinds only are public inside the portal.
pub fn list(conn: &mut DbConn, kind: Option<OrgKind>, page: &Page) -> QueryResult<Vec<OrgRow>> {
    let mut q = organizations::table
        .select(OrgRow::as_select())
        .into_boxed();
    if let Some(k) = kind {
        q = q.filter(organizations::kind.eq(k));
    }
    if let Some(b) = &page.before {
        q = q.filter(organizations::id.lt(b.clone()));
    }
    q.order(organizations::id.desc())
        .limit(page.limit + 1)
        .load(conn)
}

/// A page of the directory: organizations of the given kinds only, newest first — one range
/// scan of `organizations_kind_idx (kind, id)` per kind, merged.
pub fn directory(conn: &mut DbConn, kinds: &[OrgKind], page: &Page) -> QueryResult<Vec<OrgRow>> {
    let mut parts = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let mut q = organizations::table
            .filter(organizations::kind.eq(*kind))
            .select(OrgRow::as_select())
            .into_boxed();
        if let Some(b) = &page.before {
            q = q.filter(organizations::id.lt(b.clone()));
        }
        parts.push(
            q.order(organizations::id.desc())
                .limit(page.limit + 1)
                .load(conn)?,
        );
    }
    Ok(merge_newest_first(parts, page, |o: &OrgRow| &o.id))
}

pub fn find_agency_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<OrgRow>> {
    organizations::table
        .filter(organizations::kind.eq(OrgKind::Agency))
        .filter(organizations::agency_code.eq(code))
        .select(OrgRow::as_select())
        .first(conn)
        .optional()
}

pub fn name_taken(conn: &mut DbConn, kind: OrgKind, name: &str) -> QueryResult<bool> {
    let n: i64 = organizations::table
        .filter(organizations::kind.eq(kind))
        .filter(organizations::name.eq(name))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Number of users of each of the given organizations, in one grouped query.
pub fn count_users(conn: &mut DbConn, org_ids: &[String]) -> QueryResult<Vec<(String, i64)>> {
    users::table
        .filter(in_list(users::organization_id, org_ids))
        .group_by(users::organization_id)
        .select((users::organization_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Ids of every organization of a kind (e.g. all agencies, who may see non-draft requests).
pub fn ids_of_kind(conn: &mut DbConn, kind: OrgKind) -> QueryResult<Vec<String>> {
    organizations::table
        .filter(organizations::kind.eq(kind))
        .select(organizations::id)
        .load(conn)
}

/// `organization id → name` for a page of records that name organizations (one query).
pub fn names(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, String>> {
    // Only the two columns: a whole row would parse every timestamp of every organization.
    let rows: Vec<(String, String)> = crate::on_backend!(conn, |c| organizations::table
        .filter(in_list(organizations::id, ids))
        .select((organizations::id, organizations::name))
        .load(c))?;
    Ok(rows.into_iter().collect())
}

/// When the organization was deactivated by an operator (`None` while it is active).
pub fn deactivated_at(conn: &mut DbConn, id: &str) -> QueryResult<Option<NaiveDateTime>> {
    organizations::table
        .find(id)
        .select(organizations::deactivated_at)
        .first(conn)
}

/// `organization id → deactivated at` for a page of organizations (one query; active ones are
/// left out).
pub fn deactivations(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, NaiveDateTime>> {
    let rows: Vec<(String, Option<NaiveDateTime>)> = organizations::table
        .filter(in_list(organizations::id, ids))
        .filter(organizations::deactivated_at.is_not_null())
        .select((organizations::id, organizations::deactivated_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, at)| at.map(|a| (id, a)))
        .collect())
}

/// Sets or clears the deactivation (an update of that one column).
pub fn set_deactivated(conn: &mut DbConn, id: &str, at: Option<NaiveDateTime>) -> QueryResult<()> {
    diesel::update(organizations::table.find(id))
        .set(organizations::deactivated_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

/// Renames the organization (an update of that one column).
pub fn rename(conn: &mut DbConn, id: &str, name: &str) -> QueryResult<()> {
    diesel::update(organizations::table.find(id))
        .set(organizations::name.eq(name))
        .execute(conn)
        .map(|_| ())
}

/// Whether a developer organization has something that only its own off switch closes (DESIGN
/// §2.7): a request under review, a Government window or partner grant not yet over, or a
/// nomination still pending. Deactivating it would put that switch out of its reach.
pub fn has_open_developer_records(
    conn: &mut DbConn,
    org_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    use crate::db::schema::{access_grants, designation_requests, nominations, partner_grants};
    use diesel::dsl::{exists, select};
    let requests = select(exists(
        designation_requests::table
            .filter(designation_requests::organization_id.eq(org_id))
            .filter(designation_requests::status.eq_any([
                "submitted",
                "under_review",
                "info_requested",
            ])),
    ))
    .get_result::<bool>(conn)?;
    let grants = select(exists(
        access_grants::table
            .filter(access_grants::organization_id.eq(org_id))
            .filter(access_grants::ended_at.is_null())
            .filter(access_grants::ends_at.gt(now)),
    ))
    .get_result::<bool>(conn)?;
    let partner = select(exists(
        partner_grants::table
            .filter(partner_grants::organization_id.eq(org_id))
            .filter(partner_grants::revoked_at.is_null())
            .filter(partner_grants::ends_at.gt(now)),
    ))
    .get_result::<bool>(conn)?;
    let pending = select(exists(
        nominations::table
            .filter(nominations::organization_id.eq(org_id))
            .filter(nominations::rescinded_at.is_null())
            .filter(nominations::developer_position.ne("decline"))
            .filter(nominations::government_position.ne("decline"))
            .filter(
                nominations::developer_position
                    .eq("pending")
                    .or(nominations::government_position.eq("pending")),
            ),
    ))
    .get_result::<bool>(conn)?;
    Ok(requests || grants || partner || pending)
}
