// Issue 15 in the browser, what a reader must see: a moderator's warning with its words and
// an "I understand" that acknowledges it; a comment's earlier versions when the site shows
// them; the reader's sessions in the account dialog, and "Sign out everywhere".
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

const SANCTIONS = `query($s: ID!) { viewer { sanctions(siteID: $s) { kind acknowledgedAt } } }`;

test('a warned reader reads the moderators\' words and acknowledges them', { skip }, async () => {
  const url = stack.articlePage('/news/warned', { title: 'A warning' });
  const reader = await stack.signUp('warnedreader');
  await stack.must(`mutation($i: UserSanctionInput!) { warnUser(input: $i) { id } }`,
    { i: { userID: reader.user.id, siteID: stack.site.id, message: 'Please keep to the topic of the article.' } }, stack.admin.token);

  const page = await browser.newPage();
  await page.goto(url);
  await signInWidget(page, 'warnedreader', password);
  const widget = page.getByRole('region', { name: 'Comments' });
  const warning = widget.getByRole('region', { name: /A warning from the moderators/ });
  await warning.getByText('Please keep to the topic of the article.').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await warning.getByRole('button', { name: 'I understand' }).click();
  await warning.waitFor({ state: 'detached' });
  const { viewer } = await stack.must(SANCTIONS, { s: stack.site.id }, reader.token);
  assert.equal(viewer.sanctions.length, 1);
  assert.ok(viewer.sanctions[0].acknowledgedAt, 'the warning is acknowledged in storage');
  await page.close();
});

test('readers open a comment\'s earlier versions when the site shows them', { skip }, async () => {
  const url = stack.articlePage('/news/edited', { title: 'Edited' });
  const author = await stack.signUp('editauthor');
  const { createComment } = await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
    { i: { storyURL: url, body: 'The frist version.' } }, author.token);
  await stack.must(`mutation($i: EditCommentInput!) { editComment(input: $i) { comment { id } } }`,
    { i: { commentID: createComment.comment.id, body: 'The first version, corrected.' } }, author.token);
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, showRevisions: true } }, stack.admin.token);

  const page = await browser.newPage();
  await page.goto(url);
  const c = comment(page, 'editauthor');
  await c.getByText('The first version, corrected.').waitFor();
  const edited = c.getByRole('button', { name: '(edited)' });
  assert.equal(await edited.getAttribute('aria-expanded'), 'false');
  await edited.click();
  await c.getByText('The frist version.').waitFor();
  assert.equal(await edited.getAttribute('aria-expanded'), 'true');
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, showRevisions: false } }, stack.admin.token);
  await page.close();
});

test('a reader lists their sessions and signs out everywhere', { skip }, async () => {
  const url = stack.articlePage('/news/sessions', { title: 'Sessions' });
  const reader = await stack.signUp('sessionreader'); // a session on another device
  const page = await browser.newPage();
  await page.goto(url);
  await signInWidget(page, 'sessionreader', password);
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('button', { name: 'Account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Account' });
  const sessions = dialog.locator('[data-sessions] li');
  await sessions.nth(1).waitFor();
  assert.equal(await sessions.count(), 2);
  await dialog.getByText('this device').waitFor();
  await dialog.getByText('You have no API tokens.').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await widget.getByRole('button', { name: 'Sign in' }).first().waitFor();
  const { errors } = await stack.gql(`{ viewer { id } }`, {}, reader.token);
  assert.equal(errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', 'the other device is signed out too');
  await page.close();
});

test('a guest comments without an account; the comment shows with a guest mark once approved', { skip }, async () => {
  const url = stack.articlePage('/news/guests', { title: 'Guests' });
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, guestComments: true } }, stack.admin.token);
  const page = await browser.newPage();
  await page.goto(url);
  const form = page.getByRole('form', { name: 'Or comment as a guest' });
  await form.getByLabel('Your name').fill('Greta Guest');
  await form.getByLabel(/^Email/).fill('greta@guests.test');
  await form.getByLabel('Write a comment').fill('Words from a guest.');
  assert.deepEqual(await axeViolations(page), []);
  await form.getByRole('button', { name: 'Post as a guest' }).click();
  await form.getByText('Thank you: your comment waits for a moderator before it appears.').waitFor();

  const { moderationQueue } = await stack.must(`query($s: ID) { moderationQueue(queue: PENDING, siteID: $s) { edges { node { id body author { username guest } } } } }`,
    { s: stack.site.id }, stack.admin.token);
  const held = moderationQueue.edges.map((e) => e.node).find((n) => n.author?.username === 'Greta Guest');
  assert.ok(held?.author.guest, 'the guest comment waits in the pending queue');
  await stack.must(`mutation($i: ModerateInput!) { approveComment(input: $i) { comment { id } } }`, { i: { commentID: held.id } }, stack.admin.token);
  await page.reload();
  const c = comment(page, 'Greta Guest');
  await c.getByText('Words from a guest.').waitFor();
  await c.getByText('Guest', { exact: true }).waitFor();
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, guestComments: false } }, stack.admin.token);
  await page.close();
});

test('a reader who only reads never loads the parts kept for later', { skip }, async () => {
  const url = stack.articlePage('/news/reading', { title: 'Only reading' });
  const page = await browser.newPage();
  const scripts = [];
  page.on('request', (r) => scripts.push(new URL(r.url()).pathname));
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('heading', { name: '0 comments' }).waitFor();
  assert.ok(scripts.includes('/embed.js'));
  assert.ok(!scripts.includes('/embed-extras.js'), 'embed-extras.js loaded for a reader who only reads');
  await widget.getByRole('button', { name: 'Sign in' }).first().click();
  await widget.getByLabel('Email or username').waitFor();
  assert.ok(scripts.includes('/embed-extras.js'), 'the sign-in form comes with embed-extras.js');
  await page.close();
});
