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
  // a request whose response date passed while it awaits the Government
  overdue: 'Overdue',
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
  not_covered: 'Not a covered frontier model',
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
  overdue: 'warn',
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
/** CISA's 16 critical-infrastructure sectors: the API's snake_case codes and their names. */
export const SECTOR_LABELS: Record<string, string> = {
  chemical: 'Chemical',
  commercial_facilities: 'Commercial Facilities',
  communications: 'Communications',
  critical_manufacturing: 'Critical Manufacturing',
  dams: 'Dams',
  defense_industrial_base: 'Defense Industrial Base',
  emergency_services: 'Emergency Services',
  energy: 'Energy',
  financial_services: 'Financial Services',
  food_and_agriculture: 'Food and Agriculture',
  government_facilities: 'Government Facilities',
  healthcare_and_public_health: 'Healthcare and Public Health',
  information_technology: 'Information Technology',
  nuclear_reactors_materials_and_waste: 'Nuclear Reactors, Materials, and Waste',
  transportation_systems: 'Transportation Systems',
  water_and_wastewater_systems: 'Water and Wastewater Systems',
};

/** Options for a sector <select>: the code is sent, the name is shown. */
export const SECTOR_OPTIONS = Object.entries(SECTOR_LABELS).map(([value, label]) => ({ value, label }));

/** A sector code (or an older free-text name) as its readable name. */
export function sectorLabel(value: string | null | undefined): string {
  if (!value) return '';
  return SECTOR_LABELS[value] ?? value;
}

export const TERMS_SECTION_LABELS: Record<string, string> = {
  confidentiality: 'Confidentiality',
  cybersecurity: 'Cybersecurity',
  insider_risk: 'Insider risk',
  intellectual_property: 'Intellectual property',
  use: 'Use',
  nondisclosure: 'Nondisclosure',
};

/** The consultation form's choices, worded as their tags (one table: STATUS_LABELS). */
export const POSITION_OPTIONS = (['concur', 'non_concur', 'no_comment'] as const).map((value) => ({ value, label: STATUS_LABELS[value] }));
/** The determination form's choices, worded as their tags. */
export const OUTCOME_OPTIONS = (['covered', 'not_covered'] as const).map((value) => ({ value, label: STATUS_LABELS[value] }));

export const MESSAGE_KIND_LABELS: Record<string, string> = {
  message: 'Message',
  info_request: 'Information request',
  response: 'Response',
};

/**
 * Every API value with its words, for messages: the same tables the forms and tags use. A
 * message from the server that still names a value (`federal_agency`) shows its label instead.
 */
const ENUM_WORDS: Record<string, string> = {
  ...SECTOR_LABELS,
  ...ACCESS_MODE_LABELS,
  ...ACCESS_KIND_LABELS,
  ...PARTNER_TYPE_LABELS,
  ...TERMS_SECTION_LABELS,
  ...MESSAGE_KIND_LABELS,
  ...STATUS_LABELS,
};

/** Replaces each snake_case API value in `text` by its label ("“Federal agency”"). */
export function plainWords(text: string): string {
  return text.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (w) => (ENUM_WORDS[w] ? `“${ENUM_WORDS[w]}”` : humanize(w).toLowerCase()));
}

/**
 * A model as people name it: its name and version ("Aurora-7 2026.06"), so two versions of one
 * model can never be confused. Every grant, nomination and timeline names a model through this.
 */
export function modelLabel(name: string | null | undefined, version: string | null | undefined): string {
  const n = (name ?? '').trim();
  const v = (version ?? '').trim();
  if (!v) return n;
  return n ? `${n} ${v}` : v;
}

/**
 * The status a grant page or list shows: the derived status, except that a grant still awaiting
 * terms which every grantee declined reads "Declined" (it will not open; the API's `status` stays
 * derived from the timestamps, and the developer's controls are unchanged).
 */
export function shownStatus(status: string, grantees: { declined_at?: string | null }[]): string {
  return status === 'awaiting_terms' && grantees.length > 0 && grantees.every((x) => x.declined_at) ? 'declined' : status;
}
