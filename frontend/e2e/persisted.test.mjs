// The dashboard and the widget against a server that runs only persisted queries
// (PARLEY_PERSISTED_QUERIES_ONLY): every operation they send is in the build's manifest, reads
// go by GET with their hash, mutations by POST with their hash, and nothing is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, browserAvailable } from './harness.mjs';
import { signInDashboard } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let page;
// Every /graphql request the page made: how it went and what it answered.
const seen = [];
let inFlight = 0;
let idle = [];

before(async () => {
  if (skip) return;
  stack = await startStack({ persistedOnly: true });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  // The API's fetches, not the WebSocket's upgrade nor CORS preflights.
  const api = (req) => new URL(req.url()).pathname === '/graphql' && req.method() !== 'OPTIONS' && req.resourceType() === 'fetch';
  page.on('request', (req) => { if (api(req)) inFlight++; });
  const done = () => {
    inFlight--;
    if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
  };
  page.on('requestfailed', (req) => { if (api(req)) done(); });
  page.on('response', async (res) => {
    const req = res.request();
    if (!api(req)) return;
    const url = new URL(req.url());
    let body = null;
    try { body = await res.json(); } catch { /* not JSON */ }
    seen.push({ method: req.method(), url, post: req.postData(), status: res.status(), codes: (body?.errors || []).map((e) => e.extensions?.code) });
    done();
  });
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Resolves once no /graphql request of the page is in flight. */
function settled() {
  return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));
}

function refused() {
  return seen.filter((s) => s.codes.some((c) => c !== 'PERSISTED_QUERY_NOT_FOUND'));
}

test('the dashboard works against a server that runs only persisted queries', { skip }, async () => {
  await page.goto(`${stack.parleyURL}/admin/`);
  await signInDashboard(page, 'admin', stack.admin.password);
  const nav = page.getByRole('navigation', { name: 'Dashboard' });
  for (const [link, heading] of [['Queues', 'Queues'], ['Stories', 'Stories'], ['Rules', 'Rules'], ['Proposals', 'Proposals'],
    ['Log', 'Moderation log'], ['Settings', 'Settings'], ['Webhooks', 'Webhooks'], ['Peers', 'Peers']]) {
    await nav.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await settled();
  }
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Email or username').waitFor();
  await settled();

  assert.deepEqual(refused(), [], 'no operation was refused');
  const reads = seen.filter((s) => s.method === 'GET');
  const writes = seen.filter((s) => s.method === 'POST');
  assert.ok(reads.length >= 8, `reads by GET: ${reads.length}`);
  for (const r of reads) {
    assert.ok(r.url.searchParams.get('extensions'), `a read names its hash: ${r.url}`);
    assert.equal(r.url.searchParams.get('query'), null, 'a registered read is sent by its hash alone');
  }
  assert.ok(writes.length >= 2, 'signing in and out are mutations');
  for (const w of writes) {
    const body = JSON.parse(w.post);
    assert.match(body.query, /^\s*mutation\b/, 'only mutations go by POST');
    assert.equal(body.extensions.persistedQuery.sha256Hash.length, 64, 'a mutation carries its hash');
  }
});

test('the widget works against a server that runs only persisted queries', { skip }, async () => {
  seen.length = 0;
  await page.goto(stack.articlePage('/news/persisted', { title: 'Persisted' }));
  await page.getByRole('region', { name: 'Comments' }).waitFor();
  await page.getByRole('button', { name: 'Sign in', exact: true }).first().waitFor();
  await settled();
  assert.ok(seen.length > 0, 'the widget read the story');
  assert.deepEqual(refused(), [], 'no operation was refused');
});
