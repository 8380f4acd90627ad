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
import { ACCOUNTS, PASSWORD } from './accounts.mjs';

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

async function signIn(page, account) {
  await goto(page, '/sign-in');
  await page.getByLabel(/^Email address/).fill(account.email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await tick(page, 'I have read and understand the system use notice');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'), { timeout: TIMEOUT }).catch(async () => {
    const alert = await page.locator('.usa-alert--error').first().textContent().catch(() => '');
    throw new Error(`sign-in as ${account.label} (${account.email}) failed: ${alert || 'still on the sign-in page'}`);
  });
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
        await page.waitForURL(/\/models\/[^/]+$/);
        await settle(page);
        expect((await heading(page)).includes(state.model), 'model page heading does not show the model');
        await page.getByText('Participation is voluntary.').first().waitFor();
        await page.locator('figure.fap-timeline svg').waitFor();
        state.modelPath = new URL(page.url()).pathname;
      }, { needs: ok });
      await axe(page, 'model page', () => modelOk);

      const reqOk = await step('developer files and submits a designation request', page, async () => {
        await page.getByRole('link', { name: 'File a designation request' }).click();
        await page.waitForURL(/designation-requests\/new/);
        await settle(page);
        await page.getByLabel(/^Summary/).fill('Please determine whether this model is a covered frontier model.');
        await page.getByLabel(/^Capability evidence/).fill('End-to-end test evidence: none of substance.');
        await page.getByRole('button', { name: 'Save draft' }).click();
        await page.waitForURL(/designation-requests\/(?!new)[^/]+$/);
        await settle(page);
        await page.getByRole('button', { name: 'Submit to reviewers' }).click();
        await page.getByText('Request submitted to the reviewers.').waitFor();
        await page.locator('h1 .fap-tag', { hasText: 'Submitted' }).waitFor();
        state.requestPath = new URL(page.url()).pathname;
      }, { needs: () => modelOk });
      await axe(page, 'designation request (developer)', () => reqOk);

      let termsLabel = null;
      await step('developer publishes a terms version and sees its SHA-256', page, async () => {
        await goto(page, '/terms/new');
        termsLabel = `E2E terms ${RUN_ID}`;
        await page.getByLabel(/^Label/).fill(termsLabel);
        for (const s of ['Confidentiality', 'Cybersecurity', 'Insider risk', 'Intellectual property', 'Use', 'Nondisclosure']) {
          await page.getByLabel(new RegExp(`^${s}`)).fill(`${s} requirements for the end-to-end test.`);
        }
        await page.getByRole('button', { name: 'Publish terms' }).click();
        await page.waitForURL(/\/terms\/(?!new)[^/]+$/);
        await settle(page);
        const hash = await page.locator('.fap-hash code').first().textContent();
        expect(/^[0-9a-f]{64}$/.test((hash ?? '').trim()), `SHA-256 not shown (got "${hash}")`);
      }, { needs: ok });

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

      await step('the model timeline shows the new government window', page, async () => {
        await goto(page, state.modelPath);
        await page.locator('.fap-tl-bar--government').first().waitFor();
        await page.locator('.fap-timeline__text', { hasText: 'Government access' }).waitFor();
      }, { needs: () => grantOk });
      await axe(page, 'model page with window', () => grantOk);

      const phone = await newPage({ width: 375, height: 812 });
      await phone.context().addCookies(await page.context().cookies());
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
        await page.getByLabel('Model or developer').fill(state.model);
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
        await page.getByLabel(/^Office consulted/).selectOption('NSA');
        await tick(page, 'No comment');
        await page.getByLabel(/^Note/).fill('Recorded by the end-to-end test.');
        await page.getByRole('button', { name: 'Record consultation' }).click();
        await page.getByText('Consultation recorded.').waitFor();
      }, { needs: () => signedIn && !!state.requestPath });

      state.determined = await step('NSA reviewer records a determination', page, async () => {
        await goto(page, state.requestPath);
        await tick(page, 'Covered frontier model');
        await page.getByLabel(/^Unclassified rationale/).fill('Capabilities meet the benchmark threshold (end-to-end test).');
        await page.getByLabel(/^Benchmark reference label/).fill(`E2E-REF-${RUN_ID}`);
        await page.getByRole('button', { name: 'Record determination' }).click();
        await page.getByText('Determination recorded').first().waitFor();
        await page.locator('h1 .fap-tag', { hasText: 'Determined' }).waitFor();
      }, { needs: () => signedIn && !!state.requestPath });
      await axe(page, 'designation request (reviewer)', () => signedIn && !!state.requestPath);

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
        const link = page.locator('table a[href^="/partner-grants/"]').first();
        await link.waitFor({ timeout: TIMEOUT }).catch(() => {
          throw new Error('no early-access grant listed for the partner (does the demo data issue one?)');
        });
        grantHref = await link.getAttribute('href');
      }, { needs: () => signedIn });
      await axe(page, 'partner grants', () => signedIn);
      await step('partner grant page shows window, days remaining and terms', page, async () => {
        await goto(page, grantHref);
        expect((await heading(page)).startsWith('Early access'), 'grant page heading missing');
        await page.getByText('Days remaining').waitFor();
        await page.locator('summary', { hasText: 'Read the terms' }).waitFor();
        await page.locator('figure.fap-timeline svg').waitFor();
      }, { needs: () => !!grantHref });
      await axe(page, 'partner grant', () => !!grantHref);
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
