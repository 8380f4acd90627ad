//! The names of audit events (DESIGN §2.8): one per kind of state change, `<record>.<what
//! happened>`. The same string is stored in `audit_events.action`, hashed into the chain and
//! sent by the audit API, so each is spelled once, here.

domain_string_enum! {
    /// What an audit event records.
    pub enum AuditAction {
        AccountNotificationsChanged = "account.notifications_changed",
        ApiTokenCreated = "api_token.created",
        ApiTokenRevoked = "api_token.revoked",
        DesignationAssigned = "designation.assigned",
        DesignationConsultationRecorded = "designation.consultation_recorded",
        DesignationCreated = "designation.created",
        DesignationDetermined = "designation.determined",
        DesignationEdited = "designation.edited",
        DesignationInfoRequested = "designation.info_requested",
        DesignationMessagePosted = "designation.message_posted",
        DesignationResponded = "designation.responded",
        DesignationSubmitted = "designation.submitted",
        DesignationWithdrawn = "designation.withdrawn",
        GrantAccessLogged = "grant.access_logged",
        GrantAcknowledged = "grant.acknowledged",
        GrantDeclined = "grant.declined",
        GrantEnded = "grant.ended",
        GrantMessagePosted = "grant.message_posted",
        GrantOffered = "grant.offered",
        GrantRosterAdded = "grant.roster_added",
        GrantRosterRemoved = "grant.roster_removed",
        GrantTermsAccepted = "grant.terms_accepted",
        GrantWindowMoved = "grant.window_moved",
        MfaPasskeyChallengeStarted = "mfa.passkey_challenge_started",
        MfaPasskeyEnrolled = "mfa.passkey_enrolled",
        MfaPasskeyRegistrationStarted = "mfa.passkey_registration_started",
        MfaPasskeyRemoved = "mfa.passkey_removed",
        MfaRecoveryCodeUsed = "mfa.recovery_code_used",
        MfaStepUp = "mfa.step_up",
        MfaTotpEnrolled = "mfa.totp_enrolled",
        MfaTotpEnrolmentStarted = "mfa.totp_enrolment_started",
        MfaTotpRemoved = "mfa.totp_removed",
        ModelRegistered = "model.registered",
        ModelReleased = "model.released",
        ModelUpdated = "model.updated",
        NominationConcurred = "nomination.concurred",
        NominationDeclined = "nomination.declined",
        NominationProposed = "nomination.proposed",
        NominationRescinded = "nomination.rescinded",
        OrganizationCreated = "organization.created",
        OrganizationDeactivated = "organization.deactivated",
        OrganizationMfaPolicyChanged = "organization.mfa_policy_changed",
        OrganizationReactivated = "organization.reactivated",
        OrganizationRenamed = "organization.renamed",
        OrganizationSignedUp = "organization.signed_up",
        PartnerGrantIssued = "partner_grant.issued",
        PartnerGrantRevoked = "partner_grant.revoked",
        PartnerGrantWindowMoved = "partner_grant.window_moved",
        SessionCreated = "session.created",
        SessionEnded = "session.ended",
        TermsPublished = "terms.published",
        UserDisabled = "user.disabled",
        UserEmailVerified = "user.email_verified",
        UserEnabled = "user.enabled",
        UserInvitationAccepted = "user.invitation_accepted",
        UserInvitationNoticeSent = "user.invitation_notice_sent",
        UserInvitationResent = "user.invitation_resent",
        UserInvitationRevoked = "user.invitation_revoked",
        UserInvited = "user.invited",
        UserPasswordReset = "user.password_reset",
        UserPasswordResetRequested = "user.password_reset_requested",
        UserRoleChanged = "user.role_changed",
        UserSsoLinked = "user.sso_linked",
    }
}

impl AuditAction {
    /// Whether the change may alter a record that a list other than the audit trail shows
    /// (`api::page_cache` keeps those lists until the next such change). Only the events of a
    /// person's own sign-in state are left out: sessions, API tokens, second factors (a
    /// caller's factor state is part of a kept page's key instead) and email settings. Any
    /// action added later counts until it is named here.
    pub fn changes_records(self) -> bool {
        use AuditAction::*;
        !matches!(
            self,
            SessionCreated
                | SessionEnded
                | ApiTokenCreated
                | ApiTokenRevoked
                | AccountNotificationsChanged
                | MfaPasskeyChallengeStarted
                | MfaPasskeyEnrolled
                | MfaPasskeyRegistrationStarted
                | MfaPasskeyRemoved
                | MfaRecoveryCodeUsed
                | MfaStepUp
                | MfaTotpEnrolled
                | MfaTotpEnrolmentStarted
                | MfaTotpRemoved
        )
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn only_sign_in_state_leaves_the_records_as_they_were() {
        for a in [
            AuditAction::GrantOffered,
            AuditAction::PartnerGrantRevoked,
            AuditAction::ModelUpdated,
            AuditAction::UserRoleChanged,
            AuditAction::OrganizationRenamed,
            AuditAction::UserPasswordReset,
        ] {
            assert!(a.changes_records(), "{a:?}");
        }
        for a in [
            AuditAction::SessionCreated,
            AuditAction::SessionEnded,
            AuditAction::ApiTokenCreated,
            AuditAction::MfaStepUp,
        ] {
            assert!(!a.changes_records(), "{a:?}");
        }
    }
}
