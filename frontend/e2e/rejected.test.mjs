// Issue 18's two findings in the browser: an author who reloads keeps seeing their rejected
// comment, with the reason, until they delete it; and a reader on a phone finds the approved
// reply of a rejected comment below a placeholder, with a count that says what they find.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, browserAvailable } from './harness.mjs';
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

const createComment = (storyURL, body, token, parentID) => stack.must(
  `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id status } } }`,
  { i: { storyURL, body, parentID } }, token).then((d) => d.createComment.comment);

const moderate = (mutation, commentID, reason) => stack.must(
  `mutation($i: ModerateInput!) { ${mutation}(input: $i) { comment { id status } } }`, { i: { commentID, reason } }, stack.admin.token);

async function open(url, context) {
  const page = await (context || (await browser.newContext())).newPage();
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('heading', { name: /\d+ comments?/ }).waitFor();
  return { page, widget };
}

test('an author keeps their rejected comment, marked with the reason, across reloads until they delete it', { skip }, async () => {
  const url = stack.articlePage('/news/rejected-reload', { title: 'Rejected, then reloaded' });
  const author = await stack.signUp('dismisser');
  const other = await stack.signUp('bystander');
  const { id } = await createComment(url, 'Has anyone seen my cat?', author.token);
  await createComment(url, 'On topic, and published.', other.token);
  await moderate('rejectComment', id, 'OFF_TOPIC');

  const { page, widget } = await open(url);
  await signInWidget(page, 'dismisser', password);
  const why = 'Your comment was not published: it was off topic.';
  const own = () => comment(page, 'dismisser');
  for (let reload = 0; reload < 2; reload++) {
    if (reload) await page.reload();
    await own().getByText(why).waitFor();
    await own().getByText('Has anyone seen my cat?').waitFor();
    // Only published comments count, for the author as for everyone.
    await widget.getByRole('heading', { name: '1 comment' }).waitFor();
    assert.equal(await own().getByRole('button', { name: 'Edit', exact: true }).count(), 0);
  }

  // Nobody else finds it.
  const reader = await open(url);
  await comment(reader.page, 'bystander').waitFor();
  assert.equal(await comment(reader.page, 'dismisser').count(), 0, 'a reader found the rejected comment');
  assert.equal(await reader.widget.getByText('Has anyone seen my cat?').count(), 0);
  await reader.page.context().close();

  // Deleting it dismisses it, for good.
  await own().getByRole('button', { name: 'Delete', exact: true }).click();
  await own().getByRole('button', { name: 'Yes, delete' }).click();
  await own().waitFor({ state: 'detached' });
  await page.reload();
  await comment(page, 'bystander').waitFor();
  assert.equal(await own().count(), 0, 'the dismissed comment came back after a reload');
  await widget.getByRole('heading', { name: '1 comment' }).waitFor();
  await page.context().close();
});

test('a reader on a phone reaches the approved reply of a rejected comment, and the count says so', { skip }, async () => {
  const url = stack.articlePage('/news/rejected-parent', { title: 'A parent rejected' });
  const [parentAuthor, replier] = [await stack.signUp('rejectedparent'), await stack.signUp('approvedreplier')];
  const parent = await createComment(url, 'A comment that will be rejected.', parentAuthor.token);
  const reply = await createComment(url, 'A reply worth reading.', replier.token, parent.id);
  await moderate('approveComment', reply.id);
  await moderate('rejectComment', parent.id, 'ABUSIVE');

  const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const { page, widget } = await open(url, phone);
  await widget.getByRole('heading', { name: '1 comment' }).waitFor();
  const placeholder = widget.getByRole('article', { name: 'This comment is not available.' });
  await placeholder.waitFor();
  assert.equal(await placeholder.getByText('A comment that will be rejected.').count(), 0);
  await comment(page, 'approvedreplier').getByText('A reply worth reading.').waitFor();
  assert.equal(await comment(page, 'rejectedparent').count(), 0, 'the placeholder named its author');
  await phone.close();

  // Its author still finds it whole, rejected, with the reason, and the reply below it.
  const { page: own } = await open(url);
  await signInWidget(own, 'rejectedparent', password);
  await comment(own, 'rejectedparent').getByText('Your comment was not published: it was considered abusive or harassing.').waitFor();
  await comment(own, 'approvedreplier').getByText('A reply worth reading.').waitFor();
  await own.context().close();
});
