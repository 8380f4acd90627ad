// A small in-memory stand-in for the portal API, for frontend development and for
// trying the e2e script before the Rust server is ready. NOT the real server: rules are
// simplified. It serves ../../dist with the production CSP and SPA fallback.
//
//   npm run build && PORT=8787 node tests/mock/server.mjs
//   PORTAL_URL=http://127.0.0.1:8787 npm run e2e

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(here, '../../dist');
const PORT = Number(process.env.PORT ?? 8787);
const PASSWORD = process.env.PORTAL_DEMO_PASSWORD ?? 'demo-password-for-local-only';
const DAY = 86_400_000;

const uuid = () => crypto.randomUUID();
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const now = () => Date.now();

// ---------------------------------------------------------------- seed
const orgs = [];
const users = [];
function org(o) {
  const x = { id: uuid(), created_at: iso(now() - 60 * DAY), agency_code: null, partner_type: null, sector: null, ...o };
  orgs.push(x);
  return x;
}
function user(o, email, name, role = 'admin') {
  const u = { id: uuid(), email, name, org_role: role, organization_id: o.id, disabled: false, email_verified: true, created_at: iso(now() - 50 * DAY), password: PASSWORD };
  users.push(u);
  return u;
}
const aurora = org({ name: 'Aurora AI, Inc.', kind: 'developer' });
const nsa = org({ name: 'National Security Agency', kind: 'agency', agency_code: 'NSA' });
const cisa = org({ name: 'Cybersecurity and Infrastructure Security Agency', kind: 'agency', agency_code: 'CISA' });
const treasury = org({ name: 'Department of the Treasury', kind: 'agency', agency_code: 'TREASURY' });
const ncd = org({ name: 'Office of the National Cyber Director', kind: 'agency', agency_code: 'NCD' });
const rural = org({ name: 'Mesa County Rural Health', kind: 'partner', partner_type: 'critical_infrastructure_operator', sector: 'healthcare_and_public_health' });
const bank = org({ name: 'Prairie Community Bank', kind: 'partner', partner_type: 'critical_infrastructure_operator', sector: 'financial_services' });
const ops = org({ name: 'Portal Operations', kind: 'operator' });

const devAdmin = user(aurora, 'admin@aurora-ai.example', 'Dana Whitfield');
user(aurora, 'engineer@aurora-ai.example', 'Sam Ortiz', 'member');
const nsaReviewer = user(nsa, 'reviewer@nsa.example', 'Jordan Reyes');
const nsaAnalyst = user(nsa, 'analyst@nsa.example', 'Priya Natarajan', 'member');
user(cisa, 'reviewer@cisa.example', 'Morgan Lee');
user(ncd, 'reviewer@ncd.example', 'Alex Kim');
const ruralAdmin = user(rural, 'security@ruralhealth.example', 'Chris Alvarez');
user(rural, 'it@ruralhealth.example', 'Taylor Brooks', 'member');
user(bank, 'ciso@prairiebank.example', 'Jamie Fox');
user(ops, 'ops@portal.example', 'Portal Operator');

const sha = (t) => crypto.createHash('sha256').update(JSON.stringify([t.label, t.confidentiality, t.cybersecurity, t.insider_risk, t.intellectual_property, t.use, t.nondisclosure])).digest('hex');
const terms = [];
function addTerms(t, orgId, template) {
  const x = { id: uuid(), organization_id: orgId, is_template: template, created_at: iso(now() - 40 * DAY), ...t };
  x.sha256 = sha(x);
  terms.push(x);
  return x;
}
const std = addTerms(
  {
    label: 'Standard pre-release evaluation terms v1',
    confidentiality: 'Model outputs, weights and documentation are confidential. Share them only with people on the roster.',
    cybersecurity: 'Access only from Government-furnished equipment on accredited networks. Report suspected compromise within 1 hour.',
    insider_risk: 'Only rostered individuals with a current insider-threat briefing may access the model.',
    intellectual_property: 'The developer keeps all rights. No licence is granted beyond evaluation during the window.',
    use: 'Evaluation, red teaming and benchmarking for national-security purposes only. No training on outputs.',
    nondisclosure: 'Do not disclose findings outside the grantee agencies without the developer’s written consent, except as required by law.',
  },
  null,
  true,
);

const models = [];
function addModel(m) {
  const x = { id: uuid(), organization_id: aurora.id, description: null, modality: 'text', planned_partner_release_at: null, released_at: null, created_at: iso(now() - 30 * DAY), ...m };
  models.push(x);
  return x;
}
const m1 = addModel({ name: 'Aurora-7', version: '2.0', description: 'General-purpose language model with tool use.\nTrained on licensed and public data.', modality: 'multimodal', planned_partner_release_at: iso(now() + 24 * DAY) });
addModel({ name: 'Aurora-Code', version: '0.9', description: 'Code model (research preview).', modality: 'code', created_at: iso(now() - 10 * DAY) });

