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

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use reqwest::Method;
use serde_json::{json, Value};

use crate::flows::{
    agency_org, colleague, developer, new_operator, no_gate, partner_org, publish_terms,
    terms_body, ts,
};
use crate::helpers::*;

// ================================================================ the actions

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    DevAdmin,
    DevMember,
    NsaAdmin,
    NsaMember,
    CisaAdmin,
    Partner,
    Operator,
}

/// One step of a history. Targets are `Index`es into the records that exist when the step
/// runs (a step whose kind of target does not exist yet is skipped). A `focus`ed step picks
/// its target among the records where it can make progress (a grant still awaiting this
/// party's acceptance, a rostered member who has not acknowledged, a pending nomination …),
/// so that short histories reach deep states; an unfocused one picks among all records, which
/// exercises the refusals.
#[derive(Debug, Clone)]
enum Act {
    /// The developer admin offers a government grant: `starts_at = now + start_h`,
    /// `ends_at = starts_at + len_h`, to NSA (0), CISA (1) or both (2).
    Offer {
        model: Index,
        start_h: i64,
        len_h: i64,
        grantees: u8,
        terms: Index,
    },
    /// A developer moves `ends_at` of a grant by `delta_h` hours (control when it shortens).
    MoveEnd {
        grant: Index,
        delta_h: i64,
        member: bool,
    },
    /// A developer ends a grant (control).
    End { grant: Index, member: bool },
    /// Someone accepts a grant's terms.
    AcceptTerms { grant: Index, who: Who, focus: bool },
    /// A focused acceptance on a grant of the NSA (not generated: the step a focused member
    /// step falls back to, see `World::resolve`).
    AcceptForMember {
        grant: Index,
        /// Only grants in this state (else any grant of the NSA).
        want: Option<MemberWant>,
    },
    /// An agency admin rosters the NSA member (the CISA admin cannot: not its user).
    Roster {
        grant: Index,
        by_cisa: bool,
        focus: bool,
    },
    /// The NSA member acknowledges the terms personally.
    Acknowledge { grant: Index, focus: bool },
    /// The NSA member logs a use: focused, at `frac`% of the way from `starts_at` to the
    /// earlier of now and the window's end; else at `now - ago_h`.
    LogUse {
        grant: Index,
        ago_h: i64,
        frac: u8,
        focus: bool,
    },
    /// A developer removes the NSA member from a roster they were once on (control).
    RemoveFromRoster { grant: Index, member: bool },
    /// A developer files a designation request.
    FileRequest { model: Index, member: bool },
    /// A developer submits a request.
    Submit { request: Index, focus: bool },
    /// A developer withdraws a request (control).
    Withdraw { request: Index, member: bool },
    /// An agency user records the determination (only NSA may).
    Determine {
        request: Index,
        covered: bool,
        who: Who,
        focus: bool,
    },
    /// The CISA admin records a consultation.
    Consult {
        request: Index,
        position: u8,
        focus: bool,
    },
    /// A developer (or the NSA admin, for the Government) nominates the partner.
    Nominate { model: Index, who: Who },
    /// Someone concurs with or declines a nomination.
    Answer {
        nomination: Index,
        who: Who,
        concur: bool,
        focus: bool,
    },
    /// A developer rescinds a nomination (control).
    Rescind { nomination: Index, member: bool },
    /// The developer admin issues a partner grant.
    IssuePartnerGrant {
        nomination: Index,
        start_h: i64,
        len_h: i64,
        focus: bool,
    },
    /// The partner admin accepts a partner grant's terms.
    PartnerAccept { pgrant: Index, focus: bool },
    /// A developer revokes a partner grant (control).
    Revoke { pgrant: Index, member: bool },
    /// A developer releases a model (control).
    Release { model: Index, member: bool },
    /// The operator publishes another terms template.
    PublishTerms,
    /// The clock moves.
    Advance { hours: i64 },
    /// The last developer control is sent again (an idempotent repeat, or the same refusal).
    RepeatLastControl,
}

fn dev_any() -> impl Strategy<Value = bool> {
    any::<bool>()
}

fn focus() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.8)
}

fn act_offer() -> BoxedStrategy<Act> {
    (
        any::<Index>(),
        -5 * 24i64..=20 * 24,
        24i64..=20 * 24,
        0u8..3,
        any::<Index>(),
    )
        .prop_map(|(model, start_h, len_h, grantees, terms)| Act::Offer {
            model,
            start_h,
            len_h,
            grantees,
            terms,
        })
        .boxed()
}

fn act_move() -> BoxedStrategy<Act> {
    (
        any::<Index>(),
        prop_oneof![3 => -10 * 24i64..=10 * 24, 1 => Just(0i64)],
        dev_any(),
    )
        .prop_map(|(grant, delta_h, member)| Act::MoveEnd {
            grant,
            delta_h,
            member,
        })
        .boxed()
}

fn act_end() -> BoxedStrategy<Act> {
    (any::<Index>(), dev_any())
        .prop_map(|(grant, member)| Act::End { grant, member })
        .boxed()
}

fn act_accept() -> BoxedStrategy<Act> {
    (
        any::<Index>(),
        prop_oneof![
            3 => Just(Who::DevAdmin),
            1 => Just(Who::DevMember),
            3 => Just(Who::NsaAdmin),
            3 => Just(Who::CisaAdmin),
            1 => Just(Who::NsaMember),
        ],
        focus(),
    )
        .prop_map(|(grant, who, focus)| Act::AcceptTerms { grant, who, focus })
        .boxed()
}

fn act_advance() -> BoxedStrategy<Act> {
    (0i64..=5 * 24)
        .prop_map(|hours| Act::Advance { hours })
        .boxed()
}

fn act_release() -> BoxedStrategy<Act> {
    (any::<Index>(), dev_any())
        .prop_map(|(model, member)| Act::Release { model, member })
        .boxed()
}

fn act_roster() -> BoxedStrategy<Act> {
    (any::<Index>(), prop::bool::weighted(0.15), focus())
        .prop_map(|(grant, by_cisa, focus)| Act::Roster {
            grant,
            by_cisa,
            focus,
        })
        .boxed()
}

fn act_acknowledge() -> BoxedStrategy<Act> {
    (any::<Index>(), focus())
        .prop_map(|(grant, focus)| Act::Acknowledge { grant, focus })
        .boxed()
}

fn act_log() -> BoxedStrategy<Act> {
    (any::<Index>(), -24i64..=10 * 24, 0u8..=100, focus())
        .prop_map(|(grant, ago_h, frac, focus)| Act::LogUse {
            grant,
            ago_h,
            frac,
            focus,
        })
        .boxed()
}

fn act_remove_from_roster() -> BoxedStrategy<Act> {
    (any::<Index>(), dev_any())
        .prop_map(|(grant, member)| Act::RemoveFromRoster { grant, member })
        .boxed()
}

/// Every kind of action, by every role.
fn any_act() -> impl Strategy<Value = Act> {
    prop_oneof![
        6 => act_offer(),
        4 => act_move(),
        2 => act_end(),
        6 => act_accept(),
        2 => act_roster(),
        3 => act_acknowledge(),
        6 => act_log(),
        1 => act_remove_from_roster(),
        2 => (any::<Index>(), dev_any()).prop_map(|(model, member)| Act::FileRequest { model, member }),
        2 => (any::<Index>(), focus()).prop_map(|(request, focus)| Act::Submit { request, focus }),
        1 => (any::<Index>(), dev_any()).prop_map(|(request, member)| Act::Withdraw { request, member }),
        2 => (
            any::<Index>(),
            any::<bool>(),
            prop_oneof![3 => Just(Who::NsaAdmin), 2 => Just(Who::NsaMember), 1 => Just(Who::CisaAdmin)],
            focus(),
        )
            .prop_map(|(request, covered, who, focus)| Act::Determine { request, covered, who, focus }),
        1 => (any::<Index>(), 0u8..3, focus())
            .prop_map(|(request, position, focus)| Act::Consult { request, position, focus }),
        2 => (
            any::<Index>(),
            prop_oneof![3 => Just(Who::DevAdmin), 1 => Just(Who::DevMember), 1 => Just(Who::NsaAdmin)],
        )
            .prop_map(|(model, who)| Act::Nominate { model, who }),
        3 => (
            any::<Index>(),
            prop_oneof![
                1 => Just(Who::DevAdmin),
                1 => Just(Who::DevMember),
                3 => Just(Who::NsaAdmin),
                2 => Just(Who::CisaAdmin),
                1 => Just(Who::NsaMember),
            ],
            prop::bool::weighted(0.75),
            focus(),
        )
            .prop_map(|(nomination, who, concur, focus)| Act::Answer { nomination, who, concur, focus }),
        1 => (any::<Index>(), dev_any())
            .prop_map(|(nomination, member)| Act::Rescind { nomination, member }),
        2 => (any::<Index>(), -2 * 24i64..=10 * 24, 24i64..=30 * 24, focus()).prop_map(
            |(nomination, start_h, len_h, focus)| Act::IssuePartnerGrant { nomination, start_h, len_h, focus }
        ),
        2 => (any::<Index>(), focus()).prop_map(|(pgrant, focus)| Act::PartnerAccept { pgrant, focus }),
        1 => (any::<Index>(), dev_any()).prop_map(|(pgrant, member)| Act::Revoke { pgrant, member }),
        1 => act_release(),
        1 => Just(Act::PublishTerms),
        7 => act_advance(),
        1 => Just(Act::RepeatLastControl),
    ]
}

