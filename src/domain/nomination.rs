//! Co-selection of trusted partners (Sec. 3(b)(iii), DESIGN §2.5).
//!
//! Sec. 3(b)(iii) has developers and the Government select trusted partners *together*. Either
//! side nominates a partner organization for one model; the nominating side's position starts
//! as `concur` and the other side's as `pending` until it concurs or declines. A partner is
//! *selected* only when both sides concur, and only then may the developer issue it an
//! early-access grant. The developer may rescind a nomination at any time (Sec. 3(c)); that
//! revokes the partner's early-access grants at once.

use super::problem::ProblemCode;

domain_string_enum! {
    /// The two parties of co-selection.
    pub enum Side {
        /// The AI developer that owns the model.
        Developer = "developer",
        /// The Government, acting through agency admins.
        Government = "government",
    }
}

domain_string_enum! {
    /// One side's position on a nomination.
    pub enum Position {
        /// This side has not answered yet.
        Pending = "pending",
        /// This side agrees the partner should get early access.
        Concur = "concur",
        /// This side does not agree; the nomination is declined.
        Decline = "decline",
    }
}

domain_string_enum! {
    /// The derived status of a nomination (never stored; see [`nomination_status`]).
    pub enum NominationStatus {
        /// Waiting for the other side's answer.
        Pending = "pending",
        /// Both sides concur: the partner may receive an early-access grant.
        Selected = "selected",
        /// One side declined.
        Declined = "declined",
        /// The developer rescinded the nomination.
        Rescinded = "rescinded",
    }
}

domain_string_enum! {
    /// The kind of trusted partner. Sec. 2(c)(iii) names agencies, State and local authorities
    /// and critical-infrastructure operators (rural hospitals, community banks, local utilities).
    pub enum PartnerType {
        /// A federal agency acting as a partner.
        FederalAgency = "federal_agency",
        /// A State or local government authority.
        StateLocalAuthority = "state_local_authority",
        /// An operator of critical infrastructure; may name a [`CI_SECTORS`] sector.
        CriticalInfrastructureOperator = "critical_infrastructure_operator",
        /// An independent security researcher or research organization.
        SecurityResearcher = "security_researcher",
        /// Anything else.
        Other = "other",
    }
}

/// CISA's 16 critical-infrastructure sectors (PPD-21), as the snake_case identifiers stored in a
/// partner organization's optional `sector`.
pub const CI_SECTORS: [&str; 16] = [
    "chemical",
    "commercial_facilities",
    "communications",
    "critical_manufacturing",
    "dams",
    "defense_industrial_base",
    "emergency_services",
    "energy",
    "financial_services",
    "food_and_agriculture",
    "government_facilities",
    "healthcare_and_public_health",
    "information_technology",
    "nuclear_reactors_materials_and_waste",
    "transportation_systems",
    "water_and_wastewater_systems",
];

/// Whether `sector` is one of [`CI_SECTORS`] (exact, case-sensitive match).
pub fn is_valid_sector(sector: &str) -> bool {
    CI_SECTORS.contains(&sector)
}

/// A nomination's status from the two positions. Precedence: `rescinded` (the developer's
/// control wins over everything) → `declined` (either side declined) → `selected` (both
/// concur) → `pending`.
pub fn nomination_status(
    developer: Position,
    government: Position,
    rescinded: bool,
) -> NominationStatus {
    if rescinded {
        NominationStatus::Rescinded
    } else if developer == Position::Decline || government == Position::Decline {
        NominationStatus::Declined
    } else if developer == Position::Concur && government == Position::Concur {
        NominationStatus::Selected
    } else {
        NominationStatus::Pending
    }
}

/// The starting `(developer, government)` positions: nominating is concurring, so the
/// nominating side starts at `concur` and the other side at `pending`.
pub fn initial_positions(nominated_by: Side) -> (Position, Position) {
    match nominated_by {
        Side::Developer => (Position::Concur, Position::Pending),
        Side::Government => (Position::Pending, Position::Concur),
    }
}