const requests = [];
const messages = [];
function addRequest(r) {
  const x = { id: uuid(), model_id: m1.id, status: 'draft', summary: '', capability_evidence: '', requested_response_by: null, submitted_at: null, withdrawn_at: null, assigned_to: null, consultations: [], determination: null, created_at: iso(now() - 20 * DAY), ...r };
  requests.push(x);
  return x;
}
const r1 = addRequest({
  status: 'under_review',
  summary: 'We ask whether Aurora-7 2.0 is a covered frontier model before its partner release.',
  capability_evidence: 'Internal evaluations on cyber-offense benchmarks: 41% on CTF-hard (previous version 18%).\nAutonomous exploitation of known CVEs in sandbox: 3 of 20.',
  requested_response_by: iso(now() + 10 * DAY),
  submitted_at: iso(now() - 18 * DAY),
  assigned_to: { id: nsaReviewer.id, name: nsaReviewer.name },
  consultations: [
    { id: uuid(), agency_code: 'CISA', position: 'concur', note: 'Agree the cyber evaluations warrant a determination.', recorded_by_name: 'Morgan Lee', created_at: iso(now() - 12 * DAY) },
    { id: uuid(), agency_code: 'NCD', position: 'no_comment', note: 'No comment at this stage.', recorded_by_name: 'Alex Kim', created_at: iso(now() - 11 * DAY) },
  ],
});
messages.push(
  { id: uuid(), request_id: r1.id, author_name: 'Jordan Reyes', author_org_name: 'National Security Agency', kind: 'info_request', body: 'Please share the sandbox configuration used for the CVE exploitation runs.', created_at: iso(now() - 15 * DAY) },
  { id: uuid(), request_id: r1.id, author_name: 'Dana Whitfield', author_org_name: 'Aurora AI, Inc.', kind: 'response', body: 'Isolated VMs, no internet, 30-minute budget per CVE. Details in the attached evaluation card (section 4).', created_at: iso(now() - 14 * DAY) },
);

const grants = [];
function addGrant(g) {
  const x = {
    id: uuid(), model_id: m1.id, grantees: [], access_mode: 'hosted_api', access_instructions: 'Endpoint: https://eval.aurora-ai.example/v1\nCredentials are issued per person by the developer’s security team.',
    starts_at: iso(now()), ends_at: iso(now() + 7 * DAY), ended_at: null, terms_version_id: std.id, developer_accepted_at: null, created_at: iso(now() - 8 * DAY),
    roster: [], log: [], ...g,
  };
  grants.push(x);
  return x;
}
const g1 = addGrant({
  grantees: [
    { org_id: nsa.id, terms_accepted_at: iso(now() - 6 * DAY), accepted_by_name: 'Jordan Reyes' },
    { org_id: cisa.id, terms_accepted_at: iso(now() - 6 * DAY), accepted_by_name: 'Morgan Lee' },
  ],
  starts_at: iso(now() - 5 * DAY),
  ends_at: iso(now() + 9 * DAY + 4 * 3600_000),
  developer_accepted_at: iso(now() - 7 * DAY),
  roster: [{ user_id: nsaAnalyst.id, added_at: iso(now() - 6 * DAY), acknowledged_at: iso(now() - 5 * DAY) }],
  log: [{ id: uuid(), user_id: nsaAnalyst.id, occurred_at: iso(now() - 2 * DAY), kind: 'red_team', duration_minutes: 90, summary: 'Prompt-injection red-team session, 40 scenarios.', created_at: iso(now() - 2 * DAY) }],
});

const nominations = [];
function addNom(n) {
  const x = { id: uuid(), model_id: m1.id, partner_org_id: null, new_partner: null, nominated_by: 'developer', developer_position: 'concur', government_position: 'pending', rationale: '', rescinded: false, created_at: iso(now() - 9 * DAY), ...n };
  nominations.push(x);
  return x;
}
const n1 = addNom({ partner_org_id: rural.id, government_position: 'concur', rationale: 'Rural hospitals face ransomware; early access helps them test defensive use.' });
addNom({ partner_org_id: bank.id, nominated_by: 'government', developer_position: 'pending', government_position: 'concur', rationale: 'Community banks are frequent phishing targets.' });

const pgrants = [];
pgrants.push({
  id: uuid(), nomination_id: n1.id, model_id: m1.id, partner_org_id: rural.id,
  starts_at: iso(now() + 24 * DAY), ends_at: iso(now() + 54 * DAY), revoked_at: null, terms_version_id: std.id, partner_accepted_at: null,
  access_instructions: 'Sign in at https://partners.aurora-ai.example with the email you were rostered with.', created_at: iso(now() - 3 * DAY), roster: [],
});

