// Automatic persisted queries for the dashboard, as the widget sends them (widget/src/api.js):
// urql hands its request to this fetch, which sends a read by GET with the query's SHA-256 hash
// alone, then with its text only when the server answers PERSISTED_QUERY_NOT_FOUND, and a
// mutation by POST with its text and its hash. The build lists every operation's hash in
// dist/admin/persisted-queries.json (scripts/persisted.mjs), so a server run with
// PARLEY_PERSISTED_QUERIES_ONLY accepts the dashboard.

// URLs longer than this go by POST: some proxies refuse longer ones.
const maxGETLength = 8000;

/** Reports whether query is a read (a query, not a mutation), which may go by GET. */
export function isRead(query) {
  return /^\s*(query\b|\{)/.test(query);
}

const hashes = new Map();

/**
 * Returns the SHA-256 of query in hex, as the APQ protocol names it, or null where the page
 * has no WebCrypto (an insecure origin): the operation then goes by POST with its text alone.
 */
export async function queryHash(query) {
  if (hashes.has(query)) return hashes.get(query);
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(query)));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  hashes.set(query, hex);
  return hex;
}

function getURL(url, { query, operationName, variables, extensions }) {
  const p = new URLSearchParams();
  if (query) p.set('query', query);
  if (operationName) p.set('operationName', operationName);
  if (variables && Object.keys(variables).length) p.set('variables', JSON.stringify(variables));
  p.set('extensions', JSON.stringify(extensions));
  return `${url}?${p}`;
}

/** Returns a fetch for urql's Client that speaks APQ through fetchImpl. */
export function persistedFetch(fetchImpl = (...args) => globalThis.fetch(...args)) {
  return async (url, init = {}) => {
    let params;
    try {
      params = init.method === 'POST' && typeof init.body === 'string' ? JSON.parse(init.body) : null;
    } catch {
      params = null;
    }
    const hash = params?.query ? await queryHash(params.query) : null;
    if (!hash) return fetchImpl(url, init);
    const extensions = { ...params.extensions, persistedQuery: { version: 1, sha256Hash: hash } };
    const post = () => fetchImpl(url, { ...init, body: JSON.stringify({ ...params, extensions }) });
    if (!isRead(params.query)) return post();
    const headers = { ...init.headers };
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-type') delete headers[name];
    const get = { ...init, method: 'GET', headers, body: undefined };
    const { operationName, variables, query } = params;
    const first = await fetchImpl(getURL(url, { operationName, variables, extensions }), get);
    const answer = await first.clone().json().catch(() => null);
    if (answer?.errors?.[0]?.extensions?.code !== 'PERSISTED_QUERY_NOT_FOUND') return first;
    const full = getURL(url, { query, operationName, variables, extensions });
    return full.length <= maxGETLength ? fetchImpl(full, get) : post();
  };
}
