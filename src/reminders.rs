//! The scheduled reminders of DESIGN.md §2.9: "the window starts" and "3 days before it ends",
//! each sent once per grant. Every instance runs this; the claim is an UPDATE guarded by
//! `… notice_sent_at IS NULL` inside the transaction that queues the emails, so exactly one
//! instance wins each reminder. Statuses are derived, so nothing here changes a grant's state.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::api::grants::{participants, GrantCtx};
use crate::clock::to_db;
use crate::db::schema::{access_grant_grantees, access_grants, partner_grants};
use crate::db::{write_tx, DbConn};
use crate::domain::grant::{reminder_due_three_days, reminder_due_window_start, REMINDER_LEAD};
use crate::error::AppError;
use crate::mail::templates::Reason;
use crate::notify;
use crate::startup::AppState;
use crate::store::grants::{AccessGrantRow, PartnerGrantRow};

/// Queues every reminder that is due at `now`. Returns how many were queued.
pub fn queue_due(
    conn: &mut DbConn,
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let public_url = state.settings.server.public_url.clone();
    write_tx(conn, |conn| {
        let mut sent = 0;
        let n = to_db(now);
        let lead = to_db(now + REMINDER_LEAD);
        // Candidates: open, unreminded grants whose start or end-minus-3-days has passed.
        let access: Vec<AccessGrantRow> = access_grants::table
            .filter(access_grants::ended_at.is_null())
            .filter(access_grants::ends_at.gt(n))
            .filter(
                (access_grants::start_notice_sent_at
                    .is_null()
                    .and(access_grants::starts_at.le(n))
                    .and(access_grants::terms_completed_at.is_not_null()))
                .or(access_grants::end_notice_sent_at
                    .is_null()
                    .and(access_grants::ends_at.le(lead))),
            )
            .select(AccessGrantRow::as_select())
            .load(conn)?;
        for g in access {
            let grantees: Vec<String> = access_grant_grantees::table
                .filter(access_grant_grantees::grant_id.eq(&g.id))
                .select(access_grant_grantees::organization_id)
                .load(conn)?;
            let ctx = crate::api::access_grants::ctx_of(&g, grantees);
            if g.start_notice_sent_at.is_none()
                && reminder_due_window_start(
                    now,
                    ctx.starts_at,
                    ctx.ends_at,
                    ctx.terms_completed,
                    ctx.closed_at,
                )
                && diesel::update(
                    access_grants::table
                        .find(&g.id)
                        .filter(access_grants::start_notice_sent_at.is_null()),
                )
                .set(access_grants::start_notice_sent_at.eq(n))
                .execute(conn)?
                    == 1
            {
                send(conn, &ctx, now, &public_url, Reason::WindowStarts)?;
                sent += 1;
            }
            if g.end_notice_sent_at.is_none()
                && reminder_due_three_days(now, ctx.ends_at, ctx.closed_at)
                && diesel::update(
                    access_grants::table
                        .find(&g.id)
                        .filter(access_grants::end_notice_sent_at.is_null()),
                )
                .set(access_grants::end_notice_sent_at.eq(n))
                .execute(conn)?
                    == 1
            {
                send(conn, &ctx, now, &public_url, Reason::WindowEndsSoon)?;
                sent += 1;
            }
        }
        let partner: Vec<PartnerGrantRow> = partner_grants::table
            .filter(partner_grants::revoked_at.is_null())
            .filter(partner_grants::ends_at.gt(n))
            .filter(
                (partner_grants::start_notice_sent_at
                    .is_null()
                    .and(partner_grants::starts_at.le(n))
                    .and(partner_grants::terms_completed_at.is_not_null()))
                .or(partner_grants::end_notice_sent_at
                    .is_null()
                    .and(partner_grants::ends_at.le(lead))),
            )
            .select(PartnerGrantRow::as_select())
            .load(conn)?;
        for g in partner {
            let ctx = crate::api::partner_grants::ctx_of(&g);
            if g.start_notice_sent_at.is_none()
                && reminder_due_window_start(
                    now,
                    ctx.starts_at,
                    ctx.ends_at,
                    ctx.terms_completed,
                    ctx.closed_at,
                )
                && diesel::update(
                    partner_grants::table
                        .find(&g.id)
                        .filter(partner_grants::start_notice_sent_at.is_null()),
                )
                .set(partner_grants::start_notice_sent_at.eq(n))
                .execute(conn)?
                    == 1
            {
                send(conn, &ctx, now, &public_url, Reason::WindowStarts)?;
                sent += 1;
            }
            if g.end_notice_sent_at.is_none()
                && reminder_due_three_days(now, ctx.ends_at, ctx.closed_at)
                && diesel::update(
                    partner_grants::table
                        .find(&g.id)
                        .filter(partner_grants::end_notice_sent_at.is_null()),
                )
                .set(partner_grants::end_notice_sent_at.eq(n))
                .execute(conn)?
                    == 1
            {
                send(conn, &ctx, now, &public_url, Reason::WindowEndsSoon)?;
                sent += 1;
            }
        }
        Ok(sent)
    })
}

fn send(
    conn: &mut DbConn,
    ctx: &GrantCtx,
    now: DateTime<Utc>,
    public_url: &str,
    reason: Reason,
) -> Result<(), AppError> {
    let to = participants(conn, ctx)?;
    notify::send(conn, now, public_url, &to, reason, &ctx.link())?;
    Ok(())
}
