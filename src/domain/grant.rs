//! Government access grants and partner early-access grants: derived statuses, the access-log
//! time rule and reminder timing (DESIGN §2.4, §2.6, §2.9).
//!
//! Statuses are **derived, never stored**: they are a function of the stored timestamps, the
//! terms acceptances and `now`, so a window is expired the instant it ends even if no job ran.

use chrono::{DateTime, Duration, Utc};

use super::ids::{GrantId, ModelId, OrgId, TermsId};
use super::problem::ProblemCode;

domain_string_enum! {
    /// The derived status of a grant. Government grants use `ended`, partner grants `revoked`
    /// for the developer stopping a grant early; the rest are shared.
    pub enum GrantStatus {
        /// The developer ended the Government grant early (always allowed, Sec. 3(c)).
        Ended = "ended",
        /// The developer revoked the partner grant (always allowed, Sec. 3(c)).
        Revoked = "revoked",
        /// The window is over (`now ≥ ends_at`).
        Expired = "expired",
        /// Not everyone who must accept the terms has accepted them yet.
        AwaitingTerms = "awaiting_terms",
        /// Terms accepted, window not started yet.
        Scheduled = "scheduled",
        /// Terms accepted and the window is open now.
        Active = "active",
    }
}

domain_string_enum! {
    /// How the Government reaches the model during its window (DESIGN §2.4).
    pub enum AccessMode {
        /// Through the developer's hosted API.
        HostedApi = "hosted_api",
        /// Model weights on Government premises.
        WeightsOnPremises = "weights_on_premises",
        /// In a sandbox environment the developer provides.
        Sandbox = "sandbox",
        /// Anything else, described in the access instructions.
        Other = "other",
    }
}

domain_string_enum! {
    /// What a logged use of the access was for; the access log lets the developer see how the
    /// Government used its window.
    pub enum AccessKind {
        /// General evaluation.
        Evaluation = "evaluation",
        /// Adversarial red-teaming.
        RedTeam = "red_team",
        /// Running a benchmark.
        Benchmark = "benchmark",
        /// Anything else, described in the summary.
        Other = "other",
    }
}

impl GrantStatus {
    /// The statuses a Government access grant can have ([`government_grant_status`]: `ended`,
    /// never `revoked`).
    pub const GOVERNMENT: &'static [GrantStatus] = &[
        GrantStatus::Ended,
        GrantStatus::Expired,
        GrantStatus::AwaitingTerms,
        GrantStatus::Scheduled,
        GrantStatus::Active,
    ];

    /// The statuses a partner early-access grant can have ([`partner_grant_status`]:
    /// `revoked`, never `ended`).
    pub const PARTNER: &'static [GrantStatus] = &[
        GrantStatus::Revoked,
        GrantStatus::Expired,
        GrantStatus::AwaitingTerms,
        GrantStatus::Scheduled,
        GrantStatus::Active,
    ];
}

fn derived_status(
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    ended_status: GrantStatus,
    terms_accepted: bool,
) -> GrantStatus {
    if ended_at.is_some() {
        ended_status
    } else if now >= ends_at {
        GrantStatus::Expired
    } else if !terms_accepted {
        GrantStatus::AwaitingTerms
    } else if now < starts_at {
        GrantStatus::Scheduled
    } else {
        GrantStatus::Active
    }
}

/// The status of a Government access grant. Precedence: `ended` (the developer ended it,
/// `ended_at` set — whatever the clock says) → `expired` (`now ≥ ends_at`, even if terms were
/// never accepted) → `awaiting_terms` (not every party has accepted: the developer admin and an
/// admin of every grantee agency) → `scheduled` (`now < starts_at`) → `active`.
/// Exactly at `starts_at` the grant is active; exactly at `ends_at` it is expired.
pub fn government_grant_status(
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    terms_accepted: bool,
) -> GrantStatus {
    derived_status(
        now,
        starts_at,
        ends_at,
        ended_at,
        GrantStatus::Ended,
        terms_accepted,
    )
}

