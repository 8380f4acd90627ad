//! Terms versions: immutable once published (there is no update query at all).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::in_list;
use crate::db::schema::{access_grant_grantees, access_grants, partner_grants, terms_versions};
use crate::db::DbConn;
use crate::store::{merge_newest_first, Page};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = terms_versions)]
pub struct TermsRow {
    pub id: String,
    pub organization_id: String,
    pub is_template: bool,
    pub label: String,
    pub confidentiality: String,
    pub cybersecurity: String,
    pub insider_risk: String,
    pub intellectual_property: String,
    pub use_terms: String,
    pub nondisclosure: String,
    pub sha256: String,
    pub created_by_user_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &TermsRow) -> QueryResult<()> {
    diesel::insert_into(terms_versions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Templates plus the organization's own terms, newest first. Two index-ordered range scans
/// (`terms_versions_template_idx`, `terms_versions_org_idx`) of at most a page each, merged
/// by [`merge_newest_first`], instead of one `is_template OR organization_id` that sorts every
/// match.
pub fn list_usable(conn: &mut DbConn, org_id: &str, page: &Page) -> QueryResult<Vec<TermsRow>> {
    crate::on_backend!(conn, |c| {
        let mut templates = terms_versions::table
            .filter(terms_versions::is_template.eq(true))
            .select(TermsRow::as_select())
            .into_boxed();
        let mut own = terms_versions::table
            .filter(terms_versions::organization_id.eq(org_id.to_string()))
            .filter(terms_versions::is_template.eq(false))
            .select(TermsRow::as_select())
            .into_boxed();
        if let Some(b) = &page.before {
            templates = templates.filter(terms_versions::id.lt(b.clone()));
            own = own.filter(terms_versions::id.lt(b.clone()));
        }
        let templates = templates
            .order(terms_versions::id.desc())
            .limit(page.limit + 1)
            .load(c)?;
        let own = own
            .order(terms_versions::id.desc())
            .limit(page.limit + 1)
            .load(c)?;
        Ok(merge_newest_first(
            vec![templates, own],
            page,
            |t: &TermsRow| &t.id,
        ))
    })
}

/// Terms a developer may attach to a grant: a template or its own.
pub fn get_usable(conn: &mut DbConn, org_id: &str, id: &str) -> QueryResult<Option<TermsRow>> {
    terms_versions::table
        .filter(terms_versions::id.eq(id))
        .filter(
            terms_versions::is_template
                .eq(true)
                .or(terms_versions::organization_id.eq(org_id)),
        )
        .select(TermsRow::as_select())
        .first(conn)
        .optional()
}

/// Terms the organization may read: templates, its own, and those of grants it is party to.
pub fn get_visible(conn: &mut DbConn, org_id: &str, id: &str) -> QueryResult<Option<TermsRow>> {
    if let Some(t) = get_usable(conn, org_id, id)? {
        return Ok(Some(t));
    }
    let as_grantee: i64 = access_grants::table
        .inner_join(access_grant_grantees::table)
        .filter(access_grants::terms_version_id.eq(id))
        .filter(access_grant_grantees::organization_id.eq(org_id))
        .count()
        .get_result(conn)?;
    let as_partner: i64 = partner_grants::table
        .filter(partner_grants::terms_version_id.eq(id))
        .filter(partner_grants::partner_org_id.eq(org_id))
        .count()
        .get_result(conn)?;
    if as_grantee + as_partner == 0 {
        return Ok(None);
    }
    terms_versions::table
        .find(id)
        .select(TermsRow::as_select())
        .first(conn)
        .optional()
}

pub fn get_many(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<TermsRow>> {
    crate::on_backend!(conn, |c| terms_versions::table
        .filter(in_list(terms_versions::id, ids))
        .select(TermsRow::as_select())
        .load(c))
}

/// `terms id → (label, sha256)` for a page of grants (one query; the six sections, long texts
/// that only a detail shows, are not read).
pub fn labels(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, (String, String)>> {
    let rows: Vec<(String, String, String)> = crate::on_backend!(conn, |c| terms_versions::table
        .filter(in_list(terms_versions::id, ids))
        .select((
            terms_versions::id,
            terms_versions::label,
            terms_versions::sha256,
        ))
        .load(c))?;
    Ok(rows.into_iter().map(|(id, l, h)| (id, (l, h))).collect())
}

/// The acceptances of one terms version on the grants the organization offered (its own
/// Government and partner grants), newest first: the organization's acceptance and each
/// grantee's, for the organization and personal. One range scan of
/// `terms_acceptances_version_idx`; the grants' owner is checked by two `IN` subqueries on
/// their primary keys.
pub fn acceptances_on_own_grants(
    conn: &mut DbConn,
    org_id: &str,
    terms_id: &str,
    page: &Page,
) -> QueryResult<Vec<crate::store::grants::AcceptanceRow>> {
    use crate::db::schema::terms_acceptances as ta;
    use crate::domain::grant::GrantKind;
    let own_access = access_grants::table
        .filter(access_grants::organization_id.eq(org_id.to_string()))
        .select(access_grants::id);
    let own_partner = partner_grants::table
        .filter(partner_grants::organization_id.eq(org_id.to_string()))
        .select(partner_grants::id);
    let mut q = ta::table
        .filter(ta::terms_version_id.eq(terms_id.to_string()))
        .filter(
            ta::grant_type
                .eq(GrantKind::Access.as_str())
                .and(ta::grant_id.eq_any(own_access))
                .or(ta::grant_type
                    .eq(GrantKind::Partner.as_str())
                    .and(ta::grant_id.eq_any(own_partner))),
        )
        .select(crate::store::grants::AcceptanceRow::as_select())
        .into_boxed();
    if let Some(b) = &page.before {
        q = q.filter(ta::id.lt(b.clone()));
    }
    q.order(ta::id.desc()).limit(page.limit + 1).load(conn)
}
