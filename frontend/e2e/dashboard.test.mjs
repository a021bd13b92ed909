// The moderator dashboard against a real server: a moderator signs in, works the queues from
// the keyboard, takes decisions back, sees the queues change live, deals with an author, and
// changes a site's settings and stories; an administrator pages through an author's history,
// bans on every site, grants and takes back the moderator role, and creates a site. Each step
// is checked in the page and in the API. PARLEY_E2E_SCREENSHOTS=<dir> keeps a screenshot of
// the pipeline editor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { signInDashboard, comment } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let page;
let quietSite;

const UPDATE_SETTINGS = `mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`;

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
  // A second site, so that choosing the site is a real choice.
  ({ createSite: quietSite } = await stack.must(`mutation($i: CreateSiteInput!) { createSite(input: $i) { id } }`,
    { i: { name: 'A Quiet Blog', allowedOrigins: ['https://quiet.example'] } }, stack.admin.token));
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

test('the pipeline grades no rule, and no stage before enough decisions', { skip }, async () => {
  // amber's comment, held by premod_all and approved, is the one decision so far: every stage
  // that ran on it has one decided comment, and premod_all one flag that a moderator overruled.
  const stage = (name) => page.locator('.stage-list > li').filter({ has: page.getByText(name, { exact: true }) });
  for (const rule of ['staff', 'user_status', 'premod_all']) {
    await stage(rule).getByText('A rule: it does what the settings say, so there is nothing to measure').waitFor();
  }
  for (const judge of ['word_list', 'spam']) {
    await stage(judge).getByText(/^Too few decisions to measure yet/).waitFor();
  }
  const pipeline = page.getByRole('group', { name: 'Moderation pipeline' });
  assert.doesNotMatch(await pipeline.innerText(), /precision|recall|\d%/i);
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await pipeline.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'pipeline.png') });
  }
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

test('the stories search stays in the URL through back, forward and reload', { skip }, async () => {
  // The previous test left the stories view for a story's queue; back returns to its search.
  await page.goBack();
  const search = page.getByLabel('Search stories');
  await page.getByRole('heading', { name: 'Stories' }).waitFor();
  assert.equal(await search.inputValue(), 'budget');
  assert.match(page.url(), /\/admin\/stories\?site=[^&]+&q=budget$/);
  const rows = page.getByRole('row').filter({ hasText: '/news/' });
  await rows.filter({ hasText: 'budget-2027' }).waitFor();

  await search.fill('');
  await page.getByLabel('Show').selectOption({ label: 'Closed' });
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL(/show=closed/);
  assert.doesNotMatch(page.url(), /q=/);
  await page.reload();
  await page.getByRole('heading', { name: 'Stories' }).waitFor();
  assert.equal(await page.getByLabel('Show').inputValue(), 'closed');
  await rows.filter({ hasText: 'budget-2027' }).waitFor();
  assert.deepEqual(await rows.getByRole('rowheader').allTextContents(), [`${stack.hostURL}/news/budget-2027`], 'only the closed story');

  // Across the reload these are other documents: wait for the app to show the search.
  await page.goBack();
  await page.waitForURL(/q=budget$/);
  await waitForValue(search, 'budget');
  assert.equal(await page.getByLabel('Show').inputValue(), '');
  await page.goForward();
  await page.waitForURL(/show=closed$/);
  await waitForValue(search, '');
  assert.equal(await page.getByLabel('Show').inputValue(), 'closed');
  await assertNoAxeViolations('the stories');
});

test("the user drawer pages through an author's history with Load more", { skip }, async () => {
  const reader = await stack.signUp('echo');
  const bodies = Array.from({ length: 23 }, (_, i) => `Echo's remark number ${i + 1} about ${['rates', 'roads', 'rivers'][i % 3]}.`);
  for (const body of bodies) {
    await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
      { i: { storyURL: `${stack.hostURL}/news/echoes`, body } }, reader.token);
  }
  await page.getByRole('link', { name: 'Queues' }).click();
  await tab('Pending').click();
  const drawer = await openDrawer(page, 'echo');
  const history = drawer.getByRole('region', { name: 'History on this site' });
  const items = history.getByRole('listitem');
  await items.nth(19).waitFor();
  assert.equal(await items.count(), 20, 'the first page');
  assert.match(await items.first().textContent(), /number 23 /, 'newest first');

  await history.getByRole('button', { name: 'Load more' }).click();
  await items.nth(22).waitFor();
  assert.equal(await items.count(), 23);
  assert.deepEqual((await items.allTextContents()).slice(20).map((t) => t.match(/number \d+/)[0]), ['number 3', 'number 2', 'number 1']);
  await history.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });
  assert.ok(await items.nth(20).evaluate((el) => el === document.activeElement), 'focus moves to the first comment loaded');
  await assertNoAxeViolations('the user drawer with its history');
});

test('an administrator bans on every site', { skip }, async () => {
  const drawer = page.getByRole('dialog', { name: 'echo' });
  await drawer.getByRole('radio', { name: 'Ban', exact: true }).check();
  await drawer.getByRole('radio', { name: 'On every site' }).check();
  await drawer.getByLabel('Message to echo').fill('Spam everywhere.');
  await assertNoAxeViolations('the ban form');
  await drawer.getByRole('button', { name: 'Ban on every site' }).click();
  await drawer.getByText('Banned on every site.').waitFor();
  await drawer.getByRole('region', { name: 'Sanctions' }).getByText(', on every site').waitFor();

  // The ban holds on a site where echo never commented.
  const { user } = await stack.must(`query($id: ID!, $site: ID!) { user(id: $id) { sanctions(siteID: $site) { kind message site { id } } } }`,
    { id: await userID('echo'), site: quietSite.id }, stack.admin.token);
  assert.deepEqual(user.sanctions, [{ kind: 'BAN', message: 'Spam everywhere.', site: null }]);
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'detached' });
});