/// The status of a partner early-access grant: the same rules as
/// [`government_grant_status`], with `revoked` in place of `ended` (`ended_at` is the partner
/// grant's `revoked_at`) and the partner admin's acceptance as the only terms acceptance.
pub fn partner_grant_status(
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    terms_accepted: bool,
) -> GrantStatus {
    derived_status(
        now,
        starts_at,
        ends_at,
        ended_at,
        GrantStatus::Revoked,
        terms_accepted,
    )
}

/// Whether the grant is not finished (`scheduled`, `active` or `awaiting_terms`): such grants
/// still appear in "open" lists and may still be edited or accepted.
pub fn is_open(status: GrantStatus) -> bool {
    matches!(
        status,
        GrantStatus::Scheduled | GrantStatus::Active | GrantStatus::AwaitingTerms
    )
}

/// Who is looking at a grant, for [`may_see_access_instructions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionsViewer {
    /// The viewer belongs to the developer organization that issued the grant.
    pub is_developer: bool,
    /// The viewer is on the grant's roster (not removed).
    pub rostered: bool,
    /// The viewer acknowledged the terms personally.
    pub acknowledged: bool,
}

/// Whether the viewer may read a grant's `access_instructions` (DESIGN §2.4, §2.6; both grant
/// kinds). The developer always sees its own. A grantee sees them only while the viewer is
/// rostered and has acknowledged, and the derived status is `scheduled` or `active` — which
/// holds only once **every** party has accepted the terms (before that the status is
/// `awaiting_terms`), and never once the grant is ended, revoked or expired. Why: the
/// instructions are the means of access, so they are shown only to named people bound by fully
/// agreed terms, and only while access is allowed.
pub fn may_see_access_instructions(viewer: InstructionsViewer, status: GrantStatus) -> bool {
    viewer.is_developer
        || (viewer.rostered
            && viewer.acknowledged
            && matches!(status, GrantStatus::Scheduled | GrantStatus::Active))
}

/// The instant a grant's window really closes: `ends_at`, or earlier if the developer ended or
/// revoked it.
pub fn effective_end(ends_at: DateTime<Utc>, ended_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    match ended_at {
        Some(ended) => ends_at.min(ended),
        None => ends_at,
    }
}

/// Whether `occurred_at` lies inside the half-open window `[starts_at, effective_end)`.
pub fn within_window(
    occurred_at: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    effective_end: DateTime<Utc>,
) -> bool {
    starts_at <= occurred_at && occurred_at < effective_end
}

/// Why an access-log entry's `occurred_at` was refused (422 `outside_window`). Why the rule
/// exists: the log is the developer's record of how the Government used its window, so an
/// entry can only describe a use that happened inside the window and has already happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OutsideWindow {
    /// `occurred_at` is later than now.
    #[error("that time is still to come: a use can be logged only once it has happened")]
    InFuture,
    /// `occurred_at` is before the window started.
    #[error("the access happened before the window started")]
    BeforeStart,
    /// `occurred_at` is at or after the window's (possibly early) end.
    #[error("the access happened after the window ended")]
    AfterEnd,
}

impl OutsideWindow {
    /// The problem `code` the API sends (DESIGN §3).
    pub fn code(&self) -> ProblemCode {
        ProblemCode::OutsideWindow
    }
}

/// Checks an access-log entry's time: not in the future (`occurred_at ≤ now`) and inside
/// `[starts_at, min(ends_at, ended_at))`. An entry logged after the window closed is fine as
/// long as the use itself happened inside the window.
pub fn check_access_log_time(
    now: DateTime<Utc>,
    occurred_at: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
) -> Result<(), OutsideWindow> {
    if occurred_at > now {
        Err(OutsideWindow::InFuture)
    } else if occurred_at < starts_at {
        Err(OutsideWindow::BeforeStart)
    } else if occurred_at >= effective_end(ends_at, ended_at) {
        Err(OutsideWindow::AfterEnd)
    } else {
        Ok(())
    }
}

/// Who may correct an access-log entry. Entries are append-only (DESIGN §2.4): a correction is
/// a new entry of the same grant that names the one it corrects. It may be written by the person
/// who logged the entry, or by an administrator of that person's organization (who answers for
/// its people's records); nobody else, the developer included, rewrites a grantee's record.
pub fn may_correct_log_entry(
    author_user_id: &str,
    author_org_id: &str,
    actor_user_id: &str,
    actor_org_id: &str,
    actor_is_admin: bool,
) -> bool {
    author_user_id == actor_user_id || (actor_is_admin && author_org_id == actor_org_id)
}

