//! What the server should hold: the shadow of every record, and the rules that predict it.

use chrono::{DateTime, Duration, Utc};

pub(super) struct ModelS {
    pub(super) id: String,
    pub(super) planned: Option<DateTime<Utc>>,
    pub(super) released: bool,
}

pub(super) struct GrantS {
    pub(super) id: String,
    pub(super) model: usize,
    pub(super) starts: DateTime<Utc>,
    pub(super) ends: DateTime<Utc>,
    pub(super) ended_at: Option<DateTime<Utc>>,
    /// Grantee agency org ids.
    pub(super) grantees: Vec<String>,
}

impl GrantS {
    pub(super) fn effective_end(&self) -> DateTime<Utc> {
        match self.ended_at {
            Some(e) => e.min(self.ends),
            None => self.ends,
        }
    }
    /// The part of the window that counts against the cap.
    pub(super) fn effective(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.starts, self.effective_end().max(self.starts))
    }
    pub(super) fn finished(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_some() || now >= self.ends
    }
}

pub(super) struct PGrantS {
    pub(super) id: String,
    pub(super) nomination: String,
    pub(super) starts: DateTime<Utc>,
    pub(super) ends: DateTime<Utc>,
    pub(super) revoked_at: Option<DateTime<Utc>>,
}

/// A developer control, resolved to concrete values so it can be sent again.
#[derive(Debug, Clone)]
pub(super) enum Control {
    End {
        grant: usize,
        member: bool,
    },
    Move {
        grant: usize,
        new_ends: DateTime<Utc>,
        member: bool,
    },
    Withdraw {
        request: usize,
        member: bool,
    },
    Release {
        model: usize,
        member: bool,
    },
    Rescind {
        nomination: usize,
        member: bool,
    },
    Revoke {
        pgrant: usize,
        member: bool,
    },
    RemoveFromRoster {
        grant: usize,
        member: bool,
    },
}

/// What a focused step of the NSA member looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MemberWant {
    /// A grant of the NSA that is still open and does not have the member on its roster.
    Rosterable,
    /// The member is rostered and has not acknowledged.
    Unacknowledged,
    /// The member acknowledged, every party accepted and the window has begun.
    Acknowledged,
    /// The member acknowledged and every party accepted, but the window has not begun.
    AcknowledgedNotStarted,
    /// The member acknowledged, but not every party accepted yet (grant still open).
    AcknowledgedIncomplete,
    /// The member is rostered, but the NSA has not accepted yet (grant still open).
    RosteredUnaccepted,
}

pub(super) const OPEN_REQUEST: [&str; 3] = ["submitted", "under_review", "info_requested"];

/// The expected answer to a call.
#[derive(Debug, Clone, Copy)]
pub(super) enum Exp {
    /// A 2xx that changes state: one audit event.
    Done(u16),
    /// A 2xx that changes nothing (idempotent repeat): no audit event.
    Repeat(u16),
    /// A refusal with this status and (unless empty) this problem code: no audit event.
    Refused(u16, &'static str),
}

pub(super) const CAP: i64 = 30 * 86_400;

pub(super) fn union_secs(mut v: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> i64 {
    v.retain(|(s, e)| e > s);
    v.sort();
    let mut total = 0;
    let mut cur: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (s, e) in v {
        match cur.as_mut() {
            Some(c) if s <= c.1 => c.1 = c.1.max(e),
            Some(c) => {
                total += (c.1 - c.0).num_seconds();
                cur = Some((s, e));
            }
            None => cur = Some((s, e)),
        }
    }
    total + cur.map(|c| (c.1 - c.0).num_seconds()).unwrap_or(0)
}

pub(super) fn days_of(secs: i64) -> f64 {
    secs as f64 / 86_400.0
}

pub(super) fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

/// The verdict DESIGN §2.4 gives a proposed window `[s, e)` next to `others`.
pub(super) fn window_verdict(
    others: &[(DateTime<Utc>, DateTime<Utc>)],
    s: DateTime<Utc>,
    e: DateTime<Utc>,
    planned: Option<DateTime<Utc>>,
) -> Result<(), &'static str> {
    if e <= s {
        return Err("invalid_window");
    }
    let mut all = others.to_vec();
    all.push((s, e));
    if (e - s).num_seconds() > CAP || union_secs(all) > CAP {
        return Err("window_cap_exceeded");
    }
    if planned.is_some_and(|p| e > p) {
        return Err("window_after_release");
    }
    Ok(())
}

pub(super) fn derived_status(
    now: DateTime<Utc>,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    stopped: bool,
    stopped_status: &'static str,
    accepted: bool,
) -> &'static str {
    if stopped {
        stopped_status
    } else if now >= ends {
        "expired"
    } else if !accepted {
        "awaiting_terms"
    } else if now < starts {
        "scheduled"
    } else {
        "active"
    }
}
