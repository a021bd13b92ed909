// Hostile comment bodies, usernames and story titles, posted through the API and rendered in
// the widget and the dashboard: a sentinel that any executed payload would set stays unset.
// Both pages run with their Content-Security-Policy bypassed, so that only our own escaping
// and the server's sanitiser stand between a payload and the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack, launchBrowser, browserAvailable } from './harness.mjs';
import { comment, signInDashboard } from './steps.mjs';

const corpus = JSON.parse(readFileSync(new URL('./xss-corpus.json', import.meta.url), 'utf8'));
const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
const storyURLs = [];
let published = 0;
let posted = 0;

// Every page gets the sentinel before any of its scripts run; payloads call xss().
const sentinel = () => {
  window.__parleyXSS = 0;
  window.xss = () => { window.__parleyXSS += 1; };
};

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();

  const authors = [];
  for (const name of corpus.usernames) {
    const { errors } = await stack.gql(`mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      { i: { email: `u${authors.length}${Date.now()}@readers.test`, username: name, password: 'correct horse battery' } });
    assert.equal(errors?.[0]?.extensions?.code, 'INVALID', `hostile username ${JSON.stringify(name)} was accepted`);
  }
  for (let i = 0; i < 4; i++) authors.push(await stack.signUp(`reader${i}`));

  for (const [i, title] of corpus.titles.entries()) {
    const url = stack.articlePage(`/hostile/${i}`, { title: 'Hostile story' });
    storyURLs.push(url);
    const { story } = await stack.must(`query($url: String!) { story(url: $url) { id } }`, { url });
    await stack.must(`mutation($i: UpdateStoryInput!) { updateStory(input: $i) { id } }`,
      { i: { storyID: story.id, title } }, stack.admin.token);
  }
  for (const [i, body] of corpus.bodies.entries()) {
    const { data, errors } = await stack.gql(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { status } } }`,
      { i: { storyURL: storyURLs[0], body } }, authors[i % authors.length].token);
    if (errors) {
      // Refusing a payload is fine; an internal error is not.
      assert.notEqual(errors[0].extensions?.code, 'INTERNAL', JSON.stringify(errors));
      continue;
    }
    posted++;
    if (data.createComment.comment.status === 'PUBLISHED') published++;
  }
  // A plain comment under each hostile title, so the dashboard shows the titles.
  for (const url of storyURLs.slice(1)) {
    await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
      { i: { storyURL: url, body: 'A plain comment under a hostile title.' } }, authors[0].token);
  }
  assert.ok(published > corpus.bodies.length / 2, `only ${published} of ${corpus.bodies.length} payloads were published`);
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Collects every sign of script execution or of dangerous markup that reached the DOM. */
async function damage(page) {
  return page.evaluate(() => {
    const found = [];
    const allowed = new Set(['P', 'BR', 'EM', 'STRONG', 'DEL', 'S', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'A']);
    // The document's head is the app's own (its icon is a data: URL); payloads land in the body.
    const roots = [document.body];
    for (let i = 0; i < roots.length; i++) {
      for (const el of roots[i].querySelectorAll('*')) {
        if (el.shadowRoot) roots.push(el.shadowRoot);
        for (const attr of el.attributes) {
          if (/^on/i.test(attr.name)) found.push(`${el.tagName} ${attr.name}`);
          if (/^(href|src|action|formaction|data)$/i.test(attr.name) && /^\s*(javascript|data|vbscript):/i.test(attr.value)) {
            found.push(`${el.tagName} ${attr.name}=${attr.value}`);
          }
        }
        if (i > 0 && /^(SCRIPT|IFRAME|OBJECT|EMBED|BASE|META|LINK)$/.test(el.tagName)) found.push(`<${el.tagName}> in a shadow root`);
        // A rendered body holds only what the server's sanitiser allows.
        if (el.closest('[data-comment-body]') && !el.hasAttribute('data-comment-body') && !allowed.has(el.tagName)) {
          found.push(`<${el.tagName}> in a comment body`);
        }
      }
    }
    if (window.__parleyXSS) found.push(`sentinel set ${window.__parleyXSS} times`);
    return found;
  });
}

async function hostilePage(url) {
  const context = await browser.newContext({ bypassCSP: true });
  await context.addInitScript(sentinel);
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(url);
  return { page, dialogs };
}

test('hostile comments and titles execute nothing in the widget', { skip }, async () => {
  const { page, dialogs } = await hostilePage(storyURLs[0]);
  const rendered = page.getByRole('region', { name: 'Comments' }).getByRole('article');
  // Every published payload is on the page (first pages are 100 long at most).
  await page.waitForFunction((n) => {
    const host = [...document.querySelectorAll('*')].find((el) => el.shadowRoot);
    return host && host.shadowRoot.querySelectorAll('article').length >= n;
  }, Math.min(published, 20));
  assert.ok(await rendered.count() >= Math.min(published, 20));
  assert.ok(await page.locator('[data-comment-body]').count() >= Math.min(published, 20), 'comment bodies are not marked for the check');
  // Hover and focus everything a payload might hang on.
  for (const link of await page.getByRole('region', { name: 'Comments' }).locator('a').all()) {
    await link.hover().catch(() => {});
  }
  assert.deepEqual(await damage(page), []);
  assert.deepEqual(dialogs, []);
});

test('hostile comments and titles execute nothing in the dashboard', { skip }, async () => {
  const { page, dialogs } = await hostilePage(`${stack.parleyURL}/admin/`);
  await signInDashboard(page, 'admin', stack.admin.password);
  await page.getByLabel('Site').selectOption({ label: stack.site.name });
  let seen = 0;
  for (const queue of ['Pending', 'Unmoderated', 'Approved', 'Rejected']) {
    const tab = page.getByRole('tab', { name: new RegExp(`^${queue}`) });
    await tab.click();
    // The tab names its count; wait until the first page of that many has rendered.
    const waiting = Math.min(Number((await tab.textContent()).match(/\d+/)?.[0] ?? 0), 20);
    await page.waitForFunction((n) => document.querySelectorAll('article').length >= n, waiting);
    seen += await page.locator('[data-comment-body]').count();
    assert.deepEqual(await damage(page), [], `in the ${queue} queue`);
  }
  assert.ok(seen >= Math.min(posted, 20), `the dashboard showed ${seen} of ${posted} hostile comments`);
  await page.getByRole('article').first().waitFor();
  await page.locator('body').press('j');
  await page.locator('body').press('u');
  await page.getByRole('dialog').first().waitFor();
  assert.deepEqual(await damage(page), [], 'in the user drawer');
  assert.deepEqual(dialogs, []);
  assert.equal(await comment(page, '<img src=x onerror=xss()>').count(), 0);
});
