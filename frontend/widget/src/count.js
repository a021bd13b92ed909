// count.js: fills every element with data-parley-count on a page with its story's comment
// count ("12 comments"), asking Parley once per 100 links. No framework: it is loaded on
// index pages that may carry dozens of links.
import { comments as en } from './i18n/en.js';
import { comments as de } from './i18n/de.js';
import { fill, pickLang } from './i18n/text.js';

const BATCH = 100;
const messages = { en, de };

/**
 * The story URL an element counts: its data-parley-count value, or for a link without one
 * its href; resolved against the page, without the fragment.
 */
export function countURL(el) {
  const value = el.getAttribute('data-parley-count') || (el.tagName === 'A' ? el.getAttribute('href') : '');
  if (!value) return null;
  try {
    const url = new URL(value, document.baseURI);
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

/** Fills the counts of the elements under root from the Parley server at serverURL. */
export async function fillCounts(serverURL, root = document) {
  const lang = pickLang(Object.keys(messages), document.documentElement.lang);
  const byURL = new Map();
  for (const el of root.querySelectorAll('[data-parley-count]')) {
    const url = countURL(el);
    if (url) byURL.set(url, [...(byURL.get(url) || []), el]);
  }
  const urls = [...byURL.keys()];
  for (let i = 0; i < urls.length; i += BATCH) {
    const res = await fetch(`${serverURL}/graphql`, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        query: 'query Counts($urls: [String!]!) { storyCounts(urls: $urls) { url commentCount } }',
        variables: { urls: urls.slice(i, i + BATCH) },
      }),
    });
    const { data } = await res.json();
    for (const { url, commentCount } of data?.storyCounts || []) {
      for (const el of byURL.get(url) || []) el.textContent = fill(messages[lang], lang, { n: commentCount });
    }
  }
}

const script = document.currentScript;
if (script?.src) {
  const start = () => fillCounts(new URL(script.src).origin).catch(() => {}); // counts are decoration: fail quietly
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
