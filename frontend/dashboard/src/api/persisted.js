// Automatic persisted queries for the dashboard, as the widget sends them (widget/src/apq.js):
// urql hands its request to this fetch, which sends a read by GET with the query's SHA-256 hash
// alone, then with its text only when the server answers PERSISTED_QUERY_NOT_FOUND, and a
// mutation by POST with its text and its hash. The build lists every operation's hash in
// dist/admin/persisted-queries.json (scripts/persisted.mjs), so a server run with
// PARLEY_PERSISTED_QUERIES_ONLY accepts the dashboard.

import { getURL, isRead, maxGETLength, queryHash } from '../../../widget/src/apq.js';

export { isRead };

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
