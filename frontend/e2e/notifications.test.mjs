// Issue 15 item 3 in the browser: a reply that arrived while the page was closed waits in the
// reader's bell with its unread count; the reader opens it, marks it read, and chooses email
// for replies in the settings, which load only when asked for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchWithoutThirdPartyCookies, browserAvailable } from './harness.mjs';
import { signInWidget } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;

before(async () => {
  if (skip) return;
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test('a reply made while the page was closed waits in the bell, and the reader chooses email for replies', { skip }, async () => {
  const url = stack.articlePage('/news/bell', { title: 'The bell' });
  const [ann, bob] = [await stack.signUp('bellann'), await stack.signUp('bellbob')];
  const { createComment: { comment } } = await stack.must(
    `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`, { i: { storyURL: url, body: 'A first thought.' } }, ann.token);
  await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
    { i: { storyURL: url, body: 'A reply, @bellann.', parentID: comment.id } }, bob.token);
  // The notification comes from the event stream; wait until it is stored.
  for (let i = 0; ; i++) {
    const { unreadNotificationCount } = await stack.must(`{ unreadNotificationCount }`, {}, ann.token);
    if (unreadNotificationCount === 1) break;
    assert.ok(i < 300, 'the reply never reached the bell');
    await new Promise((r) => setTimeout(r, 100));
  }

  // With third-party cookies blocked, as many readers have them.
  const context = await launchWithoutThirdPartyCookies();
  try {
    const page = await context.newPage();
    await page.goto(url);
    const widget = page.getByRole('region', { name: 'Comments' });
    await widget.getByRole('heading', { name: /\d+ comments?/ }).waitFor();
    await signInWidget(page, 'bellann', 'correct horse battery');
    const bell = widget.getByRole('button', { name: 'Notifications, 1 unread' });
    await bell.click();
    const inbox = widget.getByRole('region', { name: 'Notifications' });
    await inbox.getByText('bellbob replied to your comment').waitFor();
    // One notification: the mention in the reply does not notify twice.
    assert.equal(await inbox.getByRole('listitem').count(), 1);
    await inbox.getByRole('button', { name: 'Mark all read' }).click();
    await widget.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    // A mention while the page is open reaches the bell live.
    await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
      { i: { storyURL: url, body: 'Ask @bellann about it.' } }, bob.token);
    await widget.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();

    await inbox.getByRole('button', { name: 'Notification settings' }).click();
    await inbox.getByLabel('… replied to your comment').selectOption('EMAIL');
    for (let i = 0; ; i++) {
      const { notificationSettings } = await stack.must(`{ notificationSettings { kind delivery } }`, {}, ann.token);
      if (notificationSettings.find((s) => s.kind === 'REPLY').delivery === 'EMAIL') break;
      assert.ok(i < 100, 'the setting was not saved');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await context.close();
  }
});