/// Government grant lifecycles only: offers, moves and ends (which bend the cap), terms,
/// roster, acknowledgment and access log (which the statuses and the controls must survive),
/// and the clock.
fn grant_act() -> impl Strategy<Value = Act> {
    prop_oneof![
        5 => act_offer(),
        5 => act_move(),
        2 => act_end(),
        4 => act_accept(),
        2 => act_roster(),
        2 => act_acknowledge(),
        5 => act_log(),
        1 => act_remove_from_roster(),
        1 => act_release(),
        4 => act_advance(),
        1 => Just(Act::RepeatLastControl),
    ]
}

/// What each case starts with, plus its history.
#[derive(Debug, Clone)]
struct Scenario {
    two_models: bool,
    /// Days after t0 of the planned partner release of the second (or only) model.
    planned_release_days: Option<i64>,
    acts: Vec<Act>,
}

fn scenario(act: BoxedStrategy<Act>) -> impl Strategy<Value = Scenario> {
    (
        any::<bool>(),
        prop::option::weighted(0.5, 8i64..=45),
        prop::collection::vec(act, 10..=25),
    )
        .prop_map(|(two_models, planned_release_days, acts)| Scenario {
            two_models,
            planned_release_days,
            acts,
        })
}

// ================================================================ what the server should hold

struct ModelS {
    id: String,
    planned: Option<DateTime<Utc>>,
    released: bool,
}

struct GrantS {
    id: String,
    model: usize,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    /// Grantee agency org ids.
    grantees: Vec<String>,
}

impl GrantS {
    fn effective_end(&self) -> DateTime<Utc> {
        match self.ended_at {
            Some(e) => e.min(self.ends),
            None => self.ends,
        }
    }
    /// The part of the window that counts against the cap.
    fn effective(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.starts, self.effective_end().max(self.starts))
    }
    fn finished(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_some() || now >= self.ends
    }
}

