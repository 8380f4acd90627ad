//! Partner nominations (co-selection). Visible to the developer organization and to every
//! agency (the Government side); partners never see them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::to_db;
use crate::db::schema::{access_grant_grantees, access_grants, designation_requests, nominations};
use crate::db::DbConn;
use crate::domain::nomination::{NominationStatus, Position, Side};
use crate::store::Page;
pub use crate::store::Viewer;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = nominations)]
pub struct NominationRow {
    pub id: String,
    pub model_id: String,
    pub organization_id: String,
    pub partner_org_id: Option<String>,
    pub new_partner_name: Option<String>,
    pub new_partner_type: Option<String>,
    pub new_partner_sector: Option<String>,
    pub new_partner_contact_email: Option<String>,
    pub nominated_by: Side,
    pub nominated_by_user_id: String,
    pub developer_position: Position,
    pub government_position: Position,
    pub rationale: String,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub rescinded_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &NominationRow) -> QueryResult<()> {
    diesel::insert_into(nominations::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The columns an answer writes: both positions, the partner organization once a new partner
/// is selected (`None` leaves it as stored), and `updated_at`.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = nominations)]
struct Answer<'a> {
    developer_position: Position,
    government_position: Position,
    partner_org_id: Option<&'a str>,
    updated_at: NaiveDateTime,
}

/// Records one side's answer, compare-and-set on the positions it was checked against and on
/// the nomination not being rescinded; `false` when either changed meanwhile.
pub fn set_positions(
    conn: &mut DbConn,
    id: &str,
    from: (Position, Position),
    to: (Position, Position),
    partner_org_id: Option<&str>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        nominations::table
            .find(id)
            .filter(nominations::rescinded_at.is_null())
            .filter(nominations::developer_position.eq(from.0))
            .filter(nominations::government_position.eq(from.1)),
    )
    .set(&Answer {
        developer_position: to.0,
        government_position: to.1,
        partner_org_id,
        updated_at: to_db(now),
    })
    .execute(conn)?;
    Ok(n == 1)
}

pub fn get_visible(
    conn: &mut DbConn,
    viewer: &Viewer,
    id: &str,
) -> QueryResult<Option<NominationRow>> {
    let q = nominations::table
        .filter(nominations::id.eq(id))
        .select(NominationRow::as_select())
        .into_boxed();
    let q = match viewer {
        Viewer::Developer(o) => q.filter(nominations::organization_id.eq(o.clone())),
        Viewer::Agency(_) => q,
        Viewer::Partner(_) | Viewer::Operator => return Ok(None),
    };
    q.first(conn).optional()
}

pub fn list_visible(
    conn: &mut DbConn,
    viewer: &Viewer,
    status: Option<NominationStatus>,
    model_id: Option<&str>,
    page: &Page,
) -> QueryResult<Vec<NominationRow>> {
    crate::on_backend!(conn, |c| {
        let mut q = nominations::table
            .select(NominationRow::as_select())
            .into_boxed();
        q = match viewer {
            Viewer::Developer(o) => q.filter(nominations::organization_id.eq(o.clone())),
            Viewer::Agency(_) => q,
            Viewer::Partner(_) | Viewer::Operator => return Ok(vec![]),
        };
        // The derived status as conditions on the stored positions.
        q = match status {
            None => q,
            Some(NominationStatus::Rescinded) => q.filter(nominations::rescinded_at.is_not_null()),
            Some(NominationStatus::Declined) => {
                q.filter(nominations::rescinded_at.is_null()).filter(
                    nominations::developer_position
                        .eq(Position::Decline)
                        .or(nominations::government_position.eq(Position::Decline)),
                )
            }
            Some(NominationStatus::Selected) => q
                .filter(nominations::rescinded_at.is_null())
                .filter(nominations::developer_position.eq(Position::Concur))
                .filter(nominations::government_position.eq(Position::Concur)),
            Some(NominationStatus::Pending) => q
                .filter(nominations::rescinded_at.is_null())
                .filter(nominations::developer_position.ne(Position::Decline))
                .filter(nominations::government_position.ne(Position::Decline))
                .filter(
                    nominations::developer_position
                        .eq(Position::Pending)
                        .or(nominations::government_position.eq(Position::Pending)),
                ),
        };
        if let Some(m) = model_id {
            q = q.filter(nominations::model_id.eq(m.to_string()));
        }
        if let Some(b) = &page.before {
            q = q.filter(nominations::id.lt(b.clone()));
        }
        q.order(nominations::id.desc())
            .limit(page.limit + 1)
            .load(c)
    })
}

/// Whether an agency may refer to a model: it has a submitted designation request (every agency
/// sees those) or a Government access grant to that agency.
pub fn model_known_to_agency(
    conn: &mut DbConn,
    agency_org_id: &str,
    model_id: &str,
) -> QueryResult<bool> {
    let requests: i64 = designation_requests::table
        .filter(designation_requests::model_id.eq(model_id))
        .filter(designation_requests::submitted_at.is_not_null())
        .count()
        .get_result(conn)?;
    if requests > 0 {
        return Ok(true);
    }
    let grants: i64 = access_grants::table
        .inner_join(access_grant_grantees::table)
        .filter(access_grants::model_id.eq(model_id))
        .filter(access_grant_grantees::organization_id.eq(agency_org_id))
        .count()
        .get_result(conn)?;
    Ok(grants > 0)
}

pub fn set_rescinded(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(nominations::table.find(id))
        .set((
            nominations::rescinded_at.eq(to_db(now)),
            nominations::updated_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map(|_| ())
}
