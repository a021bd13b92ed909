// The comment widget on a host page of another origin, against a real `parley serve`: a
// reader's whole round (sign up, post, reply, edit, react, report), live arrivals in a second
// browser, third-party cookies blocked, the host's single sign-on, accessibility in both
// themes, count.js, lazy start and the single-comment embed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startStack, launchBrowser, launchWithoutThirdPartyCookies, browserAvailable, axeViolations } from './harness.mjs';
import { signInWidget, comment } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
const password = 'correct horse battery';
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

async function open(url, context) {
  const page = await (context || (await browser.newContext())).newPage();
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('heading', { name: /\d+ comments?/ }).waitFor();
  return { page, widget };
}

const createComment = (storyURL, body, token, parentID) => stack.must(
  `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id status } } }`,
  { i: { storyURL, body, parentID } }, token).then((d) => d.createComment.comment);

/** Signs an HS256 JWT the way a host site's server would. */
function hostToken(secret, claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** Resolves once username, an author on the story at url, holds at least level on the site. */
async function reachesLevel(url, username, level) {
  const { story } = await stack.must(`query($u: String) { story(url: $u) { comments(first: 50) { edges { node { author { id username } } } } } }`,
    { u: url }, stack.admin.token);
  const { id } = story.comments.edges.map((e) => e.node.author).find((a) => a?.username === username);
  for (let i = 0; i < 200; i++) {
    const { trustStanding } = await stack.must(`query($s: ID!, $u: ID) { trustStanding(siteID: $s, userID: $u) { level } }`,
      { s: stack.site.id, u: id }, stack.admin.token);
    if (trustStanding.level >= level) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${username} did not reach trust level ${level}`);
}

test('a reader signs up, posts, replies, edits, reacts and reports from a host page', { skip }, async () => {
  const url = stack.articlePage('/news/round', { title: 'A reader’s round' });
  const other = await stack.signUp('otherreader');
  const theirs = await createComment(url, 'Somebody else’s opinion.', other.token);

  const { page, widget } = await open(url);
  await widget.getByRole('heading', { name: '1 comment' }).waitFor();
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await widget.getByRole('button', { name: 'Create an account' }).click();
  await widget.getByLabel('Email').fill('roundreader@readers.test');
  await widget.getByLabel('Username').fill('roundreader');
  await widget.getByLabel('Password', { exact: true }).fill(password);
  await widget.getByRole('button', { name: 'Sign up', exact: true }).click();
  await widget.getByRole('button', { name: 'Sign out' }).waitFor();

  // Post: the comment shows at once, focused, and the draft box is empty again.
  await widget.getByLabel('Write a comment').fill('My **first** comment.');
  await widget.getByRole('tab', { name: 'Preview' }).click();
  await widget.getByRole('tabpanel').locator('strong', { hasText: 'first' }).waitFor();
  await widget.getByRole('tab', { name: 'Write' }).click();
  await widget.getByRole('button', { name: 'Post', exact: true }).click();
  const mine = comment(page, 'roundreader');
  await mine.locator('strong', { hasText: 'first' }).waitFor();
  assert.equal(await mine.evaluate((el) => el.getRootNode().activeElement === el), true, 'the new comment has focus');
  assert.equal(await widget.getByLabel('Write a comment').inputValue(), '');
  await widget.getByRole('heading', { name: '2 comments' }).waitFor();

  // Edit within the window.
  await mine.getByText(/minutes? left to edit/).waitFor();
  await mine.getByRole('button', { name: 'Edit', exact: true }).click();
  await mine.getByLabel('Edit your comment').fill('My edited comment.');
  await mine.getByRole('button', { name: 'Save' }).click();
  await mine.getByText('My edited comment.').waitFor();
  await mine.getByText('(edited)').waitFor();

  // React: the count changes and the button says it is pressed.
  const theirComment = comment(page, 'otherreader');
  const respect = theirComment.getByRole('button', { name: 'Respect, 0' });
  assert.equal(await respect.getAttribute('aria-pressed'), 'false');
  await respect.click();
  const pressed = theirComment.getByRole('button', { name: 'Respect, 1' });
  await pressed.waitFor();
  assert.equal(await pressed.getAttribute('aria-pressed'), 'true');

  // Reply to the other reader.
  await theirComment.getByRole('button', { name: 'Reply', exact: true }).click();
  await theirComment.getByLabel('Write a reply').fill('I see it differently.');
  await theirComment.getByRole('button', { name: 'Post reply' }).click();
  await widget.getByRole('article', { name: 'Comment by roundreader' }).filter({ hasText: 'I see it differently.' }).waitFor();

  // Reporting opens at trust level 1, which the first published comment earns once the
  // trust consumer has read its event: wait for that, as a reader would have by now.
  await reachesLevel(url, 'roundreader', 1);

  // Report, with a reason; OTHER needs details first.
  await theirComment.getByRole('button', { name: 'Report', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Report a comment' });
  await dialog.getByLabel('Something else').check();
  await dialog.getByRole('button', { name: 'Send report' }).click();
  await dialog.getByText('Please tell us what is wrong.').waitFor();
  await dialog.getByLabel('Details').fill('It repeats itself.');
  await dialog.getByRole('button', { name: 'Send report' }).click();
  await dialog.getByText('Thank you for your report.').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });

  const { comment: stored } = await stack.must(
    `query($id: ID!) { comment(id: $id) { replyCount reactions { kind count } reports { reason details } } }`,
    { id: theirs.id }, stack.admin.token);
  assert.equal(stored.replyCount, 1);
  assert.deepEqual(stored.reactions.find((r) => r.kind === 'respect')?.count, 1);
  assert.deepEqual(stored.reports, [{ reason: 'OTHER', details: 'It repeats itself.' }]);

  // Delete the reply, after confirming.
  const myReply = comment(page, 'roundreader').filter({ hasText: 'I see it differently.' });
  await myReply.getByRole('button', { name: 'Delete', exact: true }).click();
  await myReply.getByRole('button', { name: 'Yes, delete' }).click();
  await myReply.waitFor({ state: 'detached' });

  // After a reload the reader is still signed in (the token is in localStorage) and sees the edit.
  await page.reload();
  await page.getByRole('region', { name: 'Comments' }).getByRole('button', { name: 'Sign out' }).waitFor();
  await comment(page, 'roundreader').filter({ hasText: 'My edited comment.' }).waitFor();
  assert.equal(await comment(page, 'roundreader').count(), 1, 'the deleted reply is back');
  assert.equal(await comment(page, 'otherreader').getByRole('button', { name: 'Respect, 1' }).getAttribute('aria-pressed'), 'true');
  await page.context().close();
});

test('a failed post keeps its text, and the draft survives a reload', { skip }, async () => {
  const url = stack.articlePage('/news/drafts', { title: 'Drafts' });
  await stack.signUp('drafter');
  const { page, widget } = await open(url);
  await signInWidget(page, 'drafter', password);
  // Longer than the site allows: refused with INVALID on the body, shown by the box.
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, maxCommentLength: 20 } }, stack.admin.token);
  try {
    const text = 'This comment is far too long for the site.';
    await widget.getByLabel('Write a comment').fill(text);
    await widget.getByRole('button', { name: 'Post', exact: true }).click();
    await widget.getByRole('alert').filter({ hasText: /./ }).first().waitFor();
    assert.equal(await widget.getByLabel('Write a comment').getAttribute('aria-invalid'), 'true');
    assert.equal(await widget.getByLabel('Write a comment').inputValue(), text);
    await page.reload();
    assert.equal(await page.getByRole('region', { name: 'Comments' }).getByLabel('Write a comment').inputValue(), text);
  } finally {
    await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
      { i: { siteID: stack.site.id, maxCommentLength: 5000 } }, stack.admin.token);
  }
  await page.context().close();
});

test('a new comment reaches another reader live, behind a button', { skip }, async () => {
  const url = stack.articlePage('/news/live', { title: 'Live' });
  const writer = await stack.signUp('livewriter');
  const first = await createComment(url, 'The first word.', writer.token);
  const { page, widget } = await open(url);
  await comment(page, 'livewriter').waitFor();
  // Give the subscription a moment to be established before the event.
  await page.waitForTimeout(500);

  await createComment(url, 'A second thought, live.', writer.token);
  const show = widget.getByRole('button', { name: 'Show 1 new comment' });
  await show.waitFor();
  // Nothing moved: the new comment waits until the reader asks for it.
  assert.equal(await widget.getByRole('article').count(), 1);
  await show.click();
  await widget.getByRole('article').filter({ hasText: 'A second thought, live.' }).waitFor();
  assert.equal(await widget.getByRole('article').count(), 2);
  await widget.getByRole('heading', { name: '2 comments' }).waitFor();

  // An edit and a reaction change the comment in place.
  await stack.must(`mutation($i: EditCommentInput!) { editComment(input: $i) { comment { id } } }`,
    { i: { commentID: first.id, body: 'The first word, revised.' } }, writer.token);
  await widget.getByText('The first word, revised.').waitFor();
  await page.context().close();
});

test('a held comment tells its author so until a moderator decides, live', { skip }, async () => {
  const settings = (premodAll) => stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, premodAll } }, stack.admin.token);
  const moderate = (mutation, commentID, reason) => stack.must(
    `mutation($i: ModerateInput!) { ${mutation}(input: $i) { comment { id } } }`, { i: { commentID, reason } }, stack.admin.token);
  const url = stack.articlePage('/news/held-live', { title: 'Held' });
  const author = await stack.signUp('heldlive');
  await settings(true);
  try {
    const { page, widget } = await open(url);
    await signInWidget(page, 'heldlive', password);
    for (const text of ['Wait for me.', 'Wait for me too.']) {
      await widget.getByLabel('Write a comment').fill(text);
      await widget.getByRole('button', { name: 'Post', exact: true }).click();
      await comment(page, 'heldlive').filter({ hasText: text }).getByText('Your comment is awaiting review.').waitFor();
    }
    await comment(page, 'heldlive').first().getByText('Pending review').waitFor();
    await widget.getByRole('heading', { name: '0 comments' }).waitFor();

    const { viewer } = await stack.must(`{ viewer { id } }`, {}, author.token);
    const { user } = await stack.must(`query($id: ID!, $site: ID!) { user(id: $id) { comments(siteID: $site, first: 2) { edges { node { id bodySource } } } } }`,
      { id: viewer.id, site: stack.site.id }, stack.admin.token);
    const id = (text) => user.comments.edges.find((e) => e.node.bodySource === text).node.id;
    await moderate('approveComment', id('Wait for me.'));
    await moderate('rejectComment', id('Wait for me too.'), 'OFF_TOPIC');
    const approved = comment(page, 'heldlive').filter({ hasText: 'Wait for me.' });
    await approved.getByText('Your comment is awaiting review.').waitFor({ state: 'detached' });
    // The author learns why, in words, on the comment and through the live region (the
    // notifications subscription).
    const why = 'Your comment was not published: it was off topic.';
    const rejected = comment(page, 'heldlive').filter({ hasText: 'Wait for me too.' });
    await rejected.getByText(why).waitFor();
    // The server refuses edits of a rejected comment, so the widget no longer offers one.
    assert.equal(await rejected.getByRole('button', { name: 'Edit', exact: true }).count(), 0);
    await rejected.getByRole('button', { name: 'Delete', exact: true }).waitFor();
    await widget.getByRole('heading', { name: '1 comment' }).waitFor();
    const announced = (text) => widget.locator('[role="status"][aria-live="polite"]', { hasText: text }).waitFor({ state: 'attached' });
    await announced(why);
    const replier = await stack.signUp('replier');
    await settings(false); // so the reply is published, and notified
    await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
      { i: { storyURL: url, parentID: id('Wait for me.'), body: 'A reply to the approved one.' } }, replier.token);
    await announced('replier replied to your comment.');
    await page.context().close();
  } finally {
    await settings(false);
  }
});

test('a reader follows a deep thread, mutes someone and sorts the comments', { skip }, async () => {
  const url = stack.articlePage('/news/deep', { title: 'Deep' });
  const [talker, chatter] = [await stack.signUp('talker'), await stack.signUp('chatter')];
  await stack.signUp('follower');
  const first = await createComment(url, 'The oldest comment.', chatter.token);
  let parent = await createComment(url, 'Level 0.', talker.token);
  await createComment(url, 'A side note.', chatter.token, parent.id);
  for (let level = 1; level <= 4; level++) {
    parent = await createComment(url, `Level ${level}.`, level % 2 ? chatter.token : talker.token, parent.id);
  }
  await createComment(url, 'A later reaction.', talker.token, first.id);

  const { page, widget } = await open(url);
  await signInWidget(page, 'follower', password);
  // Level 1 came inline with its parent; each deeper level opens with its own button.
  for (const level of [2, 3]) {
    await widget.getByRole('button', { name: 'Show more replies' }).first().click();
    await widget.getByText(`Level ${level}.`).waitFor();
  }
  await widget.getByRole('button', { name: 'Continue this thread' }).click();
  await widget.getByRole('button', { name: 'Back to all comments' }).waitFor();
  await widget.getByText('Level 4.').waitFor();
  assert.equal(await widget.getByText('The oldest comment.').count(), 0, 'the thread view shows only the thread');
  await widget.getByRole('button', { name: 'Back to all comments' }).click();
  await widget.getByText('The oldest comment.').waitFor();

  // Mute: chatter's comments fold away, with a way to see one and to take the mute back.
  await comment(page, 'chatter').filter({ hasText: 'The oldest comment.' }).getByRole('button', { name: 'Mute chatter' }).click();
  await widget.getByText('You muted chatter.').first().waitFor();
  assert.equal(await comment(page, 'chatter').count(), 0);
  await widget.getByRole('button', { name: /Muted users/ }).click();
  await widget.getByRole('button', { name: 'Unmute chatter' }).click();
  await comment(page, 'chatter').first().waitFor();

  // Sorting: oldest first puts the first comment on top.
  await widget.getByLabel('Sort comments').selectOption({ label: 'Oldest' });
  await widget.getByRole('article').first().filter({ hasText: 'The oldest comment.' }).waitFor();
  await widget.getByLabel('Sort comments').selectOption({ label: 'Most replies' });
  await widget.getByRole('article').first().filter({ hasText: 'Level 0.' }).waitFor();
  await page.context().close();
});

test('a reader downloads their data and asks to delete their account, which signing in within the grace period cancels', { skip }, async () => {
  const url = stack.articlePage('/news/leaving', { title: 'Leaving' });
  const [leaver, stayer] = [await stack.signUp('leaver'), await stack.signUp('stayer')];
  const mine = await createComment(url, 'Words I take with me.', leaver.token);
  await createComment(url, 'A reply that stays.', stayer.token, mine.id);
  await createComment(url, 'Not the leaver’s words.', stayer.token);

  const { page, widget } = await open(url);
  await signInWidget(page, 'leaver', password);
  await widget.getByRole('button', { name: 'Account' }).click();
  const dialog = widget.getByRole('dialog', { name: 'Account' });
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download my data' }).click()]);
  assert.equal(download.suggestedFilename(), 'parley-data-leaver.json');
  const data = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(data.account.username, 'leaver');
  assert.deepEqual(data.comments.map((c) => [c.id, c.bodySource, c.storyURL]), [[mine.id, 'Words I take with me.', url]]);

  // Deleting asks for the password, and a wrong one changes nothing.
  await dialog.getByRole('button', { name: 'Delete my account' }).click();
  const confirm = widget.getByRole('dialog', { name: 'Delete my account' });
  await confirm.getByText('comments show as deleted').waitFor();
  await confirm.getByLabel('Password').fill('not my password');
  await confirm.getByLabel('Password').press('Enter');
  await confirm.getByRole('alert').getByText('That password is not right.').waitFor();
  await confirm.getByLabel('Password').fill(password);
  await confirm.getByRole('button', { name: 'Delete my account' }).click();
  await widget.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  await widget.getByRole('status').filter({ hasText: 'Your account will be deleted after a waiting period' }).waitFor();
  await page.context().close();

  // Nothing is erased during the grace period: another reader still sees the comment and
  // its reply.
  const other = await open(url);
  await other.widget.getByText('Words I take with me.').waitFor();
  await other.widget.getByText('A reply that stays.').waitFor();
  await other.page.context().close();
  // Signing in within the grace period cancels the deletion, and says so.
  const back = await stack.gql(`mutation($i: SignInInput!) { signIn(input: $i) { token deletionCancelled } }`, { i: { login: 'leaver', password } });
  assert.equal(back.errors, undefined);
  assert.equal(back.data.signIn.deletionCancelled, true);
});

test('a closed story says so and offers no way to post', { skip }, async () => {
  const url = stack.articlePage('/news/closed', { title: 'Closed' });
  const reader = await stack.signUp('closedreader');
  await createComment(url, 'Said before closing.', reader.token);
  const { story } = await stack.must(`query($url: String!) { story(url: $url) { id } }`, { url });
  await stack.must(`mutation($i: UpdateStoryInput!) { updateStory(input: $i) { id } }`,
    { i: { storyID: story.id, closed: true } }, stack.admin.token);
  const { page, widget } = await open(url);
  await signInWidget(page, 'closedreader', password);
  await widget.getByText('Comments are closed.').waitFor();
  await comment(page, 'closedreader').waitFor();
  assert.equal(await widget.getByLabel('Write a comment').count(), 0);
  assert.equal(await widget.getByRole('button', { name: 'Reply', exact: true }).count(), 0);
  await page.context().close();
});

test('the widget signs in and posts with third-party cookies blocked', { skip }, async () => {
  const url = stack.articlePage('/news/cookies', { title: 'No cookies' });
  await stack.signUp('nocookies');
  const context = await launchWithoutThirdPartyCookies();
  try {
    const { page, widget } = await open(url, context);
    await signInWidget(page, 'nocookies', password);
    await widget.getByLabel('Write a comment').fill('Posted without any cookie.');
    await widget.getByRole('button', { name: 'Post', exact: true }).click();
    await comment(page, 'nocookies').getByText('Posted without any cookie.').waitFor();
    assert.deepEqual(await context.cookies(), []);
    await page.reload();
    await page.getByRole('region', { name: 'Comments' }).getByRole('button', { name: 'Sign out' }).waitFor();
  } finally {
    await context.close();
  }
});

test('the host signs its reader in with a single sign-on token', { skip }, async () => {
  const secret = randomUUID() + randomUUID();
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, ssoSecret: secret } }, stack.admin.token);
  const now = Math.floor(Date.now() / 1000);
  const jwt = hostToken(secret, {
    sub: 'host-user-42', email: 'ssoreader@host.test', username: 'ssoreader', iat: now, exp: now + 300, jti: randomUUID(),
  });
  const url = stack.hostPage('/news/sso', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SSO</title></head>
<body><main><h1>SSO</h1><div id="talk"></div>
<script src="${stack.parleyURL}/embed.js" data-manual></script>
<script>
  window.events = [];
  const talk = document.getElementById('talk');
  for (const name of ['ready', 'login', 'logout', 'comment-posted', 'count']) {
    talk.addEventListener('parley:' + name, (e) => window.events.push([name, e.detail]));
  }
  const handle = Parley.render({
    container: talk, storyURL: location.href, eager: true,
    onLoginRequest: () => handle.setSSOToken(${JSON.stringify(jwt)}),
    onLogout: () => window.events.push(['host-logout']),
  });
</script></main></body></html>`);
  const { page, widget } = await open(url);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await widget.getByText('Signed in as ssoreader', { exact: true }).waitFor();
  await widget.getByLabel('Write a comment').fill('Signed in by my newspaper.');
  await widget.getByRole('button', { name: 'Post', exact: true }).click();
  await comment(page, 'ssoreader').waitFor();
  await widget.getByRole('button', { name: 'Sign out' }).click();
  await widget.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  const events = (await page.evaluate(() => window.events)).map(([name]) => name);
  for (const name of ['ready', 'login', 'comment-posted', 'count', 'logout', 'host-logout']) {
    assert.ok(events.includes(name), `no ${name} event in ${events}`);
  }
  await page.context().close();
});