/// How long before `ends_at` the "window ends soon" email goes out (DESIGN §2.9).
pub const REMINDER_LEAD: Duration = Duration::days(3);

/// Whether the "your window has started" email is due: the grant is `active` now (started,
/// not expired, terms fully accepted, not ended/revoked). Level-triggered: the mail job must
/// record that it sent it, and a grant whose terms are accepted late gets it then.
pub fn reminder_due_window_start(
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    terms_accepted: bool,
) -> bool {
    government_grant_status(now, starts_at, ends_at, ended_at, terms_accepted)
        == GrantStatus::Active
}

/// Whether the "3 days before it ends" email is due: `ends_at − 3 days ≤ now < ends_at` and the
/// grant was not ended/revoked. Level-triggered like [`reminder_due_window_start`]; a window
/// shorter than 3 days gets it as soon as it is created.
pub fn reminder_due_three_days(
    now: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
) -> bool {
    ended_at.is_none() && now >= ends_at - REMINDER_LEAD && now < ends_at
}

/// The two kinds of grant. They share terms acceptance, the roster and acknowledgements;
/// they differ in who the grantees are and in the name of stopping one early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// A Government access grant (Sec. 3(b)(ii)): grantees are agencies.
    Access,
    /// A partner early-access grant: the one grantee is the selected partner.
    Partner,
}

impl GrantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantKind::Access => "access",
            GrantKind::Partner => "partner",
        }
    }
    /// The record type in audit events and the path segment of links.
    pub fn target_type(self) -> &'static str {
        match self {
            GrantKind::Access => "access_grant",
            GrantKind::Partner => "partner_grant",
        }
    }
    pub fn path(self) -> &'static str {
        match self {
            GrantKind::Access => "access-grants",
            GrantKind::Partner => "partner-grants",
        }
    }
}

/// The side of a grant an organization is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The developer that offered or issued the grant.
    Developer,
    /// A grantee agency (access) or the partner (partner).
    Grantee,
}

domain_string_enum! {
    /// The side a message of a grant's thread was written from (the author's side on the
    /// grant when they wrote it).
    pub enum MessageSide {
        /// A member of the developer organization.
        Developer = "developer",
        /// A member of the partner (partner grants) or of a grantee agency (access grants).
        Grantee = "grantee",
    }
}

impl From<Party> for MessageSide {
    fn from(p: Party) -> Self {
        match p {
            Party::Developer => MessageSide::Developer,
            Party::Grantee => MessageSide::Grantee,
        }
    }
}

/// The longest message of a grant's thread, in characters as sent (plain text).
pub const GRANT_MESSAGE_MAX: usize = 4000;

/// Why an organization may not accept a grant's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MayNotAccept {
    /// The developer of a partner grant accepted the terms by issuing it.
    AcceptedByIssuing,
    /// The organization is not a party to the grant.
    NotAParty,
}

/// Why an organization may not decline a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MayNotDecline {
    /// Only a grantee declines, for itself; the developer never declines on its behalf.
    NotAGrantee,
    /// The grantee already accepted the terms: the grant is no longer only offered to it.
    Accepted,
    /// The grant is over (ended, revoked or expired).
    Finished(GrantStatus),
}

/// One grant of either kind, as the rules see it: its parties, its window and whether every
/// required party accepted the terms. The vocabulary is the same for both kinds: `ended_at` is
/// when the developer stopped the grant early (an access grant's `ended_at`, a partner grant's
/// `revoked_at`), and `terms_accepted` says every required party accepted the terms (stored as
/// `terms_completed_at`).
#[derive(Debug, Clone)]
pub struct Grant {
    pub kind: GrantKind,
    pub id: GrantId,
    pub model_id: ModelId,
    pub developer_org_id: OrgId,
    /// Grantee agencies (access) or the partner (partner).
    pub grantee_org_ids: Vec<OrgId>,
    pub terms_version_id: TermsId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub terms_accepted: bool,
}

