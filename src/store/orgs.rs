//! Organizations and their users as seen by members and operators.

use chrono::NaiveDateTime;
use diesel::prelude::*;

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
    organizations::table
        .filter(organizations::id.eq_any(ids))
        .select(OrgRow::as_select())
        .load(conn)
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
        .filter(users::organization_id.eq_any(org_ids))
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
    Ok(get_many(conn, ids)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}
