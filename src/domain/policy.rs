//! Who may do what (DESIGN §1).
//!
//! [`may`] answers whether an actor's *kind of organization and role* allow an action at all.
//! It does not know about specific records: the caller additionally checks that the record
//! is visible to the actor's organization (else 404), that the actor's org owns it or is its
//! grantee, and that the record's state allows the action (409). A `false` here is a 403 on a
//! record the actor can see.
//!
//! Sec. 3(c) shapes the developer rows: the developer's own controls (withdraw, release, end or
//! shorten a grant, rescind, revoke, remove from a roster) are open to **every** developer
//! member, never only to admins, so no internal role gap can become a gate either
//! ([`DEVELOPER_CONTROLS`]).

domain_string_enum! {
    /// The four kinds of organization (DESIGN §1); a user belongs to exactly one organization.
    pub enum OrgKind {
        /// An AI company; signs itself up.
        Developer = "developer",
        /// A Government office, identified by an [`AgencyCode`].
        Agency = "agency",
        /// A trusted partner that receives early access.
        Partner = "partner",
        /// The portal's administrators.
        Operator = "operator",
    }
}

domain_string_enum! {
    /// A user's role inside its organization.
    pub enum OrgRole {
        /// May invite colleagues and act for the organization (offer grants, accept terms …).
        Admin = "admin",
        /// An ordinary member.
        Member = "member",
    }
}

domain_string_enum! {
    /// The Government office an agency organization stands for. `NSA` makes determinations
    /// (Sec. 3(a)); `NCD`, `OSTP` (APST), `CISA` and `DOW` are the offices it consults.
    /// Stored and sent in upper case, as the order names them.
    #[allow(clippy::upper_case_acronyms)]
    pub enum AgencyCode {
        /// National Security Agency.
        NSA = "NSA",
        /// Cybersecurity and Infrastructure Security Agency.
        CISA = "CISA",
        /// Department of the Treasury.
        TREASURY = "TREASURY",
        /// Department of War.
        DOW = "DOW",
        /// Office of the National Cyber Director.
        NCD = "NCD",
        /// Office of Science and Technology Policy (the APST).
        OSTP = "OSTP",
        /// National Institute of Standards and Technology.
        NIST = "NIST",
        /// Any other office.
        OTHER = "OTHER",
    }
}

domain_string_enum! {
    /// The kinds of organization the directory (`GET /organizations?kind=`) can be asked for:
    /// every [`OrgKind`] but the operators, who are never listed.
    pub enum DirectoryKind {
        /// Trusted partners.
        Partner = "partner",
        /// Government offices.
        Agency = "agency",
        /// AI companies.
        Developer = "developer",
    }
}

impl DirectoryKind {
    /// The organization kind this directory kind lists.
    pub fn org_kind(self) -> OrgKind {
        match self {
            DirectoryKind::Partner => OrgKind::Partner,
            DirectoryKind::Agency => OrgKind::Agency,
            DirectoryKind::Developer => OrgKind::Developer,
        }
    }
}

/// The signed-in user as far as permissions go (the kind of their organization, their role in
/// it, the agency code), read from the database on every request so a role change applies at
/// once. The HTTP caller (`auth::Actor`, with ids) hands this to [`may`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Membership {
    /// The kind of the user's organization.
    pub org_kind: OrgKind,
    /// The user's role in it.
    pub org_role: OrgRole,
    /// The agency code, for agency organizations only.
    pub agency_code: Option<AgencyCode>,
}

impl Membership {
    /// Whether the actor is an admin of its organization.
    pub fn is_admin(&self) -> bool {
        self.org_role == OrgRole::Admin
    }
}

