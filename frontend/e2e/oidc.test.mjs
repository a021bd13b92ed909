// OpenID Connect sign-in in the widget's popup, against a real `parley serve` and a real
// OpenID provider (zitadel/oidc's example OP, started by cmd/parley-testop): the reader
// clicks "Sign in with …", logs in at the provider in the popup, and the widget is signed in
// when the popup posts the session back and closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, browserAvailable } from './harness.mjs';
import { buildTestOP } from './testop.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let ops;

/** Starts a test provider for Parley's callback; resolves with its issuer. */
const startOP = async (callback) => (await ops.start(callback)).issuer;

/** Adds a provider at issuer to the stack's site, named name. */
const addProvider = (name, issuer) => stack.must(`mutation($i: AddOIDCProviderInput!) { addOIDCProvider(input: $i) { id } }`,
  { i: { siteID: stack.site.id, name, issuer, clientID: 'parley', clientSecret: 'parley-secret' } }, stack.admin.token);

before(async () => {
  if (skip) return;
  ops = buildTestOP();
  stack = await startStack();
  await addProvider('Newsroom login', await startOP(`${stack.parleyURL}/oidc/callback`));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  ops?.stop();
  await stack?.stop();
});

/** Opens an article page with the widget's sign-in panel open. */
async function openSignIn(path) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(stack.articlePage(path, { title: 'Signed in elsewhere' }));
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('heading', { name: /\d+ comments?/ }).waitFor();
  await widget.getByRole('button', { name: 'Sign in', exact: true }).first().click();
  return { page, widget };
}

test('a reader signs in with an OpenID Connect provider in a popup', { skip }, async () => {
  const { page, widget } = await openSignIn('/news/oidc');

  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    widget.getByRole('button', { name: 'Sign in with Newsroom login' }).click(),
  ]);
  // The popup went through /oidc/start to the provider's own login form.
  await popup.locator('input[name=username]').waitFor();
  assert.ok(!popup.url().startsWith(stack.parleyURL), `the popup is at ${popup.url()}, not the provider`);
  await popup.locator('input[name=username]').fill('reader');
  await popup.locator('input[name=password]').fill('verysecure');
  const closed = popup.waitForEvent('close');
  await popup.locator('input[name=password]').press('Enter');

  // The callback page posts the session to this page's origin and closes itself.
  await closed;
  await widget.getByRole('button', { name: 'Sign out' }).waitFor();

  // The session is a reader's like any other: the new account posts under its name.
  await widget.getByLabel('Write a comment').fill('Posted after signing in with the newsroom.');
  await widget.getByRole('button', { name: 'Post', exact: true }).click();
  await widget.getByRole('article', { name: 'Comment by reader' }).getByText('Posted after signing in with the newsroom.').waitFor();
  await page.context().close();
});

test('a provider gone down answers a 502 page in the popup saying so', { skip }, async () => {
  const flaky = await ops.start(`${stack.parleyURL}/oidc/callback`);
  await addProvider('Flaky login', flaky.issuer);
  flaky.process.kill('SIGTERM');
  await new Promise((resolve) => flaky.process.once('exit', resolve));
  const { page, widget } = await openSignIn('/news/oidc-down');
  const [popup, response] = await Promise.all([
    page.waitForEvent('popup'),
    page.context().waitForEvent('response', (r) => r.url().includes('/oidc/start')),
    widget.getByRole('button', { name: 'Sign in with Flaky login' }).click(),
  ]);
  await popup.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
  assert.equal(response.status(), 502);
  await popup.getByRole('alert').getByText('cannot be reached').waitFor();
  await popup.getByText('unavailable').waitFor();
  // Closing the popup leaves the reader signed out, free to try another way.
  await popup.close();
  await widget.getByLabel('Email or username').waitFor();
  await page.context().close();
});
