//! What the message threads share — a designation request's (developer ⇄ reviewers) and a
//! grant's (developer ⇄ grantee side): the authors' names and organizations, loaded for a page in
//! one `IN` query each (no N+1). Both threads take a plain-text `body` through `api::required`
//! and page oldest first through `paging::Paged::from_rows` (`?cursor=` is the last id of the
//! previous page; ids are time-ordered UUID v7).

use std::collections::HashMap;

use crate::db::DbConn;
use crate::error::AppResult;
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
