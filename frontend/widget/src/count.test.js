import { afterEach, describe, expect, it, vi } from 'vitest';
import { countURL, fillCounts } from './count.js';

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
  document.documentElement.lang = '';
});

// stubCounts answers storyCounts like the server, with counts by URL, and records requests.
function stubCounts(counts) {
  const requests = [];
  vi.stubGlobal('fetch', vi.fn(async (url, init) => {
    const { variables } = JSON.parse(init.body);
    requests.push({ url, init, urls: variables.urls });
    const storyCounts = variables.urls.map((u) => ({ url: u, commentCount: counts[u] ?? 0 }));
    return { json: async () => ({ data: { storyCounts } }) };
  }));
  return requests;
}

describe('countURL', () => {
  it('reads the attribute, or a link’s href, resolved and without fragment', () => {
    document.body.innerHTML = `<span data-parley-count="https://news.test/a#c"></span><a href="/b#x" data-parley-count></a><span data-parley-count></span>`;
    const [a, b, none] = document.body.children;
    expect(countURL(a)).toBe('https://news.test/a');
    expect(countURL(b)).toBe(new URL('/b', document.baseURI).href);
    expect(countURL(none)).toBeNull();
  });
});

describe('fillCounts', () => {
  it('fills every element from one request, in the page’s language', async () => {
    document.documentElement.lang = 'de';
    document.body.innerHTML = `<span data-parley-count="https://n.test/a"></span><span data-parley-count="https://n.test/b"></span><span data-parley-count="https://n.test/a"></span>`;
    const requests = stubCounts({ 'https://n.test/a': 1, 'https://n.test/b': 12 });
    await fillCounts('https://parley.test');
    expect(requests).toHaveLength(1);
    expect(requests[0].url).toBe('https://parley.test/graphql');
    expect(requests[0].init.credentials).toBe('omit');
    expect(requests[0].urls).toEqual(['https://n.test/a', 'https://n.test/b']);
    expect([...document.body.children].map((el) => el.textContent)).toEqual(['1 Kommentar', '12 Kommentare', '1 Kommentar']);
  });

  it('asks in batches of 100', async () => {
    document.body.innerHTML = Array.from({ length: 250 }, (_, i) => `<span data-parley-count="https://n.test/${i}"></span>`).join('');
    const requests = stubCounts({ 'https://n.test/249': 3 });
    await fillCounts('https://parley.test');
    expect(requests.map((r) => r.urls.length)).toEqual([100, 100, 50]);
    expect(document.body.lastElementChild.textContent).toBe('3 comments');
    expect(document.body.firstElementChild.textContent).toBe('0 comments');
  });
});