const audit = [];
let seq = 0;
function log(actor, action, targetType, targetId, visibleTo = []) {
  seq += 1;
  audit.push({ seq, occurred_at: iso(now()), actor_name: actor?.name ?? null, actor_org_name: orgs.find((o) => o.id === actor?.organization_id)?.name ?? null, action, target_type: targetType, target_id: targetId, visible_to: visibleTo });
}
log(devAdmin, 'model.registered', 'model', m1.id, [aurora.id]);
log(devAdmin, 'designation.submitted', 'designation_request', r1.id, [aurora.id, nsa.id]);
log(devAdmin, 'grant.offered', 'access_grant', g1.id, [aurora.id, nsa.id, cisa.id]);

const tokens = [];
const sessions = new Map();

// ---------------------------------------------------------------- helpers
const orgById = (id) => orgs.find((o) => o.id === id);
const userById = (id) => users.find((u) => u.id === id);
const modelById = (id) => models.find((m) => m.id === id);

function problem(res, status, detail, extra = {}) {
  const titles = { 400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 422: 'Unprocessable entity' };
  send(res, status, { type: 'about:blank', title: titles[status] ?? 'Error', status, detail, code: extra.code ?? null, ...extra }, 'application/problem+json');
}
function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
const page = (items) => ({ items, next_cursor: null });

