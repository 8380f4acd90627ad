//! Users, sessions, personal API tokens, single-use email links and the sign-in throttle.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::{from_db, to_db};
use crate::db::in_list;
use crate::db::schema::{
    api_tokens, audit_head, email_tokens, login_throttle, organizations, sessions, users,
};
use crate::db::DbConn;
use crate::domain::session::TokenScope;
use crate::store::orgs::OrgRow;
use crate::store::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub name: String,
    pub org_role: String,
    pub password_hash: Option<String>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub email_verified_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub disabled_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
}

pub use crate::domain::membership::UserStatus;

impl UserRow {
    /// Where the account stands (`invited` until it joins, by password or single sign-on).
    pub fn status(&self) -> UserStatus {
        UserStatus::of(
            self.disabled_at.is_some(),
            self.password_hash.is_some(),
            self.email_verified_at.is_some(),
        )
    }
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn insert_user(conn: &mut DbConn, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn user_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<(UserRow, OrgRow)>> {
    users::table
        .inner_join(organizations::table)
        .filter(users::email.eq(normalize_email(email)))
        .select((UserRow::as_select(), OrgRow::as_select()))
        .first(conn)
        .optional()
}

pub fn user_with_org(conn: &mut DbConn, user_id: &str) -> QueryResult<(UserRow, OrgRow)> {
    users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(user_id))
        .select((UserRow::as_select(), OrgRow::as_select()))
        .first(conn)
}

/// What a request's actor is built from, in one statement: the user, its organization, the
/// organization's own "require a second factor" flag and its deactivation time, and whether
/// the user has a second factor (`store::mfa::factor_exists`: two `EXISTS` on their user
/// indexes). A primary-key lookup read without `LIMIT`: SQLite recompiles a
/// statement whose `LIMIT` is a bound value each time it is bound again, and this one runs on
/// every request.
pub fn actor_rows(conn: &mut DbConn, user_id: &str) -> QueryResult<ActorRows> {
    type Rows = (
        UserRow,
        OrgRow,
        bool,
        Option<NaiveDateTime>,
        bool,
        Option<i64>,
        Option<i64>,
    );
    let (user, org, org_requires_mfa, deactivated_at, has_factor, records, trail) =
        crate::on_backend!(conn, |c| users::table
            .inner_join(organizations::table)
            .filter(users::id.eq(user_id))
            .select((
                UserRow::as_select(),
                OrgRow::as_select(),
                organizations::mfa_required,
                organizations::deactivated_at,
                crate::store::mfa::factor_exists(user_id),
                audit_head::table
                    .filter(audit_head::id.eq(1))
                    .select(audit_head::records_seq)
                    .single_value(),
                audit_head::table
                    .filter(audit_head::id.eq(1))
                    .select(audit_head::last_seq)
                    .single_value(),
            ))
            .load::<Rows>(c))?
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)?;
    Ok(ActorRows {
        user,
        org,
        org_requires_mfa,
        deactivated_at,
        has_factor,
        versions: DataVersions {
            records: records.unwrap_or(0),
            trail: trail.unwrap_or(0),
        },
    })
}

/// The rows of [`actor_rows`].
#[derive(Debug)]
pub struct ActorRows {
    pub user: UserRow,
    pub org: OrgRow,
    pub org_requires_mfa: bool,
    pub deactivated_at: Option<NaiveDateTime>,
    /// As [`crate::store::mfa::has_factor`] answers.
    pub has_factor: bool,
    /// Where the audit trail stood when the actor was read (`api::page_cache`).
    pub versions: DataVersions,
}

/// Where the audit trail stood, read in one statement with the request's actor: every state
/// change appends one event in its own transaction, under the one write lock (`db::write_tx`),
/// so the numbers grow in commit order, on every instance, and everything the request reads
/// afterwards is at least this new.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DataVersions {
    /// The last event that changed a record a list shows (`AuditAction::changes_records`).
    pub records: i64,
    /// The last event of all (the audit trail's own list).
    pub trail: i64,
}

