// The widget's whole GraphQL client: one fetch wrapper for queries and mutations, and a
// graphql-ws client for subscriptions. Credentials travel only as a bearer token.
import { createClient } from 'graphql-ws';
import { getURL, isRead, maxGETLength, queryHash } from './apq.js';

export { isRead, queryHash };

/** An error the API (or the network) answered, by its extensions.code; NETWORK when unreachable. */
export class APIError extends Error {
  constructor(code, message, field, extensions) {
    super(message || code);
    this.code = code;
    this.field = field;
    this.extensions = extensions || {};
  }
}

/**
 * Returns request(query, variables) → data for the server at serverURL, sending the token
 * from tokens. When the server refuses a stored token (expired or revoked) the token is
 * dropped, onExpired is told, and the request is repeated anonymously once.
 */
export function createAPI(serverURL, tokens, onExpired) {
  const send = async (query, variables, token) => {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    const hash = isRead(query) ? await queryHash(query) : null;
    if (hash) {
      // A read goes by GET as an automatic persisted query: the hash first, so that the
      // server's page cache and any HTTP cache can answer it by its URL; the text only
      // when the server asks for it.
      const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
      // cache: 'no-cache' revalidates what the browser kept (an ETag, answered 304 when
      // unchanged), so a reader who reloads sees changes at once; a CDN in front may still
      // keep an anonymous answer for its short max-age.
      let res = await fetch(getURL(`${serverURL}/graphql`, { variables, extensions }), { method: 'GET', headers, credentials: 'omit', cache: 'no-cache' });
      let body = await res.json();
      if (body.errors?.[0]?.extensions?.code !== 'PERSISTED_QUERY_NOT_FOUND') return { res, body };
      const url = getURL(`${serverURL}/graphql`, { query, variables, extensions });
      if (url.length <= maxGETLength) {
        res = await fetch(url, { method: 'GET', headers, credentials: 'omit', cache: 'no-cache' });
        return { res, body: await res.json() };
      }
      return post(serverURL, headers, { query, variables, extensions });
    }
    return post(serverURL, headers, { query, variables });
  };
  const request = async (query, variables, retried) => {
    const token = tokens.get();
    let res;
    let body;
    try {
      ({ res, body } = await send(query, variables, token));
    } catch {
      throw new APIError('NETWORK');
    }
    const err = body.errors?.[0];
    if (res.status === 401 && token && !retried) {
      tokens.set(null);
      onExpired();
      return request(query, variables, true);
    }
    if (err) throw new APIError(err.extensions?.code || 'INTERNAL', err.message, err.extensions?.field, err.extensions);
    return body.data;
  };
  return (query, variables) => request(query, variables, false);
}

async function post(serverURL, headers, params) {
  const res = await fetch(`${serverURL}/graphql`, {
    method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, credentials: 'omit', body: JSON.stringify(params),
  });
  return { res, body: await res.json() };
}

/**
 * Opens a graphql-transport-ws client to serverURL, authenticated with token (through
 * connection_init, since a browser cannot set headers on a WebSocket). It connects on the
 * first subscription and reconnects for ever with graphql-ws's randomised exponential backoff.
 */
export function createLive(serverURL, token) {
  return createClient({
    url: `${serverURL.replace(/^http/, 'ws')}/graphql`,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: Infinity,
    shouldRetry: () => true,
  });
}
