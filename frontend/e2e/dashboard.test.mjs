// The moderator dashboard against a real server: a moderator signs in, works the queues from
// the keyboard, takes decisions back, sees the queues change live, deals with an author, and
// changes a site's settings and stories. Each step is checked in the page and in the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { signInDashboard, comment } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let page;

const UPDATE_SETTINGS = `mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`;

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
  // A second site, so that choosing the site is a real choice.
  await stack.must(`mutation($i: CreateSiteInput!) { createSite(input: $i) { id } }`,
    { i: { name: 'A Quiet Blog', allowedOrigins: ['https://quiet.example'] } }, stack.admin.token);
  await stack.must(UPDATE_SETTINGS, { i: { siteID: stack.site.id, premodAll: true } }, stack.admin.token);
  // The page bypasses CSP only so that the test can inject axe-core; the app never needs it.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Posts a comment as a new reader through the API and returns its id. */
async function postAs(username, body, path = '/news/first') {
  const reader = await stack.signUp(username);
  const { createComment } = await stack.must(
    `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id status } } }`,
    { i: { storyURL: stack.hostURL + path, body } }, reader.token);
  assert.equal(createComment.comment.status, 'PENDING', 'the site holds every comment');
  return createComment.comment.id;
}

async function statusOf(id) {
  const { comment: c } = await stack.must(`query($id: ID!) { comment(id: $id) { status } }`, { id }, stack.admin.token);
  return c.status;
}

const tab = (name) => page.getByRole('tab', { name: new RegExp(`^${name}`) });

