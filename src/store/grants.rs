//! Grants: Government access grants (`access`) and partner early-access grants (`partner`).
//! Both kinds share one mechanism for terms acceptances, rosters and personal
//! acknowledgments, keyed by `(grant_type, grant_id)`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::{from_db, to_db};
use crate::db::in_list;
use crate::db::schema::{
    access_grant_grantees, access_grants, access_log_entries, grant_declines, grant_messages,
    partner_grants, roster_entries, terms_acceptances,
};
use crate::db::DbConn;
pub use crate::domain::grant::GrantKind;
use crate::domain::grant::{Grant, GrantStatus, MessageSide};
use crate::domain::ids::{GrantId, OrgId, UserId};
use crate::store::Page;
use crate::store::Viewer;

/// A Government access grant as a list reads it: every column a list item shows. The access
/// instructions (only the detail answers them) and the issuer's and reminder job's bookkeeping
/// are in the full row, [`AccessGrantRow`], which embeds this one.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_grants)]
pub struct AccessGrantListRow {
    pub id: String,
    pub model_id: String,
    pub organization_id: String,
    pub access_mode: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub starts_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub ends_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub ended_at: Option<NaiveDateTime>,
    pub terms_version_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub terms_completed_at: Option<NaiveDateTime>,
}

/// A Government access grant, every column: what a list reads (`head`) and the rest.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_grants)]
pub struct AccessGrantRow {
    #[diesel(embed)]
    pub head: AccessGrantListRow,
    pub access_instructions: String,
    pub created_by_user_id: String,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub start_notice_sent_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub end_notice_sent_at: Option<NaiveDateTime>,
}

/// A partner grant as a list reads it: every column a list item shows. The access instructions
/// (up to 20,000 characters; only the detail carries them) and the reminder job's and the
/// issuer's bookkeeping are in the full row, [`PartnerGrantRow`], which embeds this one.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = partner_grants)]
pub struct PartnerGrantListRow {
    pub id: String,
    pub nomination_id: String,
    pub model_id: String,
    pub organization_id: String,
    pub partner_org_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub starts_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub ends_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub revoked_at: Option<NaiveDateTime>,
    pub terms_version_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub terms_completed_at: Option<NaiveDateTime>,
}

/// A partner grant, every column: what a list reads (`head`) and the rest.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = partner_grants)]
pub struct PartnerGrantRow {
    #[diesel(embed)]
    pub head: PartnerGrantListRow,
    pub access_instructions: String,
    pub created_by_user_id: String,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub start_notice_sent_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub end_notice_sent_at: Option<NaiveDateTime>,
}

impl AccessGrantListRow {
    /// The grant as the rules see it, with its grantee agencies.
    pub fn grant(&self, grantee_org_ids: Vec<String>) -> Grant {
        Grant {
            kind: GrantKind::Access,
            id: self.id.clone().into(),
            model_id: self.model_id.clone().into(),
            developer_org_id: self.organization_id.clone().into(),
            grantee_org_ids: grantee_org_ids.into_iter().map(OrgId::from).collect(),
            terms_version_id: self.terms_version_id.clone().into(),
            starts_at: from_db(self.starts_at),
            ends_at: from_db(self.ends_at),
            ended_at: self.ended_at.map(from_db),
            terms_accepted: self.terms_completed_at.is_some(),
        }
    }
}

impl PartnerGrantListRow {
    /// The grant as the rules see it (the partner is its one grantee; `revoked_at` is its end).
    pub fn grant(&self) -> Grant {
        Grant {
            kind: GrantKind::Partner,
            id: self.id.clone().into(),
            model_id: self.model_id.clone().into(),
            developer_org_id: self.organization_id.clone().into(),
            grantee_org_ids: vec![self.partner_org_id.clone().into()],
            terms_version_id: self.terms_version_id.clone().into(),
            starts_at: from_db(self.starts_at),
            ends_at: from_db(self.ends_at),
            ended_at: self.revoked_at.map(from_db),
            terms_accepted: self.terms_completed_at.is_some(),
        }
    }
}

