//! The emails each person turned off (`notification_optouts`). The outbox asks
//! [`opted_out_addresses`] before it queues an optional email; the account page reads and
//! replaces a person's set.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::to_db;
use crate::db::schema::{notification_optouts, users};
use crate::db::{in_list, DbConn};
use crate::domain::notification::Reason;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notification_optouts)]
pub struct OptoutRow {
    pub user_id: String,
    pub reason: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
}

/// The reasons this user turned off. A stored reason the code no longer knows is skipped (it
/// can reach no one).
pub fn disabled_of(conn: &mut DbConn, user_id: &str) -> QueryResult<BTreeSet<Reason>> {
    let rows: Vec<String> = notification_optouts::table
        .filter(notification_optouts::user_id.eq(user_id))
        .select(notification_optouts::reason)
        .load(conn)?;
    Ok(rows.iter().filter_map(|s| Reason::parse(s).ok()).collect())
}

/// Makes `disabled` the user's whole set; answers (turned off, turned on), both empty when the
/// set was already this one.
pub fn replace(
    conn: &mut DbConn,
    user_id: &str,
    disabled: &BTreeSet<Reason>,
    now: DateTime<Utc>,
) -> QueryResult<(Vec<Reason>, Vec<Reason>)> {
    let current = disabled_of(conn, user_id)?;
    let off: Vec<Reason> = disabled.difference(&current).copied().collect();
    let on: Vec<Reason> = current.difference(disabled).copied().collect();
    if !on.is_empty() {
        let names: Vec<&str> = on.iter().map(|r| r.as_str()).collect();
        diesel::delete(
            notification_optouts::table
                .filter(notification_optouts::user_id.eq(user_id))
                .filter(in_list(notification_optouts::reason, &names)),
        )
        .execute(conn)?;
    }
    // One insert per reason: diesel's multi-row insert is not available through the
    // MultiConnection (SQLite's batch form differs), and a person turns off a handful at most.
    for r in &off {
        diesel::insert_into(notification_optouts::table)
            .values(&OptoutRow {
                user_id: user_id.to_string(),
                reason: r.as_str().to_string(),
                created_at: to_db(now),
            })
            .execute(conn)?;
    }
    Ok((off, on))
}

/// Which of these addresses belong to users who turned `reason` off (one query: the users'
/// email index, then the opt-out's primary key).
pub fn opted_out_addresses(
    conn: &mut DbConn,
    addresses: &[&str],
    reason: Reason,
) -> QueryResult<BTreeSet<String>> {
    if addresses.is_empty() {
        return Ok(BTreeSet::new());
    }
    let rows: Vec<String> = notification_optouts::table
        .inner_join(users::table)
        .filter(in_list(users::email, addresses))
        .filter(notification_optouts::reason.eq(reason.as_str()))
        .select(users::email)
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
