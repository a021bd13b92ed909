// Issue 12 in the browser: a reader sees their trust level on the site, what it allows, why
// it last changed and what wins back a lost level; a new reader's report is refused with the
// reason; the widget's footer leads to the public moderation log, a page with no script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { signInWidget, comment } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
const password = 'correct horse battery';
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const pin = (userID, level, reason) => stack.must(
  `mutation($i: PinTrustLevelInput!) { pinTrustLevel(input: $i) { level } }`,
  { i: { siteID: stack.site.id, userID, level, reason } }, stack.admin.token);

test('a reader reads their trust level, what it allows and what wins back a lost level; the footer leads to the public log', { skip }, async () => {
  const url = stack.articlePage('/news/trust', { title: 'Standing and the log' });
  const author = await stack.signUp('trustauthor');
  const reader = await stack.signUp('trustreader');
  await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
    { i: { storyURL: url, body: 'A comment to report.' } }, author.token);
  // A moderator gave the reader level 1, then lifted the pin: with nothing done on the site
  // yet, the reader is back at level 0 and has lost what level 1 allowed.
  await pin(reader.user.id, 1, 'Vouched for by the editor.');
  await pin(reader.user.id, null, 'The pin was a mistake.');

  const context = await browser.newContext({ viewport: { width: 720, height: 1100 } });
  const page = await context.newPage();
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('heading', { name: '1 comment' }).waitFor();
  await signInWidget(page, 'trustreader', password);

  const toggle = widget.getByRole('button', { name: 'Your trust level here: 0 (new)' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const panel = widget.getByRole('region', { name: 'Your trust level on this site' });
  await panel.getByText('You are at level 0 (new).').waitFor();
  const report = panel.getByRole('listitem').filter({ hasText: 'You can report comments to the moderators.' });
  await report.getByText('from level 1').waitFor();
  await panel.getByText('A moderator lifted the pin on your level (The pin was a mistake.); your activity earns level 0.').waitFor();
  await panel.getByRole('heading', { name: 'To get level 1 back' }).waitFor();
  await panel.getByText('at least 1 day with activity (you have 0)').waitFor();
  await panel.getByText('at least 1 published comment (you have 0)').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: process.env.TRUST_SCREENSHOT || '/tmp/parley-trust-panel.png', fullPage: true });

  // What the panel says is what the server does: a level 0 report is refused, with why.
  await comment(page, 'trustauthor').getByRole('button', { name: 'Report', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Report a comment' });
  await dialog.getByLabel('Spam').check();
  await dialog.getByRole('button', { name: 'Send report' }).click();
  await dialog.getByText(/reporting opens at trust level 1/).waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The footer's link opens the site's public log: the pins are there, no one is named.
  const link = widget.getByRole('link', { name: 'Moderation log' });
  assert.equal(await link.getAttribute('href'), `${stack.parleyURL}/log/${stack.site.id}`);
  // axe is injected as a script, which the page's policy (no script at all) would refuse.
  const logContext = await browser.newContext({ bypassCSP: true });
  const log = await logContext.newPage();
  const res = await log.goto(await link.getAttribute('href'));
  assert.equal(res.status(), 200);
  assert.match(res.headers()['cache-control'], /max-age=\d+/);
  assert.match(res.headers()['content-security-policy'], /default-src 'none'/);
  await log.getByRole('heading', { name: 'Moderation log of The Host Gazette' }).waitFor();
  await log.getByText('The trust level of a commenter was pinned from level 0 to level 1.').waitFor();
  await log.getByText('The pin on the trust level of a commenter was lifted: from level 1 to level 0, what their activity earns.').waitFor();
  assert.equal(await log.locator('script').count(), 0);
  assert.equal(await log.getByText('trustreader').count(), 0, 'the log names the reader');
  assert.deepEqual(await axeViolations(log), []);
  await log.screenshot({ path: process.env.LOG_SCREENSHOT || '/tmp/parley-log-page.png', fullPage: true });
  await logContext.close();
  await context.close();
});
