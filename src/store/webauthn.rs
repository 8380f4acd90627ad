//! Passkeys (WebAuthn): a user's registered credentials and the server side of each ceremony in
//! progress. Every write here runs inside the caller's `db::tx`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::to_db;
use crate::db::schema::{webauthn_ceremonies, webauthn_credentials};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webauthn_credentials)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: String,
    /// The credential id, base64url without padding.
    pub credential_id: String,
    pub name: String,
    /// webauthn-rs's `Passkey`, as JSON (public key and counter only).
    pub passkey: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub last_used_at: Option<NaiveDateTime>,
}

/// The user's passkeys, oldest first.
pub fn passkeys_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<PasskeyRow>> {
    webauthn_credentials::table
        .filter(webauthn_credentials::user_id.eq(user_id))
        .order((
            webauthn_credentials::created_at.asc(),
            webauthn_credentials::id.asc(),
        ))
        .select(PasskeyRow::as_select())
        .load(conn)
}

/// "The user has a passkey" as SQL.
#[diesel::dsl::auto_type]
#[allow(non_camel_case_types)]
pub fn passkey_registered(user_id: String) -> _ {
    diesel::dsl::exists(
        webauthn_credentials::table.filter(webauthn_credentials::user_id.eq(user_id)),
    )
}

pub fn has_passkey(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    diesel::select(passkey_registered(user_id.to_string())).get_result(conn)
}

pub fn credential_taken(conn: &mut DbConn, credential_id: &str) -> QueryResult<bool> {
    let n: i64 = webauthn_credentials::table
        .filter(webauthn_credentials::credential_id.eq(credential_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert_passkey(conn: &mut DbConn, row: &PasskeyRow) -> QueryResult<()> {
    diesel::insert_into(webauthn_credentials::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// After a sign-in or step-up with it: the new counter/backup state and the time of use.
pub fn passkey_used(
    conn: &mut DbConn,
    id: &str,
    passkey: Option<&str>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let q = diesel::update(webauthn_credentials::table.find(id));
    match passkey {
        Some(p) => q
            .set((
                webauthn_credentials::passkey.eq(p),
                webauthn_credentials::last_used_at.eq(to_db(now)),
            ))
            .execute(conn),
        None => q
            .set(webauthn_credentials::last_used_at.eq(to_db(now)))
            .execute(conn),
    }
    .map(|_| ())
}

/// Removes the user's passkey `id`; returns its name, or None when the user has no such passkey
/// (another user's id included).
pub fn remove_passkey(conn: &mut DbConn, user_id: &str, id: &str) -> QueryResult<Option<String>> {
    diesel::delete(
        webauthn_credentials::table
            .filter(webauthn_credentials::id.eq(id))
            .filter(webauthn_credentials::user_id.eq(user_id)),
    )
    .returning(webauthn_credentials::name)
    .get_result(conn)
    .optional()
}

/// What a ceremony is for; part of its key, so a registration's state cannot finish a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Register,
    SignIn,
    StepUp,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::SignIn => "sign_in",
            Purpose::StepUp => "step_up",
        }
    }
}

/// Starts a ceremony: replaces any earlier one of the same user, purpose and binding (only the
/// newest challenge can finish) and drops the user's expired ones.
pub fn put_ceremony(
    conn: &mut DbConn,
    user_id: &str,
    purpose: Purpose,
    binding: &str,
    state: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(
        webauthn_ceremonies::table
            .filter(webauthn_ceremonies::user_id.eq(user_id))
            .filter(
                webauthn_ceremonies::expires_at
                    .le(to_db(now))
                    .or(webauthn_ceremonies::purpose
                        .eq(purpose.as_str())
                        .and(webauthn_ceremonies::binding.eq(binding))),
            ),
    )
    .execute(conn)?;
    diesel::insert_into(webauthn_ceremonies::table)
        .values((
            webauthn_ceremonies::id.eq(crate::store::new_id()),
            webauthn_ceremonies::user_id.eq(user_id),
            webauthn_ceremonies::purpose.eq(purpose.as_str()),
            webauthn_ceremonies::binding.eq(binding),
            webauthn_ceremonies::state.eq(state),
            webauthn_ceremonies::created_at.eq(to_db(now)),
            webauthn_ceremonies::expires_at.eq(to_db(expires)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Takes the ceremony state to finish it: deleted in the same statement, so it is used once
/// whatever the outcome (two finishes raced, only one gets it). None when there is none, it
/// expired, or it was used.
pub fn take_ceremony(
    conn: &mut DbConn,
    user_id: &str,
    purpose: Purpose,
    binding: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<String>> {
    let rows: Vec<(String, NaiveDateTime)> = diesel::delete(
        webauthn_ceremonies::table
            .filter(webauthn_ceremonies::user_id.eq(user_id))
            .filter(webauthn_ceremonies::purpose.eq(purpose.as_str()))
            .filter(webauthn_ceremonies::binding.eq(binding)),
    )
    .returning((webauthn_ceremonies::state, webauthn_ceremonies::expires_at))
    .get_results(conn)?;
    Ok(rows
        .into_iter()
        .find(|(_, exp)| *exp > to_db(now))
        .map(|(s, _)| s))
}
