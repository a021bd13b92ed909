// The path a held comment takes through both frontends: its author sees it pending, nobody
// else sees it, a moderator approves it in the dashboard with the keyboard, and the author's
// open page turns it into a published comment without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, browserAvailable } from './harness.mjs';
import { signInWidget, signInDashboard, comment } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
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

test('a held comment is pending to its author only until a moderator approves it', { skip }, async () => {
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, premodAll: true } }, stack.admin.token);
  const articleURL = stack.articlePage('/news/held', { title: 'Held comments' });
  const author = await stack.signUp('heldauthor');

  const authorPage = await (await browser.newContext()).newPage();
  await authorPage.goto(articleURL);
  await signInWidget(authorPage, 'heldauthor', 'correct horse battery');
  await authorPage.getByLabel('Write a comment').fill('A thoughtful comment that waits for review.');
  await authorPage.getByRole('button', { name: 'Post', exact: true }).click();
  const own = comment(authorPage, 'heldauthor');
  await own.getByText('Your comment is awaiting review.').waitFor();

  // A reader who opens the page now sees nothing of it, in the page or in the count.
  const readerPage = await (await browser.newContext()).newPage();
  await readerPage.goto(articleURL);
  await readerPage.getByRole('region', { name: 'Comments' }).waitFor();
  await readerPage.getByRole('heading', { name: /0 comments|no comments/i }).waitFor();
  assert.equal(await comment(readerPage, 'heldauthor').count(), 0, 'a reader saw a pending comment');

  // The moderator approves it from the keyboard.
  const modPage = await (await browser.newContext()).newPage();
  await modPage.goto(`${stack.parleyURL}/admin/`);
  await signInDashboard(modPage, 'admin', stack.admin.password);
  await modPage.getByLabel('Site').selectOption({ label: stack.site.name });
  await modPage.getByRole('tab', { name: /^Pending/ }).click();
  const queued = comment(modPage, 'heldauthor');
  await queued.waitFor();
  await modPage.locator('body').press('j');
  await modPage.locator('body').press('a');
  await queued.waitFor({ state: 'detached' });
  await modPage.getByRole('tab', { name: /^Approved/ }).click();
  await comment(modPage, 'heldauthor').waitFor();

  // The author's open page learns of the decision live.
  await own.getByText('Your comment is awaiting review.').waitFor({ state: 'detached' });
  await own.getByText('A thoughtful comment that waits for review.').waitFor();

  // And a reader now sees it.
  await readerPage.reload();
  await comment(readerPage, 'heldauthor').getByText('A thoughtful comment').waitFor();

  const { comment: stored } = await stack.must(`query($id: ID!) { comment(id: $id) { status } }`,
    { id: await lastCommentID(author.token) }, stack.admin.token);
  assert.equal(stored.status, 'PUBLISHED');
});

async function lastCommentID(token) {
  const { user } = await stack.must(`query($id: ID!, $site: ID!) { user(id: $id) { comments(siteID: $site, first: 1) { edges { node { id } } } } }`,
    { id: (await stack.must(`{ viewer { id } }`, {}, token)).viewer.id, site: stack.site.id }, stack.admin.token);
  return user.comments.edges[0].node.id;
}
