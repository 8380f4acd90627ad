//! Every email the portal sends ([`Reason`]) and, in one exhaustive `match`
//! ([`Reason::setting`]), whether a person may turn it off, the words the account page shows for
//! it and the kinds of organization it can reach. Adding a reason without classifying it does
//! not compile.
//!
//! Who receives each reason follows from where it is sent (`crate::notify` and the handlers):
//! - to developers: the developer's admins and a request's author (information requested,
//!   determination), the developer's admins (grant declined, nomination concurred, nominations
//!   the Government proposes), and every party of a grant (terms accepted, window starts and
//!   ends, ended early, partner grant revoked);
//! - to agencies: NSA reviewers (request submitted), grantee agencies' admins (grant offered),
//!   every agency's admins (nominations the developer proposes), and the parties of a
//!   Government access grant (terms accepted, window starts and ends, ended early);
//! - to partners: the partner's admins (partner selected, partner grant issued) and the parties
//!   of a partner grant (terms accepted, window starts and ends, partner grant revoked);
//! - to every party of a grant: a message in its thread (the other side's admins);
//! - to operators: account and security emails only.
//!
//! Account and security emails (invitation, email verification, password reset, new sign-in,
//! account notice) are `required`: they reach every kind of organization and are never turned
//! off.

use crate::domain::policy::OrgKind;

domain_string_enum! {
    /// Why an email is sent: one per kind of email (its texts are in `mail::templates`).
    pub enum Reason {
        Invitation = "invitation",
        EmailVerification = "email_verification",
        PasswordReset = "password_reset",
        RequestSubmitted = "request_submitted",
        InformationRequested = "information_requested",
        Determination = "determination",
        GrantOffered = "grant_offered",
        TermsFullyAccepted = "terms_fully_accepted",
        WindowStarts = "window_starts",
        WindowEndsSoon = "window_ends_soon",
        EndedEarly = "ended_early",
        NominationProposed = "nomination_proposed",
        PartnerSelected = "partner_selected",
        /// To the developer: the Government concurred on a partner the developer nominated.
        NominationConcurred = "nomination_concurred",
        PartnerGrantIssued = "partner_grant_issued",
        PartnerGrantRevoked = "partner_grant_revoked",
        /// To the developer: a grantee declined a grant it was offered (the reason stays in the
        /// portal: an email never carries a user's text).
        GrantDeclined = "grant_declined",
        /// To the other side of a grant: someone wrote in the grant's message thread (the text
        /// stays in the portal).
        GrantMessage = "grant_message",
        /// An invitation named an address that already has an account: a notice, no token.
        InvitationToExistingAccount = "invitation_to_existing_account",
        /// A sign-in from a browser not seen on the account in 90 days (its line names the time
        /// and the browser label, see `mail::templates::render_with_line`).
        NewSignIn = "new_sign_in",
    }
}

/// How a person may choose about one reason, in the words the account page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Account and security mail: always sent, never turned off.
    pub required: bool,
    /// A few plain words ("Request submitted").
    pub label: &'static str,
    /// One line saying when the email is sent.
    pub description: &'static str,
    /// The kinds of organization whose people can receive it.
    pub audience: &'static [OrgKind],
}

const EVERY_KIND: &[OrgKind] = &[
    OrgKind::Developer,
    OrgKind::Agency,
    OrgKind::Partner,
    OrgKind::Operator,
];
const DEVELOPER: &[OrgKind] = &[OrgKind::Developer];
const AGENCY: &[OrgKind] = &[OrgKind::Agency];
const PARTNER: &[OrgKind] = &[OrgKind::Partner];
const DEVELOPER_AGENCY: &[OrgKind] = &[OrgKind::Developer, OrgKind::Agency];
const DEVELOPER_PARTNER: &[OrgKind] = &[OrgKind::Developer, OrgKind::Partner];
const GRANT_PARTIES: &[OrgKind] = &[OrgKind::Developer, OrgKind::Agency, OrgKind::Partner];

/// What the account page says of a required reason.
pub const ALWAYS_SENT: &str = "Always sent: it concerns your account's security.";

const fn required(label: &'static str, description: &'static str) -> Setting {
    Setting {
        required: true,
        label,
        description,
        audience: EVERY_KIND,
    }
}

const fn optional(
    label: &'static str,
    description: &'static str,
    audience: &'static [OrgKind],
) -> Setting {
    Setting {
        required: false,
        label,
        description,
        audience,
    }
}

