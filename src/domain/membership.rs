//! An organization's people as operators and org admins manage them (issue 11): where an
//! account stands, who may still be demoted, and which invitations can be resent or revoked.
//!
//! The one rule that protects an organization from itself: **it always keeps an admin.** An
//! organization with an active admin keeps at least one (demoting the last one is refused,
//! `last_admin`); an organization whose only admin is still invited (a new agency or partner
//! whose first admin has not accepted yet) keeps that invitation, since nobody else could ever
//! invite anyone into it.

use crate::domain::policy::OrgRole;

domain_string_enum! {
    /// Where an account stands, derived from its row.
    pub enum UserStatus {
        /// Invited and not yet joined: no password and no confirmed address (an invitation
        /// accepted through single sign-on confirms the address without a password).
        Invited = "invited",
        /// Joined (or signed up).
        Active = "active",
        /// Disabled by an operator, or an invitation that was revoked.
        Disabled = "disabled",
    }
}

impl UserStatus {
    pub fn of(disabled: bool, has_password: bool, email_verified: bool) -> UserStatus {
        if disabled {
            UserStatus::Disabled
        } else if !has_password && !email_verified {
            UserStatus::Invited
        } else {
            UserStatus::Active
        }
    }
}

/// The admins an organization has besides the person an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OtherAdmins {
    pub active: i64,
    pub invited: i64,
}

/// Why a change to an organization's people was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipError {
    /// The change would leave the organization without an admin.
    LastAdmin,
    /// Resending or revoking an invitation of someone who is not invited (joined or disabled).
    NotInvited,
}

/// Whether `target` (currently `role`, with `status`) may become `to`. `Ok(false)` when nothing
/// changes (a repeat).
pub fn may_change_role(
    role: OrgRole,
    status: UserStatus,
    to: OrgRole,
    others: OtherAdmins,
) -> Result<bool, MembershipError> {
    if role == to {
        return Ok(false);
    }
    if role == OrgRole::Admin && would_leave_no_admin(status, others) {
        return Err(MembershipError::LastAdmin);
    }
    Ok(true)
}

/// Whether an invitation may be revoked: only while it is pending, and never the only admin
/// invitation of an organization without an active admin (resend it instead).
pub fn may_revoke_invitation(
    role: OrgRole,
    status: UserStatus,
    others: OtherAdmins,
) -> Result<(), MembershipError> {
    may_resend_invitation(status)?;
    if role == OrgRole::Admin && would_leave_no_admin(status, others) {
        return Err(MembershipError::LastAdmin);
    }
    Ok(())
}

/// Whether an invitation may be resent: only while it is pending.
pub fn may_resend_invitation(status: UserStatus) -> Result<(), MembershipError> {
    if status == UserStatus::Invited {
        Ok(())
    } else {
        Err(MembershipError::NotInvited)
    }
}

/// An admin stops being one (demoted, or its invitation revoked): does the organization keep an
/// admin? An active admin needs another active one; an invited admin, any other admin (an
/// organization that has no active admin yet still has its invitation).
fn would_leave_no_admin(status: UserStatus, others: OtherAdmins) -> bool {
    match status {
        UserStatus::Active => others.active == 0,
        UserStatus::Invited => others.active == 0 && others.invited == 0,
        // A disabled admin holds no power; changing its role leaves the rest as it is.
        UserStatus::Disabled => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrgRole::{Admin, Member};
    use UserStatus::{Active, Disabled, Invited};

    const NONE: OtherAdmins = OtherAdmins {
        active: 0,
        invited: 0,
    };

    #[test]
    fn the_last_active_admin_is_never_demoted() {
        assert_eq!(
            may_change_role(Admin, Active, Member, NONE),
            Err(MembershipError::LastAdmin)
        );
        // Another admin who has not joined does not run the organization.
        let invited_only = OtherAdmins {
            active: 0,
            invited: 1,
        };
        assert_eq!(
            may_change_role(Admin, Active, Member, invited_only),
            Err(MembershipError::LastAdmin)
        );
        let one = OtherAdmins {
            active: 1,
            invited: 0,
        };
        assert_eq!(may_change_role(Admin, Active, Member, one), Ok(true));
        assert_eq!(may_change_role(Member, Active, Admin, NONE), Ok(true));
        assert_eq!(may_change_role(Admin, Active, Admin, NONE), Ok(false));
        assert_eq!(may_change_role(Admin, Disabled, Member, NONE), Ok(true));
    }

    #[test]
    fn an_organization_keeps_its_only_admin_invitation() {
        assert_eq!(
            may_change_role(Admin, Invited, Member, NONE),
            Err(MembershipError::LastAdmin)
        );
        assert_eq!(
            may_revoke_invitation(Admin, Invited, NONE),
            Err(MembershipError::LastAdmin)
        );
        let one = OtherAdmins {
            active: 1,
            invited: 0,
        };
        assert_eq!(may_revoke_invitation(Admin, Invited, one), Ok(()));
        assert_eq!(may_revoke_invitation(Member, Invited, NONE), Ok(()));
    }

    #[test]
    fn only_pending_invitations_are_resent_or_revoked() {
        for s in [Active, Disabled] {
            assert_eq!(may_resend_invitation(s), Err(MembershipError::NotInvited));
            assert_eq!(
                may_revoke_invitation(Member, s, NONE),
                Err(MembershipError::NotInvited)
            );
        }
        assert_eq!(may_resend_invitation(Invited), Ok(()));
    }

    #[test]
    fn status_follows_the_row() {
        assert_eq!(UserStatus::of(false, false, false), Invited);
        // An invitation accepted through single sign-on: no password, address confirmed.
        assert_eq!(UserStatus::of(false, false, true), Active);
        assert_eq!(UserStatus::of(false, true, false), Active);
        assert_eq!(UserStatus::of(true, false, false), Disabled);
    }
}
