#!/usr/bin/env node
// End-to-end journeys of each role against a running portal, in Debian's Chromium.
//
//   PORTAL_URL=http://127.0.0.1:8080 PORTAL_DEMO_PASSWORD=… npm run e2e
//
// Every page visited is checked with axe-core (serious/critical violations fail), CSP
// violations and uncaught page errors fail the current step, and screenshots go to
// test-artifacts/. The last line is "N passed, M failed"; the exit code is non-zero on failure.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { createHmac } from 'node:crypto';
import { ACCOUNTS, ANALYST_GRANT_MODEL, DEMO_TOTP_SECRET, PASSWORD } from './accounts.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.resolve(here, '../../test-artifacts');
const BASE = (process.env.PORTAL_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 15000);
const RUN_ID = new Date().toISOString().replace(/\D/g, '').slice(0, 14);

// Start each run with an empty artifacts folder so screenshots match this run only.
fs.rmSync(ARTIFACTS, { recursive: true, force: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });

const results = [];
let shot = 0;
let currentIssues = [];

function log(...a) {
  console.log(...a);
}

async function screenshot(page, name) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  return file;
}

/** Wait until the SPA has no spinner left (data loaded). */
async function settle(page) {
  await page.waitForLoadState('networkidle', { timeout: TIMEOUT }).catch(() => {});
  await page.waitForFunction(() => !document.querySelector('.fap-loading'), null, { timeout: TIMEOUT }).catch(() => {});
}

/** axe-core on the current page: a counted check of its own. */
async function axe(page, label, needs) {
  const name = `axe: ${label}`;
  if (needs && !needs()) {
    results.push({ name, ok: false, error: 'not run: an earlier step it depends on failed' });
    log(`  FAIL ${name} (not run: depends on an earlier failed step)`);
    return;
  }
  await settle(page);
  // Colour contrast is only meaningful once fades (e.g. a USWDS modal opening) have finished.
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), null, { timeout: 3000 })
    .catch(() => {});
  try {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (bad.length) {
      const detail = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('\n    ');
      throw new Error(`accessibility violations:\n    ${detail}`);
    }
    results.push({ name, ok: true });
    log(`  ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false, error: e.message });
    log(`  FAIL ${name}\n    ${e.message}`);
  }
  await screenshot(page, label);
}

function watch(page) {
  page.on('console', (msg) => {
    const t = msg.text();
    if (msg.type() === 'error' && /Content Security Policy|Refused to (load|apply|execute)/i.test(t)) currentIssues.push(`CSP: ${t}`);
  });
  page.on('pageerror', (err) => currentIssues.push(`page error: ${err.message}`));
}

async function step(name, page, fn, { needs } = {}) {
  if (needs && !needs()) {
    results.push({ name, ok: false, error: 'not run: an earlier step it depends on failed' });
    log(`  FAIL ${name} (not run: depends on an earlier failed step)`);
    return false;
  }
  currentIssues = [];
  try {
    await fn();
    if (currentIssues.length) throw new Error(currentIssues.join('\n    '));
    results.push({ name, ok: true });
    log(`  ok   ${name}`);
    return true;
  } catch (e) {
    const file = page ? await screenshot(page, `FAILED ${name}`) : '';
    results.push({ name, ok: false, error: e.message });
    log(`  FAIL ${name}\n    ${String(e.message).split('\n').join('\n    ')}${file ? `\n    screenshot: ${file}` : ''}`);
    return false;
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** Waits (up to the timeout) until a locator's text is no longer `old`. */
async function expectChanged(locator, old) {
  const until = Date.now() + TIMEOUT;
  let now = old;
  while (Date.now() < until) {
    now = (await locator.textContent())?.trim();
    if (now !== old) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still reads "${old}"`);
}

/** Click the visible label of a USWDS checkbox/radio (the input itself is off-screen). */
async function tick(page, labelText) {
  await page.locator('label', { hasText: labelText }).first().click();
}

async function goto(page, p) {
  await page.goto(BASE + p, { waitUntil: 'domcontentloaded' });
  await settle(page);
}

async function heading(page) {
  return (await page.locator('h1').first().textContent({ timeout: TIMEOUT }))?.trim() ?? '';
}

