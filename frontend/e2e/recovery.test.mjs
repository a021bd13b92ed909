// A reader who forgot the password, in the browser: "Forgot your password?" in the widget, the
// link from the mail (written to the server's log, as in development without a mail server),
// the server's own form for the new password, and signing in with it; and the account
// dialog's address: not verified yet, a new link, and a verified address once it is followed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { signInWidget } from './steps.mjs';

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


test('a reader who forgot the password sets a new one from the mailed link and signs in with it', { skip }, async () => {
  const url = stack.articlePage('/news/forgot', { title: 'Forgotten' });
  await stack.signUp('forgetful');
  const page = await browser.newPage();
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('button', { name: 'Sign in', exact: true }).first().click();
  await widget.getByRole('button', { name: 'Forgot your password?' }).click();
  assert.deepEqual(await axeViolations(page), []);
  const logged = stack.log().length;
  await widget.getByLabel('Email').fill('forgetful@readers.test');
  await widget.getByRole('button', { name: 'Send the link' }).click();
  await widget.getByRole('status').getByText(/a link is on its way/).waitFor();

  const link = await stack.mailedLink('/account/reset', logged);
  const form = await browser.newPage();
  await form.goto(link);
  await form.getByLabel('New password').fill('a brand new passphrase');
  await form.getByRole('button', { name: 'Set password' }).click();
  await form.getByText(/Your password is changed/).waitFor();
  await form.close();

  await widget.getByRole('button', { name: 'Back to sign in' }).click();
  await signInWidget(page, 'forgetful', 'a brand new passphrase');
  await page.close();
});

test('a reader sees an unverified address in the account dialog, asks for a new link and confirms it', { skip }, async () => {
  const url = stack.articlePage('/news/verify', { title: 'Verify' });
  await stack.signUp('unverified');
  const page = await browser.newPage();
  await page.goto(url);
  await signInWidget(page, 'unverified', 'correct horse battery');
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('button', { name: 'Account' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('not verified yet').waitFor();
  const logged = stack.log().length;
  await dialog.getByRole('button', { name: 'Send the verification link again' }).click();
  await dialog.getByRole('status').getByText(/new verification link/).waitFor();

  const link = await stack.mailedLink('/account/verify', logged);
  const confirm = await browser.newPage();
  await confirm.goto(link);
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await confirm.getByText(/your address is confirmed/).waitFor();
  await confirm.close();

  await dialog.getByRole('button', { name: 'Close' }).click();
  await widget.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('dialog').getByText('verified', { exact: true }).waitFor();
  await page.close();
});
