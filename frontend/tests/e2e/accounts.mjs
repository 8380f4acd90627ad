// Demo accounts used by the end-to-end run. Change them here only.
// The password comes from PORTAL_DEMO_PASSWORD (the server's `demo` command prints it).

export const ACCOUNTS = {
  developer: { email: process.env.E2E_DEVELOPER_EMAIL ?? 'admin@aurora-ai.example', label: 'developer admin' },
  nsa: { email: process.env.E2E_NSA_EMAIL ?? 'reviewer@nsa.example', label: 'NSA reviewer' },
  partner: { email: process.env.E2E_PARTNER_EMAIL ?? 'security@ruralhealth.example', label: 'partner' },
};

export const PASSWORD = process.env.PORTAL_DEMO_PASSWORD ?? '';
