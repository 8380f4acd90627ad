//! Designation requests, their consultations and message threads.
//!
//! Visibility (DESIGN.md §1): the developer organization sees its own requests in every state;
//! every agency sees every request that was ever submitted (a draft withdrawn before submission
//! stays the developer's alone); nobody else sees any.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::to_db;
use crate::db::in_list;
use crate::db::schema::{
    consultations, designation_messages, designation_requests, models, organizations,
};
use crate::db::DbConn;
use crate::domain::designation::{DesignationStatus, MessageKind, AWAITING_GOVERNMENT, FINAL};
use crate::store::Page;
pub use crate::store::Viewer;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = designation_requests)]
pub struct RequestRow {
    pub id: String,
    pub model_id: String,
    pub organization_id: String,
    pub status: DesignationStatus,
    pub summary: String,
    pub capability_evidence: String,
    /// A calendar date (no time of day, no zone): the day the developer would like an answer by.
    pub requested_response_by: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub submitted_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub withdrawn_at: Option<NaiveDateTime>,
    pub assigned_to_user_id: Option<String>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub assigned_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub determined_at: Option<NaiveDateTime>,
    pub outcome: Option<String>,
    pub rationale: Option<String>,
    pub benchmark_ref: Option<String>,
    pub determined_by_user_id: Option<String>,
    pub created_by_user_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub updated_at: NaiveDateTime,
}

/// What a developer files: the request as a draft, nothing reviewed yet.
pub struct NewRequest {
    pub model_id: String,
    pub organization_id: String,
    pub created_by_user_id: String,
    pub summary: String,
    pub capability_evidence: String,
    pub requested_response_by: Option<NaiveDate>,
}

impl RequestRow {
    /// A new draft with a fresh id, created at `now`.
    pub fn draft(new: NewRequest, now: DateTime<Utc>) -> RequestRow {
        RequestRow {
            id: crate::store::new_id(),
            model_id: new.model_id,
            organization_id: new.organization_id,
            status: DesignationStatus::Draft,
            summary: new.summary,
            capability_evidence: new.capability_evidence,
            requested_response_by: new.requested_response_by,
            submitted_at: None,
            withdrawn_at: None,
            assigned_to_user_id: None,
            assigned_at: None,
            determined_at: None,
            outcome: None,
            rationale: None,
            benchmark_ref: None,
            determined_by_user_id: None,
            created_by_user_id: new.created_by_user_id,
            created_at: to_db(now),
            updated_at: to_db(now),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultations)]
pub struct ConsultationRow {
    pub id: String,
    pub request_id: String,
    pub agency_code: String,
    pub position: String,
    pub note: String,
    pub recorded_by_user_id: String,
    pub organization_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = designation_messages)]
pub struct MessageRow {
    pub id: String,
    pub request_id: String,
    pub author_user_id: String,
    pub author_org_id: String,
    pub kind: MessageKind,
    pub body: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
}

