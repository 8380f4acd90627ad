//! The one shape every resource's handlers read and answer through:
//!
//! - [`Visible`]: a record the caller may see, found by its id, else 404 (the same answer as
//!   for a record that does not exist, so a hidden record is never confirmed). [`load`] is the
//!   only way a handler reads one record.
//! - [`View`]: the JSON of a page of rows, built in a fixed number of statements (one `IN`
//!   query per kind of related row, never one per row); a single record is the page of one
//!   row ([`View::one`]), so a detail and its list item never disagree.

use chrono::{DateTime, Utc};

use crate::api::first;
use crate::auth::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// A kind of record that the caller may or may not see.
pub trait Visible: Sized {
    type Id: ?Sized;
    /// The record with this id if `actor` may see it.
    fn find_visible(conn: &mut DbConn, actor: &Actor, id: &Self::Id) -> AppResult<Option<Self>>;
}

/// The record with this id that `actor` may see, or 404.
pub fn load<T: Visible>(conn: &mut DbConn, actor: &Actor, id: &T::Id) -> AppResult<T> {
    T::find_visible(conn, actor, id)?.ok_or_else(AppError::not_found)
}

/// The JSON a resource is served as, for `actor` at `now` (statuses and who sees what depend
/// on both).
pub trait View: Sized {
    type Row;
    /// The views of a page of rows, in their order, in a fixed number of statements.
    fn page(
        conn: &mut DbConn,
        actor: &Actor,
        now: DateTime<Utc>,
        rows: Vec<Self::Row>,
    ) -> AppResult<Vec<Self>>;

    /// The view of one row: the page of one.
    fn one(
        conn: &mut DbConn,
        actor: &Actor,
        now: DateTime<Utc>,
        row: Self::Row,
    ) -> AppResult<Self> {
        first(Self::page(conn, actor, now, vec![row])?)
    }
}