/// Why a concur/decline was refused. Both are 409s with code `invalid_transition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NominationError {
    /// The side that nominated tried to answer its own nomination; it is the other side's turn.
    #[error("this nomination is waiting for the other side's answer")]
    NotYourTurn,
    /// The nomination is finished (selected, declined or rescinded) and cannot change.
    #[error("a {status} nomination cannot change")]
    InvalidTransition {
        /// The nomination's status when the answer came in.
        status: NominationStatus,
    },
    /// An early-access grant was asked for a nomination that is not `selected` (409
    /// `not_selected`): a partner gets access only when both sides concur.
    #[error("early access can be granted only to a partner both sides selected")]
    NotSelected,
}

impl NominationError {
    /// The problem `code` the API sends (DESIGN §3).
    pub fn code(&self) -> ProblemCode {
        match self {
            NominationError::NotYourTurn | NominationError::InvalidTransition { .. } => {
                ProblemCode::InvalidTransition
            }
            NominationError::NotSelected => ProblemCode::NotSelected,
        }
    }
}

/// Applies one side's concur (`concur = true`) or decline, returning the new
/// `(developer, government)` positions.
///
/// - Only the side whose position is `pending` may answer; the nominating side answering
///   while the other side is still pending is [`NominationError::NotYourTurn`].
/// - A rescinded nomination refuses every answer ([`NominationError::InvalidTransition`]).
/// - A finished nomination (selected or declined) refuses a *different* answer.
/// - **Idempotent repeat (our choice):** once a nomination is finished, a side repeating the
///   exact position it already holds (e.g. the Government concurring again on a selected
///   partner, a retried request) gets `Ok` with the positions unchanged. The caller compares
///   the result with its inputs and writes no audit event or email when nothing changed.
pub fn respond(
    developer: Position,
    government: Position,
    rescinded: bool,
    responding_side: Side,
    concur: bool,
) -> Result<(Position, Position), NominationError> {
    let status = nomination_status(developer, government, rescinded);
    if status == NominationStatus::Rescinded {
        return Err(NominationError::InvalidTransition { status });
    }
    let answer = if concur {
        Position::Concur
    } else {
        Position::Decline
    };
    let (mine, theirs) = match responding_side {
        Side::Developer => (developer, government),
        Side::Government => (government, developer),
    };
    let new_mine = if status != NominationStatus::Pending {
        if mine == answer {
            mine
        } else {
            return Err(NominationError::InvalidTransition { status });
        }
    } else if mine == Position::Pending {
        answer
    } else {
        debug_assert_eq!(theirs, Position::Pending);
        return Err(NominationError::NotYourTurn);
    };
    Ok(match responding_side {
        Side::Developer => (new_mine, government),
        Side::Government => (developer, new_mine),
    })
}

/// Checks that a partner grant may be issued for a nomination in `status`: only `selected`
/// ones (Sec. 3(b)(iii): both sides chose the partner).
pub fn check_selected(status: NominationStatus) -> Result<(), NominationError> {
    if status == NominationStatus::Selected {
        Ok(())
    } else {
        Err(NominationError::NotSelected)
    }
}