impl Grant {
    /// The derived status ([`government_grant_status`] or [`partner_grant_status`]).
    pub fn status(&self, now: DateTime<Utc>) -> GrantStatus {
        let status = match self.kind {
            GrantKind::Access => government_grant_status,
            GrantKind::Partner => partner_grant_status,
        };
        status(
            now,
            self.starts_at,
            self.ends_at,
            self.ended_at,
            self.terms_accepted,
        )
    }

    /// Ended (or revoked) or expired: nothing about it may change any more except the
    /// developer's own housekeeping.
    pub fn is_finished(&self, now: DateTime<Utc>) -> bool {
        !is_open(self.status(now))
    }

    pub fn is_developer(&self, org_id: &OrgId) -> bool {
        self.developer_org_id == *org_id
    }

    pub fn is_grantee(&self, org_id: &OrgId) -> bool {
        self.grantee_org_ids.contains(org_id)
    }

    /// The side `org_id` is on, if any.
    pub fn party(&self, org_id: &OrgId) -> Option<Party> {
        if self.is_developer(org_id) {
            Some(Party::Developer)
        } else if self.is_grantee(org_id) {
            Some(Party::Grantee)
        } else {
            None
        }
    }

    /// Who reads and writes the grant's message thread, and from which side: the parties
    /// only, i.e. members (any role) of the developer organization and of a grantee — the
    /// partner of a partner grant, each grantee agency of an access grant (a grantee that
    /// declined included: it may still explain or ask). Nobody else: an agency that sees a
    /// partner grant's metadata is not a party to it, and operators never see record content;
    /// for them the thread answers like a missing record (`None`). The grant's status does not
    /// matter: an ended, revoked or expired grant keeps its thread readable and open for new
    /// messages, since questions after the fact are normal and a message changes nothing about
    /// access.
    pub fn message_side(&self, org_id: &OrgId) -> Option<MessageSide> {
        self.party(org_id).map(MessageSide::from)
    }

    /// The organizations told about a new message from `side`: the other side.
    pub fn message_recipients(&self, side: MessageSide) -> Vec<OrgId> {
        match side {
            MessageSide::Developer => self.grantee_org_ids.clone(),
            MessageSide::Grantee => vec![self.developer_org_id.clone()],
        }
    }

    /// The parties: they see the grant's audit events.
    pub fn parties(&self) -> Vec<OrgId> {
        let mut v = vec![self.developer_org_id.clone()];
        v.extend(self.grantee_org_ids.iter().cloned());
        v
    }

    /// Who must accept before the window opens: the developer and every grantee (access
    /// grants); the partner (partner grants — the developer accepted by issuing them).
    pub fn required_parties(&self) -> Vec<OrgId> {
        match self.kind {
            GrantKind::Access => self.parties(),
            GrantKind::Partner => self.grantee_org_ids.clone(),
        }
    }

    /// Whether the organizations that accepted so far include every required party. A grantee
    /// that declined is no longer required (the others go on without it), but a grant every
    /// grantee declined has nobody to open for and never completes.
    pub fn accepted_by_all(&self, accepted: &[OrgId], declined: &[OrgId]) -> bool {
        let taking_part = self.grantee_org_ids.iter().any(|g| !declined.contains(g));
        taking_part
            && self
                .required_parties()
                .iter()
                .filter(|p| !declined.contains(p))
                .all(|p| accepted.contains(p))
    }

    /// Whether `org_id` may decline the grant now: only a grantee, for itself, while the grant
    /// is still only offered to it (its organization has not accepted the terms) and open. A
    /// repeat by a grantee that already declined is for the caller to answer (idempotent).
    /// Nothing here ever concerns the developer's own controls.
    pub fn check_decline(
        &self,
        org_id: &OrgId,
        accepted: &[OrgId],
        now: DateTime<Utc>,
    ) -> Result<(), MayNotDecline> {
        if !self.is_grantee(org_id) {
            return Err(MayNotDecline::NotAGrantee);
        }
        if self.is_finished(now) {
            return Err(MayNotDecline::Finished(self.status(now)));
        }
        if accepted.contains(org_id) {
            return Err(MayNotDecline::Accepted);
        }
        Ok(())
    }

