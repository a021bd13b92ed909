// Reactions against a real server: offered only where the server takes them, each with a
// visible label and a tooltip, their icons drawn by an emoji font, and a refusal told in
// the server's words until the reader's next action. PARLEY_E2E_SCREENSHOTS=<dir> keeps a
// screenshot of what the reader saw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, launchBrowser, browserAvailable } from './harness.mjs';
import { signInWidget, comment } from './steps.mjs';

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

const createComment = (storyURL, body, token) => stack.must(
  `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
  { i: { storyURL, body } }, token).then((d) => d.createComment.comment);

/** How many strongly coloured pixels a button's icon draws: none for an empty box or a black glyph. */
function colouredPixels(button) {
  return button.locator('.icon').evaluate((el) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 64;
    const g = canvas.getContext('2d');
    g.font = `48px ${getComputedStyle(el).fontFamily}`;
    g.textBaseline = 'top';
    g.fillText(el.textContent, 4, 4);
    const d = g.getImageData(0, 0, 64, 64).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 80) n += 1;
    }
    return n;
  });
}

test('reactions are offered where the server takes them, labelled, and refusals say why', { skip }, async () => {
  const url = stack.articlePage('/news/reactions', { title: 'Reactions' });
  const [selfie, neighbour] = [await stack.signUp('selfie'), await stack.signUp('neighbour')];
  const own = await createComment(url, 'My own view.', selfie.token);
  await createComment(url, 'A neighbour’s view.', neighbour.token);
  await stack.must(`mutation($i: ReactionInput!) { addReaction(input: $i) { comment { id } } }`,
    { i: { commentID: own.id, kind: 'respect' } }, neighbour.token);

  const page = await (await browser.newContext({ viewport: { width: 800, height: 900 } })).newPage();
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });
  const theirs = comment(page, 'neighbour');
  const mine = comment(page, 'selfie');

  // Signed out, a reaction leads to the sign-in; nothing is sent that the server would refuse.
  const signedOut = theirs.getByRole('button', { name: 'Respect, 0' });
  assert.equal(await signedOut.getAttribute('title'), 'Respect: sign in to react');
  await signedOut.click();
  await widget.getByLabel('Email or username').waitFor();
  await page.reload();
  await signInWidget(page, 'selfie', 'correct horse battery');

  // The reader's own comment offers no reaction (the server refuses them), and shows the
  // one given.
  await mine.getByRole('img', { name: 'Respect, 1' }).waitFor();
  assert.equal(await mine.getByRole('img', { name: 'Respect, 1' }).getAttribute('title'), 'Respect');
  assert.equal(await mine.getByRole('button', { name: /^(Respect|Insightful|Funny|Sad),/ }).count(), 0);

  // Someone else's: every kind, labelled in words and in a tooltip, its icon in colour.
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await widget.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'reactions.png') });
  }
  for (const label of ['Respect', 'Insightful', 'Funny', 'Sad']) {
    const button = theirs.getByRole('button', { name: `${label}, 0` });
    assert.equal(await button.getAttribute('title'), label);
    assert.match(await button.innerText(), new RegExp(label));
    assert.ok(await colouredPixels(button) > 50,
      `the ${label} icon is not drawn in colour: no colour emoji font (run scripts/chromium.sh), or another font draws it first`);
  }

  // A kind the site has since withdrawn is refused: the server's words, on the comment.
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`, {
    i: { siteID: stack.site.id, reactionKinds: [{ kind: 'respect', label: 'Respect', icon: '👍' }, { kind: 'sad', label: 'Sad', icon: '😢' }] },
  }, stack.admin.token);
  await theirs.getByRole('button', { name: 'Funny, 0' }).click();
  await theirs.getByRole('alert').getByText('This site has no "funny" reaction.').waitFor();
  assert.equal(await theirs.getByRole('button', { name: 'Funny, 0' }).getAttribute('aria-pressed'), 'false');

  // The next action clears it.
  await theirs.getByRole('button', { name: 'Respect, 0' }).click();
  await theirs.getByRole('button', { name: 'Respect, 1' }).waitFor();
  assert.equal(await theirs.getByRole('alert').count(), 0);
  await page.context().close();
});