impl AccessGrantRow {
    /// The grant as the rules see it, with its grantee agencies.
    pub fn grant(&self, grantee_org_ids: Vec<String>) -> Grant {
        self.head.grant(grantee_org_ids)
    }
}

impl PartnerGrantRow {
    /// The grant as the rules see it.
    pub fn grant(&self) -> Grant {
        self.head.grant()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = terms_acceptances)]
pub struct AcceptanceRow {
    pub id: String,
    pub grant_type: String,
    pub grant_id: String,
    /// `organization` (an admin accepting for the organization) or `individual` (a rostered
    /// person's own acknowledgment).
    pub scope: String,
    pub organization_id: String,
    pub user_id: String,
    pub terms_version_id: String,
    pub terms_sha256: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub accepted_at: NaiveDateTime,
}

/// A grantee organization's decline of an offered grant (one per grantee, like its acceptance).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_declines)]
pub struct DeclineRow {
    pub id: String,
    pub grant_type: String,
    pub grant_id: String,
    pub organization_id: String,
    pub user_id: String,
    pub reason: Option<String>,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub declined_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = roster_entries)]
pub struct RosterRow {
    pub id: String,
    pub grant_type: String,
    pub grant_id: String,
    pub user_id: String,
    pub organization_id: String,
    pub added_by_user_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub added_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub acknowledged_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::MaybeStamp)]
    pub removed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_log_entries)]
pub struct AccessLogRow {
    pub id: String,
    pub grant_id: String,
    pub user_id: String,
    pub organization_id: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub occurred_at: NaiveDateTime,
    pub kind: String,
    pub duration_minutes: i32,
    pub summary: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
    /// The entry this one corrects (an entry of the same grant), if it is a correction.
    pub corrects_entry_id: Option<String>,
}

/// A message of a grant's thread (append-only: never updated).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_messages)]
pub struct GrantMessageRow {
    pub id: String,
    pub grant_type: String,
    pub grant_id: String,
    pub author_user_id: String,
    pub author_org_id: String,
    pub side: MessageSide,
    pub body: String,
    #[diesel(deserialize_as = crate::db::Stamp)]
    pub created_at: NaiveDateTime,
}

// ---- access grants ----

pub fn insert_access(
    conn: &mut DbConn,
    row: &AccessGrantRow,
    grantees: &[String],
) -> QueryResult<()> {
    diesel::insert_into(access_grants::table)
        .values(row)
        .execute(conn)?;
    for g in grantees {
        diesel::insert_into(access_grant_grantees::table)
            .values((
                access_grant_grantees::grant_id.eq(&row.head.id),
                access_grant_grantees::organization_id.eq(g),
            ))
            .execute(conn)?;
    }
    Ok(())
}

// Each state change of a grant writes only its own columns (never a row read earlier), so a
// change can never undo another one: ending a grant leaves the terms acceptance alone, and so on.

