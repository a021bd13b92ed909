// Claiming earlier comments, in the browser: a guest comments with an email address, later
// signs up in the widget with that address, follows the verification link from the mail
// (written to the server's log at info, as in development without a mail server), finds the
// offer in the account dialog, claims, and the comment shows under the
// new account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { comment } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;

before(async () => {
  if (skip) return;
  // At info, the log sender writes each mail's text, links and all.
  stack = await startStack({ env: { PARLEY_LOG_LEVEL: 'info' } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});


test('a guest signs up with the same address, verifies it and claims the earlier comment', { skip }, async () => {
  const url = stack.articlePage('/news/claim', { title: 'Claimed' });
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, guestComments: true } }, stack.admin.token);
  const page = await browser.newPage();
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });

  // As a guest, with an email address; a moderator approves it.
  const form = page.getByRole('form', { name: 'Or comment as a guest' });
  await form.getByLabel('Your name').fill('Clara Guest');
  await form.getByLabel(/^Email/).fill('clara@readers.test');
  await form.getByLabel('Write a comment').fill('Said before I had an account.');
  await form.getByRole('button', { name: 'Post as a guest' }).click();
  await form.getByText('Thank you: your comment waits for a moderator before it appears.').waitFor();
  const { moderationQueue } = await stack.must(`query($s: ID) { moderationQueue(queue: PENDING, siteID: $s) { edges { node { id author { username } } } } }`,
    { s: stack.site.id }, stack.admin.token);
  const held = moderationQueue.edges.map((e) => e.node).find((n) => n.author?.username === 'Clara Guest');
  assert.ok(held, 'the guest comment waits in the pending queue');
  await stack.must(`mutation($i: ModerateInput!) { approveComment(input: $i) { comment { id } } }`, { i: { commentID: held.id } }, stack.admin.token);
  await page.reload();
  await comment(page, 'Clara Guest').getByText('Guest', { exact: true }).waitFor();

  // Signs up in the widget with that address; the verification link comes by mail.
  const logged = stack.log().length;
  await widget.getByRole('button', { name: 'Sign in', exact: true }).first().click();
  await widget.getByRole('button', { name: 'Create an account' }).click();
  await widget.getByLabel('Email').fill('clara@readers.test');
  await widget.getByLabel('Username').fill('clara');
  await widget.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await widget.getByRole('button', { name: 'Sign up', exact: true }).click();
  await widget.getByRole('button', { name: 'Sign out' }).waitFor();

  // The account dialog says the address is not verified yet (and the server offers no claim
  // before it is: graph tests check that).
  await widget.getByRole('button', { name: 'Account' }).click();
  let dialog = page.getByRole('dialog');
  await dialog.getByText('not verified yet').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();

  const link = await stack.mailedLink('/account/verify', logged);
  const confirm = await browser.newPage();
  await confirm.goto(link);
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await confirm.getByText(/your address is confirmed/).waitFor();
  await confirm.close();

  await widget.getByRole('button', { name: 'Account' }).click();
  dialog = page.getByRole('dialog');
  await dialog.getByText('1 earlier comment was left under your email address (imported, or as a guest).').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await dialog.getByRole('button', { name: 'Add them to my account' }).click();
  await dialog.getByRole('status').getByText('1 comment is now yours.').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();

  // The comment is the account's now, without the guest mark.
  await page.reload();
  const mine = comment(page, 'clara');
  await mine.getByText('Said before I had an account.').waitFor();
  assert.equal(await mine.getByText('Guest', { exact: true }).count(), 0, 'the claimed comment has no guest mark');
  assert.equal(await comment(page, 'Clara Guest').count(), 0);
  const { comment: claimed } = await stack.must(`query($id: ID!) { comment(id: $id) { author { username guest } } }`, { id: held.id }, stack.admin.token);
  assert.deepEqual(claimed.author, { username: 'clara', guest: false });
  await page.close();
});
