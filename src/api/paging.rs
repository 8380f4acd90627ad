//! The list conventions of the API: `?limit=&cursor=` in, `{items, next_cursor}` out. The
//! query string is checked here (422 on a bad limit or cursor) and handed to the store as a
//! plain [`Page`].

use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};
use crate::store::{Page, DEFAULT_LIMIT, MAX_LIMIT};

/// `?limit=&cursor=` of every list (keyset pagination over UUID v7 ids, newest first).
#[derive(Debug, Clone, Deserialize, Default, utoipa::IntoParams)]
pub struct PageQuery {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
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
