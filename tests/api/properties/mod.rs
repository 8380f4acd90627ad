//! Property tests over random histories (DESIGN §2.4 the 30-day cap, §2.7 no mandatory gate,
//! §2.8 the audit trail).
//!
//! A proptest strategy draws a sequence of 10–25 actions by every role (developer admin and
//! member, NSA admin and member, CISA admin, the partner admin, the operator) with the clock
//! moving between them; each case replays its sequence against a real server started for it
//! alone (`spawn_app`). The test keeps a *shadow* of what the server should hold (every grant's
//! window, who ended or revoked what) and predicts the answer of every call from the state it
//! reads just before the call. After every step it checks:
//!
//! 1. **the 30-day cap**: for every model, the union of the effective government windows
//!    `[starts_at, min(ends_at, ended_at))` read back from `GET /access-grants?model_id=` is at
//!    most 30 days, equals the shadow's, and `government_days_granted` of `GET /models/{id}`
//!    equals it (±0.01);
//! 2. **no developer control is ever refused**: withdraw, release, end, shorten (an earlier
//!    `ends_at` still after `starts_at`), rescind, revoke a partner grant and remove a roster
//!    member answer 200 at once, whatever the state, repeats included;
//! 3. **every status is derived**: each government and partner grant's `status` is the one
//!    DESIGN §2.4 derives from its timestamps, the acceptances and the clock
//!    (ended/revoked → expired → awaiting_terms → scheduled → active), for the developer, the
//!    grantee agency and the partner alike;
//! 4. **the audit chain stays valid**: `GET /admin/audit/verify` answers `valid: true` and its
//!    event count never decreases;
//!
//! and, for every call: the answer is a 2xx or a well-formed RFC 9457 problem (never a 5xx);
//! a state change writes exactly one audit event, a refusal (4xx) and an idempotent repeat none.
//! Alongside: grantees see exactly their grants with the same status, access instructions reach
//! only a rostered user who acknowledged, while the grant is scheduled or active;
//! `days_remaining` and `government_days_remaining` follow from the windows, nomination
//! statuses follow from the two positions, and a `window_cap_exceeded` problem carries the
//! right day counts.
//!
//! Two properties, each on SQLite and PostgreSQL:
//! - `random_histories_keep_the_invariants`: every kind of action by every role;
//! - `grant_lifecycles_keep_the_cap_statuses_and_controls`: government grants only (offer,
//!   move, end, terms, roster, acknowledgment, access log, roster removal, release, clock), so
//!   the cap and the derived statuses see long chains;
//!
//! and `recorded_histories_keep_the_invariants` replays, deterministically, the minimal failing
//! histories the properties found (`recorded_histories`).
//!
//! Knobs: `PORTAL_PROPTEST_CASES` (default 12 per property and backend; each case starts a
//! server), `PORTAL_PROPTEST_SHRINK_ITERS` (default 48: each shrink step starts a server too),
//! `PORTAL_PROPTEST_TRACE=1` prints every case's calls. A failure prints the step trace of the
//! minimal failing history. Each property prints its cases, steps, time and the answers its
//! calls got (to show what the histories reached). PostgreSQL variants follow
//! `helpers::pg_database` (skip with a notice, or fail when `PORTAL_TEST_REQUIRE_PG=1`).
//!
//! Layout: [`acts`] (who acts, the actions and their strategies), [`model`] (the shadow records
//! and the rules that predict them: the window verdict, the derived status), [`answers`] (what
//! an answer must look like and the audit events it writes), [`world`] (one case: the cast and
//! the step loop, which dispatches each action to its method in [`grant_steps`],
//! [`request_steps`], [`steps`] or [`controls`], its target chosen by [`targets`]), [`checks`]
//! (the invariants after every step) and [`runner`] (the seeded proptest and the recorded
//! histories); the tests are below.

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        let holds: bool = $cond;
        if !holds {
            return Err(format!($($fmt)+));
        }
    };
}

mod acts;
mod answers;
mod checks;
mod controls;
mod grant_steps;
mod model;
mod request_steps;
mod runner;
mod steps;
mod targets;
mod world;

use crate::helpers::Backend;
use acts::{any_act, grant_act};
use proptest::strategy::Strategy;
use runner::{replay_recorded, run_property};

const HISTORIES: &str = "random histories by every role keep the invariants";
const GRANTS: &str = "grant lifecycles keep the cap, the statuses and the controls";

mod sqlite {
    use super::*;

    #[test]
    fn recorded_histories_keep_the_invariants() {
        replay_recorded(Backend::Sqlite);
    }

    #[test]
    fn random_histories_keep_the_invariants() {
        run_property(HISTORIES, Backend::Sqlite, any_act().boxed());
    }

    #[test]
    fn grant_lifecycles_keep_the_cap_statuses_and_controls() {
        run_property(GRANTS, Backend::Sqlite, grant_act().boxed());
    }
}

mod postgres {
    use super::*;

    #[test]
    fn recorded_histories_keep_the_invariants() {
        replay_recorded(Backend::Postgres);
    }

    #[test]
    fn random_histories_keep_the_invariants() {
        run_property(HISTORIES, Backend::Postgres, any_act().boxed());
    }

    #[test]
    fn grant_lifecycles_keep_the_cap_statuses_and_controls() {
        run_property(GRANTS, Backend::Postgres, grant_act().boxed());
    }
}
