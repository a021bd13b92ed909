// The sign-in providers page of the dashboard against a real server and a real OpenID
// provider (zitadel/oidc's example OP, started by cmd/parley-testop): an administrator sees
// the redirect URI to register, is told next to the issuer field when the issuer cannot be
// reached, adds the provider, sees it listed (and readers' widget API offers it), edits and
// turns it off (readers no longer see it), and removes it after confirming.
// PARLEY_E2E_SCREENSHOTS=<dir> keeps a screenshot of the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { signInDashboard } from './steps.mjs';
import { buildTestOP } from './testop.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let ops;
let issuer;

before(async () => {
  if (skip) return;
  ops = buildTestOP();
  stack = await startStack();
  ({ issuer } = await ops.start(`${stack.parleyURL}/oidc/callback`));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  ops?.stop();
  await stack?.stop();
});

/**
 * Resolves once the widget's public list of the site's providers is names. That read is an
 * anonymous one the page cache keeps for a few seconds, so a change shows there soon, not at
 * once: it is asked again until then.
 */
async function offered(names) {
  let last;
  for (let i = 0; i < 200; i++) {
    const { oidcProviders } = await stack.must(`query($s: ID!) { oidcProviders(siteID: $s) { name } }`, { s: stack.site.id });
    last = oidcProviders.map((p) => p.name);
    if (JSON.stringify(last) === JSON.stringify(names)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(last, names, 'the providers readers are offered');
}

test('an admin adds a provider from the dashboard, turns it off and removes it', { skip }, async () => {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${stack.parleyURL}/admin/?site=${stack.site.id}`);
  await signInDashboard(page, 'admin', stack.admin.password);
  await page.getByRole('link', { name: 'Sign-in providers' }).click();
  await page.getByRole('heading', { name: 'Sign-in providers', level: 1 }).waitFor();
  await page.getByText('No sign-in providers yet').waitFor();
  assert.equal((await page.getByTestId('oidc-callback').textContent()).trim(), `${stack.parleyURL}/oidc/callback`);

  // An issuer nobody answers at: refused, with the reason next to the issuer field.
  const form = page.getByRole('region', { name: 'Add a provider' });
  await form.getByLabel('Name').fill('Newsroom login');
  await form.getByLabel('Issuer URL').fill('http://127.0.0.1:9/');
  await form.getByLabel('Client ID').fill('parley');
  await form.getByLabel('Client secret').fill('parley-secret');
  await form.getByRole('button', { name: 'Add provider' }).click();
  const issuerError = page.locator('#oidc-new-issuer-error');
  await issuerError.waitFor();
  assert.match(await issuerError.textContent(), /cannot be reached/);
  assert.equal(await form.getByLabel('Issuer URL').getAttribute('aria-invalid'), 'true');
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await form.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'oidc-dashboard-refused.png') });
  }

  await form.getByLabel('Issuer URL').fill(issuer);
  await form.getByRole('button', { name: 'Add provider' }).click();
  const provider = page.getByRole('region', { name: 'Provider Newsroom login' });
  await provider.waitFor();
  await form.getByText('Added Newsroom login.').waitFor();
  assert.match(await provider.textContent(), /Enabled/);
  assert.ok((await provider.textContent()).includes(issuer), 'the issuer is shown');
  assert.ok(!(await page.content()).includes('parley-secret'), 'the secret is never shown');
  await offered(['Newsroom login']);
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await page.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'oidc-dashboard.png'), fullPage: true });
  }
  assert.deepEqual(await axeViolations(page), []);

  // Renamed through the edit form, the secret left empty to keep it.
  await provider.getByRole('button', { name: 'Edit' }).click();
  const edit = provider.getByRole('form', { name: 'Edit Newsroom login' });
  await edit.getByLabel('Name').fill('Staff login');
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await provider.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'oidc-dashboard-edit.png') });
  }
  await edit.getByRole('button', { name: 'Save' }).click();
  const renamed = page.getByRole('region', { name: 'Provider Staff login' });
  await renamed.getByText('Saved.').waitFor();
  await offered(['Staff login']);

  await renamed.getByRole('button', { name: 'Turn off' }).click();
  await renamed.getByText('Turned off: readers no longer see it.').waitFor();
  await renamed.getByRole('button', { name: 'Turn on' }).waitFor();
  assert.match(await renamed.textContent(), /Turned off/);
  await offered([]); // a provider turned off is not offered to readers

  page.once('dialog', (d) => d.accept());
  await renamed.getByRole('button', { name: 'Remove' }).click();
  await page.getByText('No sign-in providers yet').waitFor();
  const { allOIDCProviders } = await stack.must(`query($s: ID) { allOIDCProviders(siteID: $s) { id } }`, { s: stack.site.id }, stack.admin.token);
  assert.equal(allOIDCProviders.length, 0);
  await context.close();
});