domain_string_enum! {
    /// One action from DESIGN §1's "who may do what" table.
    pub enum Capability {
        /// Register a model.
        RegisterModel = "register_model",
        /// Edit a model's fields.
        EditModel = "edit_model",
        /// Mark a model released (a developer control: nothing blocks it).
        ReleaseModel = "release_model",
        /// Create a designation request (always the developer's choice, Sec. 3(b)(i)).
        FileDesignation = "file_designation",
        /// Withdraw a designation request (developer control).
        WithdrawDesignation = "withdraw_designation",
        /// Submit a draft designation request.
        SubmitDesignation = "submit_designation",
        /// Answer an information request.
        RespondDesignation = "respond_designation",
        /// Offer a Government access grant (binds the developer: admins only).
        OfferGrant = "offer_grant",
        /// Move a grant's `ends_at` (shorten, or extend within the cap).
        EditGrant = "edit_grant",
        /// End a Government grant early (developer control).
        EndGrant = "end_grant",
        /// Nominate a partner for the developer side.
        NominatePartnerAsDeveloper = "nominate_partner_as_developer",
        /// Nominate a partner for the Government side.
        NominatePartnerAsGovernment = "nominate_partner_as_government",
        /// Concur with or decline a nomination for the developer side.
        ConcurAsDeveloper = "concur_as_developer",
        /// Concur with or decline a nomination for the Government side.
        ConcurAsGovernment = "concur_as_government",
        /// Rescind a nomination (developer control).
        RescindNomination = "rescind_nomination",
        /// Issue an early-access grant to a selected partner (admins only).
        IssuePartnerGrant = "issue_partner_grant",
        /// Revoke a partner grant (developer control).
        RevokePartnerGrant = "revoke_partner_grant",
        /// Remove anyone from a grant's roster (developer control).
        RemoveFromRosterAsDeveloper = "remove_from_roster_as_developer",
        /// Accept a grant's terms for the developer (binds the company: admins only).
        AcceptTermsAsDeveloper = "accept_terms_as_developer",
        /// Publish a terms version.
        PublishTerms = "publish_terms",
        /// Assign a designation request to a reviewer.
        Assign = "assign",
        /// Ask the developer for more information.
        RequestInfo = "request_info",
        /// Record a consultation.
        Consult = "consult",
        /// Record the determination (NSA only, Sec. 3(a)).
        Determine = "determine",
        /// Accept a grant's terms for the grantee organization.
        AcceptTermsAsGrantee = "accept_terms_as_grantee",
        /// Add or remove the grantee organization's people on a roster.
        ManageRosterAsGrantee = "manage_roster_as_grantee",
        /// Create organizations and disable users.
        ManageOrganizations = "manage_organizations",
        /// Verify the audit chain.
        VerifyAudit = "verify_audit",
        /// Invite colleagues into one's own organization.
        InviteColleagues = "invite_colleagues",
    }
}

/// The developer's own controls under Sec. 3(c): always open to every developer member, and
/// never conditioned on anything the Government does or does not do.
pub const DEVELOPER_CONTROLS: [Capability; 7] = [
    Capability::WithdrawDesignation,
    Capability::ReleaseModel,
    Capability::EndGrant,
    Capability::EditGrant,
    Capability::RescindNomination,
    Capability::RevokePartnerGrant,
    Capability::RemoveFromRosterAsDeveloper,
];