struct PGrantS {
    id: String,
    nomination: String,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

/// A developer control, resolved to concrete values so it can be sent again.
#[derive(Debug, Clone)]
enum Control {
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
enum MemberWant {
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

const OPEN_REQUEST: [&str; 3] = ["submitted", "under_review", "info_requested"];

/// The expected answer to a call.
#[derive(Debug, Clone, Copy)]
enum Exp {
    /// A 2xx that changes state: one audit event.
    Done(u16),
    /// A 2xx that changes nothing (idempotent repeat): no audit event.
    Repeat(u16),
    /// A refusal with this status and (unless empty) this problem code: no audit event.
    Refused(u16, &'static str),
}

const CAP: i64 = 30 * 86_400;

fn union_secs(mut v: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> i64 {
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

fn days_of(secs: i64) -> f64 {
    secs as f64 / 86_400.0
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

/// The verdict DESIGN §2.4 gives a proposed window `[s, e)` next to `others`.
fn window_verdict(
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

fn derived_status(
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

fn opt_ts(v: &Value) -> Option<DateTime<Utc>> {
    if v.is_null() {
        None
    } else {
        Some(ts(v))
    }
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(220).collect();
    if text.chars().count() > 220 {
        format!("{t}…")
    } else {
        t
    }
}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        let holds: bool = $cond;
        if !holds {
            return Err(format!($($fmt)+));
        }
    };
}

/// A 2xx, or a well-formed RFC 9457 problem with a 4xx status; never a 5xx.
fn well_formed(r: &Resp, what: &str) -> Result<(), String> {
    let s = r.status.as_u16();
    ensure!(s < 500, "{what}: server error {s}: {}", r.text);
    if s >= 400 {
        let ct = r
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        ensure!(
            ct == "application/problem+json",
            "{what}: a {s} that is not application/problem+json ({ct}): {}",
            r.text
        );
        ensure!(
            r.body["code"].as_str().is_some_and(|c| !c.is_empty()),
            "{what}: problem without a code: {}",
            r.text
        );
        ensure!(
            r.body["detail"].as_str().is_some_and(|c| !c.is_empty()),
            "{what}: problem without a detail: {}",
            r.text
        );
        ensure!(
            r.body["status"].as_u64() == Some(s as u64),
            "{what}: problem status member differs from {s}: {}",
            r.text
        );
    } else {
        ensure!(
            (200..300).contains(&s),
            "{what}: unexpected status {s}: {}",
            r.text
        );
    }
    Ok(())
}

/// A `window_cap_exceeded` problem gives the requested window's length, the total the model
/// would reach, the days already granted by its other windows and what remains (DESIGN §2.4).
fn cap_problem_days(
    r: &Resp,
    others: &[(DateTime<Utc>, DateTime<Utc>)],
    s: DateTime<Utc>,
    e: DateTime<Utc>,
) -> Result<(), String> {
    let granted = days_of(union_secs(others.to_vec()));
    let mut all = others.to_vec();
    all.push((s, e));
    let want = [
        ("requested_days", days_of((e - s).num_seconds())),
        ("total_days", days_of(union_secs(all))),
        ("granted_days", granted),
        ("remaining_days", (30.0 - granted).max(0.0)),
    ];
    for (k, v) in want {
        let got = r.body[k].as_f64().unwrap_or(f64::NAN);
        ensure!(
            (got - v).abs() < 0.011,
            "window_cap_exceeded: {k} should be {v:.2}: {}",
            r.text
        );
    }
    Ok(())
}

/// Matches an answer against the expected alternatives; returns the audit events it should
/// have written.
fn judge(r: &Resp, exps: &[Exp], what: &str) -> Result<i64, String> {
    let s = r.status.as_u16();
    for e in exps {
        let events = match *e {
            Exp::Done(st) if st == s => 1,
            Exp::Repeat(st) if st == s => 0,
            Exp::Refused(st, code) if st == s && (code.is_empty() || r.code() == code) => 0,
            _ => continue,
        };
        let kind = what.split(" a ").next().unwrap_or(what);
        let label = match *e {
            Exp::Done(_) => format!("{kind}: {s}"),
            Exp::Repeat(_) => format!("{kind}: {s} (repeat)"),
            Exp::Refused(..) => format!("{kind}: {s} {}", r.code()),
        };
        OUTCOMES.with(|o| *o.borrow_mut().entry(label).or_default() += 1);
        return Ok(events);
    }
    Err(format!(
        "{what}: expected {exps:?}, got {s} {}",
        short(&r.text)
    ))
}

thread_local! {
    /// How often each kind of call got each answer (printed after each property, to show what
    /// the histories reached). The runner polls every case on the test's own thread.
    static OUTCOMES: std::cell::RefCell<std::collections::BTreeMap<String, usize>> =
        Default::default();
}

// ================================================================ one case

struct World {
    app: TestApp,
    op: User,
    dev: User,
    dev_member: User,
    nsa: User,
    nsa_member: User,
    cisa: User,
    partner: User,
    terms: Vec<String>,
    models: Vec<ModelS>,
    grants: Vec<GrantS>,
    requests: Vec<String>,
    nominations: Vec<String>,
    pgrants: Vec<PGrantS>,
    /// Grants the NSA member was ever on the roster of.
    ever_rostered: Vec<usize>,
    last_control: Option<Control>,
    audit_seen: i64,
    trace: Vec<String>,
    steps: usize,
}

impl World {
    async fn new(app: TestApp, sc: &Scenario) -> World {
        let op = new_operator(&app).await;
        let nsa = agency_org(&app, &op, "NSA").await;
        let cisa = agency_org(&app, &op, "CISA").await;
        let nsa_member = colleague(&app, &nsa, "analyst@nsa.example", "member").await;
        let dev = developer(&app, "Aurora AI Labs", "dana@aurora.example").await;
        let dev_member = colleague(&app, &dev, "sam@aurora.example", "member").await;
        let partner = partner_org(&app, &op, "Valley Rural Health").await;
        let template = publish_terms(&app, &op, "Standard Government evaluation terms").await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut models = Vec::new();
        let n = if sc.two_models { 2 } else { 1 };
        for i in 0..n {
            let planned = if i == n - 1 {
                sc.planned_release_days.map(|d| t0() + Duration::days(d))
            } else {
                None
            };
            let mut body = json!({"name": format!("Aurora-{}", 7 + i), "version": "1.0"});
            if let Some(p) = planned {
                body["planned_partner_release_at"] = json!(rfc(p));
            }
            let m = dev.post(&app.api("/models"), body).await.expect(201).body;
            models.push(ModelS {
                id: m["id"].as_str().unwrap().to_string(),
                planned,
                released: false,
            });
        }
        World {
            app,
            op,
            dev,
            dev_member,
            nsa,
            nsa_member,
            cisa,
            partner,
            terms: vec![template],
            models,
            grants: Vec::new(),
            requests: Vec::new(),
            nominations: Vec::new(),
            pgrants: Vec::new(),
            ever_rostered: Vec::new(),
            last_control: None,
            audit_seen: 0,
            trace: Vec::new(),
            steps: 0,
        }
    }

    fn user(&self, who: Who) -> &User {
        match who {
            Who::DevAdmin => &self.dev,
            Who::DevMember => &self.dev_member,
            Who::NsaAdmin => &self.nsa,
            Who::NsaMember => &self.nsa_member,
            Who::CisaAdmin => &self.cisa,
            Who::Partner => &self.partner,
            Who::Operator => &self.op,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.app.now()
    }

    fn api(&self, p: &str) -> String {
        self.app.api(p)
    }

    /// A call that may change state: traced and checked for well-formedness.
    async fn call(
        &mut self,
        who: Who,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Resp, String> {
        let r = self.user(who).call(method.clone(), path, body).await;
        self.trace.push(format!(
            "    {who:?} {method} {} -> {} {}",
            path.trim_start_matches("/api/v1"),
            r.status.as_u16(),
            short(&r.text)
        ));
        well_formed(&r, &format!("{who:?} {method} {path}"))?;
        Ok(r)
    }

    /// A read that must succeed.
    async fn read(&self, who: Who, path: &str) -> Result<Value, String> {
        let r = self.user(who).get(path).await;
        well_formed(&r, &format!("{who:?} GET {path}"))?;
        ensure!(
            r.status == 200,
            "{who:?} GET {path}: {} {}",
            r.status,
            r.text
        );
        Ok(r.body)
    }

    fn dev_who(member: bool) -> Who {
        if member {
            Who::DevMember
        } else {
            Who::DevAdmin
        }
    }

    fn model_windows_except(
        &self,
        model: usize,
        except: Option<usize>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.grants
            .iter()
            .enumerate()
            .filter(|(i, g)| g.model == model && Some(*i) != except)
            .map(|(_, g)| g.effective())
            .collect()
    }

    /// Runs one step: the action, the audit-count check for it, then every invariant.
    async fn step(&mut self, act: &Act) -> Result<bool, String> {
        let before = self.app.audit_count().await;
        self.trace.push(format!(
            "step {} at {}: {act:?}",
            self.steps + 1,
            rfc(self.now())
        ));
        let outcome = self.act(act).await?;
        let Some(expected) = outcome else {
            self.trace.push("    (skipped: nothing to act on)".into());
            return Ok(false);
        };
        self.steps += 1;
        let after = self.app.audit_count().await;
        ensure!(
            after - before == expected,
            "audit events: the step should have written {expected}, it wrote {}",
            after - before
        );
        self.check().await?;
        Ok(true)
    }

    /// Performs the action; `None` when it had no target, else the audit events it should add.
    async fn act(&mut self, act: &Act) -> Result<Option<i64>, String> {
        let now = self.now();
        let resolved = self.resolve(act).await?;
        if format!("{resolved:?}") != format!("{act:?}") {
            self.trace.push(format!("    (focused: {resolved:?})"));
        }
        match resolved {
            Act::Offer {
                model,
                start_h,
                len_h,
                grantees,
                terms,
            } => {
                let m = model.index(self.models.len());
                let s = now + hours(start_h);
                let e = s + hours(len_h);
                let orgs: Vec<String> = match grantees {
                    0 => vec![self.nsa.org_id.clone()],
                    1 => vec![self.cisa.org_id.clone()],
                    _ => vec![self.nsa.org_id.clone(), self.cisa.org_id.clone()],
                };
                let terms_id = self.terms[terms.index(self.terms.len())].clone();
                let others = self.model_windows_except(m, None);
                let verdict = window_verdict(&others, s, e, self.models[m].planned);
                let body = json!({
                    "model_id": self.models[m].id,
                    "grantee_org_ids": orgs,
                    "access_mode": "hosted_api",
                    "access_instructions": "Endpoint https://eval.example/v1 ; key in sealed envelope",
                    "starts_at": rfc(s),
                    "ends_at": rfc(e),
                    "terms_version_id": terms_id,
                });
                let r = self
                    .call(
                        Who::DevAdmin,
                        Method::POST,
                        &self.api("/access-grants"),
                        Some(body),
                    )
                    .await?;
                let exp = match verdict {
                    Ok(()) => Exp::Done(201),
                    Err(code) => Exp::Refused(422, code),
                };
                let d = judge(&r, &[exp], "offer")?;
                if r.status == 201 {
                    self.grants.push(GrantS {
                        id: r.id(),
                        model: m,
                        starts: s,
                        ends: e,
                        ended_at: None,
                        grantees: orgs,
                    });
                } else if r.code() == "window_cap_exceeded" {
                    cap_problem_days(&r, &others, s, e)?;
                }
                Ok(Some(d))
            }
            Act::MoveEnd {
                grant,
                delta_h,
                member,
            } => {
                if self.grants.is_empty() {
                    return Ok(None);
                }
                let g = grant.index(self.grants.len());
                let new_ends = self.grants[g].ends + hours(delta_h);
                self.control(Control::Move {
                    grant: g,
                    new_ends,
                    member,
                })
                .await
                .map(Some)
            }
            Act::End { grant, member } => {
                if self.grants.is_empty() {
                    return Ok(None);
                }
                let g = grant.index(self.grants.len());
                self.control(Control::End { grant: g, member })
                    .await
                    .map(Some)
            }
            Act::AcceptTerms { grant, who, focus } => {
                if self.grants.is_empty() {
                    return Ok(None);
                }
                let (gi, who) = self.pick_acceptance(&grant, who, focus, None).await?;
                self.accept_terms(gi, who).await.map(Some)
            }
            Act::AcceptForMember { grant, want } => {
                if self.grants.is_empty() {
                    return Ok(None);
                }
                let (gi, who) = self
                    .pick_acceptance(&grant, Who::NsaAdmin, true, Some(want))
                    .await?;
                self.accept_terms(gi, who).await.map(Some)
            }
            Act::Roster {
                grant,
                by_cisa,
                focus,
            } => {
                if self.grants.is_empty() {
                    return Ok(None);
                }
                let gi = self
                    .pick_grant(&grant, focus, MemberWant::Rosterable)
                    .await?;
                let who = if by_cisa {
                    Who::CisaAdmin
                } else {
                    Who::NsaAdmin
                };
                let org = self.user(who).org_id.clone();
                let id = self.grants[gi].id.clone();
                let rostered = self.member_rostered(gi).await?;
                let g = &self.grants[gi];
                let exp = if !g.grantees.contains(&org) {
                    Exp::Refused(404, "")
                } else if g.finished(now) {
                    Exp::Refused(409, "invalid_transition")
                } else if by_cisa {
                    Exp::Refused(422, "")
                } else if rostered.is_some() {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(201)
                };
                let r = self
                    .call(
                        who,
                        Method::POST,
                        &self.api(&format!("/access-grants/{id}/roster")),
                        Some(json!({"user_id": self.nsa_member.id})),
                    )
                    .await?;
                let d = judge(&r, &[exp], "roster")?;
                if r.status == 201 && !self.ever_rostered.contains(&gi) {
                    self.ever_rostered.push(gi);
                }
                Ok(Some(d))
            }
            Act::Acknowledge { grant, focus } => {
                if self.grants.is_empty() {
                    return Ok(None);
                }
                let gi = self
                    .pick_grant(&grant, focus, MemberWant::Unacknowledged)
                    .await?;
                let id = self.grants[gi].id.clone();
                let rostered = self.member_rostered(gi).await?;
                let view = self
                    .read(Who::DevAdmin, &self.api(&format!("/access-grants/{id}")))
                    .await?;
                let nsa_accepted = view["grantees"].as_array().into_iter().flatten().any(|x| {
                    x["org_id"] == self.nsa.org_id.as_str() && !x["terms_accepted_at"].is_null()
                });
                let g = &self.grants[gi];
                let exp = if !g.grantees.contains(&self.nsa.org_id) {
                    Exp::Refused(404, "")
                } else {
                    match rostered {
                        None => Exp::Refused(403, "not_rostered"),
                        Some(true) => Exp::Repeat(200),
                        Some(false) if !nsa_accepted => Exp::Refused(409, "terms_not_accepted"),
                        Some(false) if g.finished(now) => Exp::Refused(409, "invalid_transition"),
                        Some(false) => Exp::Done(200),
                    }
                };
                let r = self
                    .call(
                        Who::NsaMember,
                        Method::POST,
                        &self.api(&format!("/access-grants/{id}/acknowledge")),
                        None,
                    )
                    .await?;
                judge(&r, &[exp], "acknowledge").map(Some)
            }
            Act::LogUse {
                grant,
                ago_h,
                frac,
                focus,
            } => {
                if self.grants.is_empty() {
                    return Ok(None);
                }
                let gi = self
                    .pick_grant(&grant, focus, MemberWant::Acknowledged)
                    .await?;
                let id = self.grants[gi].id.clone();
                let rostered = self.member_rostered(gi).await?;
                let view = self
                    .read(Who::DevAdmin, &self.api(&format!("/access-grants/{id}")))
                    .await?;
                let completed = !view["developer_accepted_at"].is_null()
                    && view["grantees"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .all(|x| !x["terms_accepted_at"].is_null());
                let g = &self.grants[gi];
                let span_end = g.effective_end().min(now);
                let at = if focus && span_end > g.starts {
                    g.starts
                        + Duration::seconds((span_end - g.starts).num_seconds() * frac as i64 / 100)
                } else {
                    now - hours(ago_h)
                };
                let exp = if !g.grantees.contains(&self.nsa.org_id) {
                    Exp::Refused(404, "")
                } else {
                    match rostered {
                        None => Exp::Refused(403, "not_rostered"),
                        Some(ack) if !ack || !completed => Exp::Refused(409, "terms_not_accepted"),
                        Some(_) => {
                            if at > now || at < g.starts || at >= g.effective_end() {
                                Exp::Refused(422, "outside_window")
                            } else {
                                Exp::Done(201)
                            }
                        }
                    }
                };
                let r = self
                    .call(
                        Who::NsaMember,
                        Method::POST,
                        &self.api(&format!("/access-grants/{id}/access-log")),
                        Some(json!({"occurred_at": rfc(at), "kind": "red_team", "duration_minutes": 45, "summary": "Probed tool-use jailbreaks."})),
                    )
                    .await?;
                judge(&r, &[exp], "access log").map(Some)
            }
            Act::RemoveFromRoster { grant, member } => {
                if self.ever_rostered.is_empty() {
                    return Ok(None);
                }
                let gi = self.ever_rostered[grant.index(self.ever_rostered.len())];
                self.control(Control::RemoveFromRoster { grant: gi, member })
                    .await
                    .map(Some)
            }
            Act::FileRequest { model, member } => {
                let m = model.index(self.models.len());
                let r = self
                    .call(
                        Self::dev_who(member),
                        Method::POST,
                        &self.api("/designation-requests"),
                        Some(json!({"model_id": self.models[m].id, "summary": "Is this model covered?", "capability_evidence": "Internal cyber evaluations."})),
                    )
                    .await?;
                let d = judge(&r, &[Exp::Done(201)], "file request")?;
                self.requests.push(r.id());
                Ok(Some(d))
            }
            Act::Submit { request, focus } => {
                if self.requests.is_empty() {
                    return Ok(None);
                }
                let id = self.pick_request(&request, focus, &["draft"]).await?;
                let status = self.request_status(&id).await?;
                let exp = if status == "draft" {
                    Exp::Done(200)
                } else {
                    Exp::Refused(409, "invalid_transition")
                };
                let r = self
                    .call(
                        Who::DevAdmin,
                        Method::POST,
                        &self.api(&format!("/designation-requests/{id}/submit")),
                        None,
                    )
                    .await?;
                judge(&r, &[exp], "submit").map(Some)
            }
            Act::Withdraw { request, member } => {
                if self.requests.is_empty() {
                    return Ok(None);
                }
                let ri = request.index(self.requests.len());
                self.control(Control::Withdraw {
                    request: ri,
                    member,
                })
                .await
                .map(Some)
            }
            Act::Determine {
                request,
                covered,
                who,
                focus,
            } => {
                if self.requests.is_empty() {
                    return Ok(None);
                }
                let id = self.pick_request(&request, focus, &OPEN_REQUEST).await?;
                let status = self.request_status(&id).await?;
                let exp: Vec<Exp> = match status.as_str() {
                    "draft" => vec![Exp::Refused(404, "")],
                    // A request withdrawn before it was ever submitted: see the report; either
                    // "not visible" or "wrong state" keeps the invariants.
                    "withdrawn" if who == Who::CisaAdmin => {
                        vec![Exp::Refused(404, ""), Exp::Refused(403, "")]
                    }
                    "withdrawn" => vec![
                        Exp::Refused(404, ""),
                        Exp::Refused(409, "invalid_transition"),
                    ],
                    _ if who == Who::CisaAdmin => vec![Exp::Refused(403, "")],
                    "submitted" | "under_review" | "info_requested" => vec![Exp::Done(200)],
                    _ => vec![Exp::Refused(409, "invalid_transition")],
                };
                let r = self
                    .call(
                        who,
                        Method::POST,
                        &self.api(&format!("/designation-requests/{id}/determination")),
                        Some(json!({"outcome": if covered { "covered" } else { "not_covered" }, "rationale": "Unclassified rationale.", "benchmark_ref": "BM-2026-017"})),
                    )
                    .await?;
                judge(&r, &exp, "determine").map(Some)
            }
            Act::Consult {
                request,
                position,
                focus,
            } => {
                if self.requests.is_empty() {
                    return Ok(None);
                }
                let id = self.pick_request(&request, focus, &OPEN_REQUEST).await?;
                let status = self.request_status(&id).await?;
                let exp: Vec<Exp> = match status.as_str() {
                    "draft" => vec![Exp::Refused(404, "")],
                    "withdrawn" => vec![
                        Exp::Refused(404, ""),
                        Exp::Refused(409, "invalid_transition"),
                    ],
                    "submitted" | "under_review" | "info_requested" => vec![Exp::Done(201)],
                    _ => vec![Exp::Refused(409, "invalid_transition")],
                };
                let pos = ["concur", "non_concur", "no_comment"][position as usize % 3];
                let r = self
                    .call(
                        Who::CisaAdmin,
                        Method::POST,
                        &self.api(&format!("/designation-requests/{id}/consultations")),
                        Some(json!({"agency_code": "CISA", "position": pos, "note": "Consulted."})),
                    )
                    .await?;
                judge(&r, &exp, "consult").map(Some)
            }
            Act::Nominate { model, who } => {
                let m = model.index(self.models.len());
                let exp = if who == Who::NsaAdmin {
                    // The Government nominates for models it knows of: a filed request on the
                    // model, or a grant of the model to this agency.
                    let mut known = self
                        .grants
                        .iter()
                        .any(|g| g.model == m && g.grantees.contains(&self.nsa.org_id));
                    if !known {
                        let l = self
                            .read(
                                Who::DevAdmin,
                                &self.api(&format!(
                                    "/designation-requests?model_id={}&limit=200",
                                    self.models[m].id
                                )),
                            )
                            .await?;
                        known = l["items"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|x| x["status"] != "draft");
                    }
                    if known {
                        Exp::Done(201)
                    } else {
                        Exp::Refused(422, "")
                    }
                } else {
                    Exp::Done(201)
                };
                let r = self
                    .call(
                        who,
                        Method::POST,
                        &self.api("/nominations"),
                        Some(json!({"model_id": self.models[m].id, "partner_org_id": self.partner.org_id, "rationale": "Operates critical infrastructure in a rural region."})),
                    )
                    .await?;
                let d = judge(&r, &[exp], "nominate")?;
                if r.status == 201 {
                    ensure!(
                        r.body["status"] == "pending",
                        "a new nomination is pending: {}",
                        r.text
                    );
                    self.nominations.push(r.id());
                }
                Ok(Some(d))
            }
            Act::Answer {
                nomination,
                who,
                concur,
                focus,
            } => {
                if self.nominations.is_empty() {
                    return Ok(None);
                }
                let id = self.pick_nomination(&nomination, focus, "pending").await?;
                let n = self
                    .read(Who::DevAdmin, &self.api(&format!("/nominations/{id}")))
                    .await?;
                // Focused: the side whose turn it is answers.
                let who = if focus && n["status"] == "pending" {
                    let dev_turn = n["developer_position"] == "pending";
                    match (dev_turn, who) {
                        (true, Who::DevAdmin | Who::DevMember) => who,
                        (true, _) => Who::DevAdmin,
                        (false, Who::NsaAdmin | Who::CisaAdmin) => who,
                        (false, _) => Who::NsaAdmin,
                    }
                } else {
                    who
                };
                let dev_side = matches!(who, Who::DevAdmin | Who::DevMember);
                let mine = if dev_side {
                    n["developer_position"].clone()
                } else {
                    n["government_position"].clone()
                };
                let answer = if concur { "concur" } else { "decline" };
                let exp = if who == Who::NsaMember {
                    Exp::Refused(403, "")
                } else if n["status"] == "rescinded" {
                    Exp::Refused(409, "invalid_transition")
                } else if n["status"] != "pending" {
                    if mine == answer {
                        Exp::Repeat(200)
                    } else {
                        Exp::Refused(409, "invalid_transition")
                    }
                } else if mine == "pending" {
                    Exp::Done(200)
                } else {
                    Exp::Refused(409, "invalid_transition")
                };
                let r = self
                    .call(
                        who,
                        Method::POST,
                        &self.api(&format!("/nominations/{id}/{answer}")),
                        None,
                    )
                    .await?;
                judge(&r, &[exp], "answer nomination").map(Some)
            }
            Act::Rescind { nomination, member } => {
                if self.nominations.is_empty() {
                    return Ok(None);
                }
                let ni = nomination.index(self.nominations.len());
                self.control(Control::Rescind {
                    nomination: ni,
                    member,
                })
                .await
                .map(Some)
            }
            Act::IssuePartnerGrant {
                nomination,
                start_h,
                len_h,
                focus,
            } => {
                if self.nominations.is_empty() {
                    return Ok(None);
                }
                let id = self.pick_nomination(&nomination, focus, "selected").await?;
                let n = self
                    .read(Who::DevAdmin, &self.api(&format!("/nominations/{id}")))
                    .await?;
                let exp = if n["status"] == "selected" {
                    Exp::Done(201)
                } else {
                    Exp::Refused(409, "not_selected")
                };
                let s = now + hours(start_h);
                let e = s + hours(len_h);
                let r = self
                    .call(
                        Who::DevAdmin,
                        Method::POST,
                        &self.api("/partner-grants"),
                        Some(json!({"nomination_id": id, "starts_at": rfc(s), "ends_at": rfc(e), "terms_version_id": self.terms[0], "access_instructions": "Partner sandbox at https://partner.example"})),
                    )
                    .await?;
                let d = judge(&r, &[exp], "issue partner grant")?;
                if r.status == 201 {
                    self.pgrants.push(PGrantS {
                        id: r.id(),
                        nomination: id,
                        starts: s,
                        ends: e,
                        revoked_at: None,
                    });
                }
                Ok(Some(d))
            }
            Act::PartnerAccept { pgrant, focus } => {
                if self.pgrants.is_empty() {
                    return Ok(None);
                }
                let pi = self.pick_pgrant(&pgrant, focus).await?;
                let p = &self.pgrants[pi];
                let id = p.id.clone();
                let finished = p.revoked_at.is_some() || now >= p.ends;
                let v = self
                    .read(Who::Partner, &self.api(&format!("/partner-grants/{id}")))
                    .await?;
                let exp = if !v["partner_accepted_at"].is_null() {
                    Exp::Repeat(200)
                } else if finished {
                    Exp::Refused(409, "invalid_transition")
                } else {
                    Exp::Done(200)
                };
                let r = self
                    .call(
                        Who::Partner,
                        Method::POST,
                        &self.api(&format!("/partner-grants/{id}/accept-terms")),
                        None,
                    )
                    .await?;
                judge(&r, &[exp], "partner accepts").map(Some)
            }
            Act::Revoke { pgrant, member } => {
                if self.pgrants.is_empty() {
                    return Ok(None);
                }
                let pi = pgrant.index(self.pgrants.len());
                self.control(Control::Revoke { pgrant: pi, member })
                    .await
                    .map(Some)
            }
            Act::Release { model, member } => {
                let m = model.index(self.models.len());
                self.control(Control::Release { model: m, member })
                    .await
                    .map(Some)
            }
            Act::PublishTerms => {
                let label = format!("Template {}", self.terms.len() + 1);
                let r = self
                    .call(
                        Who::Operator,
                        Method::POST,
                        &self.api("/terms"),
                        Some(terms_body(&label)),
                    )
                    .await?;
                let d = judge(&r, &[Exp::Done(201)], "publish terms")?;
                self.terms.push(r.id());
                Ok(Some(d))
            }
            Act::Advance { hours: h } => {
                self.app.advance(hours(h));
                Ok(Some(0))
            }
            Act::RepeatLastControl => match self.last_control.clone() {
                None => Ok(None),
                Some(c) => {
                    self.trace.push(format!("    repeating {c:?}"));
                    self.control(c).await.map(Some)
                }
            },
        }
    }

    /// A focused step's target among `candidates`, else any of `all`.
    fn pick(idx: &Index, focus: bool, candidates: &[usize], all: usize) -> usize {
        if focus && !candidates.is_empty() {
            candidates[idx.index(candidates.len())]
        } else {
            idx.index(all)
        }
    }

    /// A grant, and who accepts its terms: focused, a party that has not accepted yet.
    ///
    /// `member`: `Some(None)` = only grants of the NSA; `Some(Some(want))` = only grants where
    /// the NSA member is in state `want` (and, for a rostered member whose organization has
    /// not accepted, only the NSA's acceptance).
    async fn pick_acceptance(
        &self,
        idx: &Index,
        who: Who,
        focus: bool,
        member: Option<Option<MemberWant>>,
    ) -> Result<(usize, Who), String> {
        if !focus {
            return Ok((idx.index(self.grants.len()), who));
        }
        let within = match member {
            Some(Some(want)) => Some(self.member_candidates(want).await?),
            _ => None,
        };
        let nsa_party_only = member == Some(Some(MemberWant::RosteredUnaccepted));
        let nsa_only = member.is_some();
        let now = self.now();
        let l = self
            .read(Who::DevAdmin, &self.api("/access-grants?limit=200"))
            .await?;
        let mut pending: Vec<(usize, Who)> = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            let Some(gi) = self
                .grants
                .iter()
                .position(|g| g.id == x["id"].as_str().unwrap_or_default())
            else {
                continue;
            };
            let g = &self.grants[gi];
            if g.finished(now)
                || (nsa_only && !g.grantees.contains(&self.nsa.org_id))
                || within.as_ref().is_some_and(|w| !w.contains(&gi))
            {
                continue;
            }
            if x["developer_accepted_at"].is_null() && !nsa_party_only {
                pending.push((gi, Who::DevAdmin));
            }
            for y in x["grantees"].as_array().into_iter().flatten() {
                if y["terms_accepted_at"].is_null() {
                    let w = if y["org_id"] == self.nsa.org_id.as_str() {
                        Who::NsaAdmin
                    } else {
                        Who::CisaAdmin
                    };
                    if w == Who::NsaAdmin || !nsa_party_only {
                        pending.push((gi, w));
                    }
                }
            }
        }
        pending.sort_by_key(|(gi, _)| *gi);
        Ok(if pending.is_empty() {
            (idx.index(self.grants.len()), who)
        } else {
            pending[idx.index(pending.len())]
        })
    }

    /// Grants where a step of the NSA member can make progress.
    async fn member_candidates(&self, want: MemberWant) -> Result<Vec<usize>, String> {
        let now = self.now();
        let l = self
            .read(Who::NsaMember, &self.api("/access-grants?limit=200"))
            .await?;
        let mut candidates = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            let Some(gi) = self
                .grants
                .iter()
                .position(|g| g.id == x["id"].as_str().unwrap_or_default())
            else {
                continue;
            };
            let g = &self.grants[gi];
            let (rostered, ack) = (
                x["viewer"]["rostered"] == true,
                x["viewer"]["acknowledged"] == true,
            );
            let nsa_accepted = x["grantees"].as_array().into_iter().flatten().any(|y| {
                y["org_id"] == self.nsa.org_id.as_str() && !y["terms_accepted_at"].is_null()
            });
            let completed = !x["developer_accepted_at"].is_null()
                && x["grantees"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|y| !y["terms_accepted_at"].is_null());
            let ok = match want {
                MemberWant::Rosterable => !rostered && !g.finished(now),
                MemberWant::Unacknowledged => rostered && !ack && nsa_accepted && !g.finished(now),
                MemberWant::Acknowledged => {
                    ack && completed && g.starts <= now && g.starts < g.effective_end()
                }
                MemberWant::AcknowledgedNotStarted => {
                    ack && completed && now < g.starts && !g.finished(now)
                }
                MemberWant::AcknowledgedIncomplete => ack && !completed && !g.finished(now),
                MemberWant::RosteredUnaccepted => {
                    rostered && !ack && !nsa_accepted && !g.finished(now)
                }
            };
            if ok {
                candidates.push(gi);
            }
        }
        candidates.sort();
        Ok(candidates)
    }

    /// A grant for the NSA member's steps: focused, one where the step can make progress.
    async fn pick_grant(
        &self,
        idx: &Index,
        focus: bool,
        want: MemberWant,
    ) -> Result<usize, String> {
        let candidates = if focus {
            self.member_candidates(want).await?
        } else {
            Vec::new()
        };
        Ok(Self::pick(idx, focus, &candidates, self.grants.len()))
    }

    async fn request_candidates(&self, states: &[&str]) -> Result<Vec<usize>, String> {
        let l = self
            .read(Who::DevAdmin, &self.api("/designation-requests?limit=200"))
            .await?;
        let mut candidates = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            if states.iter().any(|s| x["status"] == *s) {
                if let Some(i) = self.requests.iter().position(|r| x["id"] == r.as_str()) {
                    candidates.push(i);
                }
            }
        }
        candidates.sort();
        Ok(candidates)
    }

    async fn nomination_candidates(&self, status: &str) -> Result<Vec<usize>, String> {
        let l = self
            .read(Who::DevAdmin, &self.api("/nominations?limit=200"))
            .await?;
        let mut candidates = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            if x["status"] == status {
                if let Some(i) = self.nominations.iter().position(|n| x["id"] == n.as_str()) {
                    candidates.push(i);
                }
            }
        }
        candidates.sort();
        Ok(candidates)
    }

    async fn pgrant_candidates(&self) -> Result<Vec<usize>, String> {
        let now = self.now();
        let l = self
            .read(Who::Partner, &self.api("/partner-grants?limit=200"))
            .await?;
        let mut candidates = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            if !x["partner_accepted_at"].is_null() {
                continue;
            }
            if let Some(i) = self.pgrants.iter().position(|p| x["id"] == p.id.as_str()) {
                let p = &self.pgrants[i];
                if p.revoked_at.is_none() && now < p.ends {
                    candidates.push(i);
                }
            }
        }
        candidates.sort();
        Ok(candidates)
    }

    /// A focused step with nothing to make progress on becomes the step before it on the
    /// way (log ← wait for the window ← acknowledge ← roster ← accept terms; partner accepts
    /// ← issue ← answer ← nominate; determine/consult ← submit ← file), so short histories
    /// reach deep states.
    async fn resolve(&self, act: &Act) -> Result<Act, String> {
        let mut act = act.clone();
        for _ in 0..8 {
            let next = match &act {
                // A step on a record of a kind that does not exist yet: the developer creates
                // one first.
                Act::MoveEnd { grant, .. }
                | Act::End { grant, .. }
                | Act::AcceptTerms { grant, .. }
                | Act::AcceptForMember { grant, .. }
                | Act::Roster { grant, .. }
                | Act::Acknowledge { grant, .. }
                | Act::LogUse { grant, .. }
                    if self.grants.is_empty() =>
                {
                    Some(Act::Offer {
                        model: *grant,
                        start_h: -24,
                        len_h: 10 * 24,
                        grantees: 0,
                        terms: *grant,
                    })
                }
                Act::Submit { request, .. }
                | Act::Withdraw { request, .. }
                | Act::Determine { request, .. }
                | Act::Consult { request, .. }
                    if self.requests.is_empty() =>
                {
                    Some(Act::FileRequest {
                        model: *request,
                        member: false,
                    })
                }
                Act::Answer { nomination, .. }
                | Act::Rescind { nomination, .. }
                | Act::IssuePartnerGrant { nomination, .. }
                    if self.nominations.is_empty() =>
                {
                    Some(Act::Nominate {
                        model: *nomination,
                        who: Who::DevAdmin,
                    })
                }
                Act::PartnerAccept { pgrant, .. } | Act::Revoke { pgrant, .. }
                    if self.pgrants.is_empty() =>
                {
                    Some(Act::IssuePartnerGrant {
                        nomination: *pgrant,
                        start_h: -24,
                        len_h: 20 * 24,
                        focus: true,
                    })
                }
                Act::LogUse {
                    grant, focus: true, ..
                } if self
                    .member_candidates(MemberWant::Acknowledged)
                    .await?
                    .is_empty() =>
                {
                    let waiting = self
                        .member_candidates(MemberWant::AcknowledgedNotStarted)
                        .await?;
                    if let Some(first) = waiting.iter().map(|gi| self.grants[*gi].starts).min() {
                        // Time passes until the earliest such window opens.
                        let h = ((first - self.now()).num_minutes() + 59) / 60;
                        Some(Act::Advance {
                            hours: h.clamp(0, 5 * 24),
                        })
                    } else if self
                        .member_candidates(MemberWant::AcknowledgedIncomplete)
                        .await?
                        .is_empty()
                    {
                        Some(Act::Acknowledge {
                            grant: *grant,
                            focus: true,
                        })
                    } else {
                        Some(Act::AcceptForMember {
                            grant: *grant,
                            want: Some(MemberWant::AcknowledgedIncomplete),
                        })
                    }
                }
                Act::Acknowledge { grant, focus: true }
                    if self
                        .member_candidates(MemberWant::Unacknowledged)
                        .await?
                        .is_empty() =>
                {
                    if self
                        .member_candidates(MemberWant::RosteredUnaccepted)
                        .await?
                        .is_empty()
                    {
                        Some(Act::Roster {
                            grant: *grant,
                            by_cisa: false,
                            focus: true,
                        })
                    } else {
                        Some(Act::AcceptForMember {
                            grant: *grant,
                            want: Some(MemberWant::RosteredUnaccepted),
                        })
                    }
                }
                Act::Roster {
                    grant, focus: true, ..
                } if self
                    .member_candidates(MemberWant::Rosterable)
                    .await?
                    .is_empty() =>
                {
                    Some(Act::AcceptForMember {
                        grant: *grant,
                        want: None,
                    })
                }
                Act::PartnerAccept {
                    pgrant,
                    focus: true,
                } if self.pgrant_candidates().await?.is_empty() => Some(Act::IssuePartnerGrant {
                    nomination: *pgrant,
                    start_h: -24,
                    len_h: 20 * 24,
                    focus: true,
                }),
                Act::IssuePartnerGrant {
                    nomination,
                    focus: true,
                    ..
                } if self.nomination_candidates("selected").await?.is_empty() => {
                    Some(Act::Answer {
                        nomination: *nomination,
                        who: Who::NsaAdmin,
                        concur: true,
                        focus: true,
                    })
                }
                Act::Answer {
                    nomination,
                    focus: true,
                    ..
                } if self.nomination_candidates("pending").await?.is_empty() => {
                    Some(Act::Nominate {
                        model: *nomination,
                        who: Who::DevAdmin,
                    })
                }
                Act::Determine {
                    request,
                    focus: true,
                    ..
                }
                | Act::Consult {
                    request,
                    focus: true,
                    ..
                } if self.request_candidates(&OPEN_REQUEST).await?.is_empty() => {
                    Some(Act::Submit {
                        request: *request,
                        focus: true,
                    })
                }
                Act::Submit {
                    request,
                    focus: true,
                } if self.request_candidates(&["draft"]).await?.is_empty() => {
                    Some(Act::FileRequest {
                        model: *request,
                        member: false,
                    })
                }
                _ => None,
            };
            match next {
                Some(a) => act = a,
                None => break,
            }
        }
        Ok(act)
    }

    /// A designation request: focused, one in one of `states`.
    async fn pick_request(
        &self,
        idx: &Index,
        focus: bool,
        states: &[&str],
    ) -> Result<String, String> {
        let candidates = if focus {
            self.request_candidates(states).await?
        } else {
            Vec::new()
        };
        Ok(self.requests[Self::pick(idx, focus, &candidates, self.requests.len())].clone())
    }

    /// A nomination: focused, one whose status is `status`.
    async fn pick_nomination(
        &self,
        idx: &Index,
        focus: bool,
        status: &str,
    ) -> Result<String, String> {
        let candidates = if focus {
            self.nomination_candidates(status).await?
        } else {
            Vec::new()
        };
        Ok(self.nominations[Self::pick(idx, focus, &candidates, self.nominations.len())].clone())
    }

    /// A partner grant: focused, one the partner has not accepted and that is still open.
    async fn pick_pgrant(&self, idx: &Index, focus: bool) -> Result<usize, String> {
        let candidates = if focus {
            self.pgrant_candidates().await?
        } else {
            Vec::new()
        };
        Ok(Self::pick(idx, focus, &candidates, self.pgrants.len()))
    }

    /// `who` accepts the terms of grant `gi` for their organization.
    async fn accept_terms(&mut self, gi: usize, who: Who) -> Result<i64, String> {
        let now = self.now();
        let g = &self.grants[gi];
        let id = g.id.clone();
        let view = self
            .read(Who::DevAdmin, &self.api(&format!("/access-grants/{id}")))
            .await?;
        let accepted_by = |org: &str| -> bool {
            view["grantees"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x["org_id"] == org && !x["terms_accepted_at"].is_null())
        };
        let finished = g.finished(now);
        let grantee = |org: &str| g.grantees.iter().any(|o| o == org);
        let exp = match who {
            Who::DevAdmin => {
                if !view["developer_accepted_at"].is_null() {
                    Exp::Repeat(200)
                } else if finished {
                    Exp::Refused(409, "invalid_transition")
                } else {
                    Exp::Done(200)
                }
            }
            Who::DevMember => Exp::Refused(403, ""),
            Who::NsaAdmin | Who::CisaAdmin => {
                let org = self.user(who).org_id.clone();
                if !grantee(&org) {
                    Exp::Refused(404, "")
                } else if accepted_by(&org) {
                    Exp::Repeat(200)
                } else if finished {
                    Exp::Refused(409, "invalid_transition")
                } else {
                    Exp::Done(200)
                }
            }
            _ => {
                if grantee(&self.nsa.org_id) {
                    Exp::Refused(403, "")
                } else {
                    Exp::Refused(404, "")
                }
            }
        };
        let r = self
            .call(
                who,
                Method::POST,
                &self.api(&format!("/access-grants/{id}/accept-terms")),
                None,
            )
            .await?;
        judge(&r, &[exp], "accept terms")
    }

    /// `None` if the NSA member is not on the grant's roster, else whether they acknowledged.
    async fn member_rostered(&self, gi: usize) -> Result<Option<bool>, String> {
        let id = &self.grants[gi].id;
        let l = self
            .read(
                Who::DevAdmin,
                &self.api(&format!("/access-grants/{id}/roster")),
            )
            .await?;
        Ok(l["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| x["user_id"] == self.nsa_member.id.as_str())
            .map(|x| !x["acknowledged_at"].is_null()))
    }

    async fn request_status(&self, id: &str) -> Result<String, String> {
        let r = self
            .read(
                Who::DevAdmin,
                &self.api(&format!("/designation-requests/{id}")),
            )
            .await?;
        Ok(r["status"].as_str().unwrap_or_default().to_string())
    }

    /// A developer control (DESIGN §2.7): must answer 200 at once whatever the state; writes
    /// one audit event when it changes something, none when it is a repeat.
    async fn control(&mut self, c: Control) -> Result<i64, String> {
        let now = self.now();
        self.last_control = Some(c.clone());
        let (who, method, path, body, exp, what): (
            Who,
            Method,
            String,
            Option<Value>,
            Vec<Exp>,
            String,
        );
        let mut must_succeed = true;
        match &c {
            Control::End { grant, member } => {
                let g = &self.grants[*grant];
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/access-grants/{}/end", g.id));
                body = None;
                exp = vec![if g.finished(now) {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(200)
                }];
                what = "end grant".into();
            }
            Control::Move {
                grant,
                new_ends,
                member,
            } => {
                let g = &self.grants[*grant];
                let new_ends = *new_ends;
                who = Self::dev_who(*member);
                method = Method::PATCH;
                path = self.api(&format!("/access-grants/{}", g.id));
                body = Some(json!({"ends_at": rfc(new_ends)}));
                let shortening = new_ends < g.ends && new_ends > g.starts;
                must_succeed = shortening;
                exp = if shortening {
                    // DESIGN §2.4/§2.7: the developer may always move ends_at earlier.
                    vec![Exp::Done(200)]
                } else if new_ends == g.ends {
                    // Moving the end to where it already is changes nothing, even on a closed grant.
                    vec![Exp::Repeat(200)]
                } else if new_ends <= g.starts {
                    vec![
                        Exp::Refused(422, "invalid_window"),
                        Exp::Refused(409, "invalid_transition"),
                    ]
                } else if g.finished(now) {
                    // Extending a grant that already closed.
                    vec![Exp::Refused(409, "invalid_transition")]
                } else {
                    let others = self.model_windows_except(g.model, Some(*grant));
                    match window_verdict(&others, g.starts, new_ends, self.models[g.model].planned)
                    {
                        Ok(()) => vec![Exp::Done(200)],
                        Err(code) => vec![Exp::Refused(422, code)],
                    }
                };
                what = if shortening {
                    "shorten grant".into()
                } else {
                    "move grant end".into()
                };
            }
            Control::Withdraw { request, member } => {
                let id = self.requests[*request].clone();
                let status = self.request_status(&id).await?;
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/designation-requests/{id}/withdraw"));
                body = None;
                exp = vec![if status == "withdrawn" {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(200)
                }];
                what = format!("withdraw a {status} request");
            }
            Control::Release { model, member } => {
                let m = &self.models[*model];
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/models/{}/release", m.id));
                body = None;
                exp = vec![if m.released {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(200)
                }];
                what = "release model".into();
            }
            Control::Rescind { nomination, member } => {
                let id = self.nominations[*nomination].clone();
                let n = self
                    .read(Who::DevAdmin, &self.api(&format!("/nominations/{id}")))
                    .await?;
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/nominations/{id}/rescind"));
                body = None;
                exp = vec![if n["rescinded_at"].is_null() {
                    Exp::Done(200)
                } else {
                    Exp::Repeat(200)
                }];
                what = format!(
                    "rescind a {} nomination",
                    n["status"].as_str().unwrap_or("?")
                );
            }
            Control::Revoke { pgrant, member } => {
                let p = &self.pgrants[*pgrant];
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/partner-grants/{}/revoke", p.id));
                body = None;
                exp = vec![if p.revoked_at.is_some() {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(200)
                }];
                what = "revoke partner grant".into();
            }
            Control::RemoveFromRoster { grant, member } => {
                let rostered = self.member_rostered(*grant).await?;
                let g = &self.grants[*grant];
                who = Self::dev_who(*member);
                method = Method::DELETE;
                path = self.api(&format!(
                    "/access-grants/{}/roster/{}",
                    g.id, self.nsa_member.id
                ));
                body = None;
                exp = vec![if rostered.is_some() {
                    Exp::Done(200)
                } else {
                    Exp::Repeat(200)
                }];
                what = "remove from roster".into();
            }
        }
        let r = self.call(who, method, &path, body).await?;
        no_gate(&r);
        if must_succeed {
            ensure!(
                r.status == 200,
                "DESIGN §2.7: the developer control `{what}` ({c:?}) was refused: {} {}",
                r.status,
                r.text
            );
        }
        let d = judge(&r, &exp, &what)?;
        if let (
            Control::Move {
                grant, new_ends, ..
            },
            "window_cap_exceeded",
        ) = (&c, r.code())
        {
            let g = &self.grants[*grant];
            let others = self.model_windows_except(g.model, Some(*grant));
            cap_problem_days(&r, &others, g.starts, *new_ends)?;
        }
        // Keep the shadow in step with what the control changed.
        if r.status == 200 && d == 1 {
            match c {
                Control::End { grant, .. } => self.grants[grant].ended_at = Some(now),
                Control::Move {
                    grant, new_ends, ..
                } => self.grants[grant].ends = new_ends,
                Control::Release { model, .. } => self.models[model].released = true,
                Control::Rescind { nomination, .. } => {
                    let nid = self.nominations[nomination].clone();
                    for p in self.pgrants.iter_mut().filter(|p| p.nomination == nid) {
                        if p.revoked_at.is_none() {
                            p.revoked_at = Some(now);
                        }
                    }
                }
                Control::Revoke { pgrant, .. } => self.pgrants[pgrant].revoked_at = Some(now),
                Control::Withdraw { .. } | Control::RemoveFromRoster { .. } => {}
            }
        }
        Ok(d)
    }

    // ------------------------------------------------------------ the invariants

    async fn check(&mut self) -> Result<(), String> {
        let now = self.now();
        let mut dev_status: HashMap<String, String> = HashMap::new();
        // 1 + 3 for government grants, model by model.
        for (mi, m) in self.models.iter().enumerate() {
            let l = self
                .read(
                    Who::DevAdmin,
                    &self.api(&format!("/access-grants?model_id={}&limit=200", m.id)),
                )
                .await?;
            let items = l["items"].as_array().cloned().unwrap_or_default();
            let shadow: Vec<&GrantS> = self.grants.iter().filter(|g| g.model == mi).collect();
            let got: HashSet<String> = items
                .iter()
                .map(|x| x["id"].as_str().unwrap_or_default().to_string())
                .collect();
            let want: HashSet<String> = shadow.iter().map(|g| g.id.clone()).collect();
            ensure!(
                got == want,
                "model {}: grants listed {got:?}, offered {want:?}",
                m.id
            );
            let mut windows = Vec::new();
            for x in &items {
                let id = x["id"].as_str().unwrap_or_default();
                let g = shadow.iter().find(|g| g.id == id).unwrap();
                let (s, e, ended) = (
                    ts(&x["starts_at"]),
                    ts(&x["ends_at"]),
                    opt_ts(&x["ended_at"]),
                );
                ensure!(
                    s == g.starts && e == g.ends && ended == g.ended_at,
                    "grant {id}: window [{s}, {e}) ended {ended:?}; expected [{}, {}) ended {:?}",
                    g.starts,
                    g.ends,
                    g.ended_at
                );
                let eff_end = ended.map_or(e, |x| x.min(e));
                windows.push((s, eff_end.max(s)));
                // 3: the derived status.
                let accepted = !x["developer_accepted_at"].is_null()
                    && x["grantees"]
                        .as_array()
                        .is_some_and(|a| a.iter().all(|y| !y["terms_accepted_at"].is_null()));
                let want = derived_status(now, s, e, ended.is_some(), "ended", accepted);
                ensure!(
                    x["status"] == want,
                    "grant {id}: status {} but the timestamps say {want} (now {now}, starts {s}, ends {e}, ended {ended:?}, accepted {accepted})",
                    x["status"]
                );
                dev_status.insert(id.to_string(), want.to_string());
                let left = x["days_remaining"].as_f64().unwrap_or(f64::NAN);
                let want_left = if ended.is_some() {
                    0.0
                } else {
                    days_of((e - now).num_seconds().max(0))
                };
                ensure!(
                    (left - want_left).abs() <= 0.006,
                    "grant {id}: days_remaining {left}, expected {want_left:.4}"
                );
            }
            // 1: the cap, on what the API says and on the shadow.
            let union = union_secs(windows);
            ensure!(
                union <= CAP,
                "model {}: the government windows span {:.3} days > 30",
                m.id,
                days_of(union)
            );
            let shadow_union = union_secs(shadow.iter().map(|g| g.effective()).collect());
            ensure!(
                union == shadow_union,
                "model {}: union {union}s, shadow {shadow_union}s",
                m.id
            );
            let mv = self
                .read(Who::DevAdmin, &self.api(&format!("/models/{}", m.id)))
                .await?;
            let granted = mv["government_days_granted"].as_f64().unwrap_or(f64::NAN);
            ensure!(
                (granted - days_of(union)).abs() <= 0.01 + 1e-9,
                "model {}: government_days_granted {granted}, the windows' union is {:.4} days",
                m.id,
                days_of(union)
            );
            let remaining = mv["government_days_remaining"].as_f64().unwrap_or(f64::NAN);
            ensure!(
                (remaining - (30.0 - granted).max(0.0)).abs() <= 0.01 + 1e-9,
                "model {}: government_days_remaining {remaining} with {granted} granted",
                m.id
            );
            ensure!(
                mv["released_at"].is_null() != m.released,
                "model {}: released_at {} but released = {}",
                m.id,
                mv["released_at"],
                m.released
            );
        }
        // 3 for the grantees: NSA and CISA see exactly their grants, with the same status.
        for who in [Who::NsaAdmin, Who::CisaAdmin] {
            let org = self.user(who).org_id.clone();
            let l = self
                .read(who, &self.api("/access-grants?limit=200"))
                .await?;
            let got: HashMap<String, String> = l["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| {
                    (
                        x["id"].as_str().unwrap_or_default().to_string(),
                        x["status"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let want: HashSet<String> = self
                .grants
                .iter()
                .filter(|g| g.grantees.contains(&org))
                .map(|g| g.id.clone())
                .collect();
            ensure!(
                got.keys().cloned().collect::<HashSet<_>>() == want,
                "{who:?} lists grants {:?}, is grantee of {want:?}",
                got.keys()
            );
            for (id, s) in &got {
                ensure!(
                    dev_status.get(id) == Some(s),
                    "{who:?} sees grant {id} as {s}, the developer as {:?}",
                    dev_status.get(id)
                );
            }
            // Grantee admins are never on a roster here: they never see the instructions.
            for x in l["items"].as_array().into_iter().flatten() {
                ensure!(
                    x["access_instructions"].is_null(),
                    "{who:?} (not rostered) sees the access instructions of grant {}",
                    x["id"]
                );
            }
        }
        // The NSA member sees the NSA's grants; the instructions only once rostered and
        // acknowledged, and only while the grant is scheduled or active (every party accepted,
        // not ended or expired: DESIGN §2.4).
        let l = self
            .read(Who::NsaMember, &self.api("/access-grants?limit=200"))
            .await?;
        let mut seen = 0;
        for x in l["items"].as_array().into_iter().flatten() {
            seen += 1;
            let id = x["id"].as_str().unwrap_or_default();
            let ack = x["viewer"]["acknowledged"] == true;
            ensure!(
                !ack || x["viewer"]["rostered"] == true,
                "grant {id}: the member acknowledged without being rostered: {}",
                x["viewer"]
            );
            let open = matches!(x["status"].as_str(), Some("scheduled" | "active"));
            ensure!(
                x["access_instructions"].is_null() != (ack && open),
                "grant {id} ({}): the member (viewer {}) sees instructions {}",
                x["status"],
                x["viewer"],
                x["access_instructions"]
            );
            ensure!(
                dev_status.get(id).map(String::as_str) == x["status"].as_str(),
                "the NSA member sees grant {id} as {}, the developer as {:?}",
                x["status"],
                dev_status.get(id)
            );
        }
        let nsa_grants = self
            .grants
            .iter()
            .filter(|g| g.grantees.contains(&self.nsa.org_id))
            .count();
        ensure!(
            seen == nsa_grants,
            "the NSA member lists {seen} grants, the NSA is grantee of {nsa_grants}"
        );
        // Nominations: the status is derived from the two positions and rescission.
        let l = self
            .read(Who::DevAdmin, &self.api("/nominations?limit=200"))
            .await?;
        let items = l["items"].as_array().cloned().unwrap_or_default();
        ensure!(
            items.len() == self.nominations.len(),
            "{} nominations listed, {} made",
            items.len(),
            self.nominations.len()
        );
        for x in &items {
            let (d, g) = (
                x["developer_position"].as_str().unwrap_or_default(),
                x["government_position"].as_str().unwrap_or_default(),
            );
            let want = if !x["rescinded_at"].is_null() {
                "rescinded"
            } else if d == "decline" || g == "decline" {
                "declined"
            } else if d == "concur" && g == "concur" {
                "selected"
            } else {
                "pending"
            };
            ensure!(
                x["status"] == want,
                "nomination {}: status {} with positions {d}/{g}, rescinded_at {}",
                x["id"],
                x["status"],
                x["rescinded_at"]
            );
        }
        // 3 for partner grants, as the developer and as the partner.
        let dev_l = self
            .read(Who::DevAdmin, &self.api("/partner-grants?limit=200"))
            .await?;
        let partner_l = self
            .read(Who::Partner, &self.api("/partner-grants?limit=200"))
            .await?;
        for (who, l) in [(Who::DevAdmin, &dev_l), (Who::Partner, &partner_l)] {
            let items = l["items"].as_array().cloned().unwrap_or_default();
            let got: HashSet<String> = items
                .iter()
                .map(|x| x["id"].as_str().unwrap_or_default().to_string())
                .collect();
            let want: HashSet<String> = self.pgrants.iter().map(|p| p.id.clone()).collect();
            ensure!(
                got == want,
                "{who:?} lists partner grants {got:?}, issued {want:?}"
            );
            for x in &items {
                let id = x["id"].as_str().unwrap_or_default();
                let p = self.pgrants.iter().find(|p| p.id == id).unwrap();
                let (s, e, rev) = (
                    ts(&x["starts_at"]),
                    ts(&x["ends_at"]),
                    opt_ts(&x["revoked_at"]),
                );
                ensure!(
                    s == p.starts && e == p.ends && rev == p.revoked_at,
                    "{who:?}: partner grant {id}: [{s}, {e}) revoked {rev:?}; expected [{}, {}) revoked {:?}",
                    p.starts,
                    p.ends,
                    p.revoked_at
                );
                let accepted = !x["partner_accepted_at"].is_null();
                let want = derived_status(now, s, e, rev.is_some(), "revoked", accepted);
                ensure!(
                    who == Who::DevAdmin || x["access_instructions"].is_null(),
                    "the partner admin (never acknowledged) sees the instructions of {id}"
                );
                ensure!(
                    x["status"] == want,
                    "{who:?}: partner grant {id}: status {} but the timestamps say {want} (now {now}, accepted {accepted})",
                    x["status"]
                );
            }
        }
        // 4: the audit chain.
        let v = self
            .read(Who::Operator, &self.api("/admin/audit/verify"))
            .await?;
        ensure!(v["valid"] == true, "the audit chain is broken: {v}");
        let events = v["events"].as_i64().unwrap_or(-1);
        ensure!(
            events >= self.audit_seen,
            "the audit chain shrank from {} to {events} events",
            self.audit_seen
        );
        let stored = self.app.audit_count().await;
        ensure!(
            events == stored,
            "audit verify counted {events} events, the table holds {stored}"
        );
        self.audit_seen = events;
        Ok(())
    }
}

// ================================================================ the runner

fn config() -> ProptestConfig {
    let env = |k: &str, d: u32| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(d)
    };
    ProptestConfig {
        cases: env("PORTAL_PROPTEST_CASES", 12),
        // Every shrink step starts a server: keep shrinking bounded.
        max_shrink_iters: env("PORTAL_PROPTEST_SHRINK_ITERS", 48),
        max_shrink_time: 10 * 60 * 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Replays one scenario on a fresh server, adding each step it runs to `steps`.
async fn run_case(backend: Backend, sc: &Scenario, steps: &AtomicUsize) -> Result<(), String> {
    let Some(app) = spawn_app(backend).await else {
        return Ok(());
    };
    let mut w = World::new(app, sc).await;
    w.audit_seen = w.app.audit_count().await;
    w.check().await.map_err(|e| format!("after setup: {e}"))?;
    for act in &sc.acts {
        let ran = w.step(act).await;
        if !matches!(ran, Ok(false)) {
            steps.fetch_add(1, Ordering::Relaxed);
        }
        if let Err(e) = ran {
            let tail: Vec<&String> = w.trace.iter().rev().take(60).collect();
            let tail: Vec<&str> = tail.into_iter().rev().map(String::as_str).collect();
            return Err(format!(
                "{e}\n--- trace ({backend:?}, last lines) ---\n{}",
                tail.join("\n")
            ));
        }
    }
    if std::env::var("PORTAL_PROPTEST_TRACE").is_ok_and(|v| v == "1") {
        eprintln!("--- case ({backend:?}) ---\n{}", w.trace.join("\n"));
    }
    Ok(())
}

fn run_property(name: &str, backend: Backend, act: BoxedStrategy<Act>) {
    if backend == Backend::Postgres && pg_database().is_none() {
        eprintln!("property {name} ({backend:?}): skipped, PostgreSQL unavailable");
        return;
    }
    let started = Instant::now();
    let cases = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let steps = AtomicUsize::new(0);
    // A fixed seed by default, so CI runs the same histories every time and a red run can be
    // replayed; PORTAL_PROPTEST_SEED=<u64> picks another, =random explores (and prints the seed).
    let seed: u64 = match std::env::var("PORTAL_PROPTEST_SEED")
        .ok()
        .as_deref()
        .map(str::trim)
    {
        None | Some("") => 20_260_601,
        Some("random") => rand::random(),
        Some(s) => s
            .parse()
            .expect("PORTAL_PROPTEST_SEED must be a u64 or 'random'"),
    };
    eprintln!(
        "property {name} ({backend:?}): seed {seed} (replay with PORTAL_PROPTEST_SEED={seed})"
    );
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = proptest::test_runner::TestRng::from_seed(
        proptest::test_runner::RngAlgorithm::ChaCha,
        &bytes,
    );
    let mut runner = TestRunner::new_with_rng(config(), rng);
    let result = runner.run(&scenario(act), |sc| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let out = rt.block_on(run_case(backend, &sc, &steps));
        rt.shutdown_timeout(std::time::Duration::from_secs(2));
        cases.fetch_add(1, Ordering::Relaxed);
        out.map_err(|e| {
            failed.fetch_add(1, Ordering::Relaxed);
            TestCaseError::fail(e)
        })
    });
    let outcomes = OUTCOMES.with(|o| std::mem::take(&mut *o.borrow_mut()));
    let outcomes: Vec<String> = outcomes.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
    let failed = failed.load(Ordering::Relaxed);
    eprintln!(
        "property {name} ({backend:?}): {} cases{}, {} steps, {:.1}s\n  outcomes: {}",
        cases.load(Ordering::Relaxed),
        if failed > 0 {
            format!(" ({failed} failing, shrinking included)")
        } else {
            String::new()
        },
        steps.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        outcomes.join("; ")
    );
    if let Err(e) = result {
        panic!("property {name} ({backend:?}) failed: {e}");
    }
}

/// Minimal failing histories found by the properties, replayed on every run so that a bug once
/// found stays visible (and stays fixed) whatever the random draw.
fn recorded_histories() -> Vec<(&'static str, Scenario)> {
    // With one model and one grant every `Index` picks the same record.
    let any_index = || {
        any::<Index>()
            .new_tree(&mut TestRunner::deterministic())
            .expect("an index")
            .current()
    };
    vec![(
        "shortening an ended grant to a time after it ended (DESIGN §2.7)",
        Scenario {
            two_models: false,
            planned_release_days: None,
            acts: vec![
                // [t0 - 1 day, t0 + 9 days) for the NSA …
                Act::Offer {
                    model: any_index(),
                    start_h: -24,
                    len_h: 10 * 24,
                    grantees: 0,
                    terms: any_index(),
                },
                // … ended at t0 …
                Act::End {
                    grant: any_index(),
                    member: true,
                },
                // … then ends_at moved earlier, to t0 + 159 h (still after ended_at).
                Act::MoveEnd {
                    grant: any_index(),
                    delta_h: -57,
                    member: true,
                },
            ],
        },
    )]
}

fn replay_recorded(backend: Backend) {
    if backend == Backend::Postgres && pg_database().is_none() {
        eprintln!("recorded histories ({backend:?}): skipped, PostgreSQL unavailable");
        return;
    }
    let mut failures = Vec::new();
    let histories = recorded_histories();
    for (name, sc) in &histories {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let steps = AtomicUsize::new(0);
        if let Err(e) = rt.block_on(run_case(backend, sc, &steps)) {
            failures.push(format!("{name}: {e}"));
        }
        rt.shutdown_timeout(std::time::Duration::from_secs(2));
    }
    eprintln!(
        "recorded histories ({backend:?}): {} replayed, {} failing",
        histories.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

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