pub fn email_exists(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    let n: i64 = users::table
        .filter(users::email.eq(normalize_email(email)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A user of `org_id` (scoped: another organization's user is "not found").
pub fn user_in_org(conn: &mut DbConn, org_id: &str, user_id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::organization_id.eq(org_id))
        .filter(users::id.eq(user_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn users_of_org(conn: &mut DbConn, org_id: &str) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::organization_id.eq(org_id))
        .order(users::id.asc())
        .select(UserRow::as_select())
        .load(conn)
}

pub fn users_by_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(in_list(users::id, ids))
        .select(UserRow::as_select())
        .load(conn)
}

/// Admins (enabled) of an organization, e.g. to notify them.
pub fn admin_emails(conn: &mut DbConn, org_id: &str) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::organization_id.eq(org_id))
        .filter(users::org_role.eq("admin"))
        .filter(users::disabled_at.is_null())
        .filter(users::password_hash.is_not_null())
        .select(users::email)
        .load(conn)
}

/// What the operators' users list is narrowed to (`GET /admin/users?q=&status=&organization_id=`).
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// A substring of the name or the address, case folded.
    pub search: Option<crate::store::designations::Search>,
    pub status: Option<UserStatus>,
    pub organization_id: Option<String>,
}

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Every user (operators' view), newest first, narrowed by `filter`. The page is read in id
/// order through the primary key (or `users_org_idx (organization_id, id)` for one
/// organization); the search and the status are conditions on each row, so no filter adds a sort.
pub fn list_users(
    conn: &mut DbConn,
    filter: &UserFilter,
    page: &Page,
) -> QueryResult<Vec<(UserRow, OrgRow)>> {
    let mut q = users::table
        .inner_join(organizations::table)
        .select((UserRow::as_select(), OrgRow::as_select()))
        .into_boxed();
    if let Some(org) = &filter.organization_id {
        q = q.filter(users::organization_id.eq(org.clone()));
    }
    if let Some(search) = &filter.search {
        let pattern = || lower(search.pattern().to_string());
        q = q.filter(
            lower(users::name)
                .like(pattern())
                .escape('\\')
                .or(lower(users::email).like(pattern()).escape('\\')),
        );
    }
    match filter.status {
        None => {}
        Some(UserStatus::Disabled) => q = q.filter(users::disabled_at.is_not_null()),
        Some(UserStatus::Invited) => {
            q = q
                .filter(users::disabled_at.is_null())
                .filter(users::password_hash.is_null())
                .filter(users::email_verified_at.is_null())
        }
        Some(UserStatus::Active) => {
            q = q.filter(users::disabled_at.is_null()).filter(
                users::password_hash
                    .is_not_null()
                    .or(users::email_verified_at.is_not_null()),
            )
        }
    }
    if let Some(b) = &page.before {
        q = q.filter(users::id.lt(b.clone()));
    }
    q.order(users::id.desc()).limit(page.limit + 1).load(conn)
}

/// The admins of `org_id` other than `except_user_id`, active and invited (disabled ones
/// count for nothing): what [`crate::domain::membership`] needs to keep an organization an admin.
pub fn other_admins(
    conn: &mut DbConn,
    org_id: &str,
    except_user_id: &str,
) -> QueryResult<crate::domain::membership::OtherAdmins> {
    let rows: Vec<(Option<String>, Option<NaiveDateTime>)> = users::table
        .filter(users::organization_id.eq(org_id))
        .filter(users::org_role.eq("admin"))
        .filter(users::disabled_at.is_null())
        .filter(users::id.ne(except_user_id))
        .select((users::password_hash, users::email_verified_at))
        .load(conn)?;
    let invited = rows
        .iter()
        .filter(|(p, v)| p.is_none() && v.is_none())
        .count() as i64;
    Ok(crate::domain::membership::OtherAdmins {
        active: rows.len() as i64 - invited,
        invited,
    })
}

/// Sets the user's role in its organization (an update of that one column).
pub fn set_role(conn: &mut DbConn, user_id: &str, role: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::org_role.eq(role))
        .execute(conn)
        .map(|_| ())
}