    /// The side on which `org_id` accepts the terms for its organization, or why it may not.
    pub fn accepting_party(&self, org_id: &OrgId) -> Result<Party, MayNotAccept> {
        match self.party(org_id) {
            Some(Party::Developer) if self.kind == GrantKind::Partner => {
                Err(MayNotAccept::AcceptedByIssuing)
            }
            Some(p) => Ok(p),
            None => Err(MayNotAccept::NotAParty),
        }
    }

    /// Whether the "your window has started" reminder is due ([`reminder_due_window_start`]).
    pub fn start_reminder_due(&self, now: DateTime<Utc>) -> bool {
        reminder_due_window_start(
            now,
            self.starts_at,
            self.ends_at,
            self.ended_at,
            self.terms_accepted,
        )
    }

    /// Whether the "3 days before it ends" reminder is due ([`reminder_due_three_days`]).
    pub fn end_reminder_due(&self, now: DateTime<Utc>) -> bool {
        reminder_due_three_days(now, self.ends_at, self.ended_at)
    }

    /// Whether `viewer` may read the access instructions now ([`may_see_access_instructions`]).
    pub fn shows_instructions(&self, viewer: InstructionsViewer, now: DateTime<Utc>) -> bool {
        may_see_access_instructions(viewer, self.status(now))
    }

