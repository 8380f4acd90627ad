//! OpenID Connect single sign-on: the identities linked to accounts, and the server side of each
//! sign-in attempt between the start route and the provider's callback. Every write here runs
//! inside the caller's `db::tx`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::to_db;
use crate::db::schema::{oidc_attempts, oidc_identities};
use crate::db::DbConn;

/// What the start route keeps for the callback (never sent to the browser but `state`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oidc_attempts)]
pub struct AttemptRow {
    /// The `state` parameter: random, unique, the key of the attempt.
    pub state: String,
    /// The configured provider's name (`auth.oidc.<name>`).
    pub provider: String,
    /// SHA-256 (hex) of the attempt cookie's value.
    pub binding: String,
    pub nonce: String,
    pub pkce_verifier: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub expires_at: NaiveDateTime,
}

/// Stores a new attempt, and drops attempts that expired (no job needed: each start sweeps).
pub fn put_attempt(conn: &mut DbConn, row: &AttemptRow, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::delete(oidc_attempts::table.filter(oidc_attempts::expires_at.le(to_db(now))))
        .execute(conn)?;
    diesel::insert_into(oidc_attempts::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Takes the attempt named by `state` for its callback: deleted in the same statement, so it is
/// used once whatever the outcome (a replayed or raced callback finds nothing). None when there
/// is none, it was used, or it expired.
pub fn take_attempt(
    conn: &mut DbConn,
    state: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<AttemptRow>> {
    let rows: Vec<AttemptRow> =
        diesel::delete(oidc_attempts::table.filter(oidc_attempts::state.eq(state)))
            .returning((
                oidc_attempts::state,
                oidc_attempts::provider,
                oidc_attempts::binding,
                oidc_attempts::nonce,
                oidc_attempts::pkce_verifier,
                oidc_attempts::created_at,
                oidc_attempts::expires_at,
            ))
            .get_results(conn)?;
    Ok(rows.into_iter().find(|a| a.expires_at > to_db(now)))
}

/// The account linked to the provider's subject, if any.
pub fn linked_user(
    conn: &mut DbConn,
    provider: &str,
    subject: &str,
) -> QueryResult<Option<String>> {
    oidc_identities::table
        .find((provider, subject))
        .select(oidc_identities::user_id)
        .first(conn)
        .optional()
}

/// Records a sign-in through a linked identity.
pub fn touch_identity(
    conn: &mut DbConn,
    provider: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(oidc_identities::table.find((provider, subject)))
        .set(oidc_identities::last_used_at.eq(Some(to_db(now))))
        .execute(conn)
        .map(|_| ())
}

/// Links the provider's subject to `user_id` (the email it had then is kept for the record).
pub fn link(
    conn: &mut DbConn,
    provider: &str,
    subject: &str,
    user_id: &str,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(oidc_identities::table)
        .values((
            oidc_identities::provider.eq(provider),
            oidc_identities::subject.eq(subject),
            oidc_identities::user_id.eq(user_id),
            oidc_identities::email.eq(email),
            oidc_identities::created_at.eq(to_db(now)),
            oidc_identities::last_used_at.eq(Some(to_db(now))),
        ))
        .execute(conn)
        .map(|_| ())
}
