// The composer's preview against a real server: one comment using every element the
// sanitiser allows (read from markup/markup.go, so that an element added there must be added
// here) previews exactly as it is then published, and each element looks like what it is.
// PARLEY_E2E_SCREENSHOTS=<dir> keeps a screenshot of the published comment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The elements markup's bluemonday policy keeps: AllowElements(…), and a (with href). */
function allowedElements() {
  const source = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../markup/markup.go'), 'utf8');
  const list = source.match(/AllowElements\(([^)]*)\)/);
  assert.ok(list && /OnElements\("a"\)/.test(source), 'markup.go no longer reads as this test expects: update allowedElements');
  return [...list[1].matchAll(/"([a-z0-9]+)"/g), [, 'a']].map(([, name]) => name).sort();
}

// s is allowed for bodies that come as HTML (imports, federation); Markdown's ~~ makes del,
// and raw HTML in Markdown is dropped, so a commenter cannot write an s element.
const notFromMarkdown = ['s'];

const source = `# A heading is strong text

A paragraph with **strong**, *emphasis*, ~~struck~~, \`inline code\` and a [link](https://example.org/page).
A second line after one newline.

> A quote
> over two lines.

- one
- two
  - nested

3. three
4. four

\`\`\`
preformatted    spacing
    indented line
\`\`\``;

test('the preview is the published comment, every allowed element looking like what it is', { skip }, async () => {
  const url = stack.articlePage('/news/formatting', { title: 'Formatting' });
  await stack.signUp('formatter');
  const page = await (await browser.newContext()).newPage();
  const previews = [];
  // A preview is asked for once per text: as a POST, or (the widget's reads are persisted
  // queries over GET) as the hash-first GET, not counting the one that registers the query.
  const isPreview = (r) => {
    if (r.method() === 'POST') return r.postData()?.includes('previewComment');
    const url = new URL(r.url());
    if (!url.pathname.endsWith('/graphql') || url.searchParams.has('query')) return false;
    return 'body' in JSON.parse(url.searchParams.get('variables') || '{}');
  };
  page.on('request', (r) => isPreview(r) && previews.push(r));
  await page.goto(url);
  const widget = page.getByRole('region', { name: 'Comments' });
  await signInWidget(page, 'formatter', 'correct horse battery');

  await widget.getByLabel('Write a comment').fill(source);
  assert.equal(previews.length, 0, 'a preview was asked for before the reader opened it');
  await widget.getByRole('tab', { name: 'Preview' }).click();
  const preview = widget.locator('[data-preview-body]');
  await preview.waitFor();
  const previewed = await preview.innerHTML();
  const looks = (body) => body.evaluate((el) => {
    const style = (sel) => getComputedStyle(el.querySelector(sel));
    return {
      elements: [...new Set([...el.querySelectorAll('*')].map((e) => e.localName))].sort(),
      ul: style('ul').listStyleType,
      nested: style('ul ul').listStyleType,
      ol: style('ol').listStyleType,
      olStart: el.querySelector('ol').start,
      listIndent: parseFloat(style('ul').paddingLeft),
      li: style('li').display,
      quoteBorder: parseFloat(style('blockquote').borderLeftWidth),
      quoteIndent: parseFloat(style('blockquote').paddingLeft) + parseFloat(style('blockquote').marginLeft),
      pre: style('pre').whiteSpace,
      preText: el.querySelector('pre').textContent,
      del: style('del').textDecorationLine,
      strong: Number(style('strong').fontWeight),
      em: style('em').fontStyle,
      code: style('p code').fontFamily,
      link: [el.querySelector('a').getAttribute('href'), el.querySelector('a').target, el.querySelector('a').rel],
      // A newline inside a paragraph is a line break, not a space.
      lines: el.querySelector('p:nth-of-type(2) br') !== null,
    };
  });
  const want = {
    elements: allowedElements().filter((e) => !notFromMarkdown.includes(e)),
    ul: 'disc',
    nested: 'circle',
    ol: 'decimal',
    olStart: 3,
    li: 'list-item',
    pre: 'pre',
    preText: 'preformatted    spacing\n    indented line\n',
    del: 'line-through',
    em: 'italic',
    link: ['https://example.org/page', '_blank', 'nofollow ugc noopener'],
    lines: true,
  };
  const check = (got, where) => {
    assert.deepEqual({ ...got, listIndent: 0, quoteBorder: 0, quoteIndent: 0, strong: 0, code: '' },
      { ...want, listIndent: 0, quoteBorder: 0, quoteIndent: 0, strong: 0, code: '' }, where);
    assert.ok(got.listIndent >= 16, `${where}: lists are indented (${got.listIndent}px)`);
    assert.ok(got.quoteBorder >= 2 && got.quoteIndent >= 8, `${where}: a quote is set apart (${got.quoteBorder}px border, ${got.quoteIndent}px indent)`);
    assert.ok(got.strong >= 600, `${where}: strong is bold (${got.strong})`);
    assert.match(got.code, /mono/, `${where}: code is monospaced`);
  };
  check(await looks(preview), 'preview');
  assert.equal(previews.length, 1, 'one request for one text');

  await widget.getByRole('tab', { name: 'Write' }).click();
  await widget.getByRole('button', { name: 'Post', exact: true }).click();
  const body = comment(page, 'formatter').locator('[data-comment-body]');
  await body.locator('blockquote').waitFor();
  assert.equal(await body.innerHTML(), previewed, 'the preview is exactly what was published');
  check(await looks(body), 'published comment');
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await comment(page, 'formatter').screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'formatting.png') });
  }

  // Too long for the site: the preview says so in the server's words, as posting would.
  await widget.getByLabel('Write a comment').fill('x'.repeat(5001));
  await widget.getByRole('tab', { name: 'Preview' }).click();
  await widget.getByRole('tabpanel').getByText('Comment is 5001 characters; the limit is 5000.').waitFor();
  await page.context().close();
});