/// Every user of an organization, for ending all their credentials at once (deactivation).
pub fn user_ids_of_org(conn: &mut DbConn, org_id: &str) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::organization_id.eq(org_id))
        .select(users::id)
        .load(conn)
}

pub fn set_password(conn: &mut DbConn, user_id: &str, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
        .map(|_| ())
}

pub fn set_name(conn: &mut DbConn, user_id: &str, name: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::name.eq(name))
        .execute(conn)
        .map(|_| ())
}

pub fn mark_verified(conn: &mut DbConn, user_id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(to_db(now)))
    .execute(conn)
    .map(|_| ())
}

pub fn set_disabled(
    conn: &mut DbConn,
    user_id: &str,
    at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::disabled_at.eq(at.map(to_db)))
        .execute(conn)
        .map(|_| ())
}

// ---- sessions ----

pub const SESSION_IDLE: Duration = Duration::minutes(15);
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often per session.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub last_seen_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub expires_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub revoked_at: Option<NaiveDateTime>,
    /// When a second factor was last used on this session.
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub mfa_at: Option<NaiveDateTime>,
    /// The browser's `User-Agent` at sign-in (at most 512 characters), shown as a label.
    pub user_agent: Option<String>,
    /// The client address at sign-in (see `auth::throttle::client_ip`).
    pub ip: Option<String>,
}

pub fn insert_session(conn: &mut DbConn, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn session(conn: &mut DbConn, id: &str) -> QueryResult<Option<SessionRow>> {
    crate::on_backend!(conn, |c| sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(c)
        .optional())
}

pub fn touch_session(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(to_db(now)))
        .execute(conn)
        .map(|_| ())
}

pub fn revoke_session(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(to_db(now)))
    .execute(conn)
    .map(|_| ())
}

/// Ends every credential of a user — each session **and** each personal API token — in the
/// caller's transaction (password reset, disable: DESIGN §6). Re-enabling a user clears nothing
/// here, so it revives none of them.
pub fn revoke_user_credentials(
    conn: &mut DbConn,
    user_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(to_db(now)))
    .execute(conn)?;
    diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(to_db(now)))
    .execute(conn)?;
    Ok(())
}

/// Ends every session and API token of every user of an organization (its deactivation), in
/// two updates.
pub fn revoke_org_credentials(
    conn: &mut DbConn,
    org_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let members = users::table
        .filter(users::organization_id.eq(org_id.to_string()))
        .select(users::id);
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq_any(members))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(to_db(now)))
    .execute(conn)?;
    let members = users::table
        .filter(users::organization_id.eq(org_id.to_string()))
        .select(users::id);
    diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq_any(members))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(to_db(now)))
    .execute(conn)?;
    Ok(())
}

/// Whether a session is usable at `now`: not revoked, inside the absolute lifetime, not idle.
pub fn session_live(s: &SessionRow, now: DateTime<Utc>) -> bool {
    s.revoked_at.is_none()
        && now < from_db(s.expires_at)
        && now - from_db(s.last_seen_at) < SESSION_IDLE
}

/// The user's live sessions (not ended, inside both lifetimes), newest first: the sessions page.
/// One range scan of `sessions_user_created_idx`.
pub fn live_sessions_of(
    conn: &mut DbConn,
    user_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(to_db(now)))
        .filter(sessions::last_seen_at.gt(to_db(now - SESSION_IDLE)))
        .order((sessions::created_at.desc(), sessions::id.desc()))
        .select(SessionRow::as_select())
        .load(conn)
}

/// Ends one of the user's own sessions (at once, if it is still live); false when it is not
/// theirs (→ 404).
pub fn end_session_of(
    conn: &mut DbConn,
    user_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let mine: bool = diesel::select(diesel::dsl::exists(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id)),
    ))
    .get_result(conn)?;
    if mine {
        revoke_session(conn, id, now)?;
    }
    Ok(mine)
}