test('an administrator makes a user moderator, who bans only on the site, and takes the role back', { skip }, async () => {
  await postAs('fern', 'Happy to help keep things civil.');
  const drawer = await openDrawer(page, 'fern');
  const role = drawer.getByRole('region', { name: 'Role on this site' });
  await role.getByText('Commenter').waitFor();
  await role.getByRole('button', { name: 'Make moderator' }).click();
  await role.getByText('fern now moderates this site.').waitFor();
  await role.getByText('Moderator', { exact: true }).waitFor();
  const fernID = await userID('fern');
  assert.equal(await roleOf(fernID), 'MODERATOR');

  // fern now works the site's queue, with a moderator's drawer: no bans on every site, no roles.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const moderator = await context.newPage();
    await moderator.goto(`${stack.parleyURL}/admin/`);
    await signInDashboard(moderator, 'fern', 'correct horse battery');
    assert.deepEqual(await moderator.getByLabel('Site').locator('option').allTextContents(), [stack.site.name]);
    assert.equal(await moderator.getByRole('button', { name: 'New site' }).count(), 0, 'only administrators create sites');
    const theirs = await openDrawer(moderator, 'echo');
    await theirs.getByRole('radio', { name: 'Ban', exact: true }).check();
    await theirs.getByRole('button', { name: 'Ban', exact: true }).waitFor();
    assert.equal(await theirs.getByRole('radio', { name: 'On every site' }).count(), 0);
    const echoRole = theirs.getByRole('region', { name: 'Role on this site' });
    await echoRole.getByText('Commenter').waitFor();
    assert.equal(await echoRole.getByRole('button').count(), 0, 'moderators do not grant roles');
  } finally {
    await context.close();
  }

  await role.getByRole('button', { name: 'Take back the moderator role' }).click();
  await role.getByText('fern no longer moderates this site.').waitFor();
  await role.getByRole('button', { name: 'Make moderator' }).waitFor();
  assert.equal(await roleOf(fernID), 'COMMENTER');
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'detached' });
});

test('an administrator creates a site; the errors show next to their fields', { skip }, async () => {
  await page.getByRole('button', { name: 'New site' }).click();
  const dialog = page.getByRole('dialog', { name: 'New site' });
  const name = dialog.getByLabel('Name');
  const origins = dialog.getByLabel('Allowed origins');
  await dialog.getByRole('button', { name: 'Create site' }).click();
  await dialog.locator('#new-site-name-error').waitFor();
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.ok(await name.evaluate((el) => el === document.activeElement), 'the field to fix has focus');
  await assertNoAxeViolations('the new-site dialog with an error');

  await name.fill('The Evening Post');
  await origins.fill('evening.example');
  await dialog.getByRole('button', { name: 'Create site' }).click();
  await dialog.locator('#new-site-allowedOrigins-error').waitFor();
  await dialog.locator('#new-site-name-error').waitFor({ state: 'detached' });
  assert.equal(await origins.getAttribute('aria-invalid'), 'true');
  assert.ok(await origins.evaluate((el) => el === document.activeElement));

  await origins.fill('https://evening.example\n\nhttps://www.evening.example\n');
  await dialog.getByRole('button', { name: 'Create site' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const { sites } = await stack.must(`{ sites { id name allowedOrigins } }`, {}, stack.admin.token);
  const created = sites.find((s) => s.name === 'The Evening Post');
  assert.deepEqual(created.allowedOrigins, ['https://evening.example', 'https://www.evening.example']);

  // The dashboard switches to the new site, on its settings.
  await page.waitForURL(`${stack.parleyURL}/admin/settings?site=${created.id}`);
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  assert.equal(await page.getByLabel('Site', { exact: true }).inputValue(), created.id);
  assert.equal(await page.locator('#field-name').inputValue(), 'The Evening Post');
  assert.ok(await page.getByRole('heading', { name: 'Settings' }).evaluate((el) => el === document.activeElement), 'focus starts at the heading');
});

/** Waits until a form control shows value. */
async function waitForValue(locator, value) {
  for (let i = 0; i < 50 && (await locator.inputValue()) !== value; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await locator.inputValue(), value);
}

/** Opens the user drawer from the first queued comment by username. */
async function openDrawer(p, username) {
  await comment(p, username).first().getByRole('button', { name: username, exact: true }).click();
  const drawer = p.getByRole('dialog', { name: username });
  await drawer.getByRole('heading', { name: 'Role on this site' }).waitFor();
  return drawer;
}

async function roleOf(id) {
  const { user } = await stack.must(`query($id: ID!, $site: ID!) { user(id: $id) { role(siteID: $site) } }`, { id, site: stack.site.id }, stack.admin.token);
  return user.role;
}

async function userID(username) {
  const { moderationQueue } = await stack.must(`query($site: ID!) { moderationQueue(queue: PENDING, siteID: $site, first: 50) {
    edges { node { author { id username } } } } }`, { site: stack.site.id }, stack.admin.token);
  return moderationQueue.edges.map((e) => e.node.author).find((a) => a.username === username).id;
}
