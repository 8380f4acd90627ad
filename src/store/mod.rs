//! Diesel queries, one module per aggregate. Functions take `&mut DbConn`; every read on behalf
//! of a request takes the caller's organization and scopes by it, so there is no unscoped
//! "find by id" a handler could misuse.

pub mod accounts;
pub mod designations;
pub mod grants;
pub mod models;
pub mod nominations;
pub mod orgs;
pub mod terms;

use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// `?limit=&cursor=` of every list (keyset pagination over UUID v7 ids, newest first).
#[derive(Debug, Clone, Deserialize, Default, utoipa::IntoParams)]
pub struct PageQuery {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub limit: i64,
    /// Only ids strictly below this one (ids are time-ordered UUID v7).
    pub before: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> Result<Page, AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::validation(vec![FieldError::new(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            )]));
        }
        let before = match &self.cursor {
            None => None,
            Some(c) if c.is_empty() => None,
            Some(c) => {
                let ok = uuid::Uuid::parse_str(c).is_ok();
                if !ok {
                    return Err(AppError::validation(vec![FieldError::new(
                        "cursor",
                        "is not a cursor returned by this list",
                    )]));
                }
                Some(c.clone())
            }
        };
        Ok(Page { limit, before })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    /// Builds a page from up to `limit + 1` rows (the extra row only says there is more).
    pub fn from_rows(mut rows: Vec<T>, page: &Page, id_of: impl Fn(&T) -> String) -> Self {
        let more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        let next_cursor = if more { rows.last().map(&id_of) } else { None };
        Paged {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
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
