//! The designation-request state machine (Sec. 3(a) and 3(b)(i), DESIGN §2.2).
//!
//! A developer *chooses* to ask whether a model is a "covered frontier model". The request
//! moves `draft → submitted → under_review ⇄ info_requested → determined`, and the developer may
//! withdraw it from every state but `withdrawn`, at any time, with no reason (Sec. 3(c): the
//! Government's review never holds a developer's own control hostage).
//!
//! A determination has no effect on what the developer may do; this module only records where
//! the review stands.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, Utc};

domain_string_enum! {
    /// Where a designation request stands. Stored as text; derived transitions come from
    /// [`next_status`] only, so the rules live in one place.
    pub enum DesignationStatus {
        /// Being written by the developer; invisible to reviewers.
        Draft = "draft",
        /// Filed by the developer; visible to every agency, not yet picked up.
        Submitted = "submitted",
        /// A reviewer is working on it.
        UnderReview = "under_review",
        /// Reviewers asked the developer a question and wait for the answer.
        InfoRequested = "info_requested",
        /// NSA recorded `covered` or `not_covered`. Final.
        Determined = "determined",
        /// The developer withdrew it. Final; a new request may be filed.
        Withdrawn = "withdrawn",
    }
}

domain_string_enum! {
    /// Everything anyone can do to a designation request; each maps to one endpoint.
    pub enum DesignationAction {
        /// Developer files the draft for review.
        Submit = "submit",
        /// Developer withdraws (any time, any state but `withdrawn`).
        Withdraw = "withdraw",
        /// Agency member assigns the request to a reviewer.
        Assign = "assign",
        /// Agency member asks the developer for more information.
        RequestInfo = "request_info",
        /// Developer answers an information request.
        Respond = "respond",
        /// Agency member records a consultation (Sec. 3(a) offices).
        Consult = "consult",
        /// NSA member records the determination.
        Determine = "determine",
        /// Either side posts to the request's message thread.
        PostMessage = "post_message",
        /// Developer edits the draft's fields.
        Edit = "edit",
    }
}

domain_string_enum! {
    /// The result of a determination, shared with the developer with an unclassified rationale.
    /// Why only two values: Sec. 3(a) asks a yes/no question — is this a covered frontier model?
    pub enum DeterminationOutcome {
        /// The model is a covered frontier model.
        Covered = "covered",
        /// The model is not a covered frontier model.
        NotCovered = "not_covered",
    }
}

domain_string_enum! {
    /// A consulted office's position, recorded so the request shows that Sec. 3(a)'s
    /// consultation happened; it does not bind NSA's determination.
    pub enum ConsultationPosition {
        /// The office agrees with the proposed determination.
        Concur = "concur",
        /// The office disagrees.
        NonConcur = "non_concur",
        /// The office was consulted and has nothing to add.
        NoComment = "no_comment",
    }
}

domain_string_enum! {
    /// The review queue's `assigned` filter.
    pub enum AssignedFilter {
        /// Only the requests assigned to the caller.
        Me = "me",
        /// Only the requests assigned to nobody.
        Unassigned = "unassigned",
    }
}

domain_string_enum! {
    /// The order of the review queue (`?sort=`): newest first by default, or by the requested
    /// response date (soonest first, requests without a date last, ties by id).
    pub enum RequestSort {
        /// Newest first (the default).
        Newest = "newest",
        /// Soonest requested response date first; requests without one last; ties by id.
        ResponseBy = "response_by",
    }
}

domain_string_enum! {
    /// What a message of a request's thread is: a plain message, the reviewers' information
    /// request, or the developer's answer to one.
    pub enum MessageKind {
        /// Either side's message to the thread.
        Message = "message",
        /// Reviewers ask the developer for more information (`info_requested`).
        InfoRequest = "info_request",
        /// The developer answers an information request.
        Response = "response",
    }
}

/// The offices Sec. 3(a) says the Director of NSA consults before a determination: the
/// National Cyber Director, APST (agency code `OSTP`), the Director of CISA and the Department
/// of War. The request page shows which of them have recorded a consultation.
pub const CONSULTED_OFFICES: [&str; 4] = ["NCD", "OSTP", "CISA", "DOW"];

/// Whether `agency_code` is one of the Sec. 3(a) consulted offices.
pub fn is_consulted_office(agency_code: &str) -> bool {
    CONSULTED_OFFICES.contains(&agency_code)
}

/// For each Sec. 3(a) office, whether a consultation from it is among `recorded` (agency codes
/// of the consultations on a request). Why: the request shows this checklist, and a reviewer
/// sees at a glance who has not been heard.
pub fn consultation_checklist<'a, I>(recorded: I) -> [(&'static str, bool); 4]
where
    I: IntoIterator<Item = &'a str>,
{
    let recorded: Vec<&str> = recorded.into_iter().collect();
    CONSULTED_OFFICES.map(|office| (office, recorded.contains(&office)))
}