// RFC 6238 (SHA-1, 6 digits, 30 s) from a base32 secret, as an authenticator app computes it.
function base32Bytes(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}
function totp(secret, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32Bytes(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

// An authenticator of our own for an account enrolled during the run: each code is used once,
// the earliest step the server still accepts (now −1 … now +1) that was not used yet; when all
// three are used, wait for the next step.
function authenticator(secret) {
  let last = -Infinity;
  return async () => {
    for (;;) {
      const now = Math.floor(Date.now() / 30_000);
      const step = Math.max(now - 1, last + 1);
      if (step <= now + 1) {
        last = step;
        return totp(secret, step * 30_000);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
}

// Demo accounts of agency and operator kinds sign in with a second factor: the code step
// follows the password (one code per account per 30 s: each account signs in once per run).
async function signIn(page, account, code = async () => totp(DEMO_TOTP_SECRET)) {
  await goto(page, '/sign-in');
  await page.getByLabel(/^Email address/).fill(account.email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await tick(page, 'I have read and understand the system use notice');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const codeStep = page.getByLabel(/^Authentication code/);
  const landed = await Promise.race([
    codeStep.waitFor({ timeout: TIMEOUT }).then(() => 'code'),
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in'), { timeout: TIMEOUT }).then(() => 'in'),
  ]).catch(() => 'stuck');
  if (landed === 'code') {
    await codeStep.fill(await code());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'), { timeout: TIMEOUT }).catch(async () => {
    const alert = await page.locator('.usa-alert--error').first().textContent().catch(() => '');
    throw new Error(`sign-in as ${account.label} (${account.email}) failed: ${alert || 'still on the sign-in page'}`);
  });
  await settle(page);
}

/** On the sign-in page the app sent us to (keeps its `next`): password, then the code if asked. */
async function signInHere(page, account, code = async () => totp(DEMO_TOTP_SECRET)) {
  await page.getByLabel(/^Email address/).fill(account.email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await tick(page, 'I have read and understand the system use notice');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const codeStep = page.getByLabel(/^Authentication code/);
  const landed = await Promise.race([
    codeStep.waitFor({ timeout: TIMEOUT }).then(() => 'code'),
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in'), { timeout: TIMEOUT }).then(() => 'in'),
  ]).catch(() => 'stuck');
  if (landed === 'code') {
    await codeStep.fill(await code());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'), { timeout: TIMEOUT });
  await settle(page);
}

async function signOut(page) {
  const btn = page.getByRole('button', { name: 'Sign out' });
  if (!(await btn.isVisible())) await page.getByRole('button', { name: 'Menu' }).click();
  await btn.click();
  await page.waitForURL(/\/sign-in/, { timeout: TIMEOUT });
}

/** Value for <input type=datetime-local> in the browser's zone, `days` from now at the next hour. */
function localInput(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The page's width beyond the viewport (0 when nothing scrolls sideways). */
async function overflowX(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * The open USWDS confirmation dialog. Its role="dialog" element is a zero-size fixed wrapper,
 * which Playwright treats as hidden, so the visible box inside it stands for the dialog.
 */
function openDialog(page) {
  return page.locator('.usa-modal-wrapper.is-visible .usa-modal');
}

/** The open dialog focuses its safe choice (Cancel). */
async function cancelFocused(page) {
  await page.waitForFunction(() => document.activeElement?.closest('.usa-modal-wrapper.is-visible') && document.activeElement.textContent.trim() === 'Cancel', null, { timeout: TIMEOUT }).catch(async () => {
    const f = await page.evaluate(() => document.activeElement?.outerHTML?.slice(0, 120));
    throw new Error(`the dialog does not focus Cancel (focused: ${f})`);
  });
}

async function dialogClosed(page) {
  await page.locator('.usa-modal-wrapper.is-visible').waitFor({ state: 'detached' });
}

/** Value for <input type=datetime-local> in the *browser's* zone, `offsetMs` from now. */
async function browserLocalInput(page, offsetMs, from = null) {
  return page.evaluate(
    ([off, base]) => {
      const d = new Date((base ? Date.parse(base) : Date.now()) + off);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    },
    [offsetMs, from],
  );
}

/** The elements that stick out past a phone's right edge (tag, class, how far), widest first. */
async function widerThanPhone(page) {
  return page.evaluate(() => {
    const w = window.innerWidth;
    return [...document.querySelectorAll('body *')]
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter((x) => x.right > w + 1)
      .sort((a, b) => b.right - a.right)
      .slice(0, 5)
      .map((x) => `${x.el.tagName.toLowerCase()}.${[...x.el.classList].join('.')} +${Math.round(x.right - w)}px "${(x.el.textContent ?? '').trim().slice(0, 40)}"`);
  });
}

/** A call of the portal's API with the page's session (as the web UI makes it). */
async function apiCall(page, method, p, body = null) {
  return page.evaluate(
    async ([m, url, b]) => {
      const r = await fetch(url, {
        method: m,
        credentials: 'same-origin',
        headers: { 'X-Requested-With': 'fetch', ...(b ? { 'Content-Type': 'application/json' } : {}) },
        body: b ? JSON.stringify(b) : undefined,
      });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    [method, `/api/v1${p}`, body],
  );
}

const DECLINE_REASON = 'E2E: we cannot staff an evaluation team in this window.';
const PARTNER_MESSAGE = 'E2E: could the sandbox quota be raised for our evaluation team next week?';
const AGENCY_MESSAGE = 'E2E: our red team finished; a short written summary follows next week.';
const DEVELOPER_REPLY = 'E2E: yes, we raised it to 50 requests a minute from Monday.';

async function main() {
  log(`Frontier Access Portal e2e against ${BASE} (run ${RUN_ID})`);
  if (!PASSWORD) log('  note: PORTAL_DEMO_PASSWORD is not set; sign-in steps will fail.');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const newPage = async (viewport = { width: 1280, height: 900 }) => {
    const ctx = await browser.newContext({ viewport, timezoneId: process.env.E2E_TZ ?? 'America/New_York', locale: 'en-US' });
    ctx.setDefaultTimeout(TIMEOUT);
    const page = await ctx.newPage();
    watch(page);
    return page;
  };

  /** A 375 px phone page sharing the cookies (session) of `page`. */
  const phoneOf = async (page) => {
    const phone = await newPage({ width: 375, height: 812 });
    await phone.context().addCookies(await page.context().cookies());
    return phone;
  };

  const state = { model: `E2E Model ${RUN_ID}`, version: '1.0', requestPath: null, grantPath: null, determined: false };

  try {
    // ---------------------------------------------------------------- public pages
    log('\nPublic pages');
    {
      const page = await newPage();
      await step('sign-in page shows the system use notice and requires acknowledging it', page, async () => {
        await goto(page, '/sign-in');
        expect((await heading(page)) === 'Sign in', 'no "Sign in" heading');
        await page.getByText('U.S. Government information system', { exact: false }).first().waitFor();
        await page.getByLabel(/^Email address/).fill('nobody@example.com');
        await page.getByLabel(/^Password/).fill('x'.repeat(20));
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('confirm that you have read the system use notice', { exact: false }).first().waitFor();
        expect(page.url().includes('/sign-in'), 'left the sign-in page without acknowledging the notice');
      });
      await axe(page, 'sign-in');
      await step('an empty sign-in flags every empty field, not only the checkbox', page, async () => {
        await goto(page, '/sign-in');
        await tick(page, 'I have read and understand the system use notice');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Enter your email address.').waitFor();
        await page.getByText('Enter your password.').waitFor();
        expect(await page.getByLabel(/^Email address/).evaluate((el) => el === document.activeElement), 'focus is not on the first empty field');
        await screenshot(page, 'sign-in empty fields');
      });
      await step('unknown route while signed out goes to sign-in and keeps the path', page, async () => {
        await goto(page, '/models');
        await page.waitForURL(/\/sign-in\?next=%2Fmodels/);
      });
      for (const [p, label] of [
        ['/sign-up', 'sign-up'],
        ['/reset-password', 'password reset request'],
        ['/about', 'about'],
      ]) {
        await step(`${label} page renders`, page, async () => {
          await goto(page, p);
          expect((await heading(page)).length > 0, 'no heading');
        });
        await axe(page, label);
      }
      const phone = await newPage({ width: 375, height: 812 });
      await step('sign-in at 375 px has no horizontal scroll', phone, async () => {
        await goto(phone, '/sign-in');
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow <= 1, `page is ${overflow}px wider than the phone screen`);
      });
      await axe(phone, 'sign-in (phone)');
      await page.context().close();
      await phone.context().close();
    }

    // ---------------------------------------------------------------- developer
    log('\nDeveloper journey');
    {
      const page = await newPage();
      const signedIn = await step(`developer (${ACCOUNTS.developer.email}) signs in`, page, () => signIn(page, ACCOUNTS.developer));
      const ok = () => signedIn;
      await axe(page, 'developer dashboard', ok);

      const modelOk = await step('developer registers a model', page, async () => {
        await goto(page, '/models/new');
        await page.getByLabel(/^Model name/).fill(state.model);
        await page.getByLabel(/^Version/).fill(state.version);
        await page.getByLabel(/^Modality/).fill('text');
        await page.getByLabel(/^Description/).fill('Registered by the end-to-end test.');
        await page.getByLabel(/^Planned release to other trusted partners/).fill(localInput(60));
        await page.getByRole('button', { name: 'Register model' }).click();
        await page.waitForURL(/\/models\/(?!new)[^/]+$/);
        await settle(page);
        expect((await heading(page)).includes(state.model), 'model page heading does not show the model');
        await page.getByText('Participation is voluntary.').first().waitFor();
        await page.locator('figure.fap-timeline svg').waitFor();
        state.modelPath = new URL(page.url()).pathname;
      }, { needs: ok });
      await axe(page, 'model page', () => modelOk);

      // The response date is a calendar day: Dec 15 reads Dec 15 in New York and in Tokyo.
      const due = new Date(Date.now() + 20 * 86_400_000);
      const dueInput = `${due.getFullYear()}-${String(due.getMonth() + 1).padStart(2, '0')}-${String(due.getDate()).padStart(2, '0')}`;
      const dueText = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${dueInput}T00:00:00Z`));
      const responseFact = (p) => p.locator('.fap-facts__row', { hasText: 'Response requested by' }).first().textContent();
      const draftOk = await step('developer files a draft, then edits it in a prefilled form ("review it, then submit")', page, async () => {
        await page.getByRole('link', { name: 'File a designation request' }).click();
        await page.waitForURL(/designation-requests\/new/);
        await settle(page);
        await page.getByLabel(/^Summary/).fill('Please determine whether this model is a covered frontier model.');
        await page.getByLabel(/^Capability evidence/).fill('End-to-end test evidence: none of substance.');
        // A day already over is refused at the field, in words.
        await page.getByLabel(/^Response requested by/).fill('2020-01-15');
        await page.getByRole('button', { name: 'Save draft' }).click();
        const err = page.locator('.usa-form-group--error .usa-error-message').first();
        await err.waitFor();
        expect(((await err.textContent()) ?? '').includes('today or a later date'), `past date message: "${await err.textContent()}"`);
        await page.getByLabel(/^Response requested by/).fill(dueInput);
        await page.getByRole('button', { name: 'Save draft' }).click();
        await page.waitForURL(/designation-requests\/(?!new)[^/]+$/);
        await settle(page);
        const fact = (await responseFact(page)) ?? '';
        expect(fact.includes(dueText), `response date shows "${fact}", chose ${dueInput}`);
        await page.getByRole('link', { name: 'Edit draft' }).click();
        await page.waitForURL(/designation-requests\/[^/]+\/edit$/);
        await settle(page);
        const summary = page.getByLabel(/^Summary/);
        expect((await summary.inputValue()).startsWith('Please determine whether'), 'the edit form is not prefilled with the summary');
        expect((await page.getByLabel(/^Response requested by/).inputValue()) === dueInput, 'the edit form is not prefilled with the response date');
        await summary.fill('Please determine whether this model is a covered frontier model (revised before submitting).');
        await screenshot(page, 'edit draft');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.waitForURL(/designation-requests\/[^/]+$/);
        await page.getByText('Draft updated.').waitFor();
        await page.getByText('(revised before submitting)').first().waitFor();
      }, { needs: () => modelOk });
      await axe(page, 'designation request draft (developer)', () => draftOk);

      const reqOk = await step('developer submits the designation request', page, async () => {
        await page.getByRole('button', { name: 'Submit to reviewers' }).click();
        const dialog = openDialog(page);
        await dialog.getByRole('heading', { name: 'Submit this request to the reviewers?' }).waitFor();
        await cancelFocused(page);
        expect(((await dialog.textContent()) ?? '').includes('withdraw it at any time'), 'the submit dialog does not say what follows');
        await screenshot(page, 'submit request dialog');
        await dialog.getByRole('button', { name: 'Submit to reviewers' }).click();
        await dialogClosed(page);
        await page.getByText('Request submitted to the reviewers.').waitFor();
        await page.locator('h1 .fap-tag', { hasText: 'Submitted' }).waitFor();
        state.requestPath = new URL(page.url()).pathname;
        expect(!(await page.getByRole('link', { name: 'Edit draft' }).count()), 'a submitted request still offers "Edit draft"');
      }, { needs: () => draftOk });
      await axe(page, 'designation request (developer)', () => reqOk);

      await step('the response date reads the same day in Tokyo', page, async () => {
        const ctx = await page.context().browser().newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo', locale: 'en-US' });
        try {
          await ctx.addCookies(await page.context().cookies());
          const tokyo = await ctx.newPage();
          await goto(tokyo, state.requestPath);
          const fact = (await responseFact(tokyo)) ?? '';
          expect(fact.includes(dueText), `in Tokyo the response date shows "${fact}", chose ${dueInput}`);
        } finally {
          await ctx.close();
        }
      }, { needs: () => reqOk });

      const dupOk = await step('a second request for the same model version is refused, with a link to the open one', page, async () => {
        const modelId = state.modelPath.split('/').pop();
        await goto(page, `/designation-requests/new?model_id=${modelId}`);
        // Said before anything is written…
        const warn = page.locator('.usa-alert--info', { hasText: 'already has an open request' });
        await warn.waitFor();
        expect((await warn.getByRole('link', { name: 'Go to the open request' }).getAttribute('href')) === state.requestPath, 'the warning does not link to the open request');
        // …and by the server if the developer files anyway.
        await page.getByLabel(/^Summary/).fill('A second request for the same version.');
        await page.getByLabel(/^Capability evidence/).fill('Same evidence.');
        await page.getByRole('button', { name: 'Save draft' }).click();
        const alert = page.locator('.usa-alert--error', { hasText: 'This model already has an open request' });
        await alert.waitFor();
        expect(((await alert.textContent()) ?? '').includes('already has an open designation request'), 'the refusal does not say why');
        await screenshot(page, 'duplicate request refused');
        await page.locator('main').getByRole('link', { name: 'Go to the open request' }).last().click();
        await page.waitForURL((u) => u.pathname === state.requestPath);
        await page.getByRole('button', { name: 'Save draft' }).waitFor({ state: 'detached' });
        await page.getByRole('link', { name: 'File a designation request' }).waitFor({ state: 'detached' });
      }, { needs: () => reqOk && !!state.modelPath });
      await axe(page, 'duplicate request refused', () => dupOk);

      await step('a request awaiting information has one reply box, and answering returns it to review', page, async () => {
        await goto(page, '/designation-requests?status=info_requested');
        await page.getByRole('link', { name: /Aurora-7 Mini/ }).first().click();
        await page.waitForURL(/designation-requests\/(?!new)[^/]+$/);
        await settle(page);
        await page.locator('h1 .fap-tag', { hasText: 'Information requested' }).waitFor();
        const boxes = page.locator('main textarea');
        expect((await boxes.count()) === 1, `${await boxes.count()} reply boxes on a request awaiting information`);
        await page.getByLabel(/^Your answer to the reviewers/).fill('The evaluation harness configuration is in section 4 (end-to-end test).');
        await screenshot(page, 'answer an information request');
        await page.getByRole('button', { name: 'Send answer' }).click();
        await page.getByText('Answer sent. The request is back under review.').waitFor();
        await page.locator('h1 .fap-tag', { hasText: 'Under review' }).waitFor();
        await page.locator('.fap-thread__item--response', { hasText: 'section 4 (end-to-end test)' }).waitFor();
        expect((await page.locator('main textarea').count()) === 1, 'after answering: not one message box');
        await page.getByLabel(/^New message/).waitFor();
      }, { needs: ok });

      let termsLabel = null;
      const SECTIONS = ['Confidentiality', 'Cybersecurity', 'Insider risk', 'Intellectual property', 'Use', 'Nondisclosure'];
      const lostOk = await step('a session ended in another tab loses no work: sign-in says so, comes back, and restores the six terms sections', page, async () => {
        await goto(page, '/terms/new');
        termsLabel = `E2E terms ${RUN_ID}`;
        await page.getByLabel(/^Label/).fill(termsLabel);
        for (const s of SECTIONS) {
          await page.getByLabel(new RegExp(`^${s}`)).fill(`${s} requirements for the end-to-end test.`);
        }
        // Signed out in another tab of the same browser.
        const other = await page.context().newPage();
        watch(other);
        await goto(other, '/');
        await signOut(other);
        await other.close();
        await page.getByRole('button', { name: 'Publish terms' }).click();
        await openDialog(page).getByRole('button', { name: 'Publish terms' }).click();
        await page.waitForURL(/\/sign-in\?/);
        const u = new URL(page.url());
        expect(u.searchParams.get('expired') === '1' && u.searchParams.get('next') === '/terms/new', `sign-in address lost the notice or the way back: ${page.url()}`);
        await page.getByText('Your session ended. Please sign in again to continue.').waitFor();
        await screenshot(page, 'sign-in after the session ended');
        await signInHere(page, ACCOUNTS.developer);
        expect(new URL(page.url()).pathname === '/terms/new', `after sign-in the user is at ${page.url()}, not back at the form`);
        await page.getByText('We restored what you had typed.').waitFor();
        expect((await page.getByLabel(/^Label/).inputValue()) === termsLabel, 'the label was not restored');
        for (const s of SECTIONS) {
          const got = await page.getByLabel(new RegExp(`^${s}`)).inputValue();
          expect(got === `${s} requirements for the end-to-end test.`, `${s} was not restored (got "${got}")`);
        }
        await screenshot(page, 'terms form restored');
      }, { needs: ok });
      await axe(page, 'terms form restored after sign-in', () => lostOk);

      await step('developer publishes a terms version and sees its SHA-256', page, async () => {
        if (!lostOk) {
          await goto(page, '/terms/new');
          await page.getByLabel(/^Label/).fill(termsLabel);
          for (const s of SECTIONS) await page.getByLabel(new RegExp(`^${s}`)).fill(`${s} requirements for the end-to-end test.`);
        }
        await page.getByRole('button', { name: 'Publish terms' }).click();
        // A preview of the six sections, and the word that published terms never change.
        const dialog = openDialog(page);
        await dialog.getByRole('heading', { name: 'Publish these terms?' }).waitFor();
        await cancelFocused(page);
        const text = (await dialog.textContent()) ?? '';
        expect(text.includes('immutable'), 'the publish dialog does not say terms are immutable');
        for (const s of ['Confidentiality', 'Cybersecurity', 'Insider risk', 'Intellectual property', 'Use', 'Nondisclosure']) {
          expect(text.includes(`${s} requirements for the end-to-end test.`), `the preview lacks the ${s} section`);
        }
        await screenshot(page, 'publish terms preview dialog');
        const phone = await phoneOf(page);
        await phone.goto(page.url());
        await screenshot(phone, 'publish terms form phone');
        await phone.context().close();
        await page.setViewportSize({ width: 375, height: 812 });
        await screenshot(page, 'publish terms preview dialog phone');
        await page.setViewportSize({ width: 1280, height: 900 });
        await dialog.getByRole('button', { name: 'Publish terms' }).click();
        await page.waitForURL(/\/terms\/(?!new)[^/]+$/);
        await settle(page);
        const hash = await page.locator('.fap-hash code').first().textContent();
        expect(/^[0-9a-f]{64}$/.test((hash ?? '').trim()), `SHA-256 not shown (got "${hash}")`);
        // Published: the draft is gone.
        await goto(page, '/terms/new');
        expect((await page.getByLabel(/^Label/).inputValue()) === '', 'the published draft came back on a new form');
        expect(!(await page.getByText('We restored what you had typed.').count()), 'a restored-draft notice after publishing');
      }, { needs: ok });

      const templateOk = await step('developer starts new terms from a template: all six sections filled, then edited before publishing', page, async () => {
        await goto(page, '/terms/new');
        const select = page.getByLabel(/^Template/);
        await select.locator('option', { hasText: 'Standard Government evaluation terms' }).first().waitFor({ state: 'attached' });
        // Nothing chosen: the field says so.
        await page.getByRole('button', { name: 'Use this template' }).click();
        await page.getByText('Choose a template to start from.').first().waitFor();
        await select.selectOption({ label: 'Standard Government evaluation terms (template) v1' });
        await page.getByRole('button', { name: 'Use this template' }).click();
        await page.getByText(/^Filled from “Standard Government evaluation terms/).waitFor();
        for (const s of SECTIONS) {
          const v = await page.getByLabel(new RegExp(`^${s}`)).inputValue();
          expect(v.trim().length > 20, `the ${s} section was not filled from the template (got "${v}")`);
        }
        expect((await page.getByLabel(/^Label/).inputValue()).startsWith('Standard Government evaluation terms'), 'the label was not filled from the template');
        // The developer edits before publishing; a second template fill asks before replacing the edit.
        await page.getByLabel(/^Label/).fill(`Aurora terms from the template ${RUN_ID}`);
        await page.getByLabel(/^Use/).fill('Use only for the evaluation named in the grant. Edited for Aurora.');
        await page.getByRole('button', { name: 'Use this template' }).click();
        const dialog = openDialog(page);
        await dialog.getByRole('heading', { name: 'Replace what you have written?' }).waitFor();
        await cancelFocused(page);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialogClosed(page);
        expect((await page.getByLabel(/^Use/).inputValue()).includes('Edited for Aurora'), 'cancelling the replacement lost the edit');
        await screenshot(page, 'terms from a template');
        const phone = await phoneOf(page);
        await phone.goto(page.url());
        await screenshot(phone, 'terms from a template phone');
        await phone.context().close();
      }, { needs: ok });
      await axe(page, 'terms from a template', () => templateOk);

      const grantOk = await step('developer offers a government grant to NSA', page, async () => {
        await goto(page, `/access-grants/new?model_id=${state.modelPath.split('/').pop()}`);
        const nsaBox = page.getByRole('checkbox', { name: /NSA|National Security Agency/ }).first();
        await nsaBox.waitFor({ state: 'attached' });
        const id = await nsaBox.getAttribute('id');
        await page.locator(`label[for="${id}"]`).click();
        await tick(page, 'Hosted API');
        await page.getByLabel(/^Access instructions/).fill('E2E: use the evaluation endpoint provided separately.');
        await page.getByLabel(/^Window starts/).fill(localInput(0));
        await page.getByLabel(/^Window ends/).fill(localInput(10));
        const termsSelect = page.getByLabel(/^Terms/);
        if (termsLabel && (await termsSelect.locator('option', { hasText: termsLabel }).count())) {
          await termsSelect.selectOption({ label: termsLabel });
        } else {
          const first = await termsSelect.locator('option:not([value=""])').first().getAttribute('value');
          expect(first, 'no terms version to choose');
          await termsSelect.selectOption(first);
        }
        await page.getByRole('button', { name: 'Offer access' }).click();
        await page.waitForURL(/\/access-grants\/(?!new)[^/]+$/);
        await settle(page);
        await page.locator('h1 .fap-tag', { hasText: 'Awaiting terms' }).waitFor();
        state.grantPath = new URL(page.url()).pathname;
      }, { needs: () => modelOk });
      await axe(page, 'government grant (developer)', () => grantOk);

      await step('developer accepts the terms of its grant', page, async () => {
        await tick(page, 'and accept it on behalf of');
        await page.getByRole('button', { name: 'Accept terms' }).click();
        await page.getByText('Terms accepted for your organization.').waitFor();
        await page.getByText(/\(developer\): accepted/).waitFor();
      }, { needs: () => grantOk });

      const recordOk = await step('developer opens the printable record of its terms: text, version, SHA-256 and every acceptance with its time zone', page, async () => {
        await goto(page, '/terms');
        await page.getByRole('link', { name: 'Aurora AI Labs evaluation terms 2026' }).first().click();
        await page.waitForURL(/\/terms\/(?!new)[^/]+$/);
        await settle(page);
        await page.getByRole('heading', { name: 'Who accepted it, and when' }).waitFor();
        const table = page.locator('table.fap-record-table');
        await table.waitFor();
        const text = (await table.textContent()) ?? '';
        for (const want of ['Aurora AI Labs', 'National Security Agency', 'For the organization', 'Personal acknowledgment', 'UTC']) {
          expect(text.includes(want), `the acceptance record lacks "${want}": ${text.slice(0, 300)}`);
        }
        const hash = ((await page.locator('.fap-facts code.fap-break').textContent()) ?? '').trim();
        expect(/^[0-9a-f]{64}$/.test(hash), `the record lacks the SHA-256 (got "${hash}")`);
        expect(await page.getByRole('button', { name: 'Print record' }).isVisible(), 'no "Print record" button');
        await screenshot(page, 'terms record');
        await page.emulateMedia({ media: 'print' });
        expect(!(await page.locator('.fap-header').isVisible()), 'the site header prints');
        expect(!(await page.getByRole('button', { name: 'Print record' }).isVisible()), 'the Print record button prints');
        expect(await page.locator('.fap-print-heading').isVisible(), 'the printout does not say what it is');
        await screenshot(page, 'terms record print');
        await page.emulateMedia({ media: 'screen' });
        const phone = await phoneOf(page);
        await phone.goto(page.url());
        await phone.locator('table.fap-record-table').waitFor();
        await screenshot(phone, 'terms record phone');
        await phone.emulateMedia({ media: 'print' });
        await screenshot(phone, 'terms record print phone');
        await phone.context().close();
      }, { needs: ok });
      await axe(page, 'terms record', () => recordOk);

      const activityOk = await step('developer opens its organization\'s activity: events newest first, a record filter kept in the address, the export links', page, async () => {
        await goto(page, '/');
        await page.getByRole('link', { name: 'Activity', exact: true }).first().click();
        await page.waitForURL(/\/activity$/);
        await settle(page);
        expect((await heading(page)) === 'Activity', `heading is "${await heading(page)}"`);
        const rows = page.locator('table tbody tr');
        await rows.first().waitFor();
        expect((await rows.count()) >= 10, 'the activity lists fewer than 10 events on a demo organization');
        expect(((await page.locator('table tbody').textContent()) ?? '').includes('Grant: terms accepted'), 'the terms just accepted are not in the activity');
        for (const [name, format] of [['Download CSV', 'csv'], ['Download JSON', 'json']]) {
          const href = await page.getByRole('link', { name }).getAttribute('href');
          expect(href === `/api/v1/audit-events/export?format=${format}`, `the ${format} export link is ${href}`);
        }
        const csv = await page.request.get(BASE + '/api/v1/audit-events/export?format=csv');
        expect(csv.status() === 200 && (await csv.text()).startsWith('seq,id,occurred_at'), 'the CSV export did not download');
        await screenshot(page, 'activity');
        // One record's events: the filter goes into the address and survives a reload.
        await rows.first().getByRole('link', { name: 'All its activity' }).click();
        await page.waitForURL(/\/activity\?target_id=/);
        const target = new URL(page.url()).searchParams.get('target_id');
        await page.reload();
        await settle(page);
        expect((await page.getByLabel(/^Only one record/).inputValue()) === target, 'the filter was lost on reload');
        await page.getByRole('button', { name: 'Show all activity' }).waitFor();
        expect((await page.locator('table tbody tr').count()) >= 1, 'no events on the filtered record');
        await screenshot(page, 'activity one record');
        const phone = await phoneOf(page);
        await phone.goto(page.url());
        await phone.locator('table tbody tr').first().waitFor();
        expect((await overflowX(phone)) <= 1, 'the activity page is wider than a phone');
        await screenshot(phone, 'activity phone');
        await phone.context().close();
      }, { needs: ok });
      await axe(page, 'activity', () => activityOk);

      state.declineOffered = await step('developer offers NSA a second window and the partner another grant (for them to decline)', page, async () => {
        const first = await apiCall(page, 'GET', state.grantPath);
        expect(first.status === 200, `the first grant: ${first.status}`);
        const g = first.body;
        const day = 86_400_000;
        const at = (d) => new Date(Date.now() + d * day).toISOString().replace(/\.\d+Z$/, 'Z');
        const offered = await apiCall(page, 'POST', '/access-grants', {
          model_id: g.model_id,
          grantee_org_ids: g.grantees.map((x) => x.org_id),
          access_mode: 'sandbox',
          access_instructions: 'E2E: a short second window.',
          starts_at: at(1),
          ends_at: at(3),
          terms_version_id: g.terms_version_id,
        });
        expect(offered.status === 201, `second window: ${offered.status} ${JSON.stringify(offered.body)}`);
        state.declineGrantPath = `/access-grants/${offered.body.id}`;
        const pgs = await apiCall(page, 'GET', '/partner-grants');
        const hosp = pgs.body.items.find((x) => x.partner_name === 'Valley Rural Health');
        expect(hosp, 'no partner grant to Valley Rural Health in the demo');
        const issued = await apiCall(page, 'POST', '/partner-grants', {
          nomination_id: hosp.nomination_id,
          starts_at: at(5),
          ends_at: at(12),
          terms_version_id: hosp.terms_version_id,
          access_instructions: 'E2E: a second early-access window.',
        });
        expect(issued.status === 201, `partner grant: ${issued.status} ${JSON.stringify(issued.body)}`);
        state.declinePartnerGrantPath = `/partner-grants/${issued.body.id}`;
      }, { needs: () => grantOk });

      await step('developer nominates a new partner organization for its model', page, async () => {
        await goto(page, `/nominations/new?model_id=${state.modelPath.split('/').pop()}`);
        await tick(page, 'A new organization');
        await page.getByLabel(/^Organization name/).fill(`E2E Grid Co-op ${RUN_ID}`);
        await page.getByLabel(/^Type of partner/).selectOption('critical_infrastructure_operator');
        await page.getByLabel(/^Contact email/).fill(`grid-${RUN_ID}@grid-coop.example`);
        await page.getByLabel(/^Rationale/).fill('Electric co-op: early defensive testing (end-to-end test).');
        await page.getByRole('button', { name: 'Nominate' }).click();
        await page.waitForURL(/\/nominations\/(?!new)[^/]+$/);
        state.nominationPath = new URL(page.url()).pathname;
      }, { needs: () => modelOk });

      await step('the model timeline shows the new government window', page, async () => {
        await goto(page, state.modelPath);
        await page.locator('.fap-tl-bar--government').first().waitFor();
        await page.locator('.fap-timeline__text', { hasText: 'Government access' }).waitFor();
      }, { needs: () => grantOk });
      await axe(page, 'model page with window', () => grantOk);

      const capOk = await step('a window over the 30-day cap shows window_cap_exceeded with the day counts at "Window ends"', page, async () => {
        await goto(page, `/access-grants/new?model_id=${state.modelPath.split('/').pop()}`);
        const nsaBox = page.getByRole('checkbox', { name: /NSA|National Security Agency/ }).first();
        await nsaBox.waitFor({ state: 'attached' });
        await page.locator(`label[for="${await nsaBox.getAttribute('id')}"]`).click();
        await page.getByLabel(/^Access instructions/).fill('E2E: this offer is over the cap and must be refused.');
        await page.getByLabel(/^Window starts/).fill(localInput(0));
        await page.getByLabel(/^Window ends/).fill(localInput(40));
        const termsSelect = page.getByLabel(/^Terms/);
        await termsSelect.selectOption(await termsSelect.locator('option:not([value=""])').first().getAttribute('value'));
        await page.getByRole('button', { name: 'Offer access' }).click();
        const fieldError = page.locator('.usa-form-group--error:has(#field-ends_at) .usa-error-message');
        await fieldError.waitFor();
        const text = (await fieldError.textContent()) ?? '';
        // The E2E grant above already holds 10 of the model's 30 days.
        expect(/30 Government days remain/.test(text) && /\b20\b/.test(text) && /\b10\b/.test(text), `cap message without the day counts: "${text}"`);
        expect(await page.locator('#field-ends_at').getAttribute('aria-invalid') === 'true', 'Window ends is not marked invalid');
        expect((await page.locator('#field-ends_at').getAttribute('aria-describedby'))?.includes('field-ends_at-error'), 'the message is not tied to the field');
        await page.locator('.usa-alert--error a[href="#field-ends_at"]').waitFor();
        expect(/\/access-grants\/new/.test(page.url()), 'left the form although the server refused the window');
      }, { needs: () => modelOk && grantOk });
      await axe(page, 'grant form with the cap error', () => capOk);

      const extendOk = await step('extending a window over the cap: one figure in summary and field, the window counted as granted, the latest end that fits', page, async () => {
        await goto(page, state.grantPath);
        const panel = page.locator('.fap-panel', { hasText: 'Change the end of the window' });
        await panel.getByLabel(/^Window ends/).fill(localInput(40));
        await panel.getByRole('button', { name: 'Save new end' }).click();
        const fieldError = panel.locator('.usa-form-group--error:has(#field-ends_at) .usa-error-message');
        await fieldError.waitFor();
        const inline = (await fieldError.textContent()) ?? '';
        const summary = (await panel.locator('.usa-alert--error').first().textContent()) ?? '';
        // This 10-day window is the model's only one: 10 days are already granted, not 0.
        expect(/\(10 already granted\)/.test(inline) && /10 are already granted/.test(summary), `granted days: field "${inline}", summary "${summary}"`);
        const figures = (t) => (t.match(/\d+(?:\.\d+)?(?= (?:days|Government days|are already|remain|already granted|more days))/g) ?? []).map(Number);
        const bad = figures(summary).filter((n) => !figures(inline).includes(n) && n !== 30);
        expect(!bad.length, `figures in the summary not at the field: ${bad} (summary "${summary}", field "${inline}")`);
        expect(/The latest end that fits is [A-Z][a-z]{2} \d{1,2}, \d{4}/.test(inline), `no latest end at the field: "${inline}"`);
        await screenshot(page, 'extend window cap error');
        const phone = await phoneOf(page);
        await goto(phone, state.grantPath);
        const pp = phone.locator('.fap-panel', { hasText: 'Change the end of the window' });
        await pp.getByLabel(/^Window ends/).fill(localInput(40));
        await pp.getByRole('button', { name: 'Save new end' }).click();
        await pp.locator('.usa-error-message').first().waitFor();
        await pp.scrollIntoViewIfNeeded();
        expect((await overflowX(phone)) <= 1, 'the cap error scrolls sideways at 375 px');
        await screenshot(phone, 'extend window cap error phone');
        await phone.context().close();
      }, { needs: () => grantOk });
      await axe(page, 'grant page with the cap error', () => extendOk);

      const phone = await phoneOf(page);
      await step('the cap error fits a 375 px phone', phone, async () => {
        await goto(phone, `/access-grants/new?model_id=${state.modelPath.split('/').pop()}`);
        const nsaBox = phone.getByRole('checkbox', { name: /NSA|National Security Agency/ }).first();
        await nsaBox.waitFor({ state: 'attached' });
        await phone.locator(`label[for="${await nsaBox.getAttribute('id')}"]`).click();
        await phone.getByLabel(/^Access instructions/).fill('E2E: over the cap.');
        await phone.getByLabel(/^Window starts/).fill(localInput(0));
        await phone.getByLabel(/^Window ends/).fill(localInput(40));
        const termsSelect = phone.getByLabel(/^Terms/);
        await termsSelect.selectOption(await termsSelect.locator('option:not([value=""])').first().getAttribute('value'));
        await phone.getByRole('button', { name: 'Offer access' }).click();
        const fieldError = phone.locator('.usa-form-group--error:has(#field-ends_at) .usa-error-message');
        await fieldError.waitFor();
        await fieldError.scrollIntoViewIfNeeded();
        const overflow = await overflowX(phone);
        expect(overflow <= 1, `the form is ${overflow}px wider than the phone`);
        await screenshot(phone, 'phone grant form cap error');
      }, { needs: () => capOk });

      await step('developer pages fit a 375 px phone', phone, async () => {
        for (const p of ['/', state.modelPath, state.grantPath].filter(Boolean)) {
          await goto(phone, p);
          const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow <= 1, `${p} is ${overflow}px wider than the phone`);
          await screenshot(phone, `phone ${p}`);
        }
      }, { needs: ok });
      await phone.context().close();

      await step('developer signs out', page, () => signOut(page), { needs: ok });
      await page.context().close();
    }

    // ---------------------------------------------------------------- NSA reviewer
    log('\nNSA reviewer journey');
    {
      const page = await newPage();
      const signedIn = await step(`NSA reviewer (${ACCOUNTS.nsa.email}) signs in`, page, () => signIn(page, ACCOUNTS.nsa));
      await axe(page, 'reviewer dashboard', () => signedIn);

      await step('review queue lists the submitted request', page, async () => {
        await goto(page, '/designation-requests');
        await page.getByLabel('Model, developer or summary').fill(state.model);
        await page.getByRole('link', { name: new RegExp(state.model) }).first().waitFor();
      }, { needs: () => signedIn && !!state.requestPath });
      await axe(page, 'review queue', () => signedIn);

      await step('reviewer assigns the request and records a consultation', page, async () => {
        await goto(page, state.requestPath);
        const assignMe = page.getByRole('button', { name: 'Assign to me' });
        if (await assignMe.isVisible()) {
          await assignMe.click();
          await page.getByText('Reviewer assigned.').waitFor();
        }
        // The office is always the reviewer's own (NSA here); the form offers no other.
        await page.getByText(/Recording the position of your office/).waitFor();
        // No position chosen: the message is in words, not the API's values.
        await page.getByRole('button', { name: 'Record consultation' }).click();
        const err = page.locator('.usa-form-group--error .usa-error-message, fieldset .usa-error-message').first();
        await err.waitFor();
        const summary = (await page.locator('.usa-alert--error').first().textContent()) ?? '';
        const words = `${summary} ${(await err.textContent()) ?? ''}`;
        expect(!/\b[a-z]+_[a-z_]+\b|must be one of:/.test(words), `internal words in the message: "${words}"`);
        expect(summary.includes('Please correct the highlighted fields'), `summary heading: "${summary}"`);
        await screenshot(page, 'consultation without a position');
        await tick(page, 'No comment');
        await page.getByLabel(/^Note/).fill('Recorded by the end-to-end test.');
        await page.getByRole('button', { name: 'Record consultation' }).click();
        await page.getByText('Consultation recorded.').waitFor();
      }, { needs: () => signedIn && !!state.requestPath });

      await step("a reviewer is not offered a link to the developer's model record, and a record out of reach has its own heading and title", page, async () => {
        await goto(page, state.requestPath);
        const fact = page.locator('.fap-facts__row', { hasText: 'Model' }).first();
        expect(((await fact.textContent()) ?? '').includes(state.model), 'the model is not named');
        expect(!(await fact.locator('a').count()), 'the reviewer is offered a link to a model page it may not see');
        const before = await page.title();
        await goto(page, state.modelPath);
        const h = await heading(page);
        expect(h === 'We could not find this', `heading "${h}"`);
        expect(!/Not Found|Forbidden|Conflict/.test((await page.locator('main').textContent()) ?? ''), 'an HTTP reason phrase on the page');
        const title = await page.title();
        expect(title !== before && title.startsWith('We could not find this'), `document title "${title}" (before: "${before}")`);
        await screenshot(page, 'record out of reach');
      }, { needs: () => signedIn && !!state.requestPath && !!state.modelPath });
      await axe(page, 'record out of reach', () => signedIn && !!state.modelPath);

      // The queue's filters run on the server (q, assigned), over every request, not the loaded page.
      const queueRows = async () => {
        await settle(page);
        return page.locator('table.fap-table tbody tr').evaluateAll((rows) =>
          rows.map((r) => ({
            model: r.querySelector('th')?.textContent?.trim() ?? '',
            assigned: r.querySelector('td[data-label="Assigned to"]')?.textContent?.trim() ?? '',
          })),
        );
      };
      const queueRequest = (check) =>
        page.waitForResponse((r) => {
          const u = new URL(r.url());
          return u.pathname === '/api/v1/designation-requests' && check(u.searchParams) && r.ok();
        }, { timeout: TIMEOUT });
      const filtered = await step('review queue filters by assignment and search on the server', page, async () => {
        await goto(page, '/designation-requests');
        const all = await queueRows();
        expect(all.length >= 3, `the queue shows ${all.length} requests`);
        expect(all.some((r) => r.assigned === 'Unassigned') && all.some((r) => r.assigned !== 'Unassigned'), 'the demo queue mixes assigned and unassigned requests');

        let sent = queueRequest((q) => q.get('assigned') === 'me');
        await page.getByLabel('Assigned reviewer').selectOption('me');
        await sent;
        const mine = await queueRows();
        expect(mine.length >= 1 && mine.length < all.length, `assigned to me: ${mine.length} of ${all.length}`);
        expect(mine.every((r) => r.assigned !== 'Unassigned'), `an unassigned request under "Assigned to me": ${JSON.stringify(mine)}`);
        expect(mine.some((r) => r.model.includes(state.model)), 'the request just assigned is not under "Assigned to me"');
        expect(new URL(page.url()).searchParams.get('assigned') === 'me', 'the filter is not kept in the address');

        sent = queueRequest((q) => q.get('assigned') === 'unassigned');
        await page.getByLabel('Assigned reviewer').selectOption('unassigned');
        await sent;
        const nobodys = await queueRows();
        expect(nobodys.length >= 1 && nobodys.every((r) => r.assigned === 'Unassigned'), `unassigned: ${JSON.stringify(nobodys)}`);
        await screenshot(page, 'review queue unassigned');

        // A word only in a summary (the demo's withdrawn "Northwind-2 (superseded request)").
        sent = queueRequest((q) => q.get('q') === 'superseded' && q.get('assigned') === 'unassigned');
        await page.getByLabel('Model, developer or summary').fill('superseded');
        await sent;
        const hits = await queueRows();
        expect(hits.length === 1 && hits[0].model.startsWith('Northwind-2'), `search "superseded": ${JSON.stringify(hits)}`);
        await screenshot(page, 'review queue search and unassigned');

        sent = queueRequest((q) => q.get('q') === 'no such model 50%');
        await page.getByLabel('Model, developer or summary').fill('no such model 50%');
        await sent;
        await page.getByText('No request matches these filters.').waitFor({ timeout: TIMEOUT });
        await screenshot(page, 'review queue no match');
        sent = queueRequest((q) => !q.has('q') && !q.has('assigned'));
        await page.getByRole('button', { name: 'Clear filters' }).click();
        await sent;
        await settle(page);
        expect(new URL(page.url()).search === '', `filters left in the address: ${page.url()}`);
        const again = await queueRows();
        expect(again.length === all.length, `after clearing: ${again.length} of ${all.length}`);
      }, { needs: () => signedIn && !!state.requestPath });
      await page.goto(BASE + '/designation-requests?assigned=unassigned&q=northwind', { waitUntil: 'domcontentloaded' });
      await axe(page, 'review queue filtered', () => filtered);

      const overdueOk = await step('the review queue flags overdue requests and filters to them; the request page says so', page, async () => {
        await goto(page, '/designation-requests');
        // The demo's Northwind-2 request asked for an answer 3 days ago and is still under review.
        const row = page.locator('table.fap-table tbody tr', { hasText: 'Northwind-2 financial-analysis model' });
        await row.locator('.fap-tag', { hasText: 'Overdue' }).waitFor();
        const sent = queueRequest((q) => q.get('overdue') === 'true');
        await tick(page, 'Overdue only');
        await sent;
        const rows = await queueRows();
        expect(rows.length >= 1 && rows.some((r) => r.model.startsWith('Northwind-2')), `overdue only: ${JSON.stringify(rows)}`);
        const tags = await page.locator('table.fap-table tbody tr').evaluateAll((trs) => trs.map((tr) => !!tr.querySelector('td[data-label="Response requested by"] .fap-tag')));
        expect(tags.every(Boolean), 'a row under "Overdue only" is not flagged');
        expect(new URL(page.url()).searchParams.get('overdue') === 'true', 'the overdue filter is not kept in the address');
        await screenshot(page, 'review queue overdue');
        await page.getByRole('link', { name: /Northwind-2/ }).first().click();
        await page.waitForURL(/designation-requests\/(?!new)[^/]+$/);
        await page.locator('.usa-alert', { hasText: 'Overdue:' }).waitFor();
        await page.locator('.fap-facts__row', { hasText: 'Response requested by' }).locator('.fap-tag', { hasText: 'Overdue' }).waitFor();
        await screenshot(page, 'overdue request');
      }, { needs: () => signedIn });
      await axe(page, 'overdue request (reviewer)', () => overdueOk);

      state.determined = await step('NSA reviewer records a determination', page, async () => {
        await goto(page, state.requestPath);
        await tick(page, 'Covered frontier model');
        await page.getByLabel(/^Unclassified rationale/).fill('Capabilities meet the benchmark threshold (end-to-end test).');
        await page.getByLabel(/^Benchmark reference label/).fill(`E2E-REF-${RUN_ID}`);
        await page.getByRole('button', { name: 'Record determination' }).click();
        // The dialog names the offices not yet consulted (only NSA recorded a position) and
        // says a determination cannot be amended.
        const dialog = openDialog(page);
        await dialog.getByRole('heading', { name: 'Record this determination?' }).waitFor();
        await cancelFocused(page);
        const text = (await dialog.textContent()) ?? '';
        for (const office of ['National Cyber Director', 'APST', 'CISA', 'Department of War']) {
          expect(text.includes(office), `the dialog does not name ${office} as not yet consulted: "${text}"`);
        }
        expect(text.includes('cannot be amended'), 'the dialog does not say the determination cannot be amended');
        await screenshot(page, 'determination dialog');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialogClosed(page);
        expect(!(await page.locator('h1 .fap-tag', { hasText: 'Determined' }).count()), 'cancelled, yet determined');
        await page.getByRole('button', { name: 'Record determination' }).click();
        await dialog.getByRole('button', { name: 'Record determination' }).click();
        await dialogClosed(page);
        await page.getByText('Determination recorded').first().waitFor();
        await page.locator('h1 .fap-tag', { hasText: 'Determined' }).waitFor();
      }, { needs: () => signedIn && !!state.requestPath });
      await axe(page, 'designation request (reviewer)', () => signedIn && !!state.requestPath);

      let concurOpen = false;
      await step("the Government's concurrence is confirmed: it creates the new partner organization and emails it", page, async () => {
        await goto(page, state.nominationPath);
        await page.getByRole('button', { name: 'Concur' }).click();
        const dialog = openDialog(page);
        await dialog.getByRole('heading', { name: 'Concur for the Government?' }).waitFor();
        await cancelFocused(page);
        const text = (await dialog.textContent()) ?? '';
        expect(text.includes('creates the partner organization') && text.includes(`grid-${RUN_ID}@grid-coop.example`), `the dialog does not say what follows: "${text}"`);
        concurOpen = true;
      }, { needs: () => signedIn && !!state.nominationPath });
      await axe(page, 'concurrence dialog', () => concurOpen);
      await step('the concurrence selects the partner', page, async () => {
        await screenshot(page, 'concurrence dialog');
        await page.setViewportSize({ width: 375, height: 812 });
        await screenshot(page, 'concurrence dialog phone');
        await page.setViewportSize({ width: 1280, height: 900 });
        await openDialog(page).getByRole('button', { name: 'Concur' }).click();
        await dialogClosed(page);
        await page.getByText('You concur with this nomination.').waitFor();
        await page.locator('h1 .fap-tag', { hasText: 'Selected' }).waitFor();
      }, { needs: () => concurOpen });

      await step('reviewer sees the grant offered to NSA', page, async () => {
        await goto(page, state.grantPath);
        expect((await heading(page)).includes('Government access'), 'grant page not shown');
        const accept = page.getByRole('button', { name: 'Accept terms' });
        if (await accept.isVisible()) {
          await tick(page, 'and accept it on behalf of');
          await accept.click();
          await page.getByText('Terms accepted for your agency.').waitFor();
        }
      }, { needs: () => signedIn && !!state.grantPath });
      await axe(page, 'government grant (reviewer)', () => signedIn && !!state.grantPath);

      const sortOk = await step('the review queue sorts by response date, soonest first and undated last, kept in the address', page, async () => {
        await goto(page, '/designation-requests');
        const sent = queueRequest((q) => q.get('sort') === 'response_by');
        await page.getByLabel('Order').selectOption({ label: 'Response date, soonest first' });
        await sent;
        await settle(page);
        expect(new URL(page.url()).searchParams.get('sort') === 'response_by', 'the order is not kept in the address');
        const dates = async () =>
          page.locator('table.fap-table tbody tr td[data-label="Response requested by"]').evaluateAll((tds) => tds.map((td) => td.querySelector('time')?.getAttribute('datetime') ?? ''));
        const check = (ds) => {
          expect(ds.length >= 2, `too few rows to see an order: ${JSON.stringify(ds)}`);
          const firstBlank = ds.indexOf('');
          const dated = firstBlank === -1 ? ds : ds.slice(0, firstBlank);
          expect(firstBlank === -1 || ds.slice(firstBlank).every((d) => d === ''), `a dated request after an undated one: ${JSON.stringify(ds)}`);
          expect(dated.every((d, i) => i === 0 || dated[i - 1] <= d), `dates not soonest first: ${JSON.stringify(ds)}`);
          expect(dated.length >= 1, 'no request with a response date');
        };
        check(await dates());
        await page.locator('th[aria-sort="ascending"]', { hasText: 'Response requested by' }).waitFor();
        await screenshot(page, 'review queue by response date');
        // A fresh load of the address keeps the order and the filters with it.
        await goto(page, '/designation-requests?sort=response_by&status=under_review');
        expect((await page.getByLabel('Order').inputValue()) === 'response_by', 'the order control does not read the address');
        await goto(page, '/designation-requests?sort=response_by');
        check(await dates());
      }, { needs: () => signedIn });
      await axe(page, 'review queue by response date', () => sortOk);
      {
        const phone = await phoneOf(page);
        await step('the sorted review queue fits a 375 px phone', phone, async () => {
          await goto(phone, '/designation-requests?sort=response_by');
          const overflow = await overflowX(phone);
          expect(overflow <= 1, `the queue is ${overflow}px wider than the phone`);
          await screenshot(phone, 'phone review queue by response date');
        }, { needs: () => sortOk });
        await phone.context().close();
      }

      const declineOk = await step('the NSA reviewer declines a grant offered to NSA, with a reason, after confirming (Cancel focused)', page, async () => {
        await goto(page, state.declineGrantPath);
        await page.getByRole('button', { name: 'Decline', exact: true }).click();
        const dialog = openDialog(page);
        await dialog.waitFor();
        await cancelFocused(page);
        expect(((await dialog.textContent()) ?? '').includes('cannot be undone'), 'the dialog does not say what follows');
        await dialog.getByLabel(/^Reason/).fill(DECLINE_REASON);
        await screenshot(page, 'decline grant dialog');
        const phone = await phoneOf(page);
        await goto(phone, state.declineGrantPath);
        await phone.locator('.fap-hash code').waitFor();
        const wide = await widerThanPhone(phone);
        expect(wide.length === 0, `the grant page with the Decline panel is wider than the phone: ${JSON.stringify(wide)}`);
        await phone.getByRole('button', { name: 'Decline', exact: true }).click();
        await openDialog(phone).waitFor();
        await phone.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), null, { timeout: 3000 }).catch(() => {});
        await phone.waitForTimeout(300);
        await phone.screenshot({ path: await screenshot(phone, 'decline grant dialog phone') });
        await phone.context().close();
        await dialog.getByRole('button', { name: 'Decline grant' }).click();
        await dialogClosed(page);
        await page.getByText('You declined this grant. The developer is told.').waitFor();
        await page.locator('.usa-alert', { hasText: 'Your organization declined this grant' }).waitFor();
        await page.locator('.fap-quote', { hasText: DECLINE_REASON }).waitFor();
        expect(!(await page.getByRole('button', { name: 'Accept terms' }).count()), 'Accept terms is still offered after declining');
        expect(!(await page.getByRole('button', { name: 'Decline', exact: true }).count()), 'Decline is still offered after declining');
        // The timeline's text alternative names the declined window as declined, as the heading does.
        const thisGrant = (await page.locator('.fap-timeline__text li', { hasText: 'This grant:' }).textContent()) ?? '';
        expect(/\(Declined\)/.test(thisGrant), `the timeline reads "${thisGrant}" for the declined grant`);
      }, { needs: () => signedIn && !!state.declineGrantPath });
      await axe(page, 'declined grant (reviewer)', () => declineOk);
      {
        const phone = await phoneOf(page);
        await step('the declined grant fits a 375 px phone (reviewer)', phone, async () => {
          await goto(phone, state.declineGrantPath);
          const overflow = await overflowX(phone);
          expect(overflow <= 1, `the page is ${overflow}px wider than the phone`);
          await screenshot(phone, 'phone declined grant reviewer');
        }, { needs: () => declineOk });
        await phone.context().close();
      }
      const notifyOk = await step('the NSA reviewer turns off an email on the Email notifications page; a reload shows it kept', page, async () => {
        await goto(page, '/');
        await page.locator('.fap-account--desktop').getByRole('link', { name: 'Email notifications' }).click();
        await page.getByRole('heading', { level: 1, name: 'Email notifications' }).waitFor();
        const box = page.getByRole('checkbox', { name: /^Access window ends soon/ });
        expect(await box.isChecked(), 'Access window ends soon is not on at first');
        // Account and security mail is shown on and cannot be changed.
        const reset = page.getByRole('checkbox', { name: /^Password reset/ });
        expect((await reset.isChecked()) && (await reset.isDisabled()), 'Password reset is not shown checked and disabled');
        await page.getByText(/Always sent: it concerns your account’s security/).first().waitFor();
        // A reviewer is offered the review emails, not the developer's.
        await page.getByRole('checkbox', { name: /^Request submitted/ }).waitFor();
        expect(!(await page.getByRole('checkbox', { name: /^Determination recorded/ }).count()), 'a developer-only email is offered to a reviewer');
        await page.locator(`label[for="${await box.getAttribute('id')}"]`).click();
        expect(!(await box.isChecked()), 'the checkbox did not turn off');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByText('Settings saved').waitFor();
        await screenshot(page, 'email notifications saved');
        await page.reload({ waitUntil: 'domcontentloaded' });
        await settle(page);
        const again = page.getByRole('checkbox', { name: /^Access window ends soon/ });
        await again.waitFor();
        expect(!(await again.isChecked()), 'after a reload the email is on again');
      }, { needs: () => signedIn });
      await axe(page, 'email notifications (reviewer)', () => notifyOk);
      {
        const phone = await phoneOf(page);
        await step('the Email notifications page fits a 375 px phone', phone, async () => {
          await goto(phone, '/notifications');
          await phone.getByRole('checkbox', { name: /^Access window ends soon/ }).waitFor();
          const wide = await widerThanPhone(phone);
          expect(wide.length === 0, `the page is wider than the phone: ${JSON.stringify(wide)}`);
          await screenshot(phone, 'phone email notifications');
        }, { needs: () => notifyOk });
        await axe(phone, 'email notifications (phone)', () => notifyOk);
        await phone.context().close();
      }
      await step('the NSA reviewer turns the email on again', page, async () => {
        const box = page.getByRole('checkbox', { name: /^Access window ends soon/ });
        await page.locator(`label[for="${await box.getAttribute('id')}"]`).click();
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByText('Settings saved').waitFor();
        expect(await box.isChecked(), 'the email did not turn on again');
      }, { needs: () => notifyOk });
      await step('reviewer signs out', page, () => signOut(page), { needs: () => signedIn });
      await page.context().close();
    }

    // ---------------------------------------------------------------- developer sees determination
    log('\nDeveloper sees the outcome');
    {
      const page = await newPage();
      const signedIn = await step('developer signs in again', page, () => signIn(page, ACCOUNTS.developer));
      await step('developer sees the determination and its unclassified rationale', page, async () => {
        await goto(page, state.requestPath);
        await page.locator('.fap-determination', { hasText: 'Covered frontier model' }).waitFor();
        await page.getByText('has no effect on what the developer may do').waitFor();
      }, { needs: () => signedIn && state.determined });

      // Issue 11 item 11: the list page offers "Issue grant" to developer admins.
      const issueOpen = await step('the partner grants list offers "Issue grant", which opens the issue form', page, async () => {
        await goto(page, '/partner-grants');
        const button = page.getByRole('link', { name: 'Issue grant' });
        await button.waitFor();
        await button.click();
        await page.waitForURL(/\/partner-grants\/new$/);
        await settle(page);
        expect((await heading(page)) === 'Issue an early-access grant', `the button opened "${await heading(page)}"`);
      }, { needs: () => signedIn });
      await axe(page, 'issue partner grant form', () => issueOpen);

      let waterHref = null;
      const changeOk = await step('developer changes the end date of a partner grant (time zone named); the page shows the new end', page, async () => {
        await goto(page, '/partner-grants');
        const link = page.locator('tr', { hasText: 'River Valley Water Authority' }).locator('a[href^="/partner-grants/"]').first();
        await link.waitFor();
        waterHref = await link.getAttribute('href');
        await goto(page, waterHref);
        const panel = page.locator('.fap-panel', { hasText: 'Change end date' });
        await panel.waitFor();
        expect(/Your time zone: /.test((await panel.textContent()) ?? ''), 'the end date input does not name the time zone');
        const before = (await page.locator('.fap-facts__row', { hasText: 'Access ends' }).locator('dd').textContent())?.trim();
        await panel.getByLabel(/^Access ends/).fill(localInput(30));
        await panel.getByRole('button', { name: 'Change end date' }).click();
        await page.getByText('End date changed.').waitFor();
        const after = (await page.locator('.fap-facts__row', { hasText: 'Access ends' }).locator('dd').textContent())?.trim();
        expect(after && after !== before, `"Access ends" still reads "${after}"`);
        await screenshot(page, 'partner grant end date changed');
        const phone = await phoneOf(page);
        await goto(phone, waterHref);
        await phone.locator('.fap-panel', { hasText: 'Change end date' }).scrollIntoViewIfNeeded();
        expect((await overflowX(phone)) <= 1, 'the partner grant page scrolls sideways at 375 px');
        await screenshot(phone, 'phone partner grant change end date');
        await phone.context().close();
      }, { needs: () => signedIn });
      await axe(page, 'partner grant after changing the end date', () => changeOk);

      // A 118-day grant overlapping the partner's grant and ending after the planned release:
      // three warnings, then "Issue anyway" (warnings never block).
      let warnedHref = null;
      const fillIssue = async (p, days) => {
        await goto(p, '/partner-grants/new');
        const partner = p.getByLabel(/^Selected partner/);
        await partner.selectOption({ label: await partner.locator('option', { hasText: 'River Valley Water Authority' }).first().textContent() });
        await p.getByLabel(/^Access starts/).fill(localInput(0));
        await p.getByLabel(/^Access ends/).fill(localInput(days));
        const terms = p.getByLabel(/^Terms/);
        await terms.selectOption(await terms.locator('option:not([value=""])').first().getAttribute('value'));
        await p.getByLabel(/^Access instructions/).fill('E2E: sandbox details are sent separately.');
        await p.getByRole('button', { name: 'Issue grant' }).click();
      };
      const warnOk = await step('issuing a 118-day overlapping grant past the planned release warns in plain words and asks "Issue anyway"', page, async () => {
        await fillIssue(page, 118);
        const box = page.locator('.fap-window-warnings');
        await box.waitFor();
        const text = (await box.textContent()) ?? '';
        for (const words of ['overlaps another early-access grant', 'planned partner release', 'longer than 90 days']) {
          expect(text.includes(words), `the warnings do not say "${words}": "${text}"`);
        }
        expect(!/_/.test(text), `internal words in the warnings: "${text}"`);
        expect(/\/partner-grants\/new$/.test(page.url()), 'the grant was issued without asking');
        expect(await page.evaluate(() => !!document.activeElement?.closest('.fap-window-warnings')), 'focus did not move to the warnings');
        await screenshot(page, 'issue partner grant warnings');
        const phone = await phoneOf(page);
        await fillIssue(phone, 118);
        await phone.locator('.fap-window-warnings').waitFor();
        expect((await overflowX(phone)) <= 1, 'the warnings scroll sideways at 375 px');
        await screenshot(phone, 'phone issue partner grant warnings');
        await phone.context().close();
        await page.getByRole('button', { name: 'Issue anyway' }).click();
        await page.waitForURL(/\/partner-grants\/(?!new)[^/]+$/);
        await settle(page);
        warnedHref = new URL(page.url()).pathname;
        const shown = (await page.locator('.fap-window-warnings').textContent()) ?? '';
        expect(shown.includes('longer than 90 days'), `the grant page does not show the warnings: "${shown}"`);
      }, { needs: () => signedIn });
      await axe(page, 'issue form and grant page with warnings', () => warnOk);

      const changeWarnOk = await step('moving the end later asks "Change anyway" with the warnings; moving it earlier never asks', page, async () => {
        await goto(page, warnedHref);
        const panel = page.locator('.fap-panel', { hasText: 'Change end date' });
        await panel.getByLabel(/^Access ends/).fill(localInput(125));
        await panel.getByRole('button', { name: 'Change end date' }).click();
        await panel.locator('.fap-window-warnings').waitFor();
        expect(((await panel.locator('.fap-window-warnings').textContent()) ?? '').includes('longer than 90 days'), 'no warning before extending');
        await screenshot(page, 'change end date warnings');
        await panel.getByRole('button', { name: 'Change anyway' }).click();
        await page.getByText('End date changed.').waitFor();
        // Earlier: straight through, no confirmation (the developer's off switch).
        const endsFact = page.locator('.fap-facts__row', { hasText: 'Access ends' }).locator('dd');
        const extended = (await endsFact.textContent())?.trim();
        await panel.getByLabel(/^Access ends/).fill(localInput(20));
        await panel.getByRole('button', { name: 'Change end date' }).click();
        await expectChanged(endsFact, extended);
        const left = (await page.locator('.fap-window-warnings').first().textContent().catch(() => '')) ?? '';
        expect(!left.includes('longer than 90 days'), `a 20-day grant still warns about its length: "${left}"`);
      }, { needs: () => !!warnedHref });
      await axe(page, 'partner grant after moving the end', () => changeWarnOk);

      const timelineOk = await step('the timeline keeps every window\'s name at 375 px, outlines the grant being viewed and names the model with its version', page, async () => {
        const phone = await phoneOf(page);
        await goto(phone, warnedHref ?? waterHref);
        const svg = phone.locator('figure.fap-timeline svg');
        await svg.waitFor();
        const { bars, labels, current } = await phone.evaluate(() => {
          const s = document.querySelector('figure.fap-timeline svg');
          return {
            bars: s.querySelectorAll('.fap-tl-bar').length,
            labels: s.querySelectorAll('.fap-tl-bar-label').length,
            current: s.querySelectorAll('.fap-tl-bar--current').length,
          };
        });
        expect(bars > 1 && labels === bars, `${bars} windows but ${labels} names in the drawing`);
        expect(current === 1, `${current} bars outlined as this grant`);
        const text = (await phone.locator('.fap-timeline__text').textContent()) ?? '';
        expect(text.includes('This grant:'), 'the text alternative does not say which window is this grant');
        const caption = (await phone.locator('.fap-timeline__caption').textContent()) ?? '';
        expect(/Aurora-7 \S*\d/.test(caption), `the timeline names the model without its version: "${caption}"`);
        expect(/Aurora-7 \S*\d/.test(await heading(phone)), `the heading names the model without its version: "${await heading(phone)}"`);
        expect((await overflowX(phone)) <= 1, 'the grant page scrolls sideways at 375 px');
        await svg.scrollIntoViewIfNeeded();
        await screenshot(phone, 'phone partner grant timeline');
        await axe(phone, 'partner grant timeline (phone)');
        await phone.context().close();
        await goto(page, warnedHref ?? waterHref);
        await page.locator('figure.fap-timeline').scrollIntoViewIfNeeded();
        await screenshot(page, 'partner grant timeline');
      }, { needs: () => !!(warnedHref ?? waterHref) });

      const seenOk = await step("developer sees the NSA's decline and its reason on the grant page, its own controls unchanged", page, async () => {
        await goto(page, state.declineGrantPath);
        await page.locator('.usa-alert', { hasText: 'declined this grant' }).waitFor();
        await page.locator('.fap-quote', { hasText: DECLINE_REASON }).waitFor();
        await page.getByText('Nothing changes for you').waitFor();
        await page.locator('.fap-agreement .fap-tag', { hasText: 'Declined' }).waitFor();
        await page.getByRole('button', { name: 'End access now' }).waitFor();
        await goto(page, '/access-grants');
        await page.locator('table.fap-table tbody tr .fap-tag', { hasText: 'Declined' }).first().waitFor();
        await goto(page, state.declineGrantPath);
      }, { needs: () => signedIn && !!state.declineGrantPath });
      await axe(page, 'declined grant (developer)', () => seenOk);
      {
        const phone = await phoneOf(page);
        await step('the declined grant fits a 375 px phone (developer)', phone, async () => {
          await goto(phone, state.declineGrantPath);
          const overflow = await overflowX(phone);
          expect(overflow <= 1, `the page is ${overflow}px wider than the phone`);
          await screenshot(phone, 'phone declined grant developer');
        }, { needs: () => seenOk });
        await phone.context().close();
      }
      await page.context().close();
    }

    // ---------------------------------------------------------------- partner
    log('\nPartner journey');
    {
      const page = await newPage();
      const signedIn = await step(`partner (${ACCOUNTS.partner.email}) signs in`, page, () => signIn(page, ACCOUNTS.partner));
      await axe(page, 'partner dashboard', () => signedIn);
      let grantHref = null;
      await step('partner sees its early-access grant', page, async () => {
        await goto(page, '/partner-grants');
        // The demo's accepted, active grant (the run also issues one for the partner to decline).
        const link = page.locator('table tbody tr', { hasText: 'Active' }).locator('a[href^="/partner-grants/"]').first();
        await link.waitFor({ timeout: TIMEOUT }).catch(() => {
          throw new Error('no early-access grant listed for the partner (does the demo data issue one?)');
        });
        grantHref = await link.getAttribute('href');
      }, { needs: () => signedIn });
      await axe(page, 'partner grants', () => signedIn);
      await step('partner grant page shows window, time remaining (same as the countdown) and terms', page, async () => {
        await goto(page, grantHref);
        expect((await heading(page)).startsWith('Early access'), 'grant page heading missing');
        const remaining = (await page.locator('.fap-facts__row', { hasText: 'Time remaining' }).locator('dd').textContent())?.trim();
        const countdown = (await page.locator('.fap-window-line .fap-countdown').textContent().catch(() => ''))?.trim();
        if (countdown) expect(countdown === `${remaining} left`, `facts say "${remaining}", countdown says "${countdown}"`);
        await page.locator('summary', { hasText: 'Read the terms' }).waitFor();
        expect(!(await page.getByText('Change end date').count()), 'the partner is offered "Change end date" (the developer sets the window)');
        await page.locator('figure.fap-timeline svg').waitFor();
        // The tick labels under the axis are inside the drawing (not cut off at its bottom).
        const clipped = await page.evaluate(() => {
          const svg = document.querySelector('figure.fap-timeline svg');
          const box = svg.getBoundingClientRect();
          return [...svg.querySelectorAll('.fap-tl-tick-label')].filter((t) => t.getBoundingClientRect().bottom > box.bottom + 0.5).length;
        });
        expect(clipped === 0, `${clipped} tick labels are cut off at the bottom of the timeline`);
        expect((await page.locator('figure.fap-timeline .fap-tl-bar--current').count()) === 1, 'the grant being viewed is not outlined on the timeline');
        expect(((await page.locator('.fap-timeline__text').textContent()) ?? '').includes('This grant:'), 'the text alternative does not name this grant');
      }, { needs: () => !!grantHref });
      await axe(page, 'partner grant', () => !!grantHref);

      const member = ACCOUNTS.partnerMember.email;
      const rosterOk = await step('partner admin removes a member from the roster (with confirmation) and adds them back', page, async () => {
        await goto(page, grantHref);
        const row = page.locator('.fap-section table tr', { hasText: member });
        if (await row.count()) {
          await row.getByRole('button', { name: /Remove/ }).click();
          const dialog = openDialog(page);
          await dialog.waitFor();
          expect(((await dialog.textContent()) ?? '').includes('from the roster?'), 'the dialog does not say what it does');
          await screenshot(page, 'partner roster remove dialog');
          await dialog.getByRole('button', { name: 'Remove from roster' }).click();
          await dialogClosed(page);
          await page.getByText('was removed from the roster').waitFor();
          await row.waitFor({ state: 'detached' });
        }
        const select = page.getByLabel(/^Add a person from your organization/);
        // Nobody chosen: the field says so (it used to do nothing at all).
        await page.getByRole('button', { name: 'Add to roster' }).click();
        await page.getByText('Choose the person to add to the roster.').waitFor();
        expect(await select.evaluate((el) => el === document.activeElement), 'focus is not on the person field');
        await screenshot(page, 'partner roster nobody chosen');
        const option = select.locator('option', { hasText: member });
        expect(await option.count(), `${member} is not offered in "Add a person"`);
        await select.selectOption(await option.first().getAttribute('value'));
        await page.getByRole('button', { name: 'Add to roster' }).click();
        await page.getByText('is on the roster').waitFor();
        await row.waitFor();
        expect(((await row.textContent()) ?? '').includes('Not yet'), 'a re-added member should acknowledge the terms again');
      }, { needs: () => !!grantHref });
      await axe(page, 'partner grant roster', () => rosterOk);
      const writeOk = await step('partner admin writes to the developer: an empty message is flagged at the field, a draft survives a reload, the sent message shows who and when', page, async () => {
        await goto(page, grantHref);
        const developerName = ((await page.locator('.fap-facts__row', { hasText: 'Developer' }).locator('dd').textContent()) ?? '').trim();
        const section = page.locator('section', { has: page.locator('h2', { hasText: 'Messages' }) });
        await section.getByRole('heading', { name: `Write to ${developerName}` }).waitFor();
        await section.getByRole('button', { name: 'Send message' }).click();
        const summary = page.locator('.usa-alert--error a[href="#field-body"]');
        await summary.waitFor();
        expect(((await summary.textContent()) ?? '').startsWith('Message'), `the error summary does not name the field: ${await summary.textContent()}`);
        await summary.click();
        expect(await page.locator('#field-body').evaluate((el) => el === document.activeElement), 'the summary link does not move focus to the message');
        await screenshot(page, 'partner message empty');
        await page.locator('#field-body').fill(PARTNER_MESSAGE);
        await goto(page, grantHref);
        await page.getByText('We restored what you had typed.').waitFor();
        expect((await page.locator('#field-body').inputValue()) === PARTNER_MESSAGE, 'the draft was not restored after a reload');
        await section.getByRole('button', { name: 'Send message' }).click();
        await section.getByText('Message sent.').waitFor();
        const item = section.locator('.fap-thread__item', { hasText: PARTNER_MESSAGE });
        await item.waitFor();
        const meta = ((await item.locator('.fap-thread__meta').textContent()) ?? '').trim();
        expect(meta.includes('Valley Rural Health'), `the message does not name the partner: ${meta}`);
        const when = ((await item.locator('.fap-thread__meta time').textContent()) ?? '').trim();
        expect(/(UTC|GMT[+-]?\d*|[A-Z]{2,5})$/.test(when), `the time has no time zone: ${when}`);
        expect((await page.locator('#field-body').inputValue()) === '', 'the form still holds the sent text');
        await screenshot(page, 'partner message sent');
      }, { needs: () => !!grantHref });
      await axe(page, 'partner grant messages', () => writeOk);
      state.partnerGrantPath = writeOk ? grantHref : null;
      const phoneM = await phoneOf(page);
      await step('the message thread fits a 375 px phone (partner)', phoneM, async () => {
        await goto(phoneM, grantHref);
        await phoneM.locator('.fap-thread__item', { hasText: PARTNER_MESSAGE }).waitFor();
        const overflow = await overflowX(phoneM);
        expect(overflow <= 1, `the page is ${overflow}px wider than the phone`);
        await screenshot(phoneM, 'phone partner grant messages');
        await phoneM.locator('section', { has: phoneM.locator('h2', { hasText: 'Messages' }) }).screenshot({ path: path.join(ARTIFACTS, 'messages-partner-375.png') });
      }, { needs: () => writeOk });
      await phoneM.context().close();
      const phone = await phoneOf(page);
      await step('partner grant page fits a 375 px phone', phone, async () => {
        await goto(phone, grantHref);
        const overflow = await overflowX(phone);
        expect(overflow <= 1, `the grant page is ${overflow}px wider than the phone`);
        await screenshot(phone, 'phone partner grant');
      }, { needs: () => !!grantHref });
      await phone.context().close();

      const pDeclineOk = await step('partner admin declines an early-access grant, with a reason, after confirming (Cancel focused)', page, async () => {
        await goto(page, state.declinePartnerGrantPath);
        await page.getByRole('button', { name: 'Decline', exact: true }).click();
        const dialog = openDialog(page);
        await dialog.waitFor();
        await cancelFocused(page);
        await dialog.getByLabel(/^Reason/).fill(DECLINE_REASON);
        await screenshot(page, 'partner decline dialog');
        await dialog.getByRole('button', { name: 'Decline grant' }).click();
        await dialogClosed(page);
        await page.getByText('You declined this grant. The developer is told.').waitFor();
        await page.locator('.usa-alert', { hasText: 'Your organization declined this grant' }).waitFor();
        await page.locator('.fap-facts__row', { hasText: 'Partner declined' }).waitFor();
        expect(!(await page.getByRole('button', { name: 'Accept terms' }).count()), 'Accept terms is still offered after declining');
      }, { needs: () => signedIn && !!state.declinePartnerGrantPath });
      await axe(page, 'declined partner grant (partner)', () => pDeclineOk);
      const phone2 = await phoneOf(page);
      await step('the declined partner grant fits a 375 px phone (partner)', phone2, async () => {
        await goto(phone2, state.declinePartnerGrantPath);
        const overflow = await overflowX(phone2);
        expect(overflow <= 1, `the page is ${overflow}px wider than the phone`);
        await screenshot(phone2, 'phone declined partner grant');
      }, { needs: () => pDeclineOk });
      await phone2.context().close();
      await page.context().close();
      state.partnerDeclined = pDeclineOk;
    }

    log('\nDeveloper sees the partner decline');
    {
      const page = await newPage();
      const signedIn = await step('developer signs in to see the partner decline', page, () => signIn(page, ACCOUNTS.developer), { needs: () => state.partnerDeclined || !!state.partnerGrantPath });
      const seen = await step("developer sees the partner's decline and reason; revoking stays its own", page, async () => {
        await goto(page, state.declinePartnerGrantPath);
        await page.locator('.usa-alert', { hasText: 'Valley Rural Health declined this grant' }).waitFor();
        await page.locator('.fap-quote', { hasText: DECLINE_REASON }).waitFor();
        await page.getByRole('button', { name: 'Revoke access now' }).waitFor();
      }, { needs: () => signedIn });
      await axe(page, 'declined partner grant (developer)', () => seen);
      const replyOk = await step("developer reads the partner's message and replies to it", page, async () => {
        await goto(page, `${state.partnerGrantPath}#messages`);
        const section = page.locator('section', { has: page.locator('h2', { hasText: 'Messages' }) });
        await section.locator('.fap-thread__item', { hasText: PARTNER_MESSAGE }).waitFor();
        await section.getByRole('heading', { name: 'Write to Valley Rural Health' }).waitFor();
        await page.locator('#field-body').fill(DEVELOPER_REPLY);
        await section.getByRole('button', { name: 'Send message' }).click();
        await section.getByText('Message sent.').waitFor();
        const items = section.locator('.fap-thread__item');
        await items.nth(1).waitFor();
        const texts = await items.allTextContents();
        const a = texts.findIndex((t) => t.includes(PARTNER_MESSAGE));
        const b = texts.findIndex((t) => t.includes(DEVELOPER_REPLY));
        expect(a >= 0 && b > a, `the thread is not oldest first: ${JSON.stringify(texts)}`);
        await screenshot(page, 'developer message reply');
        await section.screenshot({ path: path.join(ARTIFACTS, 'messages-developer-1280.png') });
      }, { needs: () => signedIn && !!state.partnerGrantPath });
      await axe(page, 'partner grant messages (developer)', () => replyOk);
      const phoneR = await phoneOf(page);
      await step('the message thread fits a 375 px phone (developer)', phoneR, async () => {
        await goto(phoneR, state.partnerGrantPath);
        await phoneR.locator('.fap-thread__item', { hasText: DEVELOPER_REPLY }).waitFor();
        const overflow = await overflowX(phoneR);
        expect(overflow <= 1, `the page is ${overflow}px wider than the phone`);
        await screenshot(phoneR, 'phone developer grant messages');
        await phoneR.locator('section', { has: phoneR.locator('h2', { hasText: 'Messages' }) }).screenshot({ path: path.join(ARTIFACTS, 'messages-developer-375.png') });
      }, { needs: () => replyOk });
      await phoneR.context().close();
      const phone = await phoneOf(page);
      await step('the declined partner grant fits a 375 px phone (developer)', phone, async () => {
        await goto(phone, state.declinePartnerGrantPath);
        const overflow = await overflowX(phone);
        expect(overflow <= 1, `the page is ${overflow}px wider than the phone`);
        await screenshot(phone, 'phone declined partner grant developer');
      }, { needs: () => seen });
      await phone.context().close();
      await page.context().close();
    }

    // ---------------------------------------------------------------- NSA analyst (rostered member)
    log('\nNSA analyst journey');
    {
      const page = await newPage();
      const signedIn = await step(`NSA analyst (${ACCOUNTS.nsaAnalyst.email}) signs in`, page, () => signIn(page, ACCOUNTS.nsaAnalyst));
      await axe(page, 'analyst dashboard', () => signedIn);
      let grantHref = null;
      await step(`analyst opens the active ${ANALYST_GRANT_MODEL} grant and sees the access instructions`, page, async () => {
        await goto(page, '/access-grants');
        const row = page.locator('tbody tr', { has: page.getByRole('link', { name: new RegExp(`^${ANALYST_GRANT_MODEL} \\d`) }) }).filter({ hasText: 'Active' });
        await row.first().waitFor().catch(() => {
          throw new Error(`no active ${ANALYST_GRANT_MODEL} grant listed for the analyst (demo data?)`);
        });
        grantHref = await row.first().getByRole('link').first().getAttribute('href');
        await goto(page, grantHref);
        expect((await heading(page)).includes(ANALYST_GRANT_MODEL), 'grant page heading missing');
        const instructions = page.locator('.fap-instructions');
        await instructions.waitFor();
        expect(((await instructions.textContent()) ?? '').trim().length > 10, 'access instructions are empty');
        // A member cannot accept terms for the agency nor manage the roster.
        expect(!(await page.getByRole('button', { name: 'Accept terms' }).count()), 'a member is offered "Accept terms"');
      }, { needs: () => signedIn });
      await axe(page, 'government grant (analyst)', () => !!grantHref);

      await step('analyst sees a use outside the window refused at "When"', page, async () => {
        const startsAt = await page.locator('.fap-facts__row', { hasText: 'Window starts' }).locator('time').getAttribute('datetime');
        await page.getByLabel(/^When/).fill(await browserLocalInput(page, -86_400_000, startsAt));
        await page.getByLabel(/^Duration in minutes/).fill('30');
        await page.getByLabel(/^Summary/).fill('E2E: this use is before the window and must be refused.');
        await page.getByRole('button', { name: 'Record use' }).click();
        await page.locator('.usa-form-group--error:has(#field-occurred_at) .usa-error-message').waitFor();
      }, { needs: () => !!grantHref });

      await step('analyst logs an access use inside the window', page, async () => {
        await goto(page, grantHref);
        const summary = `E2E evaluation run ${RUN_ID}`;
        await page.getByLabel(/^When/).fill(await browserLocalInput(page, -2 * 3_600_000));
        await page.getByLabel(/^Kind of use/).selectOption('red_team');
        await page.getByLabel(/^Duration in minutes/).fill('45');
        await page.getByLabel(/^Summary/).fill(summary);
        await page.getByRole('button', { name: 'Record use' }).click();
        await page.getByText('Use recorded.').waitFor();
        await page.locator('table tr', { hasText: summary }).waitFor();
      }, { needs: () => !!grantHref });
      await axe(page, 'government grant access log (analyst)', () => !!grantHref);

      const correctedOk = await step('analyst corrects an entry: a new entry that names it, "Corrects" and "Corrected by" links, the original unchanged', page, async () => {
        const summary = `E2E evaluation run ${RUN_ID}`;
        const row = page.locator('tbody tr', { hasText: summary }).first();
        await row.getByRole('button', { name: /^Correct this entry/ }).click();
        await page.getByRole('heading', { name: 'Correct an entry' }).waitFor();
        expect(await page.evaluate(() => document.activeElement?.textContent === 'Correct an entry'), 'focus did not move to the correction form');
        // The form starts from the entry's values.
        expect((await page.getByLabel(/^Duration in minutes/).inputValue()) === '45', 'the correction form is not filled from the entry');
        await page.getByLabel(/^Duration in minutes/).fill('60');
        await page.getByLabel(/^Summary/).fill(`${summary} (correction: the run took 60 minutes)`);
        await screenshot(page, 'access log correction form');
        await page.getByRole('button', { name: 'Record correction' }).click();
        await page.getByText('Correction recorded.').waitFor();
        const original = page.locator('tbody tr', { hasText: summary }).filter({ hasNotText: 'correction:' }).first();
        await original.getByText('Corrected by').waitFor();
        expect(((await original.textContent()) ?? '').includes('45'), 'the original entry changed');
        const fix = page.locator('tbody tr', { hasText: 'correction: the run took 60 minutes' }).first();
        await fix.getByText('Corrects').waitFor();
        const href = await fix.getByRole('link').first().getAttribute('href');
        expect(href?.startsWith('#log-'), `the "Corrects" link does not lead to the entry (${href})`);
        await page.locator(href).waitFor();
        await screenshot(page, 'access log corrected');
      }, { needs: () => !!grantHref });
      await axe(page, 'access log with a correction (analyst)', () => correctedOk);

      await step('analyst exports their own access-log entries as CSV', page, async () => {
        const link = page.getByRole('link', { name: 'Export my entries (CSV)' });
        await link.waitFor();
        const href = await link.getAttribute('href');
        const r = await page.request.get(BASE + href);
        expect(r.status() === 200, `the export answered ${r.status()}`);
        expect((r.headers()['content-type'] ?? '').startsWith('text/csv'), 'the export is not CSV');
        const lines = (await r.text()).trim().split('\n');
        expect(lines[0] === 'id,grant_id,occurred_at,kind,duration_minutes,summary,corrects,created_at', `unexpected CSV header: ${lines[0]}`);
        expect(lines.some((l) => l.includes(`E2E evaluation run ${RUN_ID}`)), 'the entry logged in this run is not in the export');
        if (correctedOk) expect(lines.some((l) => l.includes('correction: the run took 60 minutes') && /,[0-9a-f-]{36},/.test(l)), 'the correction row does not name the entry it corrects');
      }, { needs: () => !!grantHref });

      const agencyWriteOk = await step('analyst (a member of a grantee agency) writes to the developer on the Government grant', page, async () => {
        await goto(page, grantHref);
        const developerName = ((await page.locator('.fap-facts__row', { hasText: 'Developer' }).locator('dd').textContent()) ?? '').trim();
        const section = page.locator('section', { has: page.locator('h2', { hasText: 'Messages' }) });
        await section.getByRole('heading', { name: `Write to ${developerName}` }).waitFor();
        await page.locator('#field-body').fill(AGENCY_MESSAGE);
        await section.getByRole('button', { name: 'Send message' }).click();
        await section.getByText('Message sent.').waitFor();
        await section.locator('.fap-thread__item', { hasText: AGENCY_MESSAGE }).waitFor();
        await section.screenshot({ path: path.join(ARTIFACTS, 'messages-government-grant-analyst-1280.png') });
      }, { needs: () => !!grantHref });
      await axe(page, 'government grant messages (analyst)', () => agencyWriteOk);
      const phone = await phoneOf(page);
      await step('analyst grant page fits a 375 px phone', phone, async () => {
        await goto(phone, grantHref);
        const overflow = await overflowX(phone);
        expect(overflow <= 1, `the grant page is ${overflow}px wider than the phone`);
        await screenshot(phone, 'phone grant analyst');
      }, { needs: () => !!grantHref });
      await phone.context().close();
      await page.context().close();
    }

    // ---------------------------------------------------------------- developer member
    log('\nDeveloper member journey');
    {
      const page = await newPage();
      const signedIn = await step(`developer member (${ACCOUNTS.developerMember.email}) signs in`, page, () => signIn(page, ACCOUNTS.developerMember));
      let reqHref = null;
      await step('a developer member is not offered "Issue grant" (administrators issue grants)', page, async () => {
        await goto(page, '/partner-grants');
        await page.locator('h1', { hasText: 'Partner early-access grants' }).waitFor();
        expect(!(await page.getByRole('link', { name: 'Issue grant' }).count()), 'a member is offered "Issue grant"');
      }, { needs: () => signedIn });
      await axe(page, 'partner grants (developer member)', () => signedIn);

      await step('member opens a draft or submitted request and sees the voluntariness statement', page, async () => {
        for (const status of ['draft', 'submitted']) {
          await goto(page, `/designation-requests?status=${status}`);
          const link = page.locator('tbody tr a[href^="/designation-requests/"]').first();
          if (await link.count()) {
            reqHref = await link.getAttribute('href');
            break;
          }
        }
        expect(reqHref, 'no draft or submitted request to withdraw (demo data?)');
        await goto(page, reqHref);
        await page.getByText('Participation is voluntary.').first().waitFor();
        await page.getByText('Nothing here requires Government approval', { exact: false }).first().waitFor();
      }, { needs: () => signedIn });
      await axe(page, 'designation request (member)', () => !!reqHref);
      await step('a form the member may not use, opened by its address, says so at once', page, async () => {
        await goto(page, '/access-grants/new');
        expect((await heading(page)) === 'This page is not for your account', `heading is "${await heading(page)}"`);
        await page.getByText('Offering the Government access to a model is for administrators of AI developer organizations.').waitFor();
        expect((await page.locator('main form').count()) === 0, 'the grant form is still shown');
        await screenshot(page, 'member typed admin form');
      }, { needs: () => signedIn });
      await axe(page, 'form not for this account', () => signedIn);
      if (reqHref) await goto(page, reqHref);

      const phone = await phoneOf(page);
      await step('request page fits a 375 px phone', phone, async () => {
        await goto(phone, reqHref);
        const overflow = await overflowX(phone);
        expect(overflow <= 1, `the request page is ${overflow}px wider than the phone`);
        await screenshot(phone, 'phone designation request member');
      }, { needs: () => !!reqHref });
      await phone.context().close();

      let dialogOk = false;
      await step('member withdraws the request after confirming in a dialog', page, async () => {
        await page.getByRole('button', { name: 'Withdraw request' }).click();
        const dialog = openDialog(page);
        await dialog.waitFor();
        expect(((await dialog.textContent()) ?? '').includes('No reason is needed'), 'the dialog does not explain withdrawing');
        // Cancel first: nothing happens.
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialogClosed(page);
        expect(!(await page.locator('h1 .fap-tag', { hasText: 'Withdrawn' }).count()), 'cancelled but withdrawn');
        await page.getByRole('button', { name: 'Withdraw request' }).click();
        await dialog.waitFor();
        dialogOk = true;
      }, { needs: () => !!reqHref });
      await axe(page, 'withdraw dialog', () => dialogOk);
      await step('the withdrawal takes effect at once', page, async () => {
        await openDialog(page).getByRole('button', { name: 'Withdraw request' }).click();
        await dialogClosed(page);
        await page.getByText('Request withdrawn.').waitFor();
        await page.locator('h1 .fap-tag', { hasText: 'Withdrawn' }).waitFor();
        await page.getByRole('link', { name: 'File a new request' }).waitFor();
      }, { needs: () => dialogOk });

      // The idle timeout (15 minutes without a request) is announced before it ends the session.
      let warned = false;
      await step('before the idle timeout a dialog offers "Stay signed in"', page, async () => {
        await page.clock.install();
        await goto(page, '/');
        await page.clock.fastForward('12:30');
        const dialog = openDialog(page);
        await dialog.getByRole('heading', { name: 'Your session is about to end' }).waitFor();
        warned = true;
        await screenshot(page, 'idle warning');
        await page.setViewportSize({ width: 375, height: 812 });
        await screenshot(page, 'idle warning phone');
        await page.setViewportSize({ width: 1280, height: 900 });
      }, { needs: () => signedIn });
      await axe(page, 'idle warning', () => warned);
      await step('"Stay signed in" refreshes the session and closes the warning', page, async () => {
        const me = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/me' && r.ok());
        await openDialog(page).getByRole('button', { name: 'Stay signed in' }).click();
        await me;
        await dialogClosed(page);
        await page.clock.fastForward('01:00');
        expect(!(await page.locator('.usa-modal-wrapper.is-visible').count()), 'the warning came back right after staying signed in');
      }, { needs: () => warned });
      await page.context().close();
    }

    // ---------------------------------------------------------------- operator
    log('\nOperator journey');
    {
      const page = await newPage();
      const signedIn = await step(`operator (${ACCOUNTS.operator.email}) signs in`, page, () => signIn(page, ACCOUNTS.operator));
      await axe(page, 'operator dashboard', () => signedIn);
      await step('operator lists the organizations', page, async () => {
        await goto(page, '/admin/organizations');
        expect((await heading(page)) === 'Organizations', 'no "Organizations" heading');
        await page.locator('tbody tr', { hasText: 'National Security Agency' }).first().waitFor();
        await page.locator('tbody tr', { hasText: 'Valley Rural Health' }).first().waitFor();
      }, { needs: () => signedIn });
      await axe(page, 'organizations', () => signedIn);

      const orgName = `E2E Water Co-op ${RUN_ID}`;
      const adminEmail = `e2e-${RUN_ID}@water-coop.example`;
      await step('operator creates a partner organization and invites its first admin', page, async () => {
        await page.getByLabel(/^Kind/).selectOption('partner');
        await page.getByLabel(/^Name/).fill(orgName);
        await page.getByLabel(/^Type of partner/).selectOption('critical_infrastructure_operator');
        await page.getByLabel(/^Critical-infrastructure sector/).selectOption({ label: 'Water and Wastewater Systems' });
        await page.getByLabel(/^First administrator/).fill(adminEmail);
        await page.getByRole('button', { name: 'Create and invite' }).click();
        await page.getByText(`${adminEmail} has been invited`, { exact: false }).waitFor();
        const row = page.locator('tbody tr', { hasText: orgName });
        await row.waitFor();
        expect(((await row.textContent()) ?? '').includes('Water and Wastewater Systems'), 'the sector is not shown by name');
      }, { needs: () => signedIn });
      await axe(page, 'organization created', () => signedIn);

      await step('operator lists the users', page, async () => {
        await goto(page, '/admin/users');
        await page.locator('tbody tr', { hasText: ACCOUNTS.nsaAnalyst.email }).first().waitFor();
      }, { needs: () => signedIn });
      await axe(page, 'users', () => signedIn);

      // Issue 11 item 10: an invitation never accepted reads "Invited"; the dialog names a
      // nameless person by address (an invited person is revoked rather than disabled); one's
      // own row offers no Disable.
      await step('the invited admin shows as Invited and the revoke dialog names the address', page, async () => {
        const row = page.locator('tbody tr', { hasText: adminEmail });
        await row.waitFor();
        const text = (await row.textContent()) ?? '';
        expect(text.includes('Invited') && !text.includes('Active'), `the invited admin's row reads: ${text}`);
        await row.getByRole('button', { name: /^Revoke invitation/ }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByRole('heading', { name: `Revoke the invitation of ${adminEmail}?` }).waitFor();
        await screenshot(page, 'revoke dialog of an invited user');
        await dialog.getByRole('button', { name: /Cancel|Keep/ }).first().click();
        const own = page.locator('tbody tr', { hasText: ACCOUNTS.operator.email });
        await own.waitFor();
        expect((await own.getByRole('button', { name: /^Disable/ }).count()) === 0, 'Disable is offered on the operator\'s own row');
      }, { needs: () => signedIn });

      // Issue 11 item 9: the invitation names the organization and the address; activating says so.
      await step('the invitation link names the organization and the address; activating says so', page, async () => {
        const dir = process.env.PORTAL__MAIL__DIR;
        expect(dir, 'PORTAL__MAIL__DIR is not set');
        let link = null;
        for (let i = 0; i < 100 && !link; i++) {
          for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
            const raw = fs.readFileSync(path.join(dir, f), 'utf8');
            if (raw.includes(`To: ${adminEmail}`) && raw.includes('/invite/')) {
              expect(raw.includes(`join "${orgName}"`), 'the invitation email does not name the organization');
              link = raw.match(/https?:\/\/\S+\/invite\/[A-Za-z0-9._-]+/)[0];
            }
          }
          if (!link) await new Promise((r) => setTimeout(r, 100));
        }
        expect(link, `no invitation email to ${adminEmail}`);
        const ctx = await browser.newContext();
        const invitee = await ctx.newPage();
        await invitee.goto(BASE + new URL(link).pathname);
        await invitee.getByText(orgName, { exact: false }).first().waitFor();
        await invitee.getByText(adminEmail, { exact: false }).first().waitFor();
        await screenshot(invitee, 'accept invitation names the organization');
        await tick(invitee, 'I have read and understand the system use notice');
        await invitee.getByLabel(/^Your full name/).fill('Wren Waterworks');
        await invitee.getByLabel(/^Password/).fill(PASSWORD);
        await invitee.getByRole('button', { name: 'Activate account' }).click();
        await invitee.getByRole('heading', { name: 'Your account is activated', level: 1 }).waitFor();
        await screenshot(invitee, 'account activated');
        await ctx.close();
        await goto(page, '/admin/users');
        const row = page.locator('tbody tr', { hasText: adminEmail });
        await row.getByText('Active').waitFor();
      }, { needs: () => signedIn });

      // Issue 11, what an operator expects: people the org admin manages, then the operator's
      // search, filters, invitations, roles and the organization's rename and deactivation.
      const wren = { email: adminEmail, label: 'water co-op admin' };
      const colleague = `e2e-${RUN_ID}-colleague@water-coop.example`;
      const second = `e2e-${RUN_ID}-second@water-coop.example`;
      const orgAdmin = await newPage();
      const wrenIn = await step('the org admin invites two colleagues, resends, promotes and revokes on the organization page', orgAdmin, async () => {
        await signIn(orgAdmin, wren);
        await goto(orgAdmin, '/organization');
        for (const email of [colleague, second]) {
          await orgAdmin.getByLabel(/^Email address/).fill(email);
          await orgAdmin.getByRole('button', { name: 'Send invitation', exact: true }).click();
          await orgAdmin.getByText(`Invitation sent to ${email}`).waitFor();
        }
        const row = (email) => orgAdmin.locator('tbody tr', { hasText: email });
        expect(((await row(colleague).textContent()) ?? '').includes('Invited'), 'the invited colleague does not read as invited');
        await row(colleague).getByRole('button', { name: /^Resend invitation/ }).click();
        let dialog = orgAdmin.getByRole('dialog');
        await dialog.getByRole('heading', { name: `Send ${colleague} a new invitation?` }).waitFor();
        await screenshot(orgAdmin, 'org admin resend invitation dialog');
        await dialog.getByRole('button', { name: 'Send a new link' }).click();
        await orgAdmin.getByText(`A new invitation was sent to ${colleague}`).waitFor();
        await row(colleague).getByRole('button', { name: /^Make administrator/ }).click();
        dialog = orgAdmin.getByRole('dialog');
        await dialog.getByRole('button', { name: 'Make administrator' }).click();
        await orgAdmin.getByText(`${colleague} is now an administrator.`).waitFor();
        await row(second).getByRole('button', { name: /^Revoke invitation/ }).click();
        dialog = orgAdmin.getByRole('dialog');
        await dialog.getByRole('heading', { name: `Revoke the invitation of ${second}?` }).waitFor();
        await dialog.getByRole('button', { name: 'Revoke invitation' }).click();
        await orgAdmin.getByText(`The invitation of ${second} is revoked`).waitFor();
        await row(second).getByRole('cell', { name: 'Disabled', exact: true }).waitFor();
        await screenshot(orgAdmin, 'org admin people');
        const phone = await phoneOf(orgAdmin);
        await phone.goto(BASE + '/organization');
        await settle(phone);
        await screenshot(phone, 'org admin people 375');
        expect((await overflowX(phone)) <= 1, 'the organization page scrolls sideways at 375 px');
        await phone.context().close();
      }, { needs: () => signedIn });
      await axe(orgAdmin, 'organization page with invitations', () => wrenIn);
      await orgAdmin.context().close();

      await step('operator searches and filters users; the filters stay in the address', page, async () => {
        await goto(page, '/admin/users');
        await page.getByLabel('Name or email').fill(`e2e-${RUN_ID}`);
        await page.getByLabel('Status').selectOption('invited');
        await page.waitForURL((u) => u.searchParams.get('status') === 'invited' && u.searchParams.get('q') === `e2e-${RUN_ID}`);
        await page.locator('tbody tr', { hasText: colleague }).waitFor();
        await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === n, 1);
        await page.reload();
        await settle(page);
        expect((await page.getByLabel('Name or email').inputValue()) === `e2e-${RUN_ID}`, 'the search is lost on reload');
        await page.locator('tbody tr', { hasText: colleague }).waitFor();
        await page.getByLabel('Status').selectOption('');
        await page.locator('tbody tr', { hasText: adminEmail }).waitFor();
        await page.locator('tbody tr', { hasText: second }).waitFor();
        await screenshot(page, 'users search and filters');
        const phone = await phoneOf(page);
        await phone.goto(page.url());
        await settle(phone);
        await screenshot(phone, 'users search and filters 375');
        expect((await overflowX(phone)) <= 1, 'the users page scrolls sideways at 375 px');
        await phone.context().close();
      }, { needs: () => signedIn });
      await axe(page, 'users filtered', () => signedIn);

      await step('operator resends and revokes an invitation; demoting the last admin is refused in plain words', page, async () => {
        const row = (email) => page.locator('tbody tr', { hasText: email });
        await row(colleague).getByRole('button', { name: /^Resend invitation/ }).click();
        let dialog = page.getByRole('dialog');
        await dialog.getByRole('button', { name: 'Send a new link' }).click();
        await page.getByText(`A new invitation was sent to ${colleague}`).waitFor();
        await row(colleague).getByRole('button', { name: /^Revoke invitation/ }).click();
        dialog = page.getByRole('dialog');
        await dialog.getByText(`can no longer join`).waitFor();
        await screenshot(page, 'operator revoke invitation dialog');
        await dialog.getByRole('button', { name: 'Revoke invitation' }).click();
        await page.getByText(`The invitation of ${colleague} is revoked`).waitFor();
        await row(colleague).getByText('Disabled').waitFor();
        await row(adminEmail).getByRole('button', { name: /^Make member/ }).click();
        dialog = page.getByRole('dialog');
        await dialog.getByRole('button', { name: 'Make member' }).click();
        await dialog.getByText(/last admin/).waitFor();
        await screenshot(page, 'last admin refused');
        await dialog.getByRole('button', { name: /Cancel|Keep/ }).first().click();
        expect(((await row(adminEmail).textContent()) ?? '').includes('Administrator'), 'the last admin was demoted');
      }, { needs: () => signedIn });
      await axe(page, 'users after invitation changes', () => signedIn);

      const renamed = `${orgName} (renamed)`;
      await step('operator renames and deactivates the organization; its admin cannot sign in until it is reactivated', page, async () => {
        await goto(page, '/admin/organizations');
        const row = (name) => page.locator('tbody tr', { hasText: name });
        await row(orgName).getByRole('button', { name: /^Rename/ }).click();
        let dialog = page.getByRole('dialog');
        await dialog.getByLabel(/^New name/).fill(renamed);
        await dialog.getByRole('button', { name: 'Save name' }).click();
        await page.getByText(`is now called ${renamed}`).waitFor();
        await row(renamed).getByRole('button', { name: /^Deactivate/ }).click();
        dialog = page.getByRole('dialog');
        await dialog.getByText(/signed out at once/).waitFor();
        await screenshot(page, 'deactivate organization dialog');
        await dialog.getByRole('button', { name: 'Deactivate' }).click();
        await page.getByText(`${renamed} is deactivated`).waitFor();
        await row(renamed).getByText('Deactivated').waitFor();
        await screenshot(page, 'organizations with a deactivated one');
        const phone = await phoneOf(page);
        await phone.goto(BASE + '/admin/organizations');
        await settle(phone);
        await screenshot(phone, 'organizations 375');
        await phone.context().close();
        const refused = await newPage();
        await goto(refused, '/sign-in');
        await refused.getByLabel(/^Email address/).fill(adminEmail);
        await refused.getByLabel(/^Password/).fill(PASSWORD);
        await tick(refused, 'I have read and understand the system use notice');
        await refused.getByRole('button', { name: 'Sign in' }).click();
        await refused.getByText(/turned off by the portal's operators/).first().waitFor();
        await screenshot(refused, 'sign-in refused deactivated organization');
        await axe(refused, 'sign-in refused: organization deactivated');
        await refused.context().close();
        await row(renamed).getByRole('button', { name: /^Reactivate/ }).click();
        dialog = page.getByRole('dialog');
        await dialog.getByRole('button', { name: 'Reactivate' }).click();
        await page.getByText(`${renamed} is active again`).waitFor();
        const back = await newPage();
        await signIn(back, wren);
        await back.context().close();
      }, { needs: () => signedIn });
      await axe(page, 'organizations after reactivation', () => signedIn);

      await step('audit verification reports an intact chain; export links are offered', page, async () => {
        await goto(page, '/admin/audit');
        await page.getByRole('button', { name: 'Verify now' }).click();
        await page.getByText('The audit chain is intact').waitFor();
        for (const fmt of ['csv', 'json']) {
          const link = page.getByRole('link', { name: `Download ${fmt.toUpperCase()}` });
          const href = await link.getAttribute('href');
          expect(href?.includes(`format=${fmt}`), `no ${fmt} export link`);
          const res = await page.request.get(BASE + href);
          expect(res.ok(), `${fmt} export answered ${res.status()}`);
        }
      }, { needs: () => signedIn });
      await axe(page, 'audit verification', () => signedIn);
      await step('the audit page says what operators see and exports the chain links', page, async () => {
        await page.getByRole('heading', { name: 'What operators see' }).waitFor();
        await page.getByText(/of them are on records of the operators/).waitFor();
        await page.getByText(/Hash rule:/).waitFor();
        const href = await page.getByRole('link', { name: 'Download chain links (JSON)' }).getAttribute('href');
        const res = await page.request.get(BASE + href);
        expect(res.ok(), `chain export answered ${res.status()}`);
        const links = await res.json();
        expect(links.length > 10 && Object.keys(links[0]).sort().join() === 'action,hash,occurred_at,prev_hash,seq', 'the chain export is not links only');
        expect(links.every((l, i) => i === 0 || l.prev_hash === links[i - 1].hash), 'the exported links do not chain');
        await screenshot(page, 'audit page operator');
      }, { needs: () => signedIn });

      await step('operator sees the terms templates', page, async () => {
        await goto(page, '/terms');
        expect((await heading(page)) === 'Terms templates', 'no "Terms templates" heading');
        await page.locator('a[href^="/terms/"]:not([href="/terms/new"])').first().waitFor();
        await page.getByRole('link', { name: 'Publish a template' }).waitFor();
      }, { needs: () => signedIn });
      await axe(page, 'terms templates', () => signedIn);
      await step('operator signs out', page, () => signOut(page), { needs: () => signedIn });
      await page.context().close();
    }

    // ---------------------------------------------------------------- second factor
    log('\nSecond factor (TOTP enrolment, sign-in, step-up, recovery code; a passkey: add, sign in, step-up)');
    {
      const account = ACCOUNTS.mfaDeveloper;
      // Older sessions of the same person, signed in with the password before enrolling: they
      // have never passed a factor, so their next step-up action asks for one (one for the code,
      // one for the passkey).
      const older = await newPage();
      const olderIn = await step(`${account.label} signs in elsewhere, password only`, older, () => signIn(older, account));
      const older2 = await newPage();
      const older2In = await step(`${account.label} signs in in a third browser, password only`, older2, () => signIn(older2, account));
      const page = await newPage();
      const signedIn = await step(`${account.label} (${account.email}) signs in`, page, () => signIn(page, account));
      let code = null;
      let recovery = [];
      const enrolled = await step('enrols an authenticator app: QR code, key as text, one code, ten recovery codes', page, async () => {
        await goto(page, '/security');
        expect((await heading(page)) === 'Sign-in security', 'no "Sign-in security" heading');
        await page.getByRole('button', { name: 'Start setup' }).click();
        await page.getByRole('img', { name: /QR code for your authenticator app/ }).locator('svg').waitFor();
        const key = ((await page.getByLabel('Setup key').textContent()) ?? '').replace(/\s+/g, '');
        expect(/^[A-Z2-7]{32}$/.test(key), `the setup key is not a base32 secret: ${key}`);
        code = authenticator(key);
        await screenshot(page, 'mfa-enrol-1280');
        const phone = await phoneOf(page);
        await phone.goto(page.url());
        await settle(phone);
        await screenshot(phone, 'mfa-security-375');
        expect((await overflowX(phone)) <= 0, 'the enrolment page scrolls sideways at 375 px');
        await phone.context().close();
        await page.getByLabel(/^Authentication code/).fill(await code());
        await page.getByRole('button', { name: 'Confirm and finish' }).click();
        const codes = page.getByRole('list', { name: 'Recovery codes' }).locator('code');
        await codes.first().waitFor();
        recovery = (await codes.allTextContents()).map((c) => c.trim());
        expect(recovery.length === 10, `${recovery.length} recovery codes shown`);
        await screenshot(page, 'mfa-recovery-codes-1280');
      }, { needs: () => signedIn });
      await axe(page, 'recovery codes', () => enrolled);
      await step('continues to the dashboard, then sees the factor on the security page', page, async () => {
        await page.getByRole('button', { name: /I have saved them/ }).click();
        await page.waitForURL((u) => u.pathname === '/');
        await goto(page, '/security');
        await page.getByText('Recovery codes left: 10 of 10', { exact: false }).waitFor();
      }, { needs: () => enrolled });
      await axe(page, 'security page (enrolled)', () => enrolled);
      await step('the older session is asked for a code when creating an API token, then the token is created', older, async () => {
        await goto(older, '/api-tokens');
        await older.getByLabel(/^Token name/).fill(`e2e step-up ${RUN_ID}`);
        await older.getByRole('button', { name: 'Create token' }).click();
        const dialog = openDialog(older);
        await dialog.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
        await screenshot(older, 'mfa-step-up-dialog-1280');
        await older.setViewportSize({ width: 375, height: 812 });
        await screenshot(older, 'mfa-step-up-dialog-375');
        await older.setViewportSize({ width: 1280, height: 900 });
        await dialog.getByLabel(/^Authentication code/).fill(await code());
        await dialog.getByRole('button', { name: 'Confirm and continue' }).click();
        await dialogClosed(older);
        await older.getByText(`e2e step-up ${RUN_ID}`).first().waitFor();
      }, { needs: () => enrolled && olderIn });
      await step('signs out and in again with a code from the app', page, async () => {
        await signOut(page);
        await signIn(page, account, code);
      }, { needs: () => enrolled });
      await step('signs out and in with a recovery code (it then works no more)', page, async () => {
        await signOut(page);
        await goto(page, '/sign-in');
        await page.getByLabel(/^Email address/).fill(account.email);
        await page.getByLabel(/^Password/).fill(PASSWORD);
        await tick(page, 'I have read and understand the system use notice');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByLabel(/^Authentication code/).waitFor();
        await screenshot(page, 'mfa-sign-in-code-1280');
        await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
        await page.getByLabel(/^Recovery code/).fill(recovery[0]);
        await page.getByRole('button', { name: 'Verify and sign in' }).click();
        await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
        await goto(page, '/security');
        await page.getByText('Recovery codes left: 9 of 10', { exact: false }).waitFor();
      }, { needs: () => enrolled });
      // Passkeys, with Chromium's virtual authenticator (platform, resident keys, user verified).
      const virtualAuthenticator = async (p) => {
        const cdp = await p.context().newCDPSession(p);
        await cdp.send('WebAuthn.enable');
        const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
          options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
        });
        return { cdp, authenticatorId };
      };
      let device = null;
      const added = await step('adds a passkey named on the security page', page, async () => {
        device = await virtualAuthenticator(page);
        await goto(page, '/security');
        await page.getByLabel(/^Name for the new passkey/).fill('E2E laptop');
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.getByText('The passkey “E2E laptop” was added.').waitFor();
        await page.getByRole('list', { name: 'Your passkeys' }).getByText('E2E laptop', { exact: true }).waitFor();
        await screenshot(page, 'passkey-security-1280');
        const phone = await phoneOf(page);
        await phone.goto(page.url());
        await settle(phone);
        await screenshot(phone, 'passkey-security-375');
        expect((await overflowX(phone)) <= 0, 'the security page scrolls sideways at 375 px');
        await phone.context().close();
      }, { needs: () => enrolled });
      await axe(page, 'security page (passkey)', () => added);
      await step('signs out and in with the password and the passkey', page, async () => {
        await signOut(page);
        await goto(page, '/sign-in');
        await page.getByLabel(/^Email address/).fill(account.email);
        await page.getByLabel(/^Password/).fill(PASSWORD);
        await tick(page, 'I have read and understand the system use notice');
        await page.getByRole('button', { name: 'Sign in' }).click();
        const use = page.getByRole('button', { name: 'Use a passkey' });
        await use.waitFor();
        await screenshot(page, 'passkey-sign-in-1280');
        await page.setViewportSize({ width: 375, height: 812 });
        await screenshot(page, 'passkey-sign-in-375');
        expect((await overflowX(page)) <= 0, 'the second step scrolls sideways at 375 px');
        await page.setViewportSize({ width: 1280, height: 900 });
        await axe(page, 'sign-in second step (passkey)');
        await use.click();
        await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
        await goto(page, '/security');
        await page.getByText(/last used/).first().waitFor();
      }, { needs: () => added });
      await step('a session that never passed a factor is asked to confirm, and the passkey passes the step-up', older2, async () => {
        // The same passkey on this browser's authenticator (as a synced passkey would be).
        const { credentials } = await device.cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId });
        expect(credentials.length === 1, `${credentials.length} credentials on the virtual authenticator`);
        const there = await virtualAuthenticator(older2);
        await there.cdp.send('WebAuthn.addCredential', { authenticatorId: there.authenticatorId, credential: credentials[0] });
        await goto(older2, '/api-tokens');
        await older2.getByLabel(/^Token name/).fill(`e2e passkey step-up ${RUN_ID}`);
        await older2.getByRole('button', { name: 'Create token' }).click();
        const dialog = openDialog(older2);
        await dialog.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
        await screenshot(older2, 'passkey-step-up-dialog-1280');
        await older2.setViewportSize({ width: 375, height: 812 });
        await screenshot(older2, 'passkey-step-up-dialog-375');
        await older2.setViewportSize({ width: 1280, height: 900 });
        await dialog.getByRole('button', { name: 'Use a passkey' }).click();
        await dialogClosed(older2);
        await older2.getByText(`e2e passkey step-up ${RUN_ID}`).first().waitFor();
      }, { needs: () => added && older2In });
      const tokenName = `e2e read ${RUN_ID}`;
      const sessionsOk = await step('creates a read-only token with an expiry; the sessions page marks this browser', page, async () => {
        await goto(page, '/api-tokens');
        await page.getByLabel(/^Token name/).fill(tokenName);
        expect(await page.getByLabel('Read only').isChecked(), 'read only is not the default');
        await page.getByLabel(/^Expires after/).selectOption('30');
        await page.getByRole('button', { name: 'Create token' }).click();
        await page.getByText('Copy your new token now').waitFor();
        const row = page.locator('tbody tr', { hasText: tokenName });
        expect(((await row.textContent()) ?? '').includes('Read only'), 'the token row does not show its scope');
        await screenshot(page, 'api-tokens-1280');
        const tokensPhone = await phoneOf(page);
        await tokensPhone.goto(page.url());
        await settle(tokensPhone);
        await screenshot(tokensPhone, 'api-tokens-375');
        expect((await overflowX(tokensPhone)) <= 0, 'the tokens page scrolls sideways at 375 px');
        await tokensPhone.context().close();
        await page.getByRole('link', { name: 'Sessions' }).first().click();
        await page.waitForURL((u) => u.pathname === '/sessions');
        await settle(page);
        await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
        const current = page.locator('tbody tr', { hasText: 'This browser' });
        // The page loads its list after the heading shows: wait for the rows before counting.
        await current.first().waitFor();
        expect((await current.count()) === 1, 'not exactly one session marked as this browser');
        expect(/Chrome on Linux/.test((await current.textContent()) ?? ''), 'the current session does not name its browser');
        await page.locator('tbody tr', { hasText: tokenName }).waitFor();
        await screenshot(page, 'sessions-1280');
        const phone = await phoneOf(page);
        await phone.goto(page.url());
        await settle(phone);
        await screenshot(phone, 'sessions-375');
        expect((await overflowX(phone)) <= 0, 'the sessions page scrolls sideways at 375 px');
        await phone.context().close();
      }, { needs: () => enrolled });
      await axe(page, 'sessions page', () => sessionsOk);
      await step('ends the token, then this session, and lands on sign-in with a notice', page, async () => {
        const tokenRow = page.locator('tbody tr', { hasText: tokenName });
        await tokenRow.getByRole('button', { name: /^End/ }).click();
        let dialog = openDialog(page);
        await dialog.getByRole('button', { name: 'Revoke token' }).click();
        await dialogClosed(page);
        await tokenRow.waitFor({ state: 'detached' });
        await page.locator('tbody tr', { hasText: 'This browser' }).getByRole('button', { name: /^End/ }).click();
        dialog = openDialog(page);
        await dialog.getByRole('heading', { name: 'End this session and sign out?' }).waitFor();
        await dialog.getByRole('button', { name: 'End and sign out' }).click();
        await page.waitForURL((u) => u.pathname.startsWith('/sign-in'));
        await page.getByText('You ended this session and are signed out.', { exact: false }).waitFor();
        await screenshot(page, 'sessions-ended-sign-in-1280');
      }, { needs: () => sessionsOk });
      await older.context().close();
      await older2.context().close();
      await page.context().close();
    }

    // ---------------------------------------------------------------- single sign-on
    log('\nSingle sign-on (OpenID Connect, the test identity provider)');
    if (!process.env.E2E_SSO) {
      log('  note: E2E_SSO is not set (scripts/e2e.sh sets it when it starts the provider); these steps fail.');
    }
    {
      const page = await newPage();
      /** From the sign-in page to the provider's login form, which signs in whoever is named. */
      const viaProvider = async (email) => {
        // Each sign-in starts signed out of both the portal and the provider (whose own
        // session would otherwise sign the previous person in again without asking).
        await page.context().clearCookies();
        await goto(page, '/sign-in');
        await tick(page, 'I have read and understand the system use notice');
        await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
        await page.getByRole('heading', { name: 'Test identity provider' }).waitFor();
        await page.getByLabel('Email').fill(email);
        await page.getByRole('button', { name: 'Continue' }).click();
      };
      const offered = await step('sign-in page offers "Sign in with Test ID", and asks for the notice first', page, async () => {
        await goto(page, '/sign-in');
        const button = page.getByRole('link', { name: 'Sign in with Test ID' });
        await button.waitFor();
        await button.click();
        await page.getByText('confirm that you have read the system use notice', { exact: false }).first().waitFor();
        expect(new URL(page.url()).pathname === '/sign-in', 'left the sign-in page without acknowledging the notice');
        await screenshot(page, 'sso-sign-in-1280');
      });
      await step('an address with no account comes back with a plain-words refusal and no session', page, async () => {
        await viaProvider(`nobody-${RUN_ID}@unknown.example`);
        await page.waitForURL((u) => u.pathname === '/sign-in' && u.searchParams.get('sso_error') === 'no_account');
        await page.getByRole('heading', { name: 'No portal account for this sign-in' }).waitFor();
        const me = await page.request.get(`${BASE}/api/v1/auth/me`);
        expect(me.status() === 401, `a refused SSO sign-in left a session (GET /auth/me answered ${me.status()})`);
        await screenshot(page, 'sso-no-account-1280');
      }, { needs: () => offered });
      await axe(page, 'sign-in with a single sign-on refusal', () => offered);
      const partnerIn = await step(`${ACCOUNTS.ssoPartner.label} signs in through the provider and lands in the portal`, page, async () => {
        await viaProvider(ACCOUNTS.ssoPartner.email);
        await page.waitForURL((u) => !u.pathname.startsWith('/sign-in') && u.origin === new URL(BASE).origin);
        await settle(page);
        await page.locator('.fap-account__name', { hasText: ACCOUNTS.ssoPartner.name }).first().waitFor();
        await screenshot(page, 'sso-signed-in-1280');
      }, { needs: () => offered });
      if (partnerIn) await step('the SSO session signs out like any other', page, () => signOut(page));
      await step(`${ACCOUNTS.ssoAgency.label}: a provider sign-in with one factor is followed by the portal's code step`, page, async () => {
        await viaProvider(ACCOUNTS.ssoAgency.email);
        await page.waitForURL((u) => u.pathname === '/sign-in' && u.searchParams.get('sso') === 'second_factor');
        const code = page.getByLabel(/^Authentication code/);
        await code.waitFor();
        await screenshot(page, 'sso-second-factor-1280');
        await code.fill(totp(DEMO_TOTP_SECRET));
        await page.getByRole('button', { name: 'Verify and sign in' }).click();
        await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
        await settle(page);
        await page.getByRole('button', { name: 'Sign out' }).or(page.getByRole('button', { name: 'Menu' })).first().waitFor();
      }, { needs: () => offered });
      await page.context().close();
    }
  } finally {
    await browser.close();
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (failed) {
    log('\nFailures:');
    for (const r of results.filter((x) => !x.ok)) log(`  - ${r.name}: ${String(r.error).split('\n')[0]}`);
  }
  log(`\nScreenshots: ${ARTIFACTS}`);
  log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  const passed = results.filter((r) => r.ok).length;
  console.log(`${passed} passed, ${results.length - passed + 1} failed`);
  process.exit(1);
});
