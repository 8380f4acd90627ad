//! Models, owned by one developer organization.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::clock::from_db;
use crate::db::in_list;
use crate::db::schema::{access_grants, models};
use crate::db::DbConn;
use crate::domain::ids::{GrantId, ModelId, OrgId};
use crate::domain::window::{effective_interval, Interval};
use crate::store::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = models)]
pub struct ModelRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub version: String,
    pub description: String,
    pub modality: String,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub planned_partner_release_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub released_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &ModelRow) -> QueryResult<()> {
    diesel::insert_into(models::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// A model of `org_id` (another organization's model is "not found").
pub fn get_owned(conn: &mut DbConn, org_id: &OrgId, id: &ModelId) -> QueryResult<Option<ModelRow>> {
    models::table
        .filter(models::organization_id.eq(org_id))
        .filter(models::id.eq(id))
        .select(ModelRow::as_select())
        .first(conn)
        .optional()
}

/// Any model by id — only for code that has already established visibility through another
/// record (a designation request, grant or nomination the caller can see).
pub fn get_any(conn: &mut DbConn, id: &ModelId) -> QueryResult<Option<ModelRow>> {
    models::table
        .find(id)
        .select(ModelRow::as_select())
        .first(conn)
        .optional()
}

/// `model id → (name, version)` for a page of records that name models (one query; the
/// description, a long text, is not read).
pub fn names(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, (String, String)>> {
    let rows: Vec<(String, String, String)> = crate::on_backend!(conn, |c| models::table
        .filter(in_list(models::id, ids))
        .select((models::id, models::name, models::version))
        .load(c))?;
    Ok(rows.into_iter().map(|(id, n, v)| (id, (n, v))).collect())
}

pub fn list_owned(
    conn: &mut DbConn,
    org_id: &OrgId,
    released: Option<bool>,
    page: &Page,
) -> QueryResult<Vec<ModelRow>> {
    crate::on_backend!(conn, |c| {
        let mut q = models::table
            .filter(models::organization_id.eq(org_id))
            .select(ModelRow::as_select())
            .into_boxed();
        match released {
            Some(true) => q = q.filter(models::released_at.is_not_null()),
            Some(false) => q = q.filter(models::released_at.is_null()),
            None => {}
        }
        if let Some(b) = &page.before {
            q = q.filter(models::id.lt(b.clone()));
        }
        q.order(models::id.desc()).limit(page.limit + 1).load(c)
    })
}

/// The columns an edit of a model writes (an update form): `None` leaves a column as stored;
/// `Some(None)` clears the planned partner release.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = models)]
pub struct ModelChange {
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub modality: Option<String>,
    pub planned_partner_release_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn apply_change(conn: &mut DbConn, id: &ModelId, change: &ModelChange) -> QueryResult<()> {
    diesel::update(models::table.find(id))
        .set(change)
        .execute(conn)
        .map(|_| ())
}

/// Marks the model released now; `false` if it already was.
pub fn set_released(conn: &mut DbConn, id: &ModelId, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(models::table.find(id).filter(models::released_at.is_null()))
        .set((models::released_at.eq(now), models::updated_at.eq(now)))
        .execute(conn)?;
    Ok(n == 1)
}

/// The Government windows of each model (ended ones up to when they ended), optionally leaving
/// one grant out (the one being edited). One query for all the models asked about.
pub fn government_windows(
    conn: &mut DbConn,
    model_ids: &[String],
    except_grant: Option<&GrantId>,
) -> QueryResult<Vec<(String, Interval)>> {
    let rows: Vec<(
        String,
        String,
        NaiveDateTime,
        NaiveDateTime,
        Option<NaiveDateTime>,
    )> = access_grants::table
        .filter(in_list(access_grants::model_id, model_ids))
        .select((
            access_grants::id,
            access_grants::model_id,
            access_grants::starts_at,
            access_grants::ends_at,
            access_grants::ended_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(id, ..)| except_grant.is_none_or(|g| *id != *g))
        .map(|(_, m, s, e, ended)| {
            (
                m,
                effective_interval(from_db(s), from_db(e), ended.map(from_db)),
            )
        })
        .collect())
}
