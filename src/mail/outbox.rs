//! The outbox: emails written in the same transaction as the change that causes them, delivered
//! by a background worker with retries and exponential backoff.
//!
//! Claiming is a short transaction that moves `next_attempt_at` past a lease; on PostgreSQL it
//! selects `FOR UPDATE SKIP LOCKED`, so any number of instances can run the worker and each due
//! message is claimed by exactly one. Sending happens outside the transaction.
//!
//! Delivery is **at least once**: a worker that dies after the SMTP server accepted a message but
//! before it marked the row sent leaves the row to be claimed again when its lease ends, and the
//! message goes out twice — with the same `Message-ID` (derived from the row id,
//! [`crate::mail::message_id`]), so receivers drop the duplicate.
//!
//! A dead instance's claim must be picked up within a minute, so the lease is 60 s. A lease only
//! works if a *live* worker finishes before it ends; rather than renewing leases, the worker
//! claims **one message at a time** and an SMTP exchange is bounded by [`SMTP_TIMEOUT`] per
//! round trip: at most [`SMTP_ROUND_TRIPS`] × 5 s = 50 s < 60 s (checked at compile time). A
//! batch claim would need the whole batch to fit in the lease; one row per claim costs one short
//! transaction per email, which is nothing next to the SMTP exchange.
//!
//! Once a row is sent (or has failed for good) its bodies are cleared: they hold live links
//! (invitation, reset, verification tokens) that must not outlive their delivery in the database.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::to_db;
use crate::db::schema::outbox;
use crate::db::{write_tx, DbConn};
use crate::mail::templates::Reason;
use crate::mail::{build_message, message_id, Mailer};

pub const MAX_ATTEMPTS: i32 = 8;
/// How long a claim keeps other workers off a message.
pub const LEASE_SECS: i64 = 60;
pub const LEASE: Duration = Duration::seconds(LEASE_SECS);
/// The most messages one pass sends (each claimed on its own).
pub const BATCH: usize = 20;
/// Timeout of each SMTP socket operation (connect, and each command's reply).
pub const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// Round trips of the longest exchange: connect, EHLO, STARTTLS, EHLO, AUTH, MAIL, RCPT, DATA,
/// the message, and one to spare.
pub const SMTP_ROUND_TRIPS: u64 = 10;
const _: () = assert!(SMTP_ROUND_TRIPS * SMTP_TIMEOUT.as_secs() < LEASE_SECS as u64);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub reason: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// Queues one email. Call inside the transaction of the change.
pub fn enqueue(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    to: &str,
    reason: Reason,
    link: &str,
) -> QueryResult<()> {
    queue(conn, now, &[to], reason, None, link)
}

/// [`enqueue`] with the reason's line replaced (see `templates::render_with_line`).
pub fn enqueue_with_line(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    to: &str,
    reason: Reason,
    line: Option<&str>,
    link: &str,
) -> QueryResult<()> {
    queue(conn, now, &[to], reason, line, link)
}

/// Queues the same email to several addresses (each once).
pub fn enqueue_all(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    to: &[String],
    reason: Reason,
    link: &str,
) -> QueryResult<()> {
    let to: Vec<&str> = to.iter().map(String::as_str).collect();
    queue(conn, now, &to, reason, None, link)
}