impl Reason {
    /// The one classification of every email (see the module comment for the audiences).
    pub const fn setting(self) -> Setting {
        match self {
            Reason::Invitation => required(
                "Invitation",
                "A link to join an organization when an administrator invites you.",
            ),
            Reason::EmailVerification => required(
                "Email address confirmation",
                "A link to confirm your email address when you set up your account.",
            ),
            Reason::PasswordReset => required(
                "Password reset",
                "A link to choose a new password when someone asks to reset yours.",
            ),
            Reason::NewSignIn => required(
                "New sign-in",
                "A notice when your account is signed in to from a browser not used on it recently.",
            ),
            Reason::InvitationToExistingAccount => required(
                "Account notice",
                "A notice when someone tries to invite your address, which already has an account.",
            ),
            Reason::RequestSubmitted => optional(
                "Request submitted",
                "A developer submitted a designation request for review.",
                AGENCY,
            ),
            Reason::InformationRequested => optional(
                "Information requested",
                "A Government reviewer asked for more information on your designation request.",
                DEVELOPER,
            ),
            Reason::Determination => optional(
                "Determination recorded",
                "The determination on your designation request was recorded.",
                DEVELOPER,
            ),
            Reason::GrantOffered => optional(
                "Access offered",
                "A developer offered your agency time-boxed access to a model.",
                AGENCY,
            ),
            Reason::TermsFullyAccepted => optional(
                "Terms accepted by all parties",
                "Every party accepted the terms of a grant you are part of.",
                GRANT_PARTIES,
            ),
            Reason::WindowStarts => optional(
                "Access window started",
                "An access window you are part of started.",
                GRANT_PARTIES,
            ),
            Reason::WindowEndsSoon => optional(
                "Access window ends soon",
                "An access window you are part of ends in three days or less.",
                GRANT_PARTIES,
            ),
            Reason::EndedEarly => optional(
                "Access window ended early",
                "The developer ended an access window you are part of before its scheduled end.",
                DEVELOPER_AGENCY,
            ),
            Reason::NominationProposed => optional(
                "Trusted partner nominated",
                "A trusted partner was nominated for early access and awaits your side's answer.",
                DEVELOPER_AGENCY,
            ),
            Reason::PartnerSelected => optional(
                "Selected as a trusted partner",
                "The developer and the Government selected your organization for early access to a model.",
                PARTNER,
            ),
            Reason::NominationConcurred => optional(
                "Nomination concurred",
                "The Government concurred on a trusted partner your organization nominated.",
                DEVELOPER,
            ),
            Reason::PartnerGrantIssued => optional(
                "Early access granted",
                "A developer issued your organization an early-access grant.",
                PARTNER,
            ),
            Reason::PartnerGrantRevoked => optional(
                "Early access revoked",
                "The developer revoked an early-access grant you are part of.",
                DEVELOPER_PARTNER,
            ),
            Reason::GrantDeclined => optional(
                "Access declined",
                "An organization declined access to a model that your organization offered.",
                DEVELOPER,
            ),
            Reason::GrantMessage => optional(
                "Message on a grant",
                "Someone on the other side of a grant wrote in its message thread.",
                GRANT_PARTIES,
            ),
        }
    }

    /// Whether a person may turn this email off.
    pub const fn is_optional(self) -> bool {
        !self.setting().required
    }

    /// The reasons that can reach people of this kind of organization, in declaration order.
    pub fn for_kind(kind: OrgKind) -> impl Iterator<Item = Reason> {
        Reason::ALL
            .iter()
            .copied()
            .filter(move |r| r.setting().audience.contains(&kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_and_security_mail_is_required_and_reaches_everyone() {
        let required: Vec<_> = Reason::ALL
            .iter()
            .filter(|r| r.setting().required)
            .copied()
            .collect();
        assert_eq!(
            required,
            [
                Reason::Invitation,
                Reason::EmailVerification,
                Reason::PasswordReset,
                Reason::InvitationToExistingAccount,
                Reason::NewSignIn,
            ]
        );
        for r in required {
            assert_eq!(r.setting().audience, EVERY_KIND, "{r}");
        }
    }

    #[test]
    fn operators_are_offered_only_required_mail() {
        assert!(Reason::for_kind(OrgKind::Operator).all(|r| r.setting().required));
    }

    #[test]
    fn every_optional_reason_reaches_someone_and_reads_plainly() {
        for r in Reason::ALL {
            let s = r.setting();
            assert!(!s.audience.is_empty(), "{r}");
            assert!(
                !s.label.contains('_') && !s.description.contains('_'),
                "{r}"
            );
            assert!(s.description.ends_with('.'), "{r}");
        }
    }
}