/// Whether rescinding changes anything. Rescinding is a developer control (Sec. 3(c)) and is
/// allowed in every state; a repeat is an idempotent success with nothing to write.
pub fn rescind_changes_anything(already_rescinded: bool) -> bool {
    !already_rescinded
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use NominationStatus as N;
    use Position::{Concur as C, Decline as D, Pending as P};

    #[test]
    fn status_precedence() {
        assert_eq!(nomination_status(C, P, false), N::Pending);
        assert_eq!(nomination_status(P, C, false), N::Pending);
        assert_eq!(nomination_status(C, C, false), N::Selected);
        assert_eq!(nomination_status(C, D, false), N::Declined);
        assert_eq!(nomination_status(D, C, false), N::Declined);
        assert_eq!(nomination_status(C, C, true), N::Rescinded);
        assert_eq!(nomination_status(C, D, true), N::Rescinded);
    }

    #[test]
    fn initial_positions_follow_the_nominator() {
        assert_eq!(initial_positions(Side::Developer), (C, P));
        assert_eq!(initial_positions(Side::Government), (P, C));
    }

    #[test]
    fn the_other_side_answers() {
        let (d, g) = initial_positions(Side::Developer);
        assert_eq!(respond(d, g, false, Side::Government, true), Ok((C, C)));
        assert_eq!(respond(d, g, false, Side::Government, false), Ok((C, D)));
        assert_eq!(
            respond(d, g, false, Side::Developer, true),
            Err(NominationError::NotYourTurn)
        );
        assert_eq!(
            respond(d, g, false, Side::Developer, false),
            Err(NominationError::NotYourTurn)
        );
        let (d, g) = initial_positions(Side::Government);
        assert_eq!(respond(d, g, false, Side::Developer, true), Ok((C, C)));
        assert_eq!(respond(d, g, false, Side::Developer, false), Ok((D, C)));
        assert_eq!(
            respond(d, g, false, Side::Government, true),
            Err(NominationError::NotYourTurn)
        );
    }

    #[test]
    fn finished_nominations() {
        // Repeats of the held position are idempotent.
        assert_eq!(respond(C, C, false, Side::Government, true), Ok((C, C)));
        assert_eq!(respond(C, D, false, Side::Government, false), Ok((C, D)));
        // Changing a finished answer is refused.
        assert_eq!(
            respond(C, C, false, Side::Government, false),
            Err(NominationError::InvalidTransition {
                status: N::Selected
            })
        );
        assert_eq!(
            respond(C, D, false, Side::Government, true),
            Err(NominationError::InvalidTransition {
                status: N::Declined
            })
        );
        // Rescinded refuses everything, repeats included.
        let err = respond(C, P, true, Side::Government, true).unwrap_err();
        assert_eq!(
            err,
            NominationError::InvalidTransition {
                status: N::Rescinded
            }
        );
        assert_eq!(err.to_string(), "a rescinded nomination cannot change");
        assert_eq!(err.code().as_str(), "invalid_transition");
    }

    #[test]
    fn selected_gate_and_rescind() {
        assert_eq!(check_selected(N::Selected), Ok(()));
        for s in [N::Pending, N::Declined, N::Rescinded] {
            assert_eq!(check_selected(s), Err(NominationError::NotSelected));
        }
        assert_eq!(NominationError::NotSelected.code().as_str(), "not_selected");
        assert!(rescind_changes_anything(false));
        assert!(!rescind_changes_anything(true));
    }

    #[test]
    fn sectors() {
        assert_eq!(CI_SECTORS.len(), 16);
        assert!(is_valid_sector("water_and_wastewater_systems"));
        assert!(is_valid_sector("healthcare_and_public_health"));
        assert!(!is_valid_sector("Energy"));
        assert!(!is_valid_sector(""));
        let mut sorted = CI_SECTORS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 16);
        assert_eq!(
            serde_json::to_string(&PartnerType::CriticalInfrastructureOperator).unwrap(),
            "\"critical_infrastructure_operator\""
        );
    }

    proptest! {
        /// Whatever answers arrive in whatever order, a partner is selected only if both sides
        /// concurred, and a nomination once declined never becomes selected.
        #[test]
        fn selected_only_with_both_concurring(
            nominator_is_dev in any::<bool>(),
            answers in prop::collection::vec((any::<bool>(), any::<bool>()), 0..10),
        ) {
            let nominator = if nominator_is_dev { Side::Developer } else { Side::Government };
            let (mut d, mut g) = initial_positions(nominator);
            let mut was_declined = false;
            for (dev_side, concur) in answers {
                let side = if dev_side { Side::Developer } else { Side::Government };
                if let Ok((nd, ng)) = respond(d, g, false, side, concur) {
                    d = nd;
                    g = ng;
                }
                let status = nomination_status(d, g, false);
                if status == N::Selected {
                    prop_assert!(d == C && g == C);
                }
                was_declined |= status == N::Declined;
                if was_declined {
                    prop_assert_eq!(status, N::Declined);
                }
            }
        }
    }
}