/// An action that the request's current state does not allow; the API answers 409
/// `invalid_transition` with this error's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct InvalidTransition {
    /// The state the request was in.
    pub from: DesignationStatus,
    /// The action that was refused.
    pub action: DesignationAction,
}

impl fmt::Display for InvalidTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DesignationAction as A;
        use DesignationStatus as S;
        match (self.from, self.action) {
            (S::Withdrawn, A::Withdraw) => f.write_str("this request has already been withdrawn"),
            (_, A::Edit) => f.write_str("only a draft request can be edited"),
            (S::Draft, _) => write!(
                f,
                "a draft request cannot be {}; submit it first",
                participle(self.action)
            ),
            (_, A::Respond) => {
                f.write_str("there is no open information request on this request to respond to")
            }
            (from, action) => write!(f, "{} cannot be {}", describe(from), participle(action)),
        }
    }
}

/// The state in words, for sentences ("a request under review").
pub fn describe(status: DesignationStatus) -> &'static str {
    match status {
        DesignationStatus::Draft => "a draft request",
        DesignationStatus::Submitted => "a submitted request",
        DesignationStatus::UnderReview => "a request under review",
        DesignationStatus::InfoRequested => "a request awaiting the developer's information",
        DesignationStatus::Determined => "a determined request",
        DesignationStatus::Withdrawn => "a withdrawn request",
    }
}

fn participle(action: DesignationAction) -> &'static str {
    match action {
        DesignationAction::Submit => "submitted",
        DesignationAction::Withdraw => "withdrawn",
        DesignationAction::Assign => "assigned",
        DesignationAction::RequestInfo => "sent an information request",
        DesignationAction::Respond => "answered",
        DesignationAction::Consult => "consulted on",
        DesignationAction::Determine => "determined",
        DesignationAction::PostMessage => "messaged",
        DesignationAction::Edit => "edited",
    }
}

/// The state a request moves to when `action` is applied in state `from`, or why it may not.
///
/// The rules (DESIGN §2.2):
/// - `submit`: `draft → submitted` only.
/// - `edit`: only in `draft` (stays `draft`).
/// - `withdraw`: from every state except `withdrawn` → `withdrawn`. The API treats a repeated
///   withdraw as an idempotent success: call [`is_withdrawn`] first (or use [`withdraw`]),
///   since this function reports `withdrawn → withdraw` as invalid so audit events are not
///   written twice.
/// - `assign`: in `submitted`/`under_review` → `under_review`; in `info_requested` it stays
///   `info_requested` (the developer still owes an answer).
/// - `consult`: in `submitted` → `under_review`; in `under_review`/`info_requested` unchanged.
/// - `request_info`: from `submitted`/`under_review` → `info_requested`.
/// - `respond`: `info_requested → under_review`.
/// - `determine`: from `submitted`/`under_review`/`info_requested` → `determined` (so a
///   withdrawn request can never be determined: 409).
/// - `post_message`: in any state but `draft` (reviewers cannot see drafts) and `withdrawn`;
///   unchanged.
pub fn next_status(
    from: DesignationStatus,
    action: DesignationAction,
) -> Result<DesignationStatus, InvalidTransition> {
    use DesignationAction as A;
    use DesignationStatus as S;
    let next = match (from, action) {
        (S::Draft, A::Submit) => Some(S::Submitted),
        (S::Draft, A::Edit) => Some(S::Draft),
        (S::Withdrawn, A::Withdraw) => None,
        (_, A::Withdraw) => Some(S::Withdrawn),
        (S::Submitted | S::UnderReview, A::Assign) => Some(S::UnderReview),
        (S::InfoRequested, A::Assign) => Some(S::InfoRequested),
        (S::Submitted, A::Consult) => Some(S::UnderReview),
        (S::UnderReview | S::InfoRequested, A::Consult) => Some(from),
        (S::Submitted | S::UnderReview, A::RequestInfo) => Some(S::InfoRequested),
        (S::InfoRequested, A::Respond) => Some(S::UnderReview),
        (S::Submitted | S::UnderReview | S::InfoRequested, A::Determine) => Some(S::Determined),
        (S::Draft | S::Withdrawn, A::PostMessage) => None,
        (_, A::PostMessage) => Some(from),
        _ => None,
    };
    next.ok_or(InvalidTransition { from, action })
}

/// Whether the request is already withdrawn. Why: withdrawing is a developer control under
/// Sec. 3(c), so a repeat must answer 200 unchanged rather than 409; the caller checks this
/// first and skips the write.
pub fn is_withdrawn(status: DesignationStatus) -> bool {
    status == DesignationStatus::Withdrawn
}

