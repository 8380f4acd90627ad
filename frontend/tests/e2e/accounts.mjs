// Demo accounts used by the end-to-end run. Change them here only.
// The password comes from PORTAL_DEMO_PASSWORD (the server's `demo` command prints it).

export const ACCOUNTS = {
  developer: { email: process.env.E2E_DEVELOPER_EMAIL ?? 'admin@aurora-ai.example', label: 'developer admin' },
  developerMember: { email: process.env.E2E_DEVELOPER_MEMBER_EMAIL ?? 'engineer@aurora-ai.example', label: 'developer member' },
  nsa: { email: process.env.E2E_NSA_EMAIL ?? 'reviewer@nsa.example', label: 'NSA reviewer' },
  nsaAnalyst: { email: process.env.E2E_NSA_ANALYST_EMAIL ?? 'analyst@nsa.example', label: 'NSA analyst' },
  partner: { email: process.env.E2E_PARTNER_EMAIL ?? 'security@ruralhealth.example', label: 'partner admin' },
  partnerMember: { email: process.env.E2E_PARTNER_MEMBER_EMAIL ?? 'analyst@ruralhealth.example', label: 'partner member' },
  operator: { email: process.env.E2E_OPERATOR_EMAIL ?? 'operator@portal.example', label: 'operator' },
  // Enrols a second factor during the run (a developer admin no other journey uses).
  mfaDeveloper: { email: process.env.E2E_MFA_EMAIL ?? 'admin@northwind.example', label: 'Northwind developer admin' },
  // Sign in through the test identity provider (scripts/e2e.sh configures it as "Test ID"):
  // a partner admin (no second factor) and an agency reviewer (the code step follows).
  ssoPartner: { email: process.env.E2E_SSO_PARTNER_EMAIL ?? 'it@prairiebank.example', label: 'partner admin (SSO)', name: 'Quinn Foster' },
  ssoAgency: { email: process.env.E2E_SSO_AGENCY_EMAIL ?? 'reviewer@dow.example', label: 'DOW reviewer (SSO)' },
};

/** The demo's active Government grant that the NSA analyst is rostered on (model name). */
export const ANALYST_GRANT_MODEL = process.env.E2E_ANALYST_GRANT_MODEL ?? 'Aurora-7';

export const PASSWORD = process.env.PORTAL_DEMO_PASSWORD ?? '';

/** The TOTP secret of the demo's agency and operator accounts (the `demo` command prints it). */
export const DEMO_TOTP_SECRET = process.env.PORTAL_DEMO_TOTP_SECRET ?? 'DEMOFRONTIERPORTALTOTPSECRETAAAA';
