// Human wording for the API's enum values, and one colour family per status,
// used by <StatusTag> everywhere so a status always looks the same.

export const STATUS_LABELS: Record<string, string> = {
  // models
  in_development: 'In development',
  released: 'Released',
  // designation requests
  draft: 'Draft',
  submitted: 'Submitted',
  under_review: 'Under review',
  info_requested: 'Information requested',
  determined: 'Determined',
  withdrawn: 'Withdrawn',
  // grants
  awaiting_terms: 'Awaiting terms',
  scheduled: 'Scheduled',
  active: 'Active',
  expired: 'Expired',
  ended: 'Ended early',
  revoked: 'Revoked',
  // nominations and positions
  pending: 'Pending',
  selected: 'Selected',
  declined: 'Declined',
  rescinded: 'Rescinded',
  concur: 'Concurs',
  decline: 'Declines',
  non_concur: 'Does not concur',
  no_comment: 'No comment',
  // determinations
  covered: 'Covered frontier model',
  not_covered: 'Not covered',
};

/**
 * Colour families. "action" = someone must act (gold), "progress" = moving (blue),
 * "good" = in force (green), "closed" = finished or stopped (gray),
 * "outcome" = a recorded determination (indigo), "neutral" = informational (cyan-free base).
 */
export type Tone = 'action' | 'progress' | 'good' | 'closed' | 'outcome' | 'neutral' | 'warn';

export const STATUS_TONES: Record<string, Tone> = {
  in_development: 'neutral',
  released: 'good',
  draft: 'action',
  submitted: 'progress',
  under_review: 'progress',
  info_requested: 'action',
  determined: 'outcome',
  withdrawn: 'closed',
  awaiting_terms: 'action',
  scheduled: 'progress',
  active: 'good',
  expired: 'closed',
  ended: 'closed',
  revoked: 'closed',
  pending: 'action',
  selected: 'good',
  declined: 'closed',
  rescinded: 'closed',
  concur: 'good',
  decline: 'warn',
  non_concur: 'warn',
  no_comment: 'neutral',
  covered: 'outcome',
  not_covered: 'outcome',
};

export function statusLabel(value: string | null | undefined): string {
  if (!value) return '—';
  return STATUS_LABELS[value] ?? humanize(value);
}

export function statusTone(value: string): Tone {
  return STATUS_TONES[value] ?? 'neutral';
}

export function humanize(value: string): string {
  const s = value.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const ACCESS_MODE_LABELS: Record<string, string> = {
  hosted_api: 'Hosted API',
  weights_on_premises: 'Weights on Government premises',
  sandbox: 'Sandbox environment',
  other: 'Other',
};

export const ACCESS_KIND_LABELS: Record<string, string> = {
  evaluation: 'Evaluation',
  red_team: 'Red teaming',
  benchmark: 'Benchmark',
  other: 'Other',
};

export const PARTNER_TYPE_LABELS: Record<string, string> = {
  federal_agency: 'Federal agency',
  state_local_authority: 'State or local authority',
  critical_infrastructure_operator: 'Critical-infrastructure operator',
  security_researcher: 'Security researcher',
  other: 'Other',
};

export const AGENCY_LABELS: Record<string, string> = {
  NSA: 'National Security Agency (NSA)',
  CISA: 'Cybersecurity and Infrastructure Security Agency (CISA)',
  TREASURY: 'Department of the Treasury',
  DOW: 'Department of War (DOW)',
  NCD: 'Office of the National Cyber Director (NCD)',
  OSTP: 'Office of Science and Technology Policy (APST)',
  NIST: 'National Institute of Standards and Technology (NIST)',
  OTHER: 'Other agency',
};

/** The four offices the NSA Director consults (Sec. 3(a)). */
export const CONSULTED_AGENCIES = [
  { code: 'NCD', label: 'National Cyber Director' },
  { code: 'OSTP', label: 'APST (OSTP)' },
  { code: 'CISA', label: 'Director of CISA' },
  { code: 'DOW', label: 'Department of War' },
] as const;

/** CISA's 16 critical-infrastructure sectors. */
export const SECTORS = [
  'Chemical',
  'Commercial Facilities',
  'Communications',
  'Critical Manufacturing',
  'Dams',
  'Defense Industrial Base',
  'Emergency Services',
  'Energy',
  'Financial Services',
  'Food and Agriculture',
  'Government Services and Facilities',
  'Healthcare and Public Health',
  'Information Technology',
  'Nuclear Reactors, Materials, and Waste',
  'Transportation Systems',
  'Water and Wastewater Systems',
];

export const TERMS_SECTION_LABELS: Record<string, string> = {
  confidentiality: 'Confidentiality',
  cybersecurity: 'Cybersecurity',
  insider_risk: 'Insider risk',
  intellectual_property: 'Intellectual property',
  use: 'Use',
  nondisclosure: 'Nondisclosure',
};

export const MESSAGE_KIND_LABELS: Record<string, string> = {
  message: 'Message',
  info_request: 'Information request',
  response: 'Response',
};
