// Automatic persisted queries (APQ), as both the widget and the dashboard send them: a read
// goes by GET with the query's SHA-256 hash alone, then with its text when the server does
// not know the hash yet; a mutation by POST with its text and its hash.

// URLs longer than this go by POST: some proxies refuse longer ones.
export const maxGETLength = 8000;

/** Reports whether query is a read (a query, not a mutation), which may go by GET. */
export function isRead(query) {
  return /^\s*(query\b|\{)/.test(query);
}

const hashes = new Map();

/**
 * Returns the SHA-256 of query in hex, as the APQ protocol names it, or null where the page
 * has no WebCrypto (an insecure origin): the operation then goes by POST with its text.
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

/** The GET URL of an operation at endpoint (the server's /graphql). */
export function getURL(endpoint, { query, operationName, variables, extensions }) {
  const p = new URLSearchParams();
  if (query) p.set('query', query);
  if (operationName) p.set('operationName', operationName);
  if (variables && Object.keys(variables).length) p.set('variables', JSON.stringify(variables));
  p.set('extensions', JSON.stringify(extensions));
  return `${endpoint}?${p}`;
}
