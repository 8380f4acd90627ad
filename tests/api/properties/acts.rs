//! The actions of a history, who takes them, and the strategies that draw them.

use proptest::prelude::*;
use proptest::sample::Index;

use super::model::*;

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Who {
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
pub(super) enum Act {
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

pub(super) fn dev_any() -> impl Strategy<Value = bool> {
    any::<bool>()
}

pub(super) fn focus() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.8)
}

pub(super) fn act_offer() -> BoxedStrategy<Act> {
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

pub(super) fn act_move() -> BoxedStrategy<Act> {
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

pub(super) fn act_end() -> BoxedStrategy<Act> {
    (any::<Index>(), dev_any())
        .prop_map(|(grant, member)| Act::End { grant, member })
        .boxed()
}

pub(super) fn act_accept() -> BoxedStrategy<Act> {
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

pub(super) fn act_advance() -> BoxedStrategy<Act> {
    (0i64..=5 * 24)
        .prop_map(|hours| Act::Advance { hours })
        .boxed()
}

pub(super) fn act_release() -> BoxedStrategy<Act> {
    (any::<Index>(), dev_any())
        .prop_map(|(model, member)| Act::Release { model, member })
        .boxed()
}

pub(super) fn act_roster() -> BoxedStrategy<Act> {
    (any::<Index>(), prop::bool::weighted(0.15), focus())
        .prop_map(|(grant, by_cisa, focus)| Act::Roster {
            grant,
            by_cisa,
            focus,
        })
        .boxed()
}

pub(super) fn act_acknowledge() -> BoxedStrategy<Act> {
    (any::<Index>(), focus())
        .prop_map(|(grant, focus)| Act::Acknowledge { grant, focus })
        .boxed()
}

pub(super) fn act_log() -> BoxedStrategy<Act> {
    (any::<Index>(), -24i64..=10 * 24, 0u8..=100, focus())
        .prop_map(|(grant, ago_h, frac, focus)| Act::LogUse {
            grant,
            ago_h,
            frac,
            focus,
        })
        .boxed()
}

pub(super) fn act_remove_from_roster() -> BoxedStrategy<Act> {
    (any::<Index>(), dev_any())
        .prop_map(|(grant, member)| Act::RemoveFromRoster { grant, member })
        .boxed()
}

/// Every kind of action, by every role.
pub(super) fn any_act() -> impl Strategy<Value = Act> {
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
pub(super) fn grant_act() -> impl Strategy<Value = Act> {
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
pub(super) struct Scenario {
    pub(super) two_models: bool,
    /// Days after t0 of the planned partner release of the second (or only) model.
    pub(super) planned_release_days: Option<i64>,
    pub(super) acts: Vec<Act>,
}

pub(super) fn scenario(act: BoxedStrategy<Act>) -> impl Strategy<Value = Scenario> {
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
