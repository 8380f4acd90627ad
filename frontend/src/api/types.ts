// Shapes returned by the portal's HTTP API (/api/v1). Timestamps are RFC 3339 UTC strings.
// Fields marked optional may be null or absent; unknown extra fields are ignored.

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

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Organization {
  id: Id;
  name: string;
  kind: OrgKind;
  agency_code?: AgencyCode | null;
  partner_type?: PartnerType | null;
  sector?: string | null;
  created_at?: Timestamp;
}

export interface User {
  id: Id;
  email: string;
  name: string;
  org_role: OrgRole;
  organization_id?: Id;
  disabled?: boolean;
  email_verified?: boolean;
  created_at?: Timestamp;
}

export interface Me {
  user: User;
  organization: Organization;
}

export type ModelStatus = 'in_development' | 'released';
export interface Model {
  id: Id;
  organization_id: Id;
  name: string;
  version: string;
  description: string | null;
  modality: string | null;
  planned_partner_release_at?: Timestamp | null;
  released_at?: Timestamp | null;
  created_at: Timestamp;
  status: ModelStatus;
  government_days_granted: number;
  government_days_remaining: number;
}

export type DesignationStatus =
  | 'draft'
  | 'submitted'
  | 'under_review'
  | 'info_requested'
  | 'determined'
  | 'withdrawn';
export type ConsultedAgency = 'NCD' | 'OSTP' | 'CISA' | 'DOW';
export type Position = 'concur' | 'non_concur' | 'no_comment';
export type Outcome = 'covered' | 'not_covered';

export interface Consultation {
  id: Id;
  agency_code: AgencyCode;
  position: Position;
  note: string;
  recorded_by_name: string;
  created_at: Timestamp;
}

export interface Determination {
  outcome: Outcome;
  rationale: string;
  benchmark_ref: string;
  determined_at: Timestamp;
  determined_by_name: string;
}

export interface DesignationRequest {
  id: Id;
  model_id: Id;
  model_name: string;
  model_version: string;
  developer_org_id: Id;
  developer_org_name: string;
  status: DesignationStatus;
  summary: string;
  capability_evidence: string;
  requested_response_by?: Timestamp | null;
  submitted_at?: Timestamp | null;
  withdrawn_at?: Timestamp | null;
  assigned_to?: { id: Id; name: string } | null;
  consultations: Consultation[];
  consulted: Partial<Record<ConsultedAgency, boolean>>;
  determination?: Determination | null;
  created_at: Timestamp;
}

export type MessageKind = 'message' | 'info_request' | 'response';
export interface Message {
  id: Id;
  author_name: string;
  author_org_name: string;
  kind: MessageKind;
  body: string;
  created_at: Timestamp;
}

export const TERMS_SECTIONS = [
  'confidentiality',
  'cybersecurity',
  'insider_risk',
  'intellectual_property',
  'use',
  'nondisclosure',
] as const;
export type TermsSection = (typeof TERMS_SECTIONS)[number];

export interface Terms extends Record<TermsSection, string> {
  id: Id;
  label: string;
  sha256: string;
  organization_id?: Id | null;
  is_template: boolean;
  created_at: Timestamp;
}

export type AccessMode = 'hosted_api' | 'weights_on_premises' | 'sandbox' | 'other';
export type GrantStatus = 'ended' | 'expired' | 'awaiting_terms' | 'scheduled' | 'active';
export type PartnerGrantStatus = 'revoked' | 'expired' | 'awaiting_terms' | 'scheduled' | 'active';

export interface Viewer {
  rostered: boolean;
  acknowledged: boolean;
}

export interface Grantee {
  org_id: Id;
  name: string;
  agency_code: AgencyCode;
  terms_accepted_at?: Timestamp | null;
  accepted_by_name?: string | null;
}

export interface AccessGrant {
  id: Id;
  model_id: Id;
  model_name: string;
  developer_org_id: Id;
  developer_org_name: string;
  grantees: Grantee[];
  access_mode: AccessMode;
  access_instructions: string | null;
  starts_at: Timestamp;
  ends_at: Timestamp;
  ended_at?: Timestamp | null;
  terms_version_id: Id;
  terms_label: string;
  developer_accepted_at?: Timestamp | null;
  status: GrantStatus;
  days_remaining: number;
  created_at: Timestamp;
  viewer?: Viewer;
  /** Server wording of the Sec. 3(c) notice (the UI keeps its own). */
  voluntary_notice?: string;
}

export interface RosterEntry {
  user_id: Id;
  name: string;
  email: string;
  organization_id: Id;
  organization_name: string;
  added_at: Timestamp;
  acknowledged_at?: Timestamp | null;
}

export type AccessKind = 'evaluation' | 'red_team' | 'benchmark' | 'other';
export interface AccessLogEntry {
  id: Id;
  user_id: Id;
  user_name: string;
  organization_name: string;
  occurred_at: Timestamp;
  kind: AccessKind;
  duration_minutes: number;
  summary: string;
  created_at: Timestamp;
}

export type NominationStatus = 'pending' | 'selected' | 'declined' | 'rescinded';
export type SidePosition = 'pending' | 'concur' | 'decline';
export interface Nomination {
  id: Id;
  model_id: Id;
  model_name: string;
  developer_org_id: Id;
  developer_org_name: string;
  partner_org_id?: Id | null;
  partner_name: string;
  partner_type: PartnerType;
  sector?: string | null;
  nominated_by: 'developer' | 'government';
  developer_position: SidePosition;
  government_position: SidePosition;
  rationale: string;
  status: NominationStatus;
  created_at: Timestamp;
}

export interface PartnerGrant {
  id: Id;
  nomination_id: Id;
  model_id: Id;
  model_name: string;
  model_version?: string;
  developer_org_id?: Id;
  developer_org_name: string;
  partner_org_id: Id;
  partner_name: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  revoked_at?: Timestamp | null;
  terms_version_id: Id;
  terms?: Terms | null;
  partner_accepted_at?: Timestamp | null;
  access_instructions: string | null;
  status: PartnerGrantStatus;
  days_remaining: number;
  created_at: Timestamp;
  viewer?: Viewer;
  /** Server wording of the Sec. 3(c) notice (the UI keeps its own). */
  voluntary_notice?: string;
}

export interface ApiToken {
  id: Id;
  name: string;
  token?: string;
  created_at: Timestamp;
  expires_at?: Timestamp | null;
  last_used_at?: Timestamp | null;
}

export interface AuditEvent {
  seq: number;
  id?: Id;
  occurred_at: Timestamp;
  action: string;
  actor_name?: string | null;
  actor_user_id?: Id | null;
  actor_org_id?: Id | null;
  actor_org_name?: string | null;
  target_type: string;
  target_id: Id;
  visible_to?: Id[];
  detail?: unknown;
  request_id?: string | null;
  prev_hash?: string;
  hash?: string;
}

export interface AuditVerify {
  valid: boolean;
  events: number;
  first_broken_seq?: number | null;
}

export interface OrgMembers {
  organization: Organization;
  users: User[];
}