/// The one place where recipients become queued emails, so every reason, present and future,
/// passes here: each address once, without the people who turned this reason off on their
/// account page (an optional reason only: account and security mail is always sent, see
/// `Reason::setting`).
fn queue(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    to: &[&str],
    reason: Reason,
    line: Option<&str>,
    link: &str,
) -> QueryResult<()> {
    let mut seen = std::collections::BTreeSet::new();
    let to: Vec<&str> = to.iter().copied().filter(|a| seen.insert(*a)).collect();
    let off = if reason.is_optional() {
        crate::store::notifications::opted_out_addresses(conn, &to, reason)?
    } else {
        Default::default()
    };
    let (subject, text, html) = crate::mail::templates::render_with_line(reason, line, link);
    for addr in to.into_iter().filter(|a| !off.contains(*a)) {
        let row = OutboxRow {
            id: crate::store::new_id(),
            reason: reason.as_str().to_string(),
            to_address: addr.to_string(),
            subject: subject.clone(),
            body_text: text.clone(),
            body_html: html.clone(),
            created_at: to_db(now),
            attempts: 0,
            next_attempt_at: to_db(now),
            sent_at: None,
            failed_at: None,
            last_error: None,
        };
        diesel::insert_into(outbox::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}

/// Backoff after `attempts` failures: 30 s, 1 min, 2 min … capped at 1 h.
pub fn backoff(attempts: i32) -> Duration {
    let secs = 30i64 * 2i64.pow(attempts.clamp(1, 8) as u32 - 1);
    Duration::seconds(secs.min(3600))
}

/// Claims the oldest due message for [`LEASE`] (and counts the attempt). Public so that tests can
/// play a worker that dies after claiming.
pub fn claim_one(conn: &mut DbConn, now: DateTime<Utc>) -> QueryResult<Option<OutboxRow>> {
    write_tx(conn, |conn| {
        macro_rules! due {
            () => {
                outbox::table
                    .filter(outbox::sent_at.is_null())
                    .filter(outbox::failed_at.is_null())
                    .filter(outbox::next_attempt_at.le(to_db(now)))
                    .order(outbox::next_attempt_at.asc())
                    .select(OutboxRow::as_select())
            };
        }
        let row: Option<OutboxRow> = match conn {
            DbConn::Postgres(c) => due!().for_update().skip_locked().first(c).optional()?,
            DbConn::Sqlite(c) => due!().first(c).optional()?,
        };
        if let Some(r) = &row {
            diesel::update(outbox::table.find(&r.id))
                .set((
                    outbox::next_attempt_at.eq(to_db(now + LEASE)),
                    outbox::attempts.eq(r.attempts + 1),
                ))
                .execute(conn)?;
        }
        Ok(row)
    })
}

/// The email of an outbox row, with the row's stable `Message-ID`.
pub fn message_of(row: &OutboxRow, from: &str) -> anyhow::Result<lettre::Message> {
    build_message(
        from,
        &row.to_address,
        &row.subject,
        &row.body_text,
        &row.body_html,
        message_id(&row.id, from),
    )
}

/// Delivers what is due, one claim per message, at most [`BATCH`] per call; returns how many
/// were sent. Blocking.
pub fn deliver_due(
    conn: &mut DbConn,
    mailer: &Mailer,
    from: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let mut sent = 0;
    for _ in 0..BATCH {
        let Some(r) = claim_one(conn, now)? else {
            break;
        };
        let attempts = r.attempts + 1;
        let result = message_of(&r, from).and_then(|m| mailer.send(m));
        write_tx(conn, |conn| {
            let target = outbox::table.find(&r.id);
            match &result {
                Ok(()) => diesel::update(target)
                    .set((
                        outbox::sent_at.eq(to_db(now)),
                        outbox::body_text.eq(""),
                        outbox::body_html.eq(""),
                    ))
                    .execute(conn),
                Err(e) if attempts >= MAX_ATTEMPTS => diesel::update(target)
                    .set((
                        outbox::failed_at.eq(to_db(now)),
                        outbox::last_error.eq(format!("{e:#}")),
                        outbox::body_text.eq(""),
                        outbox::body_html.eq(""),
                    ))
                    .execute(conn),
                Err(e) => diesel::update(target)
                    .set((
                        outbox::next_attempt_at.eq(to_db(now + backoff(attempts))),
                        outbox::last_error.eq(format!("{e:#}")),
                    ))
                    .execute(conn),
            }
        })?;
        match result {
            Ok(()) => sent += 1,
            Err(e) => {
                tracing::warn!(outbox_id = %r.id, reason = %r.reason, attempts, error = %format!("{e:#}"), "mail delivery failed")
            }
        }
    }
    Ok(sent)
}

/// Messages not yet sent (for `/metrics` and tests).
pub fn pending_count(conn: &mut DbConn) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .count()
        .get_result(conn)
}