function grantStatus(g) {
  const t = now();
  if (g.ended_at) return 'ended';
  if (t >= Date.parse(g.ends_at)) return 'expired';
  if (!g.developer_accepted_at || g.grantees.some((x) => !x.terms_accepted_at)) return 'awaiting_terms';
  if (t < Date.parse(g.starts_at)) return 'scheduled';
  return 'active';
}
function pgStatus(p) {
  const t = now();
  if (p.revoked_at) return 'revoked';
  if (t >= Date.parse(p.ends_at)) return 'expired';
  if (!p.partner_accepted_at) return 'awaiting_terms';
  if (t < Date.parse(p.starts_at)) return 'scheduled';
  return 'active';
}
function govDays(modelId, exceptId) {
  const iv = grants
    .filter((g) => g.model_id === modelId && g.id !== exceptId)
    .map((g) => [Date.parse(g.starts_at), Math.min(Date.parse(g.ends_at), g.ended_at ? Date.parse(g.ended_at) : Infinity)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let total = 0, cs = -1, ce = -1;
  for (const [s, e] of iv) {
    if (s > ce) { if (ce > cs) total += ce - cs; cs = s; ce = e; } else if (e > ce) ce = e;
  }
  if (ce > cs) total += ce - cs;
  return total / DAY;
}
const round1 = (n) => Math.round(n * 10) / 10;
function modelJson(m) {
  const used = govDays(m.id);
  return { ...m, status: m.released_at ? 'released' : 'in_development', government_days_granted: round1(used), government_days_remaining: round1(Math.max(0, 30 - used)) };
}
function requestJson(r) {
  const m = modelById(r.model_id);
  const consulted = { NCD: false, OSTP: false, CISA: false, DOW: false };
  for (const c of r.consultations) if (c.agency_code in consulted) consulted[c.agency_code] = true;
  return { ...r, model_name: m.name, model_version: m.version, developer_org_id: m.organization_id, developer_org_name: orgById(m.organization_id).name, consulted };
}
function grantJson(g, me) {
  const m = modelById(g.model_id);
  const entry = g.roster.find((x) => x.user_id === me.id);
  const isDev = me.organization_id === m.organization_id;
  const viewer = { rostered: !!entry, acknowledged: !!entry?.acknowledged_at };
  const { roster, log: _l, ...rest } = g;
  return {
    ...rest,
    model_name: `${m.name} ${m.version}`,
    developer_org_id: m.organization_id,
    developer_org_name: orgById(m.organization_id).name,
    grantees: g.grantees.map((x) => ({ ...x, name: orgById(x.org_id).name, agency_code: orgById(x.org_id).agency_code })),
    terms_label: terms.find((t) => t.id === g.terms_version_id)?.label ?? '',
    access_instructions: isDev || viewer.acknowledged ? g.access_instructions : null,
    status: grantStatus(g),
    days_remaining: round1(Math.max(0, (Date.parse(g.ended_at ?? g.ends_at) - Math.max(now(), Date.parse(g.starts_at))) / DAY)),
    viewer,
  };
}
function nomStatus(n) {
  if (n.rescinded) return 'rescinded';
  if (n.developer_position === 'decline' || n.government_position === 'decline') return 'declined';
  if (n.developer_position === 'concur' && n.government_position === 'concur') return 'selected';
  return 'pending';
}
function nomJson(n) {
  const m = modelById(n.model_id);
  const p = n.partner_org_id ? orgById(n.partner_org_id) : null;
  return {
    id: n.id, model_id: n.model_id, model_name: `${m.name} ${m.version}`, developer_org_id: m.organization_id, developer_org_name: orgById(m.organization_id).name,
    partner_org_id: n.partner_org_id, partner_name: p?.name ?? n.new_partner?.name, partner_type: p?.partner_type ?? n.new_partner?.partner_type, sector: p?.sector ?? n.new_partner?.sector ?? null,
    nominated_by: n.nominated_by, developer_position: n.developer_position, government_position: n.government_position, rationale: n.rationale, status: nomStatus(n), created_at: n.created_at,
  };
}
function pgJson(p, me) {
  const m = modelById(p.model_id);
  const entry = p.roster.find((x) => x.user_id === me.id);
  const isDev = me.organization_id === m.organization_id;
  const isPartner = me.organization_id === p.partner_org_id;
  const viewer = { rostered: !!entry, acknowledged: !!entry?.acknowledged_at };
  const { roster, ...rest } = p;
  return {
    ...rest, model_name: m.name, model_version: m.version, developer_org_name: orgById(m.organization_id).name, partner_name: orgById(p.partner_org_id).name,
    terms: isPartner || isDev ? terms.find((t) => t.id === p.terms_version_id) : undefined,
    access_instructions: isDev || viewer.acknowledged ? p.access_instructions : null,
    status: pgStatus(p), days_remaining: round1(Math.max(0, (Date.parse(p.revoked_at ?? p.ends_at) - Math.max(now(), Date.parse(p.starts_at))) / DAY)), viewer,
  };
}
function rosterJson(entries) {
  return page(entries.map((e) => { const u = userById(e.user_id); return { ...e, name: u.name, email: u.email, organization_id: u.organization_id, organization_name: orgById(u.organization_id).name }; }));
}
function required(body, fields) {
  const errors = fields.filter((f) => body[f] === undefined || body[f] === null || body[f] === '' || (Array.isArray(body[f]) && body[f].length === 0)).map((f) => ({ field: f, message: `${f.replace(/_/g, ' ')} is required` }));
  return errors.length ? errors : null;
}

// ---------------------------------------------------------------- routes
async function api(req, res, url) {
  const p = url.pathname.replace(/^\/api\/v1/, '');
  const method = req.method;
  let body = {};
  if (method !== 'GET' && method !== 'DELETE') {
    const raw = await new Promise((r) => { let d = ''; req.on('data', (c) => (d += c)); req.on('end', () => r(d)); });
    try { body = raw ? JSON.parse(raw) : {}; } catch { return problem(res, 400, 'Malformed JSON body.'); }
  }
  const cookie = Object.fromEntries((req.headers.cookie ?? '').split(/;\s*/).filter(Boolean).map((c) => c.split('=')));
  const me = userById(sessions.get(cookie.fap_session));
  if (method !== 'GET' && req.headers['x-requested-with'] !== 'fetch') return problem(res, 403, 'Missing X-Requested-With header.', { code: 'csrf' });

  // public auth
  if (p === '/auth/login' && method === 'POST') {
    const u = users.find((x) => x.email.toLowerCase() === String(body.email ?? '').toLowerCase());
    if (!u || u.password !== body.password || u.disabled) return problem(res, 401, 'The email or password is not correct.', { code: 'invalid_credentials' });
    const sid = crypto.randomBytes(16).toString('hex');
    sessions.set(sid, u.id);
    res.setHeader('Set-Cookie', `fap_session=${sid}; Path=/; HttpOnly; SameSite=Strict`);
    const { password, ...pub } = u;
    return send(res, 200, { user: pub });
  }
  if (p === '/auth/logout' && method === 'POST') { sessions.delete(cookie.fap_session); res.setHeader('Set-Cookie', 'fap_session=; Path=/; Max-Age=0'); return send(res, 204); }
  if (p === '/auth/signup' && method === 'POST') {
    const errs = required(body, ['organization_name', 'name', 'email', 'password']);
    if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs, code: 'validation' });
    if (String(body.password).length < 15) return problem(res, 422, 'Some fields need attention.', { errors: [{ field: 'password', message: 'Use at least 15 characters.' }] });
    const o = org({ name: body.organization_name, kind: 'developer' });
    const u = user(o, body.email, body.name);
    u.password = body.password;
    return send(res, 201, { user: { id: u.id, email: u.email, name: u.name, org_role: 'admin' } });
  }
  if (p === '/auth/verify-email' && method === 'POST')
    return body.token === 'bad' || !body.password
      ? problem(res, 422, 'This link is invalid, was already used or has expired, or the password is not the one chosen at sign-up.', {
          code: 'invalid_token',
          errors: [{ field: 'token', message: 'is invalid or expired, or the password does not match' }],
        })
      : send(res, 200, {});
  if (p === '/auth/password-reset/request' && method === 'POST') return send(res, 202, {});
  if (p === '/auth/password-reset/confirm' && method === 'POST') return send(res, 200, {});
  let mm;
  if ((mm = p.match(/^\/auth\/invitations\/([^/]+)\/accept$/)) && method === 'POST') return problem(res, 404, 'This invitation does not exist or has expired.');

  if (!me) return problem(res, 401, 'Please sign in.');
  const myOrg = orgById(me.organization_id);
  const isDev = myOrg.kind === 'developer';
  const isAgency = myOrg.kind === 'agency';
  const pub = (u) => { const { password, ...x } = u; return x; };

  if (p === '/auth/me') return send(res, 200, { user: pub(me), organization: myOrg });
  if (p === '/auth/mfa') return send(res, 200, { enrolled: false, totp: false, passkeys: [], required: false, recovery_codes_left: 0, stepped_up: false });
  if (p === '/auth/api-tokens' && method === 'GET') return send(res, 200, page(tokens.filter((t) => t.user_id === me.id).map(({ user_id, ...t }) => t)));
  if (p === '/auth/api-tokens' && method === 'POST') {
    if (!body.name) return problem(res, 422, 'Name the token.', { errors: [{ field: 'name', message: 'Give the token a name.' }] });
    const t = { id: uuid(), user_id: me.id, name: body.name, created_at: iso(now()), expires_at: iso(now() + 90 * DAY) };
    tokens.push(t);
    return send(res, 201, { ...t, user_id: undefined, token: 'fap_' + crypto.randomBytes(24).toString('base64url') });
  }
  if ((mm = p.match(/^\/auth\/api-tokens\/([^/]+)$/)) && method === 'DELETE') { const i = tokens.findIndex((t) => t.id === mm[1] && t.user_id === me.id); if (i >= 0) tokens.splice(i, 1); return send(res, 204); }

  if (p === '/organizations/me') return send(res, 200, { organization: myOrg, users: users.filter((u) => u.organization_id === myOrg.id).map(pub) });
  if (p === '/organizations/me/invitations' && method === 'POST') return body.email ? send(res, 201, {}) : problem(res, 422, 'Enter an email.', { errors: [{ field: 'email', message: 'Enter an email address.' }] });
  if (p === '/organizations' && method === 'GET') return send(res, 200, page(orgs.filter((o) => o.kind === url.searchParams.get('kind'))));

  // operator
  if (p.startsWith('/admin/')) {
    if (myOrg.kind !== 'operator') return problem(res, 404, 'Not found.');
    if (p === '/admin/organizations' && method === 'GET') return send(res, 200, page(orgs));
    if (p === '/admin/organizations' && method === 'POST') {
      const errs = required(body, ['kind', 'name', 'admin_email']);
      if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
      return send(res, 201, { organization: org(body) });
    }
    if (p === '/admin/users' && method === 'GET') return send(res, 200, page(users.map((u) => ({ ...pub(u), organization_name: orgById(u.organization_id).name }))));
    if ((mm = p.match(/^\/admin\/users\/([^/]+)$/)) && method === 'PATCH') { const u = userById(mm[1]); if (!u) return problem(res, 404, 'No such user.'); u.disabled = !!body.disabled; return send(res, 200, pub(u)); }
    if (p === '/admin/audit/verify') return send(res, 200, { valid: true, events: audit.length, first_broken_seq: null });
  }
  if (p === '/audit-events') return send(res, 200, page(audit.filter((a) => (!url.searchParams.get('target_id') || a.target_id === url.searchParams.get('target_id')) && (myOrg.kind === 'operator' || a.visible_to.includes(myOrg.id))).reverse()));
  if (p === '/audit-events/export') { res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="audit.csv"' }); return res.end('seq,occurred_at,action\n' + audit.map((a) => `${a.seq},${a.occurred_at},${a.action}`).join('\n')); }

  // terms
  if (p === '/terms' && method === 'GET') return send(res, 200, page(terms.filter((t) => t.is_template || t.organization_id === myOrg.id)));
  if (p === '/terms' && method === 'POST') {
    const errs = required(body, ['label', 'confidentiality', 'cybersecurity', 'insider_risk', 'intellectual_property', 'use', 'nondisclosure']);
    if (errs) return problem(res, 422, 'Every section is required.', { errors: errs });
    const t = addTerms(body, myOrg.kind === 'operator' ? null : myOrg.id, myOrg.kind === 'operator');
    t.created_at = iso(now());
    return send(res, 201, t);
  }
  if ((mm = p.match(/^\/terms\/([^/]+)$/))) { const t = terms.find((x) => x.id === mm[1]); return t ? send(res, 200, t) : problem(res, 404, 'Not found.'); }

  // models
  if (p === '/models' && method === 'GET') return send(res, 200, page(models.filter((m) => m.organization_id === myOrg.id).map(modelJson)));
  if (p === '/models' && method === 'POST') {
    if (!isDev) return problem(res, 403, 'Only developers register models.');
    const errs = required(body, ['name', 'version']);
    if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
    const m = addModel({ ...body, created_at: iso(now()) });
    log(me, 'model.registered', 'model', m.id, [myOrg.id]);
    return send(res, 201, modelJson(m));
  }
  if ((mm = p.match(/^\/models\/([^/]+)(\/release)?$/))) {
    const m = modelById(mm[1]);
    if (!m || (m.organization_id !== myOrg.id && !isAgency)) return problem(res, 404, 'Not found.');
    if (mm[2] && method === 'POST') { m.released_at ??= iso(now()); log(me, 'model.released', 'model', m.id, [myOrg.id]); return send(res, 200, modelJson(m)); }
    if (method === 'PATCH') { Object.assign(m, body); return send(res, 200, modelJson(m)); }
    return send(res, 200, modelJson(m));
  }

  // designation requests
  const visibleReq = (r) => (isDev ? modelById(r.model_id).organization_id === myOrg.id : isAgency && r.status !== 'draft');
  if (p === '/designation-requests' && method === 'GET') {
    const st = url.searchParams.get('status');
    return send(res, 200, page(requests.filter(visibleReq).filter((r) => !st || r.status === st).map(requestJson)));
  }
  if (p === '/designation-requests' && method === 'POST') {
    const errs = required(body, ['model_id', 'summary', 'capability_evidence']);
    if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
    const r = addRequest({ model_id: body.model_id, summary: body.summary, capability_evidence: body.capability_evidence, requested_response_by: body.requested_response_by ?? null, created_at: iso(now()) });
    log(me, 'designation.filed', 'designation_request', r.id, [myOrg.id]);
    return send(res, 201, requestJson(r));
  }
  if ((mm = p.match(/^\/designation-requests\/([^/]+)(?:\/([a-z-]+))?$/))) {
    const r = requests.find((x) => x.id === mm[1]);
    if (!r || !visibleReq(r)) return problem(res, 404, 'Not found.');
    const action = mm[2];
    const done = (a) => { log(me, `designation.${a}`, 'designation_request', r.id, [modelById(r.model_id).organization_id, nsa.id]); return send(res, 200, requestJson(r)); };
    if (!action) return send(res, 200, requestJson(r));
    if (action === 'messages') {
      if (method === 'GET') return send(res, 200, page(messages.filter((x) => x.request_id === r.id)));
      if (!body.body) return problem(res, 422, 'Write a message.', { errors: [{ field: 'body', message: 'Write a message.' }] });
      const msg = { id: uuid(), request_id: r.id, author_name: me.name, author_org_name: myOrg.name, kind: 'message', body: body.body, created_at: iso(now()) };
      messages.push(msg);
      return send(res, 201, msg);
    }
    if (action === 'submit') { if (r.status === 'draft') { r.status = 'submitted'; r.submitted_at = iso(now()); } return done('submitted'); }
    if (action === 'withdraw') { if (r.status !== 'withdrawn') { r.status = 'withdrawn'; r.withdrawn_at = iso(now()); } return done('withdrawn'); }
    if (action === 'respond') {
      if (!body.message) return problem(res, 422, 'Write a response.', { errors: [{ field: 'message', message: 'Write your response.' }] });
      messages.push({ id: uuid(), request_id: r.id, author_name: me.name, author_org_name: myOrg.name, kind: 'response', body: body.message, created_at: iso(now()) });
      r.status = 'under_review';
      return done('responded');
    }
    if (!isAgency) return problem(res, 403, 'Only reviewers can do this.');
    if (r.status === 'withdrawn') return problem(res, 409, 'This request was withdrawn.', { code: 'invalid_transition' });
    if (action === 'assign') { const u = userById(body.user_id); r.assigned_to = { id: u.id, name: u.name }; if (r.status === 'submitted') r.status = 'under_review'; return done('assigned'); }
    if (action === 'request-info') { if (!body.message) return problem(res, 422, 'Write a message.', { errors: [{ field: 'message', message: 'Write what you need.' }] }); r.status = 'info_requested'; messages.push({ id: uuid(), request_id: r.id, author_name: me.name, author_org_name: myOrg.name, kind: 'info_request', body: body.message, created_at: iso(now()) }); return done('info_requested'); }
    if (action === 'consultations') {
      const errs = required(body, ['agency_code', 'position', 'note']);
      if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
      r.consultations.push({ id: uuid(), agency_code: body.agency_code, position: body.position, note: body.note, recorded_by_name: me.name, created_at: iso(now()) });
      if (r.status === 'submitted') r.status = 'under_review';
      return done('consulted');
    }
    if (action === 'determination') {
      if (myOrg.agency_code !== 'NSA') return problem(res, 403, 'Only NSA records determinations.');
      const errs = required(body, ['outcome', 'rationale', 'benchmark_ref']);
      if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
      r.status = 'determined';
      r.determination = { outcome: body.outcome, rationale: body.rationale, benchmark_ref: body.benchmark_ref, determined_at: iso(now()), determined_by_name: me.name };
      return done('determined');
    }
  }

  // access grants
  const visibleGrant = (g) => (isDev ? modelById(g.model_id).organization_id === myOrg.id : g.grantees.some((x) => x.org_id === myOrg.id));
  if (p === '/access-grants' && method === 'GET') return send(res, 200, page(grants.filter(visibleGrant).map((g) => grantJson(g, me))));
  if (p === '/access-grants' && method === 'POST') {
    if (!isDev || me.org_role !== 'admin') return problem(res, 403, 'Only developer administrators offer access.');
    const errs = required(body, ['model_id', 'grantee_org_ids', 'access_mode', 'access_instructions', 'starts_at', 'ends_at', 'terms_version_id']);
    if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
    const len = (Date.parse(body.ends_at) - Date.parse(body.starts_at)) / DAY;
    if (len <= 0) return problem(res, 422, 'The window must end after it starts.', { errors: [{ field: 'ends_at', message: 'End after the start.' }] });
    const used = govDays(body.model_id);
    if (len + used > 30 + 1e-9) return problem(res, 422, `This window is ${round1(len)} days; ${round1(used)} days are already granted for this model, so ${round1(30 - used)} days remain of the 30-day cap.`, { code: 'window_cap_exceeded', requested_days: round1(len), granted_days: round1(used), remaining_days: round1(30 - used), errors: [{ field: 'ends_at', message: `At most ${round1(30 - used)} more days can be granted.` }] });
    const m = modelById(body.model_id);
    if (m.planned_partner_release_at && Date.parse(body.ends_at) > Date.parse(m.planned_partner_release_at)) return problem(res, 422, 'The window must end by the planned partner release.', { code: 'window_after_release', errors: [{ field: 'ends_at', message: 'End on or before the planned partner release.' }] });
    const g = addGrant({ model_id: body.model_id, grantees: body.grantee_org_ids.map((id) => ({ org_id: id, terms_accepted_at: null, accepted_by_name: null })), access_mode: body.access_mode, access_instructions: body.access_instructions, starts_at: body.starts_at, ends_at: body.ends_at, terms_version_id: body.terms_version_id, created_at: iso(now()) });
    log(me, 'grant.offered', 'access_grant', g.id, [myOrg.id, ...body.grantee_org_ids]);
    return send(res, 201, grantJson(g, me));
  }
  if ((mm = p.match(/^\/access-grants\/([^/]+)(?:\/([a-z-]+))?(?:\/([^/]+))?$/))) {
    const g = grants.find((x) => x.id === mm[1]);
    if (!g || !visibleGrant(g)) return problem(res, 404, 'Not found.');
    const action = mm[2];
    const ok = (a) => { log(me, `grant.${a}`, 'access_grant', g.id, [aurora.id, ...g.grantees.map((x) => x.org_id)]); return send(res, 200, grantJson(g, me)); };
    if (!action && method === 'GET') return send(res, 200, grantJson(g, me));
    if (!action && method === 'PATCH') { g.ends_at = body.ends_at; return ok('window_changed'); }
    if (action === 'end') { g.ended_at ??= iso(now()); return ok('ended'); }
    if (action === 'accept-terms') {
      if (isDev) g.developer_accepted_at ??= iso(now());
      else { const x = g.grantees.find((y) => y.org_id === myOrg.id); x.terms_accepted_at ??= iso(now()); x.accepted_by_name ??= me.name; }
      return ok('terms_accepted');
    }
    if (action === 'acknowledge') { const e = g.roster.find((x) => x.user_id === me.id); if (!e) return problem(res, 403, 'You are not on the roster.', { code: 'not_rostered' }); e.acknowledged_at ??= iso(now()); return ok('acknowledged'); }
    if (action === 'roster') {
      if (method === 'GET') return send(res, 200, rosterJson(g.roster));
      if (method === 'POST') { if (!g.roster.some((x) => x.user_id === body.user_id)) g.roster.push({ user_id: body.user_id, added_at: iso(now()), acknowledged_at: null }); return send(res, 201, rosterJson(g.roster)); }
      if (method === 'DELETE') { g.roster = g.roster.filter((x) => x.user_id !== mm[3]); return send(res, 200, {}); }
    }
    if (action === 'access-log') {
      if (method === 'GET') return send(res, 200, page(g.log.map((e) => ({ ...e, user_name: userById(e.user_id).name, organization_name: orgById(userById(e.user_id).organization_id).name }))));
      const errs = required(body, ['occurred_at', 'kind', 'duration_minutes', 'summary']);
      if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
      if (Date.parse(body.occurred_at) > now() || Date.parse(body.occurred_at) < Date.parse(g.starts_at)) return problem(res, 422, 'The time must be inside the window and not in the future.', { code: 'outside_window', errors: [{ field: 'occurred_at', message: 'Inside the window, not in the future.' }] });
      g.log.push({ id: uuid(), user_id: me.id, ...body, created_at: iso(now()) });
      return send(res, 201, {});
    }
  }

  // nominations
  const visibleNom = (n) => (isDev ? modelById(n.model_id).organization_id === myOrg.id : isAgency);
  if (p === '/nominations' && method === 'GET') return send(res, 200, page(nominations.filter(visibleNom).map(nomJson)));
  if (p === '/nominations' && method === 'POST') {
    const errs = required(body, ['model_id', 'rationale']);
    if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
    const n = addNom({ model_id: body.model_id, partner_org_id: body.partner_org_id ?? null, new_partner: body.new_partner ?? null, nominated_by: isDev ? 'developer' : 'government', developer_position: isDev ? 'concur' : 'pending', government_position: isDev ? 'pending' : 'concur', rationale: body.rationale, created_at: iso(now()) });
    return send(res, 201, nomJson(n));
  }
  if ((mm = p.match(/^\/nominations\/([^/]+)(?:\/([a-z]+))?$/))) {
    const n = nominations.find((x) => x.id === mm[1]);
    if (!n || !visibleNom(n)) return problem(res, 404, 'Not found.');
    const side = isDev ? 'developer_position' : 'government_position';
    if (mm[2] === 'concur') n[side] = 'concur';
    if (mm[2] === 'decline') n[side] = 'decline';
    if (mm[2] === 'rescind') { n.rescinded = true; for (const pg of pgrants) if (pg.nomination_id === n.id) pg.revoked_at ??= iso(now()); }
    return send(res, 200, nomJson(n));
  }

  // partner grants
  const visiblePg = (g) => (isDev ? modelById(g.model_id).organization_id === myOrg.id : isAgency || g.partner_org_id === myOrg.id);
  if (p === '/partner-grants' && method === 'GET') return send(res, 200, page(pgrants.filter(visiblePg).map((g) => pgJson(g, me))));
  if (p === '/partner-grants' && method === 'POST') {
    const errs = required(body, ['nomination_id', 'starts_at', 'ends_at', 'terms_version_id', 'access_instructions']);
    if (errs) return problem(res, 422, 'Some fields need attention.', { errors: errs });
    const n = nominations.find((x) => x.id === body.nomination_id);
    if (nomStatus(n) !== 'selected') return problem(res, 409, 'This partner is not selected.', { code: 'not_selected' });
    const g = { id: uuid(), nomination_id: n.id, model_id: n.model_id, partner_org_id: n.partner_org_id, starts_at: body.starts_at, ends_at: body.ends_at, revoked_at: null, terms_version_id: body.terms_version_id, partner_accepted_at: null, access_instructions: body.access_instructions, created_at: iso(now()), roster: [] };
    pgrants.push(g);
    return send(res, 201, pgJson(g, me));
  }
  if ((mm = p.match(/^\/partner-grants\/([^/]+)(?:\/([a-z-]+))?$/))) {
    const g = pgrants.find((x) => x.id === mm[1]);
    if (!g || !visiblePg(g)) return problem(res, 404, 'Not found.');
    const a = mm[2];
    if (a === 'revoke') g.revoked_at ??= iso(now());
    if (a === 'accept-terms') g.partner_accepted_at ??= iso(now());
    if (a === 'acknowledge') { const e = g.roster.find((x) => x.user_id === me.id); if (!e) return problem(res, 403, 'You are not on the roster.', { code: 'not_rostered' }); e.acknowledged_at ??= iso(now()); }
    if (a === 'roster') {
      if (method === 'GET') return send(res, 200, rosterJson(g.roster));
      if (!g.roster.some((x) => x.user_id === body.user_id)) g.roster.push({ user_id: body.user_id, added_at: iso(now()), acknowledged_at: null });
      return send(res, 201, rosterJson(g.roster));
    }
    return send(res, 200, pgJson(g, me));
  }
  return problem(res, 404, 'No such endpoint.');
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.woff2': 'font/woff2', '.gif': 'image/gif', '.webp': 'image/webp' };
const CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      if (url.pathname.startsWith('/api/v1/')) return await api(req, res, url);
      let file = path.join(DIST, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(DIST, 'index.html');
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      fs.createReadStream(file).pipe(res);
    } catch (e) {
      console.error(e);
      problem(res, 500, 'Mock server error.');
    }
  })
  .listen(PORT, '127.0.0.1', () => console.log(`mock portal on http://127.0.0.1:${PORT} (password: ${PASSWORD === 'demo-password-for-local-only' ? 'demo-password-for-local-only' : 'from PORTAL_DEMO_PASSWORD'})`));