/// Moves the end of an access grant's window.
pub fn set_access_ends_at(
    conn: &mut DbConn,
    id: &GrantId,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(access_grants::table.find(id))
        .set((
            access_grants::ends_at.eq(to_db(ends_at)),
            access_grants::updated_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Ends an access grant now; `false` if it had already been ended.
pub fn end_access(conn: &mut DbConn, id: &GrantId, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(
        access_grants::table
            .find(id)
            .filter(access_grants::ended_at.is_null()),
    )
    .set((
        access_grants::ended_at.eq(to_db(now)),
        access_grants::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// An access grant visible to `org_id`: its developer, or one of its grantee agencies.
pub fn get_access_visible(
    conn: &mut DbConn,
    org_id: &OrgId,
    id: &GrantId,
) -> QueryResult<Option<AccessGrantRow>> {
    let grantee = access_grant_grantees::table
        .filter(access_grant_grantees::organization_id.eq(org_id.clone()))
        .select(access_grant_grantees::grant_id);
    access_grants::table
        .filter(access_grants::id.eq(id))
        .filter(
            access_grants::organization_id
                .eq(org_id)
                .or(access_grants::id.eq_any(grantee)),
        )
        .select(AccessGrantRow::as_select())
        .first(conn)
        .optional()
}

/// Filters on a derived status, written as conditions on the stored timestamps.
macro_rules! status_filter {
    ($q:expr, $t:ident, $closed:ident, $status:expr, $now:expr) => {{
        let now = $now;
        let q = $q;
        match $status {
            None => q,
            Some(GrantStatus::Ended) | Some(GrantStatus::Revoked) => {
                q.filter($t::$closed.is_not_null())
            }
            Some(GrantStatus::Expired) => {
                q.filter($t::$closed.is_null()).filter($t::ends_at.le(now))
            }
            Some(GrantStatus::AwaitingTerms) => q
                .filter($t::$closed.is_null())
                .filter($t::ends_at.gt(now))
                .filter($t::terms_completed_at.is_null()),
            Some(GrantStatus::Scheduled) => q
                .filter($t::$closed.is_null())
                .filter($t::ends_at.gt(now))
                .filter($t::terms_completed_at.is_not_null())
                .filter($t::starts_at.gt(now)),
            Some(GrantStatus::Active) => q
                .filter($t::$closed.is_null())
                .filter($t::ends_at.gt(now))
                .filter($t::terms_completed_at.is_not_null())
                .filter($t::starts_at.le(now)),
        }
    }};
}

/// Who lists Government access grants: the developer that offered them, or a grantee agency.
/// One page of the grants a viewer sees, newest first: the developer's through
/// `access_grants_org_idx`, an agency's through `access_grant_grantees_org_idx` (its grantee
/// rows are ordered by grant id), so neither sorts the rows it can see.
pub fn list_access_visible(
    conn: &mut DbConn,
    viewer: &Viewer,
    status: Option<GrantStatus>,
    model_id: Option<&str>,
    now: DateTime<Utc>,
    page: &Page,
) -> QueryResult<Vec<AccessGrantListRow>> {
    {
        // The same filters and keyset on either index; only the ordering column differs.
        macro_rules! page {
            ($c:ident, $q:expr, $key:expr) => {{
                let mut q = status_filter!($q, access_grants, ended_at, status, to_db(now));
                if let Some(m) = model_id {
                    q = q.filter(access_grants::model_id.eq(m.to_string()));
                }
                if let Some(b) = &page.before {
                    q = q.filter($key.lt(b.clone()));
                }
                q.order($key.desc()).limit(page.limit + 1).load($c)
            }};
        }
        crate::on_backend!(conn, |c| match viewer {
            Viewer::Developer(org) => page!(
                c,
                access_grants::table
                    .filter(access_grants::organization_id.eq(org.clone()))
                    .select(AccessGrantListRow::as_select())
                    .into_boxed(),
                access_grants::id
            ),
            Viewer::Agency(org) => page!(
                c,
                access_grant_grantees::table
                    .inner_join(access_grants::table)
                    .filter(access_grant_grantees::organization_id.eq(org.clone()))
                    .select(AccessGrantListRow::as_select())
                    .into_boxed(),
                access_grant_grantees::grant_id
            ),
            // Partners and operators are never parties to a Government grant.
            Viewer::Partner(_) | Viewer::Operator => Ok(vec![]),
        })
    }
}

/// `(grant_id, grantee org id)` for the given grants.
pub fn grantees_of(conn: &mut DbConn, grant_ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    crate::on_backend!(conn, |c| access_grant_grantees::table
        .filter(in_list(access_grant_grantees::grant_id, grant_ids))
        .select((
            access_grant_grantees::grant_id,
            access_grant_grantees::organization_id,
        ))
        .load(c))
}

// ---- partner grants ----

pub fn insert_partner(conn: &mut DbConn, row: &PartnerGrantRow) -> QueryResult<()> {
    diesel::insert_into(partner_grants::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Moves the end of a partner grant's window (only these columns: a concurrent revoke or
/// acceptance stays as it is).
pub fn set_partner_ends_at(
    conn: &mut DbConn,
    id: &GrantId,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(partner_grants::table.find(id))
        .set((
            partner_grants::ends_at.eq(to_db(ends_at)),
            partner_grants::updated_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The windows of a developer's open partner grants (not revoked, not yet expired) to one
/// partner for one model, leaving out `except` (the grant being changed): what a partner
/// window's overlap warning compares against.
pub fn open_partner_windows(
    conn: &mut DbConn,
    developer_org_id: &str,
    partner_org_id: &str,
    model_id: &str,
    now: DateTime<Utc>,
    except: Option<&str>,
) -> QueryResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    let mut q = partner_grants::table
        .filter(partner_grants::organization_id.eq(developer_org_id.to_string()))
        .filter(partner_grants::partner_org_id.eq(partner_org_id.to_string()))
        .filter(partner_grants::model_id.eq(model_id.to_string()))
        .filter(partner_grants::revoked_at.is_null())
        .filter(partner_grants::ends_at.gt(to_db(now)))
        .select((partner_grants::starts_at, partner_grants::ends_at))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(partner_grants::id.ne(id.to_string()));
    }
    q.order(partner_grants::id.asc()).load(conn)
}

/// Revokes a partner grant now; `false` if it had already been revoked.
pub fn revoke_partner(conn: &mut DbConn, id: &GrantId, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(
        partner_grants::table
            .find(id)
            .filter(partner_grants::revoked_at.is_null()),
    )
    .set((
        partner_grants::revoked_at.eq(to_db(now)),
        partner_grants::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Who sees partner grants: the developer and the partner; every agency sees their metadata.
/// Each kind of viewer has its own index (lists are one index-ordered range scan a page).
pub fn get_partner_visible(
    conn: &mut DbConn,
    viewer: &Viewer,
    id: &GrantId,
) -> QueryResult<Option<PartnerGrantRow>> {
    let q = partner_grants::table
        .filter(partner_grants::id.eq(id))
        .select(PartnerGrantRow::as_select())
        .into_boxed();
    let q = match viewer {
        Viewer::Developer(o) => q.filter(partner_grants::organization_id.eq(o.clone())),
        Viewer::Partner(o) => q.filter(partner_grants::partner_org_id.eq(o.clone())),
        Viewer::Agency(_) => q,
        Viewer::Operator => return Ok(None),
    };
    q.first(conn).optional()
}

pub fn list_partner_visible(
    conn: &mut DbConn,
    viewer: &Viewer,
    status: Option<GrantStatus>,
    model_id: Option<&str>,
    now: DateTime<Utc>,
    page: &Page,
) -> QueryResult<Vec<PartnerGrantListRow>> {
    if *viewer == Viewer::Operator {
        return Ok(vec![]);
    }
    crate::on_backend!(conn, |c| {
        let mut q = partner_grants::table
            .select(PartnerGrantListRow::as_select())
            .into_boxed();
        // partner_grants_org_idx / partner_grants_partner_idx / the primary key, each (…, id).
        q = match viewer {
            Viewer::Developer(o) => q.filter(partner_grants::organization_id.eq(o.clone())),
            Viewer::Partner(o) => q.filter(partner_grants::partner_org_id.eq(o.clone())),
            Viewer::Agency(_) | Viewer::Operator => q,
        };
        q = status_filter!(q, partner_grants, revoked_at, status, to_db(now));
        if let Some(m) = model_id {
            q = q.filter(partner_grants::model_id.eq(m.to_string()));
        }
        if let Some(b) = &page.before {
            q = q.filter(partner_grants::id.lt(b.clone()));
        }
        q.order(partner_grants::id.desc())
            .limit(page.limit + 1)
            .load(c)
    })
}

/// Revokes every open partner grant of a nomination (rescinding a selected partner).
pub fn revoke_partner_grants_of(
    conn: &mut DbConn,
    nomination_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<Vec<PartnerGrantRow>> {
    let open: Vec<PartnerGrantRow> = partner_grants::table
        .filter(partner_grants::nomination_id.eq(nomination_id))
        .filter(partner_grants::revoked_at.is_null())
        .select(PartnerGrantRow::as_select())
        .load(conn)?;
    diesel::update(
        partner_grants::table
            .filter(partner_grants::nomination_id.eq(nomination_id))
            .filter(partner_grants::revoked_at.is_null()),
    )
    .set((
        partner_grants::revoked_at.eq(to_db(now)),
        partner_grants::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(open)
}

// ---- shared: acceptances, rosters ----

pub fn org_acceptances(
    conn: &mut DbConn,
    kind: GrantKind,
    grant_ids: &[String],
) -> QueryResult<Vec<AcceptanceRow>> {
    crate::on_backend!(conn, |c| terms_acceptances::table
        .filter(terms_acceptances::grant_type.eq(kind.as_str()))
        .filter(in_list(terms_acceptances::grant_id, grant_ids))
        .filter(terms_acceptances::scope.eq("organization"))
        .order(terms_acceptances::id.asc())
        .select(AcceptanceRow::as_select())
        .load(c))
}

/// The grantees' declines of the given grants (through `grant_declines_grant_org_idx`).
pub fn declines_of(
    conn: &mut DbConn,
    kind: GrantKind,
    grant_ids: &[String],
) -> QueryResult<Vec<DeclineRow>> {
    crate::on_backend!(conn, |c| grant_declines::table
        .filter(grant_declines::grant_type.eq(kind.as_str()))
        .filter(in_list(grant_declines::grant_id, grant_ids))
        .order(grant_declines::id.asc())
        .select(DeclineRow::as_select())
        .load(c))
}

pub fn insert_decline(conn: &mut DbConn, row: &DeclineRow) -> QueryResult<()> {
    diesel::insert_into(grant_declines::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_acceptance(conn: &mut DbConn, row: &AcceptanceRow) -> QueryResult<()> {
    diesel::insert_into(terms_acceptances::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn set_terms_accepted(
    conn: &mut DbConn,
    kind: GrantKind,
    id: &GrantId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    match kind {
        GrantKind::Access => diesel::update(access_grants::table.find(id))
            .set(access_grants::terms_completed_at.eq(to_db(now)))
            .execute(conn),
        GrantKind::Partner => diesel::update(partner_grants::table.find(id))
            .set(partner_grants::terms_completed_at.eq(to_db(now)))
            .execute(conn),
    }
    .map(|_| ())
}

/// Active (not removed) roster entries of the given grants.
pub fn roster_of(
    conn: &mut DbConn,
    kind: GrantKind,
    grant_ids: &[String],
) -> QueryResult<Vec<RosterRow>> {
    roster_entries::table
        .filter(roster_entries::grant_type.eq(kind.as_str()))
        .filter(in_list(roster_entries::grant_id, grant_ids))
        .filter(roster_entries::removed_at.is_null())
        .order(roster_entries::id.asc())
        .select(RosterRow::as_select())
        .load(conn)
}

/// `grant id → acknowledged` for the grants among `grant_ids` that have `user_id` on their
/// active roster: the caller's own entries, for the `viewer` of a page of grants
/// (`roster_entries_active_idx` holds at most one per grant and user).
pub fn rostered(
    conn: &mut DbConn,
    kind: GrantKind,
    grant_ids: &[String],
    user_id: &str,
) -> QueryResult<std::collections::HashMap<String, bool>> {
    let rows: Vec<(String, Option<NaiveDateTime>)> =
        crate::on_backend!(conn, |c| roster_entries::table
            .filter(roster_entries::grant_type.eq(kind.as_str()))
            .filter(in_list(roster_entries::grant_id, grant_ids))
            .filter(roster_entries::user_id.eq(user_id))
            .filter(roster_entries::removed_at.is_null())
            .select((roster_entries::grant_id, roster_entries::acknowledged_at))
            .load(c))?;
    Ok(rows.into_iter().map(|(g, a)| (g, a.is_some())).collect())
}

pub fn roster_entry(
    conn: &mut DbConn,
    kind: GrantKind,
    grant_id: &GrantId,
    user_id: &UserId,
) -> QueryResult<Option<RosterRow>> {
    roster_entries::table
        .filter(roster_entries::grant_type.eq(kind.as_str()))
        .filter(roster_entries::grant_id.eq(grant_id))
        .filter(roster_entries::user_id.eq(user_id))
        .filter(roster_entries::removed_at.is_null())
        .select(RosterRow::as_select())
        .first(conn)
        .optional()
}

/// The user's latest removed entry on the roster, if they were ever on it (a repeated removal
/// answers it again: an idempotent success).
pub fn last_removed_roster_entry(
    conn: &mut DbConn,
    kind: GrantKind,
    grant_id: &GrantId,
    user_id: &UserId,
) -> QueryResult<Option<RosterRow>> {
    roster_entries::table
        .filter(roster_entries::grant_type.eq(kind.as_str()))
        .filter(roster_entries::grant_id.eq(grant_id))
        .filter(roster_entries::user_id.eq(user_id))
        .filter(roster_entries::removed_at.is_not_null())
        .order((roster_entries::removed_at.desc(), roster_entries::id.desc()))
        .select(RosterRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_roster(conn: &mut DbConn, row: &RosterRow) -> QueryResult<()> {
    diesel::insert_into(roster_entries::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn remove_roster(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(roster_entries::table.find(id))
        .set(roster_entries::removed_at.eq(to_db(now)))
        .execute(conn)
        .map(|_| ())
}

pub fn acknowledge(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(roster_entries::table.find(id))
        .set(roster_entries::acknowledged_at.eq(to_db(now)))
        .execute(conn)
        .map(|_| ())
}

// ---- access log ----

pub fn insert_log(conn: &mut DbConn, row: &AccessLogRow) -> QueryResult<()> {
    diesel::insert_into(access_log_entries::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn log_of(
    conn: &mut DbConn,
    grant_id: &GrantId,
    page: &Page,
) -> QueryResult<Vec<AccessLogRow>> {
    let mut q = access_log_entries::table
        .filter(access_log_entries::grant_id.eq(grant_id))
        .select(AccessLogRow::as_select())
        .into_boxed();
    if let Some(b) = &page.before {
        q = q.filter(access_log_entries::id.lt(b.clone()));
    }
    q.order(access_log_entries::id.desc())
        .limit(page.limit + 1)
        .load(conn)
}

/// One entry of this grant's access log (an entry of another grant is `None`).
pub fn log_entry_on_grant(
    conn: &mut DbConn,
    grant_id: &GrantId,
    entry_id: &str,
) -> QueryResult<Option<AccessLogRow>> {
    access_log_entries::table
        .filter(access_log_entries::id.eq(entry_id.to_string()))
        .filter(access_log_entries::grant_id.eq(grant_id))
        .select(AccessLogRow::as_select())
        .first(conn)
        .optional()
}

/// `(corrected entry, correcting entry)` for every correction of the given entries, oldest
/// correction first (one `IN` query on `access_log_entries_corrects_idx`).
pub fn corrections_of(
    conn: &mut DbConn,
    entry_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    if entry_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<String>, String)> = access_log_entries::table
        .filter(access_log_entries::corrects_entry_id.eq_any(entry_ids))
        .order(access_log_entries::id.asc())
        .select((
            access_log_entries::corrects_entry_id,
            access_log_entries::id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, id)| c.map(|c| (c, id)))
        .collect())
}

/// A person's own access-log entries with ids after `after`, oldest first (the export of
/// one's own entries; `access_log_entries_user_idx`).
pub fn own_log_after(
    conn: &mut DbConn,
    user_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AccessLogRow>> {
    let mut q = access_log_entries::table
        .filter(access_log_entries::user_id.eq(user_id.to_string()))
        .select(AccessLogRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(access_log_entries::id.gt(a.to_string()));
    }
    q.order(access_log_entries::id.asc())
        .limit(limit)
        .load(conn)
}

// ---- message threads ----

pub fn insert_message(conn: &mut DbConn, row: &GrantMessageRow) -> QueryResult<()> {
    diesel::insert_into(grant_messages::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// One page of a grant's thread, oldest first (keyset on id, after `after`), read through
/// `grant_messages_grant_idx` (grant_type, grant_id, id): one index-ordered range scan.
pub fn messages_of(
    conn: &mut DbConn,
    kind: GrantKind,
    grant_id: &GrantId,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<GrantMessageRow>> {
    let mut q = grant_messages::table
        .filter(grant_messages::grant_type.eq(kind.as_str()))
        .filter(grant_messages::grant_id.eq(grant_id))
        .select(GrantMessageRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(grant_messages::id.gt(a.to_string()));
    }
    q.order(grant_messages::id.asc()).limit(limit).load(conn)
}
