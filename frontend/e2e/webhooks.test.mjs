// Webhooks in the dashboard against a real server: an administrator adds an endpoint (a
// receiver on this machine, which development mode may reach), sees its secret once, a new
// comment arrives at the receiver signed with that secret, the delivery log shows it, and
// "Send again" to a receiver now failing shows the failure and when it will be retried.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { signInDashboard } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let page;
let receiver;
const received = [];
let status = 204;
let arrived = () => {};

before(async () => {
  if (skip) return;
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status).end();
      arrived();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  stack = await startStack();
  browser = await launchBrowser();
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
  receiver?.close();
});

/** Resolves when the receiver has n requests. */
function requests(n) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the receiver got ${received.length} requests, want ${n}`)), 20000);
    arrived = () => {
      if (received.length >= n) {
        clearTimeout(timer);
        resolve();
      }
    };
    arrived();
  });
}

/** Checks Parley-Signature as the README's recipe does. */
function verify(secret, header, body) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')));
  const mac = createHmac('sha256', secret).update(`${parts.t}.`).update(body).digest('hex');
  return Math.abs(Date.now() / 1000 - Number(parts.t)) < 300 && timingSafeEqual(Buffer.from(mac), Buffer.from(parts.v1));
}

test('an admin adds an endpoint, a comment arrives signed, and the log sends it again', { skip }, async () => {
  // Signed in on the queue: signInDashboard waits for the label "Site", which the kinds site.* would match too.
  await page.goto(`${stack.parleyURL}/admin/?site=${stack.site.id}`);
  await signInDashboard(page, 'admin', stack.admin.password);
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  await page.getByText('No endpoints yet.').waitFor();

  const url = `http://127.0.0.1:${receiver.address().port}/parley`;
  await page.getByLabel('URL').fill(url);
  await page.getByLabel('Description').fill('The newsroom Slack');
  assert.equal(await page.getByLabel('comment.created').isChecked(), true, 'comment.created is chosen by default');
  await page.getByLabel('comment.reported').check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = (await page.getByTestId('webhook-secret').textContent()).trim();
  assert.match(secret, /^whsec_/);
  await page.getByRole('heading', { name: new RegExp(`Active ${url}`) }).waitFor();

  const reader = await stack.signUp('hookreader');
  await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
    { i: { storyURL: `${stack.hostURL}/news/hooks`, body: 'Signed and delivered.' } }, reader.token);
  await requests(1);
  const first = received.find((r) => r.headers['parley-event-kind'] === 'comment.created');
  assert.ok(first, 'the comment.created event arrived');
  assert.ok(verify(secret, first.headers['parley-signature'], first.body), 'the signature checks with the secret shown');
  assert.equal(JSON.parse(first.body).payload.bodySource, 'Signed and delivered.');

  await page.reload();
  await page.getByRole('cell', { name: 'Delivered (HTTP 204)' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'axe-core found violations on the webhooks view');

  status = 500;
  const before = received.length;
  await page.getByRole('button', { name: 'Send again' }).first().click();
  await page.getByText('Queued to be sent again.').waitFor();
  await requests(before + 1);
  await page.reload();
  await page.getByRole('cell', { name: 'Attempt 2 failed: HTTP 500 Internal Server Error.' }).waitFor();
  await page.getByRole('heading', { name: new RegExp(`Failing ${url}`) }).waitFor();
});