/// Whether `actor`'s organization kind and role allow `cap` (DESIGN §1):
///
/// - **developer, any role**: models (register, edit, release), designations (file, submit,
///   withdraw, respond), edit/end grants, nominate/concur/decline/rescind, revoke partner grants,
///   remove roster members;
/// - **developer admin** additionally: offer grants, issue partner grants, accept terms for the
///   developer, publish terms — the acts that commit the company;
/// - **agency, any role**: assign, request information, consult, nominate for the Government;
/// - **NSA agency members** only: determine;
/// - **agency admins**: concur/decline for the Government;
/// - **agency or partner admins**: accept terms and manage the roster as a grantee (the caller
///   checks the org is the grantee);
/// - **operators**: manage organizations, verify the audit chain, publish terms templates;
/// - **any admin**: invite colleagues.
pub fn may(actor: &Membership, cap: Capability) -> bool {
    use Capability as C;
    let admin = actor.is_admin();
    match actor.org_kind {
        OrgKind::Developer => match cap {
            C::RegisterModel
            | C::EditModel
            | C::ReleaseModel
            | C::FileDesignation
            | C::WithdrawDesignation
            | C::SubmitDesignation
            | C::RespondDesignation
            | C::EditGrant
            | C::EndGrant
            | C::NominatePartnerAsDeveloper
            | C::ConcurAsDeveloper
            | C::RescindNomination
            | C::RevokePartnerGrant
            | C::RemoveFromRosterAsDeveloper => true,
            C::OfferGrant
            | C::IssuePartnerGrant
            | C::AcceptTermsAsDeveloper
            | C::PublishTerms
            | C::InviteColleagues => admin,
            _ => false,
        },
        OrgKind::Agency => match cap {
            C::Assign | C::RequestInfo | C::Consult | C::NominatePartnerAsGovernment => true,
            C::Determine => actor.agency_code == Some(AgencyCode::NSA),
            C::ConcurAsGovernment
            | C::AcceptTermsAsGrantee
            | C::ManageRosterAsGrantee
            | C::InviteColleagues => admin,
            _ => false,
        },
        OrgKind::Partner => match cap {
            C::AcceptTermsAsGrantee | C::ManageRosterAsGrantee | C::InviteColleagues => admin,
            _ => false,
        },
        OrgKind::Operator => match cap {
            C::ManageOrganizations | C::VerifyAudit | C::PublishTerms => true,
            C::InviteColleagues => admin,
            _ => false,
        },
    }
}