async function assertNoAxeViolations(where) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe-core found violations on ${where}`);
}

test('a moderator signs in, chooses the site and approves a held comment from the keyboard', { skip }, async () => {
  await postAs('amber', 'Please hold this one for review.');
  await page.goto(`${stack.parleyURL}/admin/`);
  await signInDashboard(page, 'admin', stack.admin.password);
  await page.getByLabel('Site').selectOption({ label: stack.site.name });
  await page.waitForURL(new RegExp(`site=${stack.site.id}`));
  await tab('Pending').click();

  const held = comment(page, 'amber');
  await held.waitFor();
  await tab('Pending 1').waitFor();
  await assertNoAxeViolations('the queue');

  await page.locator('body').press('j');
  assert.equal(await held.getAttribute('aria-current'), 'true', 'j selects the first comment');
  await page.locator('body').press('a');
  await held.waitFor({ state: 'detached' });
  await page.getByRole('status').getByText('Approved.').waitFor();
  await tab('Pending 0').waitFor();

  await tab('Approved').click();
  await comment(page, 'amber').waitFor();
  assert.match(page.url(), /\/admin\/queue\/approved\?site=/);
});

test('a rejection takes a reason in the dialog, and Undo brings the comment back', { skip }, async () => {
  const id = await postAs('basil', 'Buy cheap watches here.');
  await tab('Pending').click();
  const held = comment(page, 'basil');
  await held.waitFor();

  await held.getByRole('button', { name: 'Reject' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reject the comment' });
  await dialog.getByRole('radio', { name: 'Offensive' }).check();
  await dialog.getByRole('radio', { name: 'Offensive' }).press('Enter');
  await held.waitFor({ state: 'detached' });
  assert.equal(await statusOf(id), 'REJECTED');
  const { comment: rejected } = await stack.must(`query($id: ID!) { comment(id: $id) { trail { decision } } }`, { id }, stack.admin.token);
  assert.ok(rejected.trail.length > 0);

  await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
  await comment(page, 'basil').waitFor();
  await page.getByRole('status').getByText('Undone.').waitFor();
  assert.equal(await statusOf(id), 'PENDING');
});

test('the counts and the queue update live when a comment is held', { skip }, async () => {
  await tab('Pending 1').waitFor();
  await postAs('cedar', 'Arrives while the moderator watches.');
  await tab('Pending 2').waitFor();
  await comment(page, 'cedar').waitFor();
  // The newest comment comes first and the older one keeps its place below it.
  const authors = await page.getByRole('article').evaluateAll((cards) => cards.map((c) => c.getAttribute('aria-label')));
  assert.deepEqual(authors, ['Comment by cedar', 'Comment by basil']);
});

test('the user drawer opens with u; a note is added and a suspension applied', { skip }, async () => {
  // Undo selected basil's returning comment; cedar's arrived above it.
  assert.equal(await comment(page, 'basil').getAttribute('aria-current'), 'true');
  await page.locator('body').press('k');
  assert.equal(await comment(page, 'cedar').getAttribute('aria-current'), 'true');
  await page.locator('body').press('u');
  const drawer = page.getByRole('dialog', { name: 'cedar' });
  await drawer.getByText('Pending', { exact: true }).first().waitFor();
  await assertNoAxeViolations('the user drawer');

  await drawer.getByLabel('New note').fill('Posts ads in bursts; watch closely.');
  await drawer.getByRole('button', { name: 'Add note' }).click();
  await drawer.getByText('Posts ads in bursts; watch closely.').waitFor();

  await drawer.getByRole('radio', { name: 'Suspend' }).check();
  await drawer.getByLabel('Duration').selectOption({ label: '7 days' });
  await drawer.getByLabel('Message to cedar').fill('Take a week off.');
  await drawer.getByRole('button', { name: 'Suspend' }).click();
  await drawer.getByText('Suspended for 7 days.').waitFor();
  await drawer.getByRole('button', { name: /^Revoke the suspension/ }).waitFor();

  const cedarID = await userID('cedar');
  const { user } = await stack.must(`query($id: ID!, $site: ID!) { user(id: $id) {
    notes(siteID: $site) { body } sanctions(siteID: $site) { kind message expiresAt } } }`,
  { id: cedarID, site: stack.site.id }, stack.admin.token);
  assert.deepEqual(user.notes.map((n) => n.body), ['Posts ads in bursts; watch closely.']);
  assert.equal(user.sanctions[0].kind, 'SUSPEND');
  assert.equal(user.sanctions[0].message, 'Take a week off.');
  const days = (Date.parse(user.sanctions[0].expiresAt) - Date.now()) / 86400000;
  assert.ok(days > 6.9 && days <= 7, `the suspension ends in ${days} days`);

  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'detached' });
});

test('? lists the keyboard shortcuts', { skip }, async () => {
  await page.locator('body').press('?');
  const keys = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  for (const description of ['Select the next comment', 'Approve the selected comment', "Open the author's history and sanctions"]) {
    await keys.getByText(description).waitFor();
  }
  await page.keyboard.press('Escape');
  await keys.waitFor({ state: 'hidden' });
});

test('settings save, and a bad value shows its error next to the field', { skip }, async () => {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  await page.getByLabel('Hold comments that contain links').check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
  const { site } = await stack.must(`query($id: ID!) { site(id: $id) { settings { premodLinks maxCommentLength } } }`, { id: stack.site.id }, stack.admin.token);
  assert.equal(site.settings.premodLinks, true);
  await assertNoAxeViolations('the settings');

  const longest = page.getByLabel('Longest comment (characters)');
  await longest.fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#maxCommentLength-error').waitFor();
  assert.match(await page.locator('#maxCommentLength-error').textContent(), /between/);
  assert.equal(await longest.getAttribute('aria-invalid'), 'true');
  assert.ok(await longest.evaluate((el) => el === document.activeElement), 'the field to fix has focus');
  const { site: after } = await stack.must(`query($id: ID!) { site(id: $id) { settings { maxCommentLength } } }`, { id: stack.site.id }, stack.admin.token);
  assert.equal(after.settings.maxCommentLength, site.settings.maxCommentLength, 'nothing was saved');
});

test('stories are searched and closed', { skip }, async () => {
  await postAs('delta', 'A comment on the budget story.', '/news/budget-2027');
  await page.getByRole('link', { name: 'Stories' }).click();
  await page.getByLabel('Search stories').fill('budget');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const rows = page.getByRole('row').filter({ hasText: '/news/' });
  // The first story is listed until the search answers.
  await rows.filter({ hasText: '/news/first' }).waitFor({ state: 'detached' });
  await rows.filter({ hasText: 'budget-2027' }).waitFor();
  assert.deepEqual(await rows.getByRole('rowheader').allTextContents(), [`${stack.hostURL}/news/budget-2027`]);

  await page.getByRole('button', { name: /^Close/ }).click();
  await page.getByRole('button', { name: /^Reopen/ }).waitFor();
  const { story } = await stack.must(`query($url: String!) { story(url: $url) { closed } }`, { url: `${stack.hostURL}/news/budget-2027` }, stack.admin.token);
  assert.equal(story.closed, true);

  await page.getByRole('link', { name: /^Queue of/ }).click();
  await page.getByText('Only comments on').waitFor();
  await comment(page, 'delta').waitFor();
  assert.equal(await page.getByRole('article').count(), 1, 'the queue shows only that story');
});

async function userID(username) {
  const { moderationQueue } = await stack.must(`query($site: ID!) { moderationQueue(queue: PENDING, siteID: $site, first: 50) {
    edges { node { author { id username } } } } }`, { site: stack.site.id }, stack.admin.token);
  return moderationQueue.edges.map((e) => e.node.author).find((a) => a.username === username).id;
}