/// The distinct `User-Agent`s of the user's sessions begun since `since` (the new-browser
/// check), and whether the user ever had a session at all.
pub fn user_agents_since(
    conn: &mut DbConn,
    user_id: &str,
    since: DateTime<Utc>,
) -> QueryResult<(Vec<Option<String>>, bool)> {
    let agents: Vec<Option<String>> = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::created_at.ge(to_db(since)))
        .select(sessions::user_agent)
        .distinct()
        .load(conn)?;
    let ever = !agents.is_empty()
        || diesel::select(diesel::dsl::exists(
            sessions::table.filter(sessions::user_id.eq(user_id)),
        ))
        .get_result(conn)?;
    Ok((agents, ever))
}

// ---- API tokens ----

pub const API_TOKEN_LIFETIME: Duration = Duration::days(90);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub expires_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub last_used_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub revoked_at: Option<NaiveDateTime>,
    /// Made on a session that had just passed a second factor: satisfies step-up.
    pub mfa: bool,
    pub scope: TokenScope,
}

pub fn insert_api_token(conn: &mut DbConn, row: &ApiTokenRow) -> QueryResult<()> {
    diesel::insert_into(api_tokens::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn api_token(conn: &mut DbConn, id: &str) -> QueryResult<Option<ApiTokenRow>> {
    crate::on_backend!(conn, |c| api_tokens::table
        .find(id)
        .select(ApiTokenRow::as_select())
        .first(c)
        .optional())
}

pub fn api_tokens_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ApiTokenRow>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::revoked_at.is_null())
        .order(api_tokens::id.desc())
        .select(ApiTokenRow::as_select())
        .load(conn)
}

/// Revokes one of the user's own tokens; returns false when it is not theirs (→ 404).
pub fn revoke_api_token(
    conn: &mut DbConn,
    user_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let Some(tok) = api_tokens::table
        .filter(api_tokens::id.eq(id))
        .filter(api_tokens::user_id.eq(user_id))
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(false);
    };
    if tok.revoked_at.is_none() {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::revoked_at.eq(to_db(now)))
            .execute(conn)?;
    }
    Ok(true)
}

pub fn touch_api_token(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(to_db(now)))
        .execute(conn)
        .map(|_| ())
}

