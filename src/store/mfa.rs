//! Second factors: a user's TOTP factor, recovery codes, the factor time of a session, and an
//! organization's own "require a second factor" flag. Every write here runs inside the caller's
//! `db::tx`, whose write lock serializes it with every other write on both backends. TOTP
//! seeds are sealed here on the way in and opened on the way out (`auth::sealed`): no caller
//! handles the stored form.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::auth::sealed::{totp_context, Sealer};
use crate::clock::to_db;
use crate::db::schema::{api_tokens, organizations, recovery_codes, sessions, totp_factors};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = totp_factors)]
pub struct TotpRow {
    pub user_id: String,
    pub secret: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub confirmed_at: Option<NaiveDateTime>,
    pub last_step: Option<i64>,
}

/// The user's authenticator app with its seed opened. A seed that does not open (sealed with
/// another `auth.mfa_key`, or altered) comes back empty, so no code matches it, and is logged.
pub fn totp_of(conn: &mut DbConn, sealer: &Sealer, user_id: &str) -> QueryResult<Option<TotpRow>> {
    let row: Option<TotpRow> = totp_factors::table
        .find(user_id)
        .select(TotpRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(|mut r| {
        r.secret = match sealer.open(&totp_context(user_id), &r.secret) {
            Some(plain) => plain,
            None => {
                tracing::warn!(
                    "an authenticator-app secret does not open with auth.mfa_key (was the key changed?)"
                );
                String::new()
            }
        };
        r
    }))
}

/// Seals every seed stored before sealing existed (run at start-up; a no-op once done).
/// Each row is rewritten only while it is still unsealed, so instances starting together
/// cannot seal a seed twice.
pub fn reseal_legacy_totp(conn: &mut DbConn, sealer: &Sealer) -> QueryResult<usize> {
    let legacy: Vec<(String, String)> = totp_factors::table
        .filter(totp_factors::secret.not_like("v1:%"))
        .select((totp_factors::user_id, totp_factors::secret))
        .load(conn)?;
    let mut n = 0;
    for (user_id, plain) in legacy {
        n += diesel::update(
            totp_factors::table
                .filter(totp_factors::user_id.eq(&user_id))
                .filter(totp_factors::secret.eq(&plain)),
        )
        .set(totp_factors::secret.eq(sealer.seal(&totp_context(&user_id), &plain)))
        .execute(conn)?;
    }
    Ok(n)
}

/// "The user has a second factor" as SQL: a confirmed authenticator app or a passkey. The one
/// definition, read by [`has_factor`] and inside the statement that builds every request's actor
/// (`store::accounts::actor_rows`).
pub fn factor_exists(
    user_id: &str,
) -> diesel::dsl::Or<totp_confirmed, crate::store::webauthn::passkey_registered> {
    totp_confirmed(user_id.to_string()).or(crate::store::webauthn::passkey_registered(
        user_id.to_string(),
    ))
}

/// "The user has a confirmed authenticator app" as SQL.
#[diesel::dsl::auto_type]
#[allow(non_camel_case_types)]
pub fn totp_confirmed(user_id: String) -> _ {
    diesel::dsl::exists(
        totp_factors::table
            .filter(totp_factors::user_id.eq(user_id))
            .filter(totp_factors::confirmed_at.is_not_null()),
    )
}

/// Whether the user has a second factor ([`factor_exists`]).
pub fn has_factor(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    diesel::select(factor_exists(user_id)).get_result(conn)
}

/// Whether the user has a confirmed authenticator app.
pub fn has_totp(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    diesel::select(totp_confirmed(user_id.to_string())).get_result(conn)
}

/// Starts (or restarts) a pending enrolment with a new secret. A confirmed factor is never
/// replaced here (the caller answers 409 first).
pub fn put_pending_totp(
    conn: &mut DbConn,
    sealer: &Sealer,
    user_id: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(
        totp_factors::table
            .filter(totp_factors::user_id.eq(user_id))
            .filter(totp_factors::confirmed_at.is_null()),
    )
    .execute(conn)?;
    diesel::insert_into(totp_factors::table)
        .values(&TotpRow {
            user_id: user_id.to_string(),
            secret: sealer.seal(&totp_context(user_id), secret),
            created_at: to_db(now),
            confirmed_at: None,
            last_step: None,
        })
        .execute(conn)
        .map(|_| ())
}