/// Who is looking, as far as designation requests are concerned.
pub fn insert(conn: &mut DbConn, row: &RequestRow) -> QueryResult<()> {
    diesel::insert_into(designation_requests::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The columns one state change of a request writes (an update form, as Lemmy's
/// `PostUpdateForm`): `None` leaves a column as stored, so a change never writes back a copy of
/// a column that another change may have set meanwhile.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = designation_requests)]
pub struct RequestChange {
    pub status: Option<DesignationStatus>,
    pub summary: Option<String>,
    pub capability_evidence: Option<String>,
    /// `Some(None)` clears the date.
    pub requested_response_by: Option<Option<NaiveDate>>,
    pub submitted_at: Option<NaiveDateTime>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub assigned_to_user_id: Option<String>,
    pub assigned_at: Option<NaiveDateTime>,
    pub determined_at: Option<NaiveDateTime>,
    pub outcome: Option<String>,
    pub rationale: Option<String>,
    pub benchmark_ref: Option<String>,
    pub determined_by_user_id: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Applies `change` only if the request is still in status `from` (compare-and-set on the state
/// the transition was checked against); `false` when it is not.
pub fn apply_change(
    conn: &mut DbConn,
    id: &str,
    from: DesignationStatus,
    change: &RequestChange,
) -> QueryResult<bool> {
    let n = diesel::update(
        designation_requests::table
            .filter(designation_requests::id.eq(id))
            .filter(designation_requests::status.eq(from)),
    )
    .set(change)
    .execute(conn)?;
    Ok(n == 1)
}

/// The developer's open request (any state but `determined` or `withdrawn`) for a model, if
/// there is one: a second request for the same model version is refused while one is open
/// (through `designation_requests_model_idx`).
pub fn open_for_model(
    conn: &mut DbConn,
    organization_id: &str,
    model_id: &str,
) -> QueryResult<Option<RequestRow>> {
    designation_requests::table
        .filter(designation_requests::model_id.eq(model_id))
        .filter(designation_requests::organization_id.eq(organization_id))
        .filter(designation_requests::status.ne_all(FINAL))
        .order(designation_requests::id.desc())
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

pub fn get_visible(
    conn: &mut DbConn,
    viewer: &Viewer,
    id: &str,
) -> QueryResult<Option<RequestRow>> {
    let q = designation_requests::table
        .filter(designation_requests::id.eq(id))
        .select(RequestRow::as_select())
        .into_boxed();
    let q = match viewer {
        Viewer::Developer(org) => q.filter(designation_requests::organization_id.eq(org.clone())),
        Viewer::Agency(_) => q.filter(designation_requests::submitted_at.is_not_null()),
        Viewer::Partner(_) | Viewer::Operator => return Ok(None),
    };
    q.first(conn).optional()
}

/// Which of the visible requests a list shows (every field optional; all given ones apply).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<DesignationStatus>,
    pub model_id: Option<String>,
    /// Case-insensitive substring of the model's name, the developer organization's name or the
    /// request's summary (see [`Search`]).
    pub search: Option<Search>,
    pub assigned: Option<Assigned>,
    /// Only overdue requests: the response date's day is over everywhere before this date
    /// (`domain::designation::latest_day_under_way`) and the request awaits the Government.
    pub overdue_before: Option<NaiveDate>,
}

/// The `assigned` filter of the review queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    /// Assigned to this user.
    To(String),
    /// Assigned to nobody.
    Nobody,
}

/// At most this many characters are searched for (the handler answers 422 beyond it). A
/// substring match has no index: a page walks the visible rows newest first until it holds a
/// page of matches (every visible row when few match), and the bound keeps each comparison cheap.
pub const SEARCH_MAX_CHARS: usize = 100;

/// A substring to look for, as a `LIKE` pattern whose wildcards are escaped (`\`), so `%`, `_`
/// and `\` in the text match themselves. Case is folded by SQL `lower()` on both sides, which is
/// the same on both backends for ASCII; PostgreSQL also folds other letters, SQLite does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search(String);

impl Search {
    pub fn contains(text: &str) -> Self {
        let mut pattern = String::with_capacity(text.len() + 2);
        pattern.push('%');
        for c in text.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        Search(pattern)
    }

    pub fn pattern(&self) -> &str {
        &self.0
    }
}

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The visible requests narrowed by `filter`, as a boxed query (`None`: the viewer sees none).
/// Every list order reads through it, so each applies the same visibility and filters. The
/// filters are conditions on each row (the model's and the developer's names an `EXISTS` on
/// their primary keys), so none adds a sort.
macro_rules! visible_filtered {
    ($viewer:expr, $filter:expr) => {{
        let viewer = $viewer;
        let filter = $filter;
        let q = designation_requests::table
            .select(RequestRow::as_select())
            .into_boxed();
        match viewer {
            Viewer::Developer(org) => {
                Some(q.filter(designation_requests::organization_id.eq(org.clone())))
            }
            Viewer::Agency(_) => Some(q.filter(designation_requests::submitted_at.is_not_null())),
            Viewer::Partner(_) | Viewer::Operator => None,
        }
        .map(|mut q| {
            if let Some(s) = filter.status {
                q = q.filter(designation_requests::status.eq(s));
            }
            if let Some(m) = &filter.model_id {
                q = q.filter(designation_requests::model_id.eq(m.clone()));
            }
            if let Some(search) = &filter.search {
                let pattern = || lower(search.pattern().to_string());
                let model_named = diesel::dsl::exists(
                    models::table
                        .filter(models::id.eq(designation_requests::model_id))
                        .filter(lower(models::name).like(pattern()).escape('\\')),
                );
                let developer_named = diesel::dsl::exists(
                    organizations::table
                        .filter(organizations::id.eq(designation_requests::organization_id))
                        .filter(lower(organizations::name).like(pattern()).escape('\\')),
                );
                q = q.filter(
                    lower(designation_requests::summary)
                        .like(pattern())
                        .escape('\\')
                        .or(model_named)
                        .or(developer_named),
                );
            }
            match &filter.assigned {
                None => {}
                Some(Assigned::To(user)) => {
                    q = q.filter(designation_requests::assigned_to_user_id.eq(user.clone()))
                }
                Some(Assigned::Nobody) => {
                    q = q.filter(designation_requests::assigned_to_user_id.is_null())
                }
            }
            if let Some(day) = filter.overdue_before {
                q = q
                    // `NOT (due >= day)`, the same rows as `due < day` (NULL stays out): SQLite would
                // read `due < day` as a range of the response-date index and sort the page by
                // id, where the newest-first page must be one scan in id order.
                .filter(diesel::dsl::not(
                    designation_requests::requested_response_by.ge(day),
                ))
                    // The complement as `NOT IN`: an `IN` list would lead SQLite to read the status
                    // index once per value and sort, where this page must be one scan in id order.
                    .filter(
                        designation_requests::status.ne_all(
                            DesignationStatus::ALL
                                .iter()
                                .copied()
                                .filter(|s| !AWAITING_GOVERNMENT.contains(s))
                                .collect::<Vec<_>>(),
                        ),
                    );
            }
            q
        })
    }};
}

/// One page of the requests `viewer` may see, newest first, narrowed by `filter`. The page is
/// read in id order through the same index as without filters, so no filter adds a sort.
pub fn list_visible(
    conn: &mut DbConn,
    viewer: &Viewer,
    filter: &ListFilter,
    page: &Page,
) -> QueryResult<Vec<RequestRow>> {
    crate::on_backend!(conn, |c| {
        let Some(mut q) = visible_filtered!(viewer, filter) else {
            return Ok(vec![]);
        };
        if let Some(b) = &page.before {
            q = q.filter(designation_requests::id.lt(b.clone()));
        }
        q.order(designation_requests::id.desc())
            .limit(page.limit + 1)
            .load(c)
    })
}

/// Where a page of the review queue sorted by response date resumes: after this request, which
/// had this requested response date (`None`: among the requests without one, which come last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseCursor {
    pub response_by: Option<NaiveDate>,
    pub id: String,
}

/// One page of the requests `viewer` may see, soonest requested response date first, requests
/// without a date last, ties by id (oldest first), narrowed by `filter`; up to `limit + 1` rows.
///
/// Keyset on `(requested_response_by, id)`, read as two index-ordered range scans of at most a
/// page each: the dated requests after the cursor, then the undated ones (the two backends put
/// NULLs at opposite ends of an index, so neither is asked to order them). Both statements run
/// on every page (the second with `LIMIT 0` when the first filled it), so a page costs the same
/// statements whatever its size. Through `designation_requests_response_by_idx` for agencies
/// and `designation_requests_org_response_by_idx` for a developer.
pub fn list_visible_by_response_date(
    conn: &mut DbConn,
    viewer: &Viewer,
    filter: &ListFilter,
    after: Option<&ResponseCursor>,
    limit: i64,
) -> QueryResult<Vec<RequestRow>> {
    use designation_requests::{id, requested_response_by as due};
    let want = limit + 1;
    let Some(q) = visible_filtered!(viewer, filter) else {
        return Ok(vec![]);
    };
    let mut rows: Vec<RequestRow> = match after {
        // The cursor is already among the undated ones: nothing dated is left.
        Some(ResponseCursor {
            response_by: None, ..
        }) => vec![],
        Some(ResponseCursor {
            response_by: Some(d),
            id: after_id,
        }) => q
            .filter(due.ge(*d))
            .filter(due.gt(*d).or(id.gt(after_id.clone())))
            .order((due.asc(), id.asc()))
            .limit(want)
            .load(conn)?,
        None => q
            .filter(due.is_not_null())
            .order((due.asc(), id.asc()))
            .limit(want)
            .load(conn)?,
    };
    let Some(mut q) = visible_filtered!(viewer, filter) else {
        return Ok(vec![]);
    };
    q = q.filter(due.is_null());
    if let Some(ResponseCursor {
        response_by: None,
        id: after_id,
    }) = after
    {
        q = q.filter(id.gt(after_id.clone()));
    }
    let left = want - rows.len() as i64;
    // Ordered by the index's own columns (the date is NULL throughout), so the scan needs no sort.
    rows.extend(q.order((due.asc(), id.asc())).limit(left).load(conn)?);
    Ok(rows)
}

pub fn consultations_of(
    conn: &mut DbConn,
    request_ids: &[String],
) -> QueryResult<Vec<ConsultationRow>> {
    consultations::table
        .filter(in_list(consultations::request_id, request_ids))
        .order(consultations::id.asc())
        .select(ConsultationRow::as_select())
        .load(conn)
}

pub fn insert_consultation(conn: &mut DbConn, row: &ConsultationRow) -> QueryResult<()> {
    diesel::insert_into(consultations::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_message(conn: &mut DbConn, row: &MessageRow) -> QueryResult<()> {
    diesel::insert_into(designation_messages::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The thread, oldest first (keyset on id, after `after`).
pub fn messages(
    conn: &mut DbConn,
    request_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<MessageRow>> {
    let mut q = designation_messages::table
        .filter(designation_messages::request_id.eq(request_id))
        .select(MessageRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(designation_messages::id.gt(a.to_string()));
    }
    q.order(designation_messages::id.asc())
        .limit(limit)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::Search;

    #[test]
    fn a_search_escapes_the_like_wildcards_and_the_escape_itself() {
        assert_eq!(Search::contains("Aurora").pattern(), "%Aurora%");
        assert_eq!(Search::contains("50%_a\\b").pattern(), "%50\\%\\_a\\\\b%");
    }
}