// ---- single-use email links ----

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_tokens)]
pub struct EmailTokenRow {
    pub id: String,
    pub purpose: String,
    pub user_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub expires_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert_email_token(conn: &mut DbConn, row: &EmailTokenRow) -> QueryResult<()> {
    diesel::insert_into(email_tokens::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Claims a link: marks it used if it is unused, unexpired and of `purpose`. Returns the user.
pub fn use_email_token(
    conn: &mut DbConn,
    id: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<String>> {
    let Some(row) = email_tokens::table
        .find(id)
        .filter(email_tokens::purpose.eq(purpose))
        .select(EmailTokenRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    if row.used_at.is_some() || now >= from_db(row.expires_at) {
        return Ok(None);
    }
    let n = diesel::update(
        email_tokens::table
            .find(id)
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(to_db(now)))
    .execute(conn)?;
    Ok((n == 1).then_some(row.user_id))
}

/// The user a link is for while it is usable (unused, unexpired, of `purpose`), without using it.
pub fn email_token_user(
    conn: &mut DbConn,
    id: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<String>> {
    let row = email_tokens::table
        .find(id)
        .filter(email_tokens::purpose.eq(purpose))
        .select(EmailTokenRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row
        .filter(|r| r.used_at.is_none() && now < from_db(r.expires_at))
        .map(|r| r.user_id))
}

/// Invalidates earlier unused links of one purpose (a new reset link replaces the old one).
pub fn expire_email_tokens(
    conn: &mut DbConn,
    user_id: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(to_db(now)))
    .execute(conn)
    .map(|_| ())
}

// ---- sign-in throttle ----

/// Failures before the first lockout; each further failure doubles it (1 min, 2, 4 … 60 min).
pub const FREE_FAILURES: i32 = 5;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = login_throttle)]
pub struct ThrottleRow {
    pub email: String,
    pub failures: i32,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub locked_until: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub updated_at: NaiveDateTime,
}

/// Seconds the submitted email is still locked for, if it is.
pub fn locked_for(conn: &mut DbConn, email: &str, now: DateTime<Utc>) -> QueryResult<Option<i64>> {
    let row = login_throttle::table
        .find(normalize_email(email))
        .select(ThrottleRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row
        .and_then(|r| r.locked_until)
        .map(|t| (from_db(t) - now).num_seconds())
        .filter(|s| *s > 0))
}

pub fn lockout_for(failures: i32) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let exp = (failures - FREE_FAILURES).min(6) as u32;
    Some(Duration::minutes(2i64.pow(exp).min(60)))
}

/// Opens one password attempt on `email` (sign-in, or confirming an email address): while the
/// address is locked, `Err(seconds left)`; otherwise the attempt is counted as a failure
/// **before** its password is checked, so attempts that arrive at once are each counted and,
/// once the lockout starts, none of the later ones reaches argon2. A right password then takes
/// the count back ([`clear_failures`], or [`forgive_one_failure`]). Call inside `db::write_tx`.
pub fn begin_attempt(
    conn: &mut DbConn,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<Result<(), i64>> {
    if let Some(secs) = locked_for(conn, email, now)? {
        return Ok(Err(secs));
    }
    record_failure(conn, email, now)?;
    Ok(Ok(()))
}

/// Counts one failed (or not yet checked) attempt and starts the lockout when due. Call inside
/// `db::write_tx`, whose lock makes the read-then-write safe against parallel attempts.
pub fn record_failure(conn: &mut DbConn, email: &str, now: DateTime<Utc>) -> QueryResult<()> {
    let email = normalize_email(email);
    let existing = login_throttle::table
        .find(&email)
        .select(ThrottleRow::as_select())
        .first(conn)
        .optional()?;
    let failures = existing.as_ref().map(|r| r.failures).unwrap_or(0) + 1;
    let locked_until = lockout_for(failures).map(|d| to_db(now + d));
    if existing.is_some() {
        diesel::update(login_throttle::table.find(&email))
            .set((
                login_throttle::failures.eq(failures),
                login_throttle::locked_until.eq(locked_until),
                login_throttle::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(login_throttle::table)
            .values(&ThrottleRow {
                email,
                failures,
                locked_until,
                updated_at: to_db(now),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// Takes back one failure counted by [`record_failure`] (a sign-in attempt counted before its
/// password was checked, whose password turned out right), leaving earlier failures counted.
pub fn forgive_one_failure(conn: &mut DbConn, email: &str, now: DateTime<Utc>) -> QueryResult<()> {
    let email = normalize_email(email);
    let Some(row) = login_throttle::table
        .find(&email)
        .select(ThrottleRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(());
    };
    let failures = (row.failures - 1).max(0);
    diesel::update(login_throttle::table.find(&email))
        .set((
            login_throttle::failures.eq(failures),
            login_throttle::locked_until.eq(lockout_for(failures).map(|d| to_db(now + d))),
            login_throttle::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn clear_failures(conn: &mut DbConn, email: &str) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find(normalize_email(email)))
        .execute(conn)
        .map(|_| ())
}

/// `user id → name` for a page of records that name users (one query).
pub fn user_names(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, String>> {
    // Only the two columns (a whole row would read, among others, the password hash).
    let rows: Vec<(String, String)> = crate::on_backend!(conn, |c| users::table
        .filter(in_list(users::id, ids))
        .select((users::id, users::name))
        .load(c))?;
    Ok(rows.into_iter().collect())
}
