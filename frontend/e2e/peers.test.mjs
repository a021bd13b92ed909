// The Peers page against a real server: an administrator adds a peer (a stand-in instance
// that serves only its /.well-known/parley document, so the link stays pending), then
// subscribes a site to its labels, changes the subscription and ends it, each step checked
// in the page and in the API. PARLEY_E2E_SCREENSHOTS=<dir> keeps a screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { signInDashboard } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let page;
let peerServer;
let peerURL;

/** A peer's well-known document for a fresh Ed25519 key: all that addPeer reads. */
function peerDocument(url) {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const id = createHash('sha256').update(raw).digest('hex').slice(0, 16);
  const fingerprint = 'SHA256:' + createHash('sha256').update(raw).digest('base64').replace(/=+$/, '');
  return {
    name: 'gamma', url, federationAddress: '', software: { name: 'parley', version: 'test' },
    keys: [{ id, algorithm: 'ed25519', publicKey: raw.toString('base64'), fingerprint, current: true, validFrom: new Date().toISOString() }],
  };
}

before(async () => {
  if (skip) return;
  peerServer = createServer((req, res) => {
    if (req.url === '/.well-known/parley') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(peerDocument(peerURL)));
      return;
    }
    res.statusCode = 404;
    res.setHeader('Content-Type', 'application/json');
    res.end('{"linked":false,"reason":"not here"}');
  });
  await new Promise((resolve) => peerServer.listen(0, '127.0.0.1', resolve));
  peerURL = `http://127.0.0.1:${peerServer.address().port}`;
  stack = await startStack();
  browser = await launchBrowser();
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
  peerServer?.close();
});

const SUBSCRIPTIONS = `query($s: ID!) { labelSubscriptions(siteID: $s) { peerName weight action quorum } }`;

test('an administrator subscribes a site to a peer\'s labels, changes it and ends it', { skip }, async () => {
  const { addPeer } = await stack.must(`mutation($i: AddPeerInput!) { addPeer(input: $i) { name state } }`, { i: { url: peerURL } }, stack.admin.token);
  assert.equal(addPeer.state, 'PENDING');
  await page.goto(`${stack.parleyURL}/admin/`);
  await signInDashboard(page, 'admin', stack.admin.password);
  await page.getByRole('link', { name: 'Peers' }).click();
  await page.getByRole('heading', { name: 'Peers', level: 1 }).waitFor();
  const labels = page.getByRole('form', { name: 'Labels of gamma' });
  await labels.waitFor();
  await labels.getByText('Not subscribed').waitFor();

  await labels.getByLabel('Weight').fill('0.8');
  await labels.getByLabel('Action').selectOption('HIDE');
  await labels.getByLabel('Quorum').fill('2');
  await labels.getByRole('button', { name: 'Subscribe' }).click();
  await labels.getByText('Subscribed', { exact: true }).waitFor();
  let { labelSubscriptions: subs } = await stack.must(SUBSCRIPTIONS, { s: stack.site.id }, stack.admin.token);
  assert.deepEqual(subs, [{ peerName: 'gamma', weight: 0.8, action: 'HIDE', quorum: 2 }]);
  assert.deepEqual(await axeViolations(page), [], 'axe-core found violations on the peers view');
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await page.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'peers-labels.png'), fullPage: true });
  }

  await labels.getByLabel('Quorum').fill('0');
  await labels.getByRole('button', { name: 'Save' }).click();
  await labels.getByRole('alert').getByText(/quorum/).waitFor();

  await labels.getByLabel('Action').selectOption('FLAG');
  await labels.getByLabel('Quorum').fill('1');
  await labels.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(async ([url, token, site]) => {
    const r = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `query($s: ID!) { labelSubscriptions(siteID: $s) { action quorum } }`, variables: { s: site } }) });
    const { data } = await r.json();
    return data.labelSubscriptions[0]?.action === 'FLAG' && data.labelSubscriptions[0]?.quorum === 1;
  }, [stack.parleyURL, stack.admin.token, stack.site.id]);

  await labels.getByRole('button', { name: 'Unsubscribe' }).click();
  await labels.getByText('Not subscribed').waitFor();
  ({ labelSubscriptions: subs } = await stack.must(SUBSCRIPTIONS, { s: stack.site.id }, stack.admin.token));
  assert.deepEqual(subs, []);
});

test('a moderator shares a story with the peer from the Stories page, and stops', { skip }, async () => {
  const mod = await stack.signUp('sorrel');
  await stack.must(`mutation($i: SetSiteRoleInput!) { setSiteRole(input: $i) { id } }`,
    { i: { siteID: stack.site.id, userID: mod.user.id, role: 'MODERATOR' } }, stack.admin.token);
  const { story } = await stack.must(`query($u: String!) { story(url: $u) { id } }`, { u: `${stack.hostURL}/shared-story` });
  const SHARED = `query($s: ID!) { story(id: $s) { sharedWith { name } } }`;

  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const mine = await context.newPage();
  await mine.goto(`${stack.parleyURL}/admin/?site=${stack.site.id}`);
  await signInDashboard(mine, 'sorrel', 'correct horse battery');
  await mine.getByRole('link', { name: 'Stories' }).click();
  await mine.getByRole('columnheader', { name: 'Shared with' }).waitFor();
  const row = mine.getByRole('row').filter({ hasText: '/shared-story' });
  await row.getByText('Not shared').waitFor();
  await row.getByRole('button', { name: /^Share…/ }).click();
  const form = mine.getByRole('group', { name: /^Share .* with$/ });
  await form.getByRole('checkbox', { name: /^gamma \(not linked yet/ }).check();
  await mine.getByRole('button', { name: 'Save sharing' }).click();
  await mine.getByRole('status').filter({ hasText: 'shared with gamma.' }).waitFor();
  await row.getByText('gamma', { exact: true }).waitFor();
  let { story: seen } = await stack.must(SHARED, { s: story.id }, mod.token);
  assert.deepEqual(seen.sharedWith, [{ name: 'gamma' }]);
  assert.deepEqual(await axeViolations(mine), [], 'axe-core found violations on the stories view with sharing');
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await mine.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'stories-shared.png'), fullPage: true });
  }

  await row.getByRole('button', { name: /^Share…/ }).click();
  await form.getByRole('checkbox', { name: /^gamma/ }).uncheck();
  await mine.getByRole('button', { name: 'Save sharing' }).click();
  await mine.getByRole('status').filter({ hasText: 'no longer shared.' }).waitFor();
  ({ story: seen } = await stack.must(SHARED, { s: story.id }, mod.token));
  assert.deepEqual(seen.sharedWith, []);
  await context.close();
});

