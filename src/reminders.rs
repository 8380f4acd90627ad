//! The scheduled reminders of DESIGN.md §2.9: "the window starts" and "3 days before it ends",
//! each sent once per grant (Government and partner grants alike). Every instance runs this;
//! each reminder is claimed by an UPDATE guarded by `… notice_sent_at IS NULL` inside the
//! transaction that queues its emails, so exactly one instance sends it. Statuses are derived,
//! so nothing here changes a grant's state.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::clock::to_db;
use crate::db::schema::{access_grants, partner_grants};
use crate::db::{write_tx, DbConn};
use crate::domain::grant::{Grant, GrantKind, REMINDER_LEAD};
use crate::mail::templates::Reason;
use crate::notify;
use crate::state::Notifier;
use crate::store::grants::{AccessGrantRow, PartnerGrantRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Start,
    End,
}

/// Queues every reminder that is due at `now`. Returns how many were queued.
///
/// The due grants are read first, outside any write transaction, through partial indexes that
/// hold only grants whose reminder is still unsent and whose window is open (so an idle pass
/// touches only live rows, however many grants have ended). Each due reminder is then claimed
/// and its emails queued in a short write transaction of its own.
pub fn queue_due(conn: &mut DbConn, notifier: &Notifier, now: DateTime<Utc>) -> QueryResult<usize> {
    let mut sent = 0;
    for (grant, notice) in candidates(conn, now)? {
        let (due, reason) = match notice {
            Notice::Start => (grant.start_reminder_due(now), Reason::WindowStarts),
            Notice::End => (grant.end_reminder_due(now), Reason::WindowEndsSoon),
        };
        if !due {
            continue;
        }
        let queued = write_tx(conn, move |conn| {
            if !claim(conn, &grant, notice, now)? {
                return Ok::<bool, diesel::result::Error>(false);
            }
            let to = notify::participants(conn, &grant)?;
            notifier.send(conn, now, &to, reason, &grant.link())?;
            Ok(true)
        })?;
        sent += queued as usize;
    }
    Ok(sent)
}

/// Open grants of both kinds whose reminder may be due, one partial-index range scan each:
/// the start notice for windows that started and have not ended, the end notice for windows
/// that end within the lead time.
fn candidates(conn: &mut DbConn, now: DateTime<Utc>) -> QueryResult<Vec<(Grant, Notice)>> {
    let n = to_db(now);
    let lead = to_db(now + REMINDER_LEAD);
    // Two range scans per grant kind, each on its partial index (`*_start_due_idx`,
    // `*_end_due_idx`: open grants whose notice is unsent, by `ends_at`).
    macro_rules! due {
        ($t:ident, $closed:ident, $row:ty) => {{
            let start: Vec<$row> = $t::table
                .filter($t::start_notice_sent_at.is_null())
                .filter($t::$closed.is_null())
                .filter($t::ends_at.gt(n))
                .filter($t::starts_at.le(n))
                .filter($t::terms_completed_at.is_not_null())
                .select(<$row>::as_select())
                .load(conn)?;
            let end: Vec<$row> = $t::table
                .filter($t::end_notice_sent_at.is_null())
                .filter($t::$closed.is_null())
                .filter($t::ends_at.gt(n))
                .filter($t::ends_at.le(lead))
                .select(<$row>::as_select())
                .load(conn)?;
            let start = start.into_iter().map(|g| (g, Notice::Start));
            start
                .chain(end.into_iter().map(|g| (g, Notice::End)))
                .collect::<Vec<_>>()
        }};
    }
    let access = due!(access_grants, ended_at, AccessGrantRow);
    let ids: Vec<String> = access.iter().map(|(g, _)| g.head.id.clone()).collect();
    let grantees = if ids.is_empty() {
        vec![]
    } else {
        crate::store::grants::grantees_of(conn, &ids)?
    };
    let partner = due!(partner_grants, revoked_at, PartnerGrantRow);
    let mut out = Vec::with_capacity(access.len() + partner.len());
    for (g, notice) in access {
        let orgs = grantees
            .iter()
            .filter(|(id, _)| id == &g.head.id)
            .map(|(_, o)| o.clone())
            .collect();
        out.push((g.grant(orgs), notice));
    }
    for (g, notice) in partner {
        out.push((g.grant(), notice));
    }
    Ok(out)
}

/// Marks one reminder as sent; true only for the one caller whose UPDATE changed the row.
fn claim(
    conn: &mut DbConn,
    grant: &Grant,
    notice: Notice,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = to_db(now);
    let changed = match (grant.kind, notice) {
        (GrantKind::Access, Notice::Start) => diesel::update(
            access_grants::table
                .find(&grant.id)
                .filter(access_grants::start_notice_sent_at.is_null()),
        )
        .set(access_grants::start_notice_sent_at.eq(n))
        .execute(conn)?,
        (GrantKind::Access, Notice::End) => diesel::update(
            access_grants::table
                .find(&grant.id)
                .filter(access_grants::end_notice_sent_at.is_null()),
        )
        .set(access_grants::end_notice_sent_at.eq(n))
        .execute(conn)?,
        (GrantKind::Partner, Notice::Start) => diesel::update(
            partner_grants::table
                .find(&grant.id)
                .filter(partner_grants::start_notice_sent_at.is_null()),
        )
        .set(partner_grants::start_notice_sent_at.eq(n))
        .execute(conn)?,
        (GrantKind::Partner, Notice::End) => diesel::update(
            partner_grants::table
                .find(&grant.id)
                .filter(partner_grants::end_notice_sent_at.is_null()),
        )
        .set(partner_grants::end_notice_sent_at.eq(n))
        .execute(conn)?,
    };
    Ok(changed == 1)
}