    /// The portal path of the grant (the link in its emails).
    pub fn link(&self) -> String {
        format!("/{}/{}", self.kind.path(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use GrantStatus as G;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    const S: i64 = 10; // starts_at hour
    const E: i64 = 100; // ends_at hour

    fn gov(now: i64, ended: Option<i64>, accepted: bool) -> GrantStatus {
        government_grant_status(t(now), t(S), t(E), ended.map(t), accepted)
    }

    #[test]
    fn government_status_boundaries() {
        assert_eq!(gov(0, None, true), G::Scheduled);
        assert_eq!(gov(S, None, true), G::Active); // exactly at starts_at
        assert_eq!(gov(E - 1, None, true), G::Active);
        assert_eq!(gov(E, None, true), G::Expired); // exactly at ends_at
        assert_eq!(gov(0, None, false), G::AwaitingTerms);
        assert_eq!(gov(50, None, false), G::AwaitingTerms);
        assert_eq!(gov(E, None, false), G::Expired); // expiry beats missing terms
        assert_eq!(gov(0, Some(0), true), G::Ended); // ended beats everything
        assert_eq!(gov(500, Some(50), false), G::Ended);
        assert_eq!(
            government_grant_status(t(E) - Duration::seconds(1), t(S), t(E), None, true),
            G::Active
        );
    }

    #[test]
    fn partner_status_uses_revoked() {
        let p =
            |now, rev: Option<i64>, acc| partner_grant_status(t(now), t(S), t(E), rev.map(t), acc);
        assert_eq!(p(50, Some(20), true), G::Revoked);
        assert_eq!(p(E, None, true), G::Expired);
        assert_eq!(p(5, None, false), G::AwaitingTerms);
        assert_eq!(p(5, None, true), G::Scheduled);
        assert_eq!(p(S, None, true), G::Active);
    }

    #[test]
    fn each_kind_of_grant_has_its_own_statuses() {
        let mut gov_seen = Vec::new();
        let mut partner_seen = Vec::new();
        for now in [0, S, 50, E, 500] {
            for ended in [None, Some(0), Some(50)] {
                for accepted in [false, true] {
                    gov_seen.push(gov(now, ended, accepted));
                    partner_seen.push(partner_grant_status(
                        t(now),
                        t(S),
                        t(E),
                        ended.map(t),
                        accepted,
                    ));
                }
            }
        }
        for (seen, set) in [(gov_seen, G::GOVERNMENT), (partner_seen, G::PARTNER)] {
            let seen: std::collections::BTreeSet<_> = seen.into_iter().collect();
            assert_eq!(seen, set.iter().copied().collect());
        }
    }

    #[test]
    fn open_statuses() {
        let open: Vec<_> = G::ALL.iter().copied().filter(|s| is_open(*s)).collect();
        assert_eq!(open, vec![G::AwaitingTerms, G::Scheduled, G::Active]);
    }

    #[test]
    fn access_log_times() {
        let check = |now, occ, ended: Option<i64>| {
            check_access_log_time(t(now), t(occ), t(S), t(E), ended.map(t))
        };
        assert_eq!(check(50, 20, None), Ok(()));
        assert_eq!(check(50, S, None), Ok(())); // at start
        assert_eq!(check(50, 50, None), Ok(())); // exactly now
        assert_eq!(check(50, 51, None), Err(OutsideWindow::InFuture));
        assert_eq!(check(50, S - 1, None), Err(OutsideWindow::BeforeStart));
        assert_eq!(check(200, E, None), Err(OutsideWindow::AfterEnd)); // end is exclusive
        assert_eq!(check(200, E - 1, None), Ok(())); // logged late, happened inside
        assert_eq!(check(200, 40, Some(30)), Err(OutsideWindow::AfterEnd)); // ended early
        assert_eq!(check(200, 29, Some(30)), Ok(()));
        assert_eq!(OutsideWindow::AfterEnd.code().as_str(), "outside_window");
        // Corrections: the author, or an admin of the author's organization; nobody else.
        assert!(may_correct_log_entry("u1", "nsa", "u1", "nsa", false));
        assert!(may_correct_log_entry("u1", "nsa", "u2", "nsa", true));
        assert!(!may_correct_log_entry("u1", "nsa", "u2", "nsa", false));
        assert!(!may_correct_log_entry("u1", "nsa", "u3", "dev", true));
        assert!(within_window(t(S), t(S), t(E)));
        assert!(!within_window(t(E), t(S), t(E)));
    }

    #[test]
    fn reminders() {
        // Window start: only when active.
        assert!(!reminder_due_window_start(t(S - 1), t(S), t(E), None, true));
        assert!(reminder_due_window_start(t(S), t(S), t(E), None, true));
        assert!(!reminder_due_window_start(t(S), t(S), t(E), None, false));
        assert!(!reminder_due_window_start(
            t(S),
            t(S),
            t(E),
            Some(t(S)),
            true
        ));
        assert!(!reminder_due_window_start(t(E), t(S), t(E), None, true));
        // Three days before the end.
        let lead = t(E) - REMINDER_LEAD;
        assert!(!reminder_due_three_days(
            lead - Duration::seconds(1),
            t(E),
            None
        ));
        assert!(reminder_due_three_days(lead, t(E), None));
        assert!(reminder_due_three_days(
            t(E) - Duration::seconds(1),
            t(E),
            None
        ));
        assert!(!reminder_due_three_days(t(E), t(E), None));
        assert!(!reminder_due_three_days(lead, t(E), Some(t(0))));
    }

    #[test]
    fn access_instructions_only_while_everything_holds() {
        let grantee = InstructionsViewer {
            is_developer: false,
            rostered: true,
            acknowledged: true,
        };
        let developer = InstructionsViewer {
            is_developer: true,
            rostered: false,
            acknowledged: false,
        };
        for status in G::ALL.iter().copied() {
            // The developer always sees its own, whatever the state.
            assert!(may_see_access_instructions(developer, status));
            let open = matches!(status, G::Scheduled | G::Active);
            assert_eq!(may_see_access_instructions(grantee, status), open);
            for (rostered, acknowledged) in [(false, false), (true, false), (false, true)] {
                let v = InstructionsViewer {
                    is_developer: false,
                    rostered,
                    acknowledged,
                };
                assert!(!may_see_access_instructions(v, status));
            }
        }
        // A missing acceptance by any party is `awaiting_terms`, whatever the clock says: hidden.
        let awaiting = government_grant_status(t(S), t(0), t(E), None, false);
        assert_eq!(awaiting, G::AwaitingTerms);
        assert!(!may_see_access_instructions(grantee, awaiting));
        let awaiting = partner_grant_status(t(S), t(0), t(E), None, false);
        assert!(!may_see_access_instructions(grantee, awaiting));
    }

    #[test]
    fn effective_end_takes_the_earlier() {
        assert_eq!(effective_end(t(E), None), t(E));
        assert_eq!(effective_end(t(E), Some(t(20))), t(20));
        assert_eq!(effective_end(t(E), Some(t(200))), t(E));
    }

    fn grant(kind: GrantKind) -> Grant {
        Grant {
            kind,
            id: "g".into(),
            model_id: "m".into(),
            developer_org_id: "dev".into(),
            grantee_org_ids: vec!["a".into(), "b".into()],
            terms_version_id: "t".into(),
            starts_at: t(S),
            ends_at: t(E),
            ended_at: None,
            terms_accepted: false,
        }
    }

    fn ids(s: &[&str]) -> Vec<OrgId> {
        s.iter().map(|&s| OrgId::from(s)).collect()
    }

    #[test]
    fn the_thread_is_the_parties_whatever_the_status() {
        let mut g = grant(GrantKind::Access);
        assert_eq!(g.message_side(&"dev".into()), Some(MessageSide::Developer));
        assert_eq!(g.message_side(&"b".into()), Some(MessageSide::Grantee));
        assert_eq!(g.message_side(&"x".into()), None);
        assert_eq!(
            g.message_recipients(MessageSide::Developer),
            ids(&["a", "b"])
        );
        assert_eq!(g.message_recipients(MessageSide::Grantee), ids(&["dev"]));
        // Over is still a party: the thread stays open after the grant ends.
        g.ended_at = Some(t(20));
        assert!(g.is_finished(t(30)));
        assert_eq!(g.message_side(&"a".into()), Some(MessageSide::Grantee));
    }

    #[test]
    fn who_accepts_and_who_must() {
        let access = grant(GrantKind::Access);
        assert_eq!(access.accepting_party(&"dev".into()), Ok(Party::Developer));
        assert_eq!(access.accepting_party(&"a".into()), Ok(Party::Grantee));
        assert_eq!(
            access.accepting_party(&"x".into()),
            Err(MayNotAccept::NotAParty)
        );
        assert!(!access.accepted_by_all(&ids(&["a", "b"]), &[]));
        assert!(access.accepted_by_all(&ids(&["b", "dev", "a"]), &[]));
        // A grantee that declined is not waited for; the others go on.
        assert!(!access.accepted_by_all(&ids(&["dev"]), &ids(&["b"])));
        assert!(access.accepted_by_all(&ids(&["dev", "a"]), &ids(&["b"])));
        // Nobody left to open for: never complete.
        assert!(!access.accepted_by_all(&ids(&["dev"]), &ids(&["a", "b"])));
        let partner = grant(GrantKind::Partner);
        assert_eq!(
            partner.accepting_party(&"dev".into()),
            Err(MayNotAccept::AcceptedByIssuing)
        );
        assert!(partner.accepted_by_all(&ids(&["a", "b"]), &[]));
    }

    #[test]
    fn only_a_grantee_declines_and_only_while_offered_to_it() {
        let g = grant(GrantKind::Access);
        assert_eq!(g.check_decline(&"a".into(), &[], t(0)), Ok(()));
        assert_eq!(
            g.check_decline(&"dev".into(), &[], t(0)),
            Err(MayNotDecline::NotAGrantee)
        );
        assert_eq!(
            g.check_decline(&"x".into(), &[], t(0)),
            Err(MayNotDecline::NotAGrantee)
        );
        // Another grantee's acceptance changes nothing for this one.
        assert_eq!(
            g.check_decline(&"a".into(), &ids(&["b", "dev"]), t(0)),
            Ok(())
        );
        assert_eq!(
            g.check_decline(&"a".into(), &ids(&["a"]), t(0)),
            Err(MayNotDecline::Accepted)
        );
        assert_eq!(
            g.check_decline(&"a".into(), &[], t(E)),
            Err(MayNotDecline::Finished(G::Expired))
        );
        let mut ended = g.clone();
        ended.ended_at = Some(t(1));
        assert_eq!(
            ended.check_decline(&"a".into(), &[], t(2)),
            Err(MayNotDecline::Finished(G::Ended))
        );
    }

    #[test]
    fn a_grant_reads_its_status_by_kind() {
        let mut g = grant(GrantKind::Partner);
        assert_eq!(g.status(t(S)), G::AwaitingTerms);
        g.terms_accepted = true;
        assert_eq!(g.status(t(S)), G::Active);
        assert!(g.start_reminder_due(t(S)));
        g.ended_at = Some(t(S));
        assert_eq!(g.status(t(S)), G::Revoked);
        assert!(g.is_finished(t(S)));
        g.kind = GrantKind::Access;
        assert_eq!(g.status(t(S)), G::Ended);
        assert!(!g.start_reminder_due(t(S)));
    }
}
