//! The outbox: emails written in the same transaction as the change that causes them, delivered
//! by a background worker with retries and exponential backoff.
//!
//! Claiming is a short transaction that moves `next_attempt_at` past a lease; on PostgreSQL it
//! selects `FOR UPDATE SKIP LOCKED`, so any number of instances can run the worker and each due
//! message is claimed by exactly one. Sending happens outside the transaction; a worker that dies
//! mid-send leaves the message to be retried after the lease.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::clock::to_db;
use crate::db::schema::outbox;
use crate::db::{write_tx, DbConn};
use crate::mail::templates::{render, Reason};
use crate::mail::{build_message, Mailer};

pub const MAX_ATTEMPTS: i32 = 8;
pub const LEASE: Duration = Duration::minutes(5);
pub const BATCH: i64 = 20;

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
    let (subject, text, html) = render(reason, link);
    let row = OutboxRow {
        id: crate::store::new_id(),
        reason: reason.as_str().to_string(),
        to_address: to.to_string(),
        subject,
        body_text: text,
        body_html: html,
        created_at: to_db(now),
        attempts: 0,
        next_attempt_at: to_db(now),
        sent_at: None,
        failed_at: None,
        last_error: None,
    };
    diesel::insert_into(outbox::table)
        .values(&row)
        .execute(conn)
        .map(|_| ())
}

/// Queues the same email to several addresses.
pub fn enqueue_all(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    to: &[String],
    reason: Reason,
    link: &str,
) -> QueryResult<()> {
    let mut seen = std::collections::BTreeSet::new();
    for addr in to {
        if seen.insert(addr.as_str()) {
            enqueue(conn, now, addr, reason, link)?;
        }
    }
    Ok(())
}

/// Backoff after `attempts` failures: 30 s, 1 min, 2 min … capped at 1 h.
pub fn backoff(attempts: i32) -> Duration {
    let secs = 30i64 * 2i64.pow(attempts.clamp(1, 8) as u32 - 1);
    Duration::seconds(secs.min(3600))
}

fn claim(conn: &mut DbConn, now: DateTime<Utc>) -> QueryResult<Vec<OutboxRow>> {
    write_tx(conn, |conn| {
        macro_rules! due {
            () => {
                outbox::table
                    .filter(outbox::sent_at.is_null())
                    .filter(outbox::failed_at.is_null())
                    .filter(outbox::next_attempt_at.le(to_db(now)))
                    .order(outbox::next_attempt_at.asc())
                    .limit(BATCH)
                    .select(OutboxRow::as_select())
            };
        }
        let rows: Vec<OutboxRow> = match conn {
            DbConn::Postgres(c) => due!().for_update().skip_locked().load(c)?,
            DbConn::Sqlite(c) => due!().load(c)?,
        };
        for r in &rows {
            let n = diesel::update(
                outbox::table
                    .find(&r.id)
                    .filter(outbox::next_attempt_at.eq(r.next_attempt_at)),
            )
            .set((
                outbox::next_attempt_at.eq(to_db(now + LEASE)),
                outbox::attempts.eq(r.attempts + 1),
            ))
            .execute(conn)?;
            debug_assert_eq!(n, 1);
        }
        Ok(rows)
    })
}

/// Delivers what is due; returns how many were sent. Blocking.
pub fn deliver_due(
    conn: &mut DbConn,
    mailer: &Mailer,
    from: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let rows = claim(conn, now)?;
    let mut sent = 0;
    for r in rows {
        let attempts = r.attempts + 1;
        let result = build_message(from, &r.to_address, &r.subject, &r.body_text, &r.body_html)
            .and_then(|m| mailer.send(m));
        write_tx(conn, |conn| {
            let target = outbox::table.find(&r.id);
            match &result {
                Ok(()) => diesel::update(target)
                    .set(outbox::sent_at.eq(to_db(now)))
                    .execute(conn),
                Err(e) if attempts >= MAX_ATTEMPTS => diesel::update(target)
                    .set((
                        outbox::failed_at.eq(to_db(now)),
                        outbox::last_error.eq(format!("{e:#}")),
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
