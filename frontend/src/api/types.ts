// Friendly names for the shapes of the portal's HTTP API (/api/v1).
//
// The shapes themselves are generated: schema.d.ts comes from the server's OpenAPI document
// (`make api-types`; `make test` fails when it is stale). The document states every closed set
// of values (statuses, kinds, codes) as an enum, so this file only names the generated types.

import type { components, operations } from './schema';

export type S = components['schemas'];

export type Id = string;
export type Timestamp = string;

/** A single sign-on provider the sign-in page offers (`GET /auth/oidc`). */
export type SsoProvider = S['OidcProviderOut'];
/** An act the signed-in user's organization kind and role allow (`Me.capabilities`). */
export type Capability = S['Me']['capabilities'][number];
export type OrgKind = S['OrgOut']['kind'];
export type OrgRole = S['UserOut']['org_role'];
export type AgencyCode = S['ConsultationOut']['agency_code'];
export type PartnerType = NonNullable<S['NominationOut']['partner_type']>;
export type ModelStatus = S['ModelOut']['status'];
export type DesignationStatus = S['RequestOut']['status'];
/** The Sec. 3(a) offices NSA consults: the properties of a request's `consulted`. */
export type ConsultedAgency = keyof S['ConsultedOffices'];
export type Position = S['ConsultationOut']['position'];
export type Outcome = S['DeterminationOut']['outcome'];
export type MessageKind = S['MessageOut']['kind'];
export type AccessMode = S['AccessGrantOut']['access_mode'];
export type GrantStatus = S['AccessGrantOut']['status'];
export type PartnerGrantStatus = S['PartnerGrantOut']['status'];
export type AccessKind = S['AccessLogOut']['kind'];
export type NominationStatus = S['NominationOut']['status'];
export type SidePosition = S['NominationOut']['developer_position'];
export type Side = S['NominationOut']['nominated_by'];

type RequestListQuery = Omit<NonNullable<operations['listDesignationRequests']['parameters']['query']>, 'limit' | 'cursor'>;
/**
 * The filters of the designation request list: its query parameters less the page. Each may
 * also be `''`, "any", as a form's empty choice: the client leaves empty values out of the
 * query string (and the server reads an empty filter as none).
 */
export type RequestFilters = { [K in keyof RequestListQuery]?: RequestListQuery[K] | '' };
/** `assigned` filter of the review queue. */
export type AssignedFilter = NonNullable<RequestListQuery['assigned']>;

export const TERMS_SECTIONS = [
  'confidentiality',
  'cybersecurity',
  'insider_risk',
  'intellectual_property',
  'use',
  'nondisclosure',
] as const;
export type TermsSection = (typeof TERMS_SECTIONS)[number];

/** One page of any list: `{items, next_cursor}` (DESIGN.md §3). */
export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export type Organization = S['OrgOut'];
export type User = S['UserOut'];
export type AdminUser = S['AdminUser'];
export type AdminOrganization = S['AdminOrg'];
export type CreatedOrganization = S['CreatedOrg'];
export type Me = S['Me'];
export type OrgMembers = S['MyOrg'];
/** A person of the caller's organization, with `status` (invited, active, disabled). */
export type Member = S['MemberOut'];
export type UserStatus = S['AdminUser']['status'];
export type ApiToken = S['ApiTokenOut'];
export type TokenScope = NonNullable<S['CreateApiTokenBody']['scope']>;
export type SessionList = S['SessionList'];
export type Session = S['SessionOut'];
export type NotificationSettings = S['NotificationSettings'];
export type NotificationSetting = S['NotificationSetting'];
export type InvitationSent = S['InvitationOut'];

export type Model = S['ModelOut'];
/** A list item: a model without its description (in the detail). */
export type ModelSummary = S['ModelSummary'];

export type Consultation = S['ConsultationOut'];
export type Determination = S['DeterminationOut'];
export type DesignationRequest = S['RequestOut'];
/** A list item: a request without the capability evidence, consultations and rationale (in the detail). */
export type DesignationRequestSummary = S['RequestSummary'];
export type Message = S['MessageOut'];

export type Terms = S['TermsOut'];
/** A list item: a terms version without its six sections (in the detail). */
export type TermsSummary = S['TermsSummary'];
export type TermsAcceptance = S['TermsAcceptanceOut'];

export type Viewer = S['ViewerOut'];
export type Grantee = S['GranteeOut'];
export type AccessGrant = S['AccessGrantOut'];
/** A list item: a grant without its access instructions (in the detail). */
export type AccessGrantSummary = S['AccessGrantSummary'];
export type RosterEntry = S['RosterOut'];
export type GrantMessage = S['GrantMessageOut'];
export type GrantMessageSide = S['GrantMessageOut']['side'];
export type AccessLogEntry = S['AccessLogOut'];

export type Nomination = S['NominationOut'];
/** A list item: a nomination without its rationale (in the detail). */
export type NominationSummary = S['NominationSummary'];
export type PartnerGrant = S['PartnerGrantOut'];
/** A list item: a partner grant without the terms' sections and the access instructions (in the detail). */
export type PartnerGrantSummary = S['PartnerGrantSummary'];
export type WindowWarning = S['WarningOut'];

/** The document says only "object": the event's detail is free JSON without secrets. */
export type AuditEvent = Omit<S['AuditEventOut'], 'detail'> & { detail: unknown };
export type AuditVerify = S['AuditVerifyOut'];
export type InvitationPreview = S['InvitationPreview'];

// Request bodies, under the names the pages use. The server validates every value (422 with
// field errors), so the forms send what the person chose, as the document types it.
export type NewModel = S['CreateModel'];
export type ModelChange = S['PatchModel'];
export type NewDesignationRequest = S['CreateRequest'];
export type EditDesignationRequest = S['EditRequest'];
export type NewConsultation = S['ConsultationBody'];
export type NewDetermination = S['DeterminationBody'];
export type NewTerms = S['CreateTerms'];
export type NewAccessGrant = S['OfferBody'];
export type NewAccessLogEntry = S['LogBody'];
export type NewPartnerGrant = S['IssueBody'];
export type NewNomination = S['CreateBody'];
/** One of CISA's 16 critical-infrastructure sectors. */
export type Sector = NonNullable<S['NewPartnerBody']['sector']>;
export type NewOrganization = S['CreateOrgBody'];
export type Signup = S['SignupBody'];
export type Invitation = S['InvitationBody'];
