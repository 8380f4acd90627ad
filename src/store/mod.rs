//! Diesel queries, one module per aggregate. Functions take `&mut DbConn`; every read on behalf
//! of a request takes the caller's organization and scopes by it, so there is no unscoped
//! "find by id" a handler could misuse.
//!
//! Nothing here knows HTTP: functions answer diesel's `QueryResult`, and the query-string
//! shapes (`PageQuery`, `Paged`) live in `api::paging`, which turns them into a [`Page`].

pub mod accounts;
pub mod audit;
pub mod designations;
pub mod grants;
pub mod mfa;
pub mod models;
pub mod nominations;
pub mod notifications;
pub mod oidc;
pub mod orgs;
pub mod terms;
pub mod webauthn;

use crate::domain::ids::OrgId;

/// Who is reading, as every visibility-scoped query sees it: the caller's organization by kind.
/// Each query decides what that kind sees (an agency sees every submitted designation request
/// but only the access grants it is a grantee of); a kind that sees nothing of a record type
/// gets nothing without a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Developer(OrgId),
    Agency(OrgId),
    Partner(OrgId),
    Operator,
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Clone)]
pub struct Page {
    pub limit: i64,
    /// Only ids strictly below this one (ids are time-ordered UUID v7).
    pub before: Option<String>,
}

/// One page of a list that is read as several index-ordered range scans (one per index, each
/// newest first and at most a page long), merged here: so a list over "these rows or those"
/// never asks the database to sort everything that matches.
pub fn merge_newest_first<T>(parts: Vec<Vec<T>>, page: &Page, id: impl Fn(&T) -> &str) -> Vec<T> {
    let mut rows: Vec<T> = parts.into_iter().flatten().collect();
    rows.sort_by(|a, b| id(b).cmp(id(a)));
    rows.truncate(page.limit as usize + 1);
    rows
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
