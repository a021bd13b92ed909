// Measures what a reader waits for: the time from embed.js having loaded to the first comments
// being visible, on a story with 100 comments, in Chromium on loopback; and the bundle sizes.
// Run with `make bench-frontend`; prints a table to quote. Not a test: nothing here passes or
// fails on a figure.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, launchBrowser } from '../e2e/harness.mjs';

const runs = Number(process.env.RUNS || 15);
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function size(files) {
  const bodies = files.map((f) => readFileSync(f));
  const raw = bodies.reduce((n, b) => n + b.length, 0);
  const gzip = bodies.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
  return `${raw.toLocaleString("en")} B raw, ${gzip.toLocaleString("en")} B gzip (-9)`;
}

// Installed before the page's scripts: notes when embed.js finished loading and when the
// first comment article appeared inside the widget's shadow root.
function observe() {
  window.__firstComments = new Promise((resolve) => {
    const seen = () => {
      const host = [...document.querySelectorAll('*')].find((el) => el.shadowRoot);
      const article = host?.shadowRoot.querySelector('article');
      if (!article || !article.getBoundingClientRect().height) return false;
      resolve(performance.now());
      return true;
    };
    const tick = () => { if (!seen()) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
}

const stack = await startStack();
const browser = await launchBrowser();
try {
  const url = stack.articlePage('/bench/hundred', { title: 'A busy story' });
  const readers = [];
  for (let i = 0; i < 10; i++) readers.push(await stack.signUp(`benchreader${i}`));
  for (let i = 0; i < 100; i++) {
    await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
      { i: { storyURL: url, body: `Comment number ${i}: a paragraph of an ordinary length, about the story, with **some** emphasis.` } },
      readers[i % readers.length].token);
  }
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    await context.addInitScript(observe);
    const page = await context.newPage();
    await page.goto(url);
    const visible = await page.evaluate(() => window.__firstComments);
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').find((e) => e.name.endsWith('/embed.js')).responseEnd);
    times.push(visible - loaded);
    await context.close();
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(0);
  const assets = join(dist, 'admin', 'assets');
  console.log(`| measure | figure |
|---|---|
| embed.js (JavaScript and CSS, one file) | ${size([join(dist, 'embed.js')])} |
| count.js | ${size([join(dist, 'count.js')])} |
| dashboard (index.html + assets) | ${size([join(dist, 'admin', 'index.html'), ...readdirSync(assets).map((f) => join(assets, f))])} |
| embed.js loaded → first comments visible, 100-comment story (${runs} fresh contexts) | median ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${pct(1)} ms |`);
} finally {
  await browser.close();
  await stack.stop();
}