/// Withdraws from any state, idempotently: the developer's withdraw can never fail (Sec. 3(c)).
/// Returns the new status and whether anything changed (write an audit event only if it did).
pub fn withdraw(from: DesignationStatus) -> (DesignationStatus, bool) {
    (DesignationStatus::Withdrawn, !is_withdrawn(from))
}

/// Whether the request is finished (`determined` or `withdrawn`): no further review happens,
/// and the developer may file a new request for a new version.
pub fn is_final(status: DesignationStatus) -> bool {
    FINAL.contains(&status)
}

/// Whether reviewers (agencies) may see the request at all: every non-draft request is
/// visible to every agency (DESIGN §1); drafts are the developer's alone.
pub fn visible_to_reviewers(status: DesignationStatus) -> bool {
    status != DesignationStatus::Draft
}

/// Whether the Government still owes the next step: the request is `submitted` or
/// `under_review` (in `info_requested` the developer owes an answer; final states owe nothing).
pub fn awaits_government(status: DesignationStatus) -> bool {
    AWAITING_GOVERNMENT.contains(&status)
}

/// The states in which the Government owes the next step (see [`awaits_government`]); the
/// store's `overdue` filter reads the same list.
pub const AWAITING_GOVERNMENT: [DesignationStatus; 2] =
    [DesignationStatus::Submitted, DesignationStatus::UnderReview];

/// The final states (see [`is_final`]); a request in any other state is open, and a second
/// request for the same model is refused while one is open.
pub const FINAL: [DesignationStatus; 2] =
    [DesignationStatus::Determined, DesignationStatus::Withdrawn];

/// The latest calendar day that is still under way somewhere on Earth at `now` (the day in
/// UTC−12, "anywhere on Earth"). Why: `requested_response_by` is a calendar date with no zone,
/// so it has passed only once that day is over everywhere, and a person picking "today" in
/// any zone is never told it is in the past.
pub fn latest_day_under_way(now: DateTime<Utc>) -> NaiveDate {
    (now - Duration::hours(12)).date_naive()
}

/// Whether the calendar day `date` is over everywhere at `now` (see [`latest_day_under_way`]).
pub fn day_has_passed(date: NaiveDate, now: DateTime<Utc>) -> bool {
    date < latest_day_under_way(now)
}