test('axe finds no WCAG A or AA violations in the light and dark themes', { skip }, async () => {
  const staff = await stack.signUp('staffer');
  await stack.must(`mutation($i: SetSiteRoleInput!) { setSiteRole(input: $i) { id } }`,
    { i: { siteID: stack.site.id, userID: staff.user.id, role: 'MODERATOR' } }, stack.admin.token);
  const reader = await stack.signUp('axereader');
  for (const theme of ['light', 'dark']) {
    const url = stack.articlePage(`/news/axe-${theme}`, { title: `Accessible, ${theme}`, theme });
    const top = await createComment(url, `A ${theme} comment with \`code\`, **bold** and a [link](https://example.com).`, reader.token);
    if (top.status === 'PENDING') {
      await stack.must(`mutation($i: ModerateInput!) { approveComment(input: $i) { comment { id } } }`, { i: { commentID: top.id } }, stack.admin.token);
    }
    await createComment(url, `A ${theme} reply from the staff.`, staff.token, top.id);
    await stack.must(`mutation($i: ModerateInput!) { featureComment(input: $i) { comment { id } } }`, { i: { commentID: top.id } }, stack.admin.token);
    const { page, widget } = await open(url);
    await comment(page, 'staffer').getByText('Staff', { exact: true }).waitFor();
    assert.deepEqual(await axeViolations(page), [], `${theme}, signed out`);

    await signInWidget(page, 'axereader', password);
    await widget.getByLabel('Write a comment').fill('Hello');
    assert.deepEqual(await axeViolations(page), [], `${theme}, signed in`);
    await comment(page, 'staffer').getByRole('button', { name: 'Report', exact: true }).click();
    await page.getByRole('dialog').waitFor();
    assert.deepEqual(await axeViolations(page), [], `${theme}, report dialog`);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await widget.getByRole('button', { name: 'Account' }).click();
    await widget.getByRole('dialog', { name: 'Account' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], `${theme}, account dialog`);
    await page.keyboard.press('Escape');
    await page.context().close();
  }
});