/// Records `step` as used, only if it is later than the last used step: the compare-and-set
/// that makes each code work once. Returns false when the step was already used (or an earlier
/// one was used after it).
pub fn use_totp_step(conn: &mut DbConn, user_id: &str, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        totp_factors::table
            .filter(totp_factors::user_id.eq(user_id))
            .filter(
                totp_factors::last_step
                    .is_null()
                    .or(totp_factors::last_step.lt(step)),
            ),
    )
    .set(totp_factors::last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn confirm_totp(conn: &mut DbConn, user_id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(totp_factors::table.find(user_id))
        .set(totp_factors::confirmed_at.eq(to_db(now)))
        .execute(conn)
        .map(|_| ())
}

/// Removes the authenticator app, and every recovery code unless a passkey remains; returns
/// whether there was a confirmed authenticator app.
pub fn remove_factor(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    let had = has_totp(conn, user_id)?;
    diesel::delete(totp_factors::table.filter(totp_factors::user_id.eq(user_id))).execute(conn)?;
    if !crate::store::webauthn::has_passkey(conn, user_id)? {
        remove_recovery_codes(conn, user_id)?;
    }
    Ok(had)
}

/// Removes every recovery code of the user (when their last factor goes).
pub fn remove_recovery_codes(conn: &mut DbConn, user_id: &str) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)
        .map(|_| ())
}

/// Replaces the user's recovery codes by `hashes`.
pub fn put_recovery_codes(
    conn: &mut DbConn,
    user_id: &str,
    hashes: &[String],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    for h in hashes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::id.eq(crate::store::new_id()),
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(h),
                recovery_codes::created_at.eq(to_db(now)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Uses the unused recovery code with this hash; false when there is none (wrong or used).
/// One conditional update, so a code raced from two places is used once.
pub fn use_recovery_code(
    conn: &mut DbConn,
    user_id: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(to_db(now)))
    .execute(conn)?;
    Ok(n > 0)
}

pub fn unused_recovery_codes(conn: &mut DbConn, user_id: &str) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

/// A factor was used on this session now (sign-in with a code, enrolment, step-up).
pub fn mark_session_mfa(
    conn: &mut DbConn,
    session_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::mfa_at.eq(to_db(now)))
        .execute(conn)
        .map(|_| ())
}

pub fn session_mfa_at(conn: &mut DbConn, session_id: &str) -> QueryResult<Option<NaiveDateTime>> {
    sessions::table
        .find(session_id)
        .select(sessions::mfa_at)
        .first(conn)
        .optional()
        .map(Option::flatten)
}

pub fn mark_token_mfa(conn: &mut DbConn, token_id: &str) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(token_id))
        .set(api_tokens::mfa.eq(true))
        .execute(conn)
        .map(|_| ())
}

pub fn token_mfa(conn: &mut DbConn, token_id: &str) -> QueryResult<bool> {
    api_tokens::table
        .find(token_id)
        .select(api_tokens::mfa)
        .first(conn)
}

pub fn org_requires_mfa(conn: &mut DbConn, org_id: &str) -> QueryResult<bool> {
    organizations::table
        .find(org_id)
        .select(organizations::mfa_required)
        .first(conn)
}

/// Sets the organization's own flag; returns whether it changed.
pub fn set_org_requires_mfa(conn: &mut DbConn, org_id: &str, on: bool) -> QueryResult<bool> {
    let n = diesel::update(
        organizations::table
            .find(org_id)
            .filter(organizations::mfa_required.ne(on)),
    )
    .set(organizations::mfa_required.eq(on))
    .execute(conn)?;
    Ok(n > 0)
}
