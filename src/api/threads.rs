//! What the message threads share — a designation request's (developer ⇄ reviewers) and a
//! grant's (developer ⇄ grantee side): a plain-text `body`, trimmed and bounded; pages oldest
//! first (`?cursor=` is the last id of the previous page, ids are time-ordered UUID v7); and the
//! authors' names and organizations, loaded for a page in one `IN` query each (no N+1).

use std::collections::HashMap;

use crate::api::required;
use crate::db::DbConn;
use crate::error::{AppResult, FieldError};
use crate::store::{accounts, orgs};

/// The names of a page's authors and their organizations.
pub struct Authors {
    users: HashMap<String, String>,
    orgs: HashMap<String, String>,
}

impl Authors {
    /// Loads the names of `(author_user_id, author_org_id)` pairs.
    pub fn load<'a>(
        conn: &mut DbConn,
        pairs: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> AppResult<Authors> {
        let (uids, oids): (Vec<String>, Vec<String>) =
            pairs.map(|(u, o)| (u.to_string(), o.to_string())).unzip();
        Ok(Authors {
            users: accounts::user_names(conn, &uids)?,
            orgs: orgs::names(conn, &oids)?,
        })
    }

    pub fn user(&self, id: &str) -> String {
        self.users.get(id).cloned().unwrap_or_default()
    }

    pub fn org(&self, id: &str) -> String {
        self.orgs.get(id).cloned().unwrap_or_default()
    }
}

/// The message text of a post: required, trimmed, at most `max` characters as sent; an error
/// names the field `body`.
pub fn body_text(errors: &mut Vec<FieldError>, body: &str, max: usize) -> String {
    required(errors, "body", body, max)
}

/// Up to `limit + 1` rows of a thread → the page and its `next_cursor` (the last id shown).
pub fn page_of<T>(
    mut rows: Vec<T>,
    limit: i64,
    id_of: impl Fn(&T) -> &str,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| id_of(r).to_string())
    } else {
        None
    };
    (rows, next)
}