test('count.js fills in the counts of a page’s links with one request', { skip }, async () => {
  const reader = await stack.signUp('counter');
  const withTwo = stack.articlePage('/news/counted', { title: 'Counted' });
  await createComment(withTwo, 'One.', reader.token);
  await createComment(withTwo, 'Two.', reader.token);
  const url = stack.hostPage('/index', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Index</title></head>
<body><main><a href="/news/counted" data-parley-count>…</a> <span data-parley-count="${withTwo}">…</span>
<a href="/news/nothing-yet" data-parley-count>…</a>
<script src="${stack.parleyURL}/count.js" async></script></main></body></html>`);
  const page = await (await browser.newContext()).newPage();
  const requests = [];
  // Every request to the API counts, whatever its method (the widget's reads are GETs).
  page.on('request', (r) => new URL(r.url()).pathname.endsWith('/graphql') && requests.push(r));
  await page.goto(url);
  await page.getByText('0 comments').waitFor();
  assert.deepEqual(await page.locator('[data-parley-count]').allTextContents(), ['2 comments', '2 comments', '0 comments']);
  assert.equal(requests.length, 1);
  await page.context().close();
});

test('the widget waits until its place comes near the viewport', { skip }, async () => {
  const url = stack.hostPage('/news/long', `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Lang</title>
<link rel="canonical" href="${stack.hostURL}/news/long-canonical"></head>
<body><main><h1>Ein langer Artikel</h1><div style="height: 4000px">Text.</div>
<script src="${stack.parleyURL}/embed.js" async></script></main></body></html>`);
  const page = await (await browser.newContext()).newPage();
  let calls = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('/graphql')) calls += 1; });
  await page.goto(url);
  await page.waitForTimeout(700);
  assert.equal(calls, 0, 'the widget loaded before it came near the viewport');
  await page.mouse.wheel(0, 4000);
  // German from <html lang>, and the story is the canonical URL's.
  await page.getByRole('region', { name: 'Kommentare' }).getByRole('heading', { name: '0 Kommentare' }).waitFor();
  const { storyCounts } = await stack.must(`query($url: String!) { storyCounts(urls: [$url]) { story { id } } }`,
    { url: `${stack.hostURL}/news/long-canonical` });
  assert.ok(storyCounts[0].story, 'no story was created at the canonical URL');
  await page.context().close();
});

test('a single comment embeds on its own with a link to its discussion', { skip }, async () => {
  const reader = await stack.signUp('quoted');
  const storyURL = stack.articlePage('/news/quoted', { title: 'Quoted' });
  const quoted = await createComment(storyURL, 'Worth quoting elsewhere.', reader.token);
  await createComment(storyURL, 'Not this one.', reader.token);
  const url = stack.hostPage('/quote', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quote</title></head>
<body><main><h1>Quote</h1><script src="${stack.parleyURL}/embed.js" data-comment-id="${quoted.id}" data-eager="true"></script></main></body></html>`);
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });
  await comment(page, 'quoted').getByText('Worth quoting elsewhere.').waitFor();
  assert.equal(await widget.getByRole('article').count(), 1);
  assert.equal(await widget.getByRole('link', { name: 'View the discussion' }).getAttribute('href'), storyURL);
  await page.context().close();
});

test('the frame page sizes its frame on the story page that frames it', { skip }, async () => {
  const story = `${stack.hostURL}/news/framed`;
  const reader = await stack.signUp('framed');
  await createComment(story, 'A comment shown in a frame.', reader.token);
  const url = stack.hostPage('/news/framed', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Framed</title></head>
<body><main><h1>Framed</h1>
<iframe id="comments" title="Comments" style="width:100%;border:0;height:50px" src="${stack.parleyURL}/embed?storyURL=${encodeURIComponent(story)}"></iframe>
<script>
  window.addEventListener('message', (e) => {
    if (e.origin === ${JSON.stringify(stack.parleyURL)} && e.data?.type === 'parley:height') document.getElementById('comments').style.height = e.data.height + 'px';
  });
</script></main></body></html>`);
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.frameLocator('#comments').getByRole('article', { name: 'Comment by framed' }).waitFor();
  await page.waitForFunction(() => document.getElementById('comments').getBoundingClientRect().height > 150);
  await page.context().close();
});