/// Whether a request is overdue: its response date has passed and it still awaits the
/// Government (the review queue flags these; the developer sees the same flag).
pub fn is_overdue(
    status: DesignationStatus,
    respond_by: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> bool {
    awaits_government(status) && respond_by.is_some_and(|d| day_has_passed(d, now))
}

/// The actions allowed in `status`, in declaration order (for the UI's buttons).
pub fn allowed_actions(status: DesignationStatus) -> Vec<DesignationAction> {
    DesignationAction::ALL
        .iter()
        .copied()
        .filter(|a| next_status(status, *a).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use DesignationAction as A;
    use DesignationStatus as S;

    /// The full transition table, written out so that changing a rule breaks this test.
    /// Columns: Submit, Withdraw, Assign, RequestInfo, Respond, Consult, Determine, PostMessage, Edit.
    fn expected(from: S) -> [Option<S>; 9] {
        match from {
            S::Draft => [
                Some(S::Submitted),
                Some(S::Withdrawn),
                None,
                None,
                None,
                None,
                None,
                None,
                Some(S::Draft),
            ],
            S::Submitted => [
                None,
                Some(S::Withdrawn),
                Some(S::UnderReview),
                Some(S::InfoRequested),
                None,
                Some(S::UnderReview),
                Some(S::Determined),
                Some(S::Submitted),
                None,
            ],
            S::UnderReview => [
                None,
                Some(S::Withdrawn),
                Some(S::UnderReview),
                Some(S::InfoRequested),
                None,
                Some(S::UnderReview),
                Some(S::Determined),
                Some(S::UnderReview),
                None,
            ],
            S::InfoRequested => [
                None,
                Some(S::Withdrawn),
                Some(S::InfoRequested),
                None,
                Some(S::UnderReview),
                Some(S::InfoRequested),
                Some(S::Determined),
                Some(S::InfoRequested),
                None,
            ],
            S::Determined => [
                None,
                Some(S::Withdrawn),
                None,
                None,
                None,
                None,
                None,
                Some(S::Determined),
                None,
            ],
            S::Withdrawn => [None; 9],
        }
    }

    #[test]
    fn transition_table_is_exactly_as_designed() {
        let actions = [
            A::Submit,
            A::Withdraw,
            A::Assign,
            A::RequestInfo,
            A::Respond,
            A::Consult,
            A::Determine,
            A::PostMessage,
            A::Edit,
        ];
        assert_eq!(actions.len(), A::ALL.len());
        for from in S::ALL {
            for (action, want) in actions.iter().zip(expected(*from)) {
                let got = next_status(*from, *action).ok();
                assert_eq!(got, want, "{from} + {action}");
            }
        }
    }

    #[test]
    fn messages_are_human() {
        let msg = |from, action| InvalidTransition { from, action }.to_string();
        assert_eq!(
            msg(S::Withdrawn, A::Determine),
            "a withdrawn request cannot be determined"
        );
        assert_eq!(
            msg(S::Withdrawn, A::Withdraw),
            "this request has already been withdrawn"
        );
        assert_eq!(
            msg(S::Submitted, A::Edit),
            "only a draft request can be edited"
        );
        assert_eq!(
            msg(S::Draft, A::Assign),
            "a draft request cannot be assigned; submit it first"
        );
        assert_eq!(
            msg(S::Determined, A::Submit),
            "a determined request cannot be submitted"
        );
    }

    #[test]
    fn withdraw_helper_is_idempotent() {
        assert_eq!(withdraw(S::UnderReview), (S::Withdrawn, true));
        assert_eq!(withdraw(S::Withdrawn), (S::Withdrawn, false));
        assert!(is_withdrawn(S::Withdrawn));
        assert!(!is_withdrawn(S::Determined));
    }

    #[test]
    fn consultation_checklist_marks_recorded_offices() {
        let list = consultation_checklist(["CISA", "NSA", "NCD"]);
        assert_eq!(
            list,
            [
                ("NCD", true),
                ("OSTP", false),
                ("CISA", true),
                ("DOW", false)
            ]
        );
        assert!(is_consulted_office("OSTP"));
        assert!(!is_consulted_office("NSA"));
    }

    #[test]
    fn allowed_actions_and_visibility() {
        assert_eq!(
            allowed_actions(S::Draft),
            vec![A::Submit, A::Withdraw, A::Edit]
        );
        assert!(allowed_actions(S::Withdrawn).is_empty());
        assert!(!visible_to_reviewers(S::Draft));
        assert!(visible_to_reviewers(S::Withdrawn));
        assert!(is_final(S::Determined) && is_final(S::Withdrawn) && !is_final(S::Submitted));
    }

    #[test]
    fn a_response_date_passes_once_its_day_is_over_everywhere() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let dec15 = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        // Dec 15 is still under way in UTC-12 until Dec 16 12:00 UTC.
        assert!(!day_has_passed(dec15, at("2026-12-15T00:00:00Z")));
        assert!(!day_has_passed(dec15, at("2026-12-16T11:59:59Z")));
        assert!(day_has_passed(dec15, at("2026-12-16T12:00:00Z")));
        let late = at("2026-12-17T00:00:00Z");
        assert!(is_overdue(S::Submitted, Some(dec15), late));
        assert!(is_overdue(S::UnderReview, Some(dec15), late));
        // The developer owes the answer, or nothing is owed any more, or no date was asked.
        for s in [S::Draft, S::InfoRequested, S::Determined, S::Withdrawn] {
            assert!(!is_overdue(s, Some(dec15), late), "{s}");
        }
        assert!(!is_overdue(S::Submitted, None, late));
        assert!(!is_overdue(
            S::Submitted,
            Some(dec15),
            at("2026-12-15T20:00:00Z")
        ));
    }

    fn any_action() -> impl Strategy<Value = DesignationAction> {
        prop::sample::select(A::ALL.to_vec())
    }

    proptest! {
        /// Sec. 3(c): whatever reviewers and the developer do, in any order, the developer can
        /// always withdraw unless the request is already withdrawn.
        #[test]
        fn withdraw_is_never_blocked(actions in prop::collection::vec(any_action(), 0..40)) {
            let mut status = S::Draft;
            for action in actions {
                if let Ok(next) = next_status(status, action) {
                    status = next;
                }
                let withdrawal = next_status(status, A::Withdraw);
                if status == S::Withdrawn {
                    prop_assert!(withdrawal.is_err());
                    prop_assert_eq!(withdraw(status), (S::Withdrawn, false));
                } else {
                    prop_assert_eq!(withdrawal, Ok(S::Withdrawn));
                }
            }
        }

        /// Nothing leaves the final states except withdrawing a determined request, and a
        /// withdrawn request can never become determined.
        #[test]
        fn final_states_stay_final(actions in prop::collection::vec(any_action(), 0..40)) {
            let mut status = S::Draft;
            let mut was_withdrawn = false;
            for action in actions {
                if let Ok(next) = next_status(status, action) {
                    if status == S::Determined {
                        prop_assert!(next == S::Determined || next == S::Withdrawn);
                    }
                    status = next;
                }
                was_withdrawn |= status == S::Withdrawn;
                if was_withdrawn {
                    prop_assert_eq!(status, S::Withdrawn);
                }
            }
        }
    }
}
