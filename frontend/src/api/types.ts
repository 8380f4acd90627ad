// Friendly names for the shapes of the portal's HTTP API (/api/v1).
//
// The shapes themselves are generated: schema.d.ts comes from the server's OpenAPI document
// (`make api-types`; `make test` fails when it is stale). This file only names them, and narrows
// the fields the document still types as a plain `string` where the interface relies on the
// closed set of values (statuses, kinds, codes). Each narrowing below is a gap in the document;
// once the document states the enum, the narrowing can go and the name stays.

import type { components } from './schema';

type S = components['schemas'];
/** `T` with the fields of `O` replaced (a narrowing, never a new field). */
type With<T, O extends { [K in keyof O]: K extends keyof T ? unknown : never }> = Omit<T, keyof O> & O;

export type Id = string;
export type Timestamp = string;

export type OrgKind = 'developer' | 'agency' | 'partner' | 'operator';
export type OrgRole = 'admin' | 'member';
export type AgencyCode = 'NSA' | 'CISA' | 'TREASURY' | 'DOW' | 'NCD' | 'OSTP' | 'NIST' | 'OTHER';
export type PartnerType =
  | 'federal_agency'
  | 'state_local_authority'
  | 'critical_infrastructure_operator'
  | 'security_researcher'
  | 'other';
export type ModelStatus = 'in_development' | 'released';
export type DesignationStatus = 'draft' | 'submitted' | 'under_review' | 'info_requested' | 'determined' | 'withdrawn';
export type ConsultedAgency = 'NCD' | 'OSTP' | 'CISA' | 'DOW';
export type Position = 'concur' | 'non_concur' | 'no_comment';
export type Outcome = 'covered' | 'not_covered';
export type MessageKind = 'message' | 'info_request' | 'response';
export type AccessMode = 'hosted_api' | 'weights_on_premises' | 'sandbox' | 'other';
export type GrantStatus = 'ended' | 'expired' | 'awaiting_terms' | 'scheduled' | 'active';
export type PartnerGrantStatus = 'revoked' | 'expired' | 'awaiting_terms' | 'scheduled' | 'active';
export type AccessKind = 'evaluation' | 'red_team' | 'benchmark' | 'other';
export type NominationStatus = 'pending' | 'selected' | 'declined' | 'rescinded';
export type SidePosition = 'pending' | 'concur' | 'decline';
/** `assigned` filter of the review queue. */
export type AssignedFilter = 'me' | 'unassigned';

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

export type Organization = With<S['OrgOut'], { kind: OrgKind; agency_code?: AgencyCode | null; partner_type?: PartnerType | null }>;
export type User = With<S['UserOut'], { org_role: OrgRole }>;
export type AdminUser = With<S['AdminUser'], { org_role: OrgRole; organization_kind: OrgKind }>;
export type AdminOrganization = With<S['AdminOrg'], { kind: OrgKind; agency_code?: AgencyCode | null; partner_type?: PartnerType | null }>;
export type CreatedOrganization = With<S['CreatedOrg'], { organization: Organization; admin: User }>;
export type Me = With<S['Me'], { user: With<S['MeUser'], { org_role: OrgRole }>; organization: Organization }>;
export type OrgMembers = With<S['MyOrg'], { organization: Organization; users: User[] }>;
export type ApiToken = S['ApiTokenOut'];
export type InvitationSent = With<S['InvitationOut'], { user: User }>;

export type Model = With<S['ModelOut'], { status: ModelStatus }>;
/** A list item: a model without its description (in the detail). */
export type ModelSummary = With<S['ModelSummary'], { status: ModelStatus }>;

export type Consultation = With<S['ConsultationOut'], { agency_code: AgencyCode; position: Position }>;
export type Determination = With<S['DeterminationOut'], { outcome: Outcome }>;
export type DesignationRequest = With<
  S['RequestOut'],
  {
    status: DesignationStatus;
    consultations: Consultation[];
    determination?: Determination | null;
    /** The document says only "object": which of the four offices have recorded a consultation. */
    consulted: Partial<Record<ConsultedAgency, boolean>>;
  }
>;
/** A list item: a request without the capability evidence, consultations and rationale (in the detail). */
export type DesignationRequestSummary = With<
  S['RequestSummary'],
  {
    status: DesignationStatus;
    determination?: With<S['DeterminationSummary'], { outcome: Outcome }> | null;
    consulted: Partial<Record<ConsultedAgency, boolean>>;
  }
>;
export type Message = With<S['MessageOut'], { kind: MessageKind }>;
/**
 * The filters of the designation request list (its query parameters less the page). Written
 * here because the document's operationIds repeat (seven operations are called `list`), so the
 * generated `paths[...]['get']` points at whichever `list` came last; once they are unique this
 * can be derived from the generated parameters.
 */
export interface RequestFilters {
  status?: DesignationStatus | '';
  model_id?: string;
  /** The model's or developer's name or the summary contains this, ignoring case; at most 100 characters. */
  q?: string;
  assigned?: AssignedFilter | '';
}

export type Terms = S['TermsOut'];
/** A list item: a terms version without its six sections (in the detail). */
export type TermsSummary = S['TermsSummary'];

export type Viewer = S['ViewerOut'];
export type Grantee = With<S['GranteeOut'], { agency_code?: AgencyCode | null }>;
export type AccessGrant = With<S['AccessGrantOut'], { status: GrantStatus; access_mode: AccessMode; grantees: Grantee[] }>;
/** A list item: a grant without its access instructions (in the detail). */
export type AccessGrantSummary = With<S['AccessGrantSummary'], { status: GrantStatus; access_mode: AccessMode; grantees: Grantee[] }>;
export type RosterEntry = S['RosterOut'];
export type AccessLogEntry = With<S['AccessLogOut'], { kind: AccessKind }>;

export type Nomination = With<
  S['NominationOut'],
  {
    status: NominationStatus;
    partner_type?: PartnerType | null;
    nominated_by: 'developer' | 'government';
    developer_position: SidePosition;
    government_position: SidePosition;
  }
>;
/** A list item: a nomination without its rationale (in the detail). */
export type NominationSummary = With<
  S['NominationSummary'],
  {
    status: NominationStatus;
    partner_type?: PartnerType | null;
    nominated_by: 'developer' | 'government';
    developer_position: SidePosition;
    government_position: SidePosition;
  }
>;
export type PartnerGrant = With<S['PartnerGrantOut'], { status: PartnerGrantStatus }>;
/** A list item: a partner grant without the terms' sections and the access instructions (in the detail). */
export type PartnerGrantSummary = With<S['PartnerGrantSummary'], { status: PartnerGrantStatus }>;

/** The document says only "object": the event's detail is free JSON without secrets. */
export type AuditEvent = With<S['AuditEventOut'], { detail: unknown }>;
export type AuditVerify = S['Verification'];

// Request bodies, under the names the pages use. The server validates every value (422 with
// field errors), so the forms send what the person chose, as the document types it.
export type NewModel = S['CreateModel'];
export type ModelChange = S['PatchModel'];
export type NewDesignationRequest = S['CreateRequest'];
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