/// The kinds of organization a viewer finds in the directory (`GET /organizations`), DESIGN §1.
/// Developers see agencies (to offer access) and partners (to nominate), **never** other
/// developers: who else is engaging the Government is not theirs to know. Agencies and operators
/// also see developers; partners do not use the directory at all. Operator organizations are
/// never listed.
pub fn directory_kinds(viewer: OrgKind) -> &'static [OrgKind] {
    match viewer {
        OrgKind::Developer => &[OrgKind::Agency, OrgKind::Partner],
        OrgKind::Agency | OrgKind::Operator => {
            &[OrgKind::Agency, OrgKind::Partner, OrgKind::Developer]
        }
        OrgKind::Partner => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability as C;

    #[test]
    fn developers_never_find_other_developers() {
        let dev = directory_kinds(OrgKind::Developer);
        assert!(!dev.contains(&OrgKind::Developer));
        assert!(dev.contains(&OrgKind::Agency) && dev.contains(&OrgKind::Partner));
        assert!(directory_kinds(OrgKind::Partner).is_empty());
        for k in OrgKind::ALL {
            assert!(!directory_kinds(*k).contains(&OrgKind::Operator));
        }
    }

    fn actor(kind: OrgKind, role: OrgRole, code: Option<AgencyCode>) -> Membership {
        Membership {
            org_kind: kind,
            org_role: role,
            agency_code: code,
        }
    }

    /// Columns, in order: developer admin, developer member, NSA member, CISA member,
    /// CISA admin, partner admin, partner member, operator (admin).
    fn actors() -> [Membership; 8] {
        use AgencyCode::*;
        use OrgKind::*;
        use OrgRole::*;
        [
            actor(Developer, Admin, None),
            actor(Developer, Member, None),
            actor(Agency, Member, Some(NSA)),
            actor(Agency, Member, Some(CISA)),
            actor(Agency, Admin, Some(CISA)),
            actor(Partner, Admin, None),
            actor(Partner, Member, None),
            actor(Operator, Admin, None),
        ]
    }

    /// The whole DESIGN §1 table: `Y` = allowed, `.` = refused.
    const TABLE: &[(Capability, &str)] = &[
        (C::RegisterModel, "YY......"),
        (C::EditModel, "YY......"),
        (C::ReleaseModel, "YY......"),
        (C::FileDesignation, "YY......"),
        (C::WithdrawDesignation, "YY......"),
        (C::SubmitDesignation, "YY......"),
        (C::RespondDesignation, "YY......"),
        (C::OfferGrant, "Y......."),
        (C::EditGrant, "YY......"),
        (C::EndGrant, "YY......"),
        (C::NominatePartnerAsDeveloper, "YY......"),
        (C::NominatePartnerAsGovernment, "..YYY..."),
        (C::ConcurAsDeveloper, "YY......"),
        (C::ConcurAsGovernment, "....Y..."),
        (C::RescindNomination, "YY......"),
        (C::IssuePartnerGrant, "Y......."),
        (C::RevokePartnerGrant, "YY......"),
        (C::RemoveFromRosterAsDeveloper, "YY......"),
        (C::AcceptTermsAsDeveloper, "Y......."),
        (C::PublishTerms, "Y......Y"),
        (C::Assign, "..YYY..."),
        (C::RequestInfo, "..YYY..."),
        (C::Consult, "..YYY..."),
        (C::Determine, "..Y....."),
        (C::AcceptTermsAsGrantee, "....YY.."),
        (C::ManageRosterAsGrantee, "....YY.."),
        (C::ManageOrganizations, ".......Y"),
        (C::VerifyAudit, ".......Y"),
        (C::InviteColleagues, "Y...YY.Y"),
    ];

    #[test]
    fn table_covers_every_capability_once() {
        let mut listed: Vec<Capability> = TABLE.iter().map(|(c, _)| *c).collect();
        listed.sort();
        listed.dedup();
        assert_eq!(listed.len(), TABLE.len());
        assert_eq!(listed, Capability::ALL.to_vec());
    }

    #[test]
    fn permissions_match_the_design_table() {
        let actors = actors();
        for (cap, row) in TABLE {
            assert_eq!(row.len(), actors.len(), "{cap}");
            for (a, expected) in actors.iter().zip(row.chars()) {
                assert_eq!(
                    may(a, *cap),
                    expected == 'Y',
                    "{cap} for {:?} {:?} {:?}",
                    a.org_kind,
                    a.org_role,
                    a.agency_code
                );
            }
        }
    }

    #[test]
    fn only_nsa_determines_whatever_the_role() {
        for code in AgencyCode::ALL {
            for role in OrgRole::ALL {
                let a = actor(OrgKind::Agency, *role, Some(*code));
                assert_eq!(may(&a, C::Determine), *code == AgencyCode::NSA);
            }
        }
        assert!(!may(
            &actor(OrgKind::Agency, OrgRole::Admin, None),
            C::Determine
        ));
    }

    #[test]
    fn developer_controls_are_open_to_every_developer_member() {
        for role in OrgRole::ALL {
            let a = actor(OrgKind::Developer, *role, None);
            for cap in DEVELOPER_CONTROLS {
                assert!(may(&a, cap), "{cap} for developer {role}");
            }
        }
    }

    #[test]
    fn operators_of_either_role_run_the_portal_but_not_developer_records() {
        let member = actor(OrgKind::Operator, OrgRole::Member, None);
        assert!(may(&member, C::VerifyAudit) && may(&member, C::ManageOrganizations));
        assert!(!may(&member, C::InviteColleagues));
        for cap in DEVELOPER_CONTROLS {
            assert!(!may(&member, cap));
        }
    }

    #[test]
    fn agency_codes_serialize_upper_case() {
        assert_eq!(AgencyCode::OSTP.as_str(), "OSTP");
        assert_eq!("TREASURY".parse::<AgencyCode>(), Ok(AgencyCode::TREASURY));
        assert!("nsa".parse::<AgencyCode>().is_err());
        assert_eq!(Capability::ALL.len(), 29);
    }
}
