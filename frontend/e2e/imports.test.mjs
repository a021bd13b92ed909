// Importing from the dashboard against a real server: an administrator uploads the Coral
// sample, watches it import, reads what was imported and skipped, and sees the comments on
// the story; uploading the same file again adds nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, launchBrowser, browserAvailable, axeViolations, mustGraphql } from './harness.mjs';
import { signInDashboard } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
const sample = join(fileURLToPath(new URL('.', import.meta.url)), '../../importer/testdata/coral.json');
let stack;
let browser;
let page;

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('an admin uploads a Coral export and sees what was imported', { skip }, async () => {
  await page.goto(`${stack.parleyURL}/admin/?site=${stack.site.id}`);
  await signInDashboard(page, 'admin', stack.admin.password);
  await page.getByRole('link', { name: 'Import' }).click();
  await page.getByRole('heading', { name: 'Import', level: 1 }).waitFor();

  await page.getByLabel('Format').selectOption('coral');
  await page.getByLabel('Export file').setInputFiles(sample);
  await page.getByRole('button', { name: 'Import' }).click();
  const summary = page.getByTestId('import-summary');
  await summary.waitFor();
  assert.equal(await summary.textContent(), 'Imported 8 comments (2 threads, 2 reactions); 0 were imported before; 7 skipped.');
  await page.getByText('Skipped 2: flags and other actions than reactions are not imported').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(process.env.PARLEY_E2E_SHOTS || '/tmp', 'dashboard-imports.png'), fullPage: true });

  // The dashboard's Stories view lists the imported story with its three published comments.
  await page.getByRole('link', { name: 'Stories' }).click();
  await page.getByRole('link', { name: 'Council votes on the new bridge', exact: true }).waitFor();
  const token = await page.evaluate(() => localStorage.getItem('parley.dashboard.token'));
  const found = await mustGraphql(stack.parleyURL, `query($s: ID!) { stories(siteID: $s, query: "bridge") { edges { node { commentCount comments(first: 10) { edges { node { body } } } } } } }`,
    { s: stack.site.id }, token);
  const story = found.stories.edges[0].node;
  assert.equal(story.commentCount, 3);
  const bodies = story.comments.edges.map((e) => e.node.body).join(' ');
  assert.match(bodies, /Twenty years of talk/);

  await page.getByRole('link', { name: 'Import' }).click();
  await page.getByLabel('Format').selectOption('coral');
  await page.getByLabel('Export file').setInputFiles(sample);
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByText('Imported 0 comments (2 threads, 0 reactions); 8 were imported before; 7 skipped.').waitFor();
});

test('a file of another format says why it stopped', { skip }, async () => {
  await page.getByLabel('Format').selectOption('disqus');
  await page.getByLabel('Export file').setInputFiles(sample);
  await page.getByRole('button', { name: 'Import' }).click();
  const alert = page.getByRole('alert').filter({ hasText: /XML|Disqus/ });
  await alert.waitFor();
  // Refused before it read anything: no report of zeros under "Done".
  assert.equal(await page.getByTestId('import-summary').count(), 0);
});

test('an admin downloads the whole site to move it', { skip }, async () => {
  await page.getByRole('link', { name: 'Import' }).click();
  await page.getByRole('heading', { name: 'Move this site to another instance' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the site' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^parley-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.json$/);
  // One JSON object, written one record a line, that ends with the count of each section.
  const file = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(file.format, 'parley-site');
  assert.equal(file.site.id, stack.site.id);
  assert.ok(file.end.counts.comments >= 8, `the file counts ${file.end.counts.comments} comments`);
  await page.getByRole('status').filter({ hasText: /^Downloaded \(/ }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(process.env.PARLEY_E2E_SHOTS || '/tmp', 'dashboard-export.png'), fullPage: true });
});

