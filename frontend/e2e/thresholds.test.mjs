// Trust thresholds in the dashboard against a real server: the Rules page fills the form with
// the thresholds in force (trustThresholds), lists what the moderator changes, and proposes a
// CHANGE_THRESHOLDS proposal that opens on its page. PARLEY_E2E_SCREENSHOTS=<dir> keeps a
// screenshot of the form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, launchBrowser, browserAvailable } from './harness.mjs';
import { signInDashboard } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let page;
const shots = process.env.PARLEY_E2E_SCREENSHOTS;

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the thresholds in force fill the form; a change is proposed as CHANGE_THRESHOLDS', { skip }, async () => {
  const { trustThresholds } = await stack.must(`query($s: ID!) { trustThresholds(siteID: $s) { basic { commentsPublished } } }`, { s: stack.site.id }, stack.admin.token);
  await page.goto(`${stack.parleyURL}/admin/rules?site=${stack.site.id}`);
  await signInDashboard(page, 'admin', stack.admin.password);
  await page.getByRole('heading', { name: 'Propose trust thresholds' }).waitFor();
  const field = page.getByLabel('Basic (1): Comments published, at least');
  assert.equal(await field.inputValue(), String(trustThresholds.basic.commentsPublished));
  await page.getByText('No change yet: these are the thresholds in force.').waitFor();
  const wanted = trustThresholds.basic.commentsPublished + 1;
  await field.fill(String(wanted));
  await page.getByText(`Basic (1): comments published, at least ${trustThresholds.basic.commentsPublished} → ${wanted}`).waitFor();
  await page.locator('#thresholds-rationale').fill('One more published comment before reporting opens.');
  if (shots) await page.locator('.propose-thresholds').screenshot({ path: join(shots, 'thresholds-form.png') });
  await page.getByRole('button', { name: 'Propose these thresholds' }).click();
  await page.getByRole('heading', { name: 'Proposed trust thresholds' }).waitFor();
  const { ruleProposals } = await stack.must(`query($s: ID!) { ruleProposals(siteID: $s) { kind state thresholds { basic { commentsPublished } } } }`,
    { s: stack.site.id }, stack.admin.token);
  assert.equal(ruleProposals.length, 1);
  assert.equal(ruleProposals[0].kind, 'CHANGE_THRESHOLDS');
  assert.equal(ruleProposals[0].thresholds.basic.commentsPublished, wanted);
});
