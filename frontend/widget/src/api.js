// The widget's whole GraphQL client: one fetch wrapper for queries and mutations, and a
// graphql-ws client for subscriptions. Credentials travel only as a bearer token.
import { createClient } from 'graphql-ws';

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
  const request = async (query, variables, retried) => {
    const token = tokens.get();
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let res;
    let body;
    try {
      res = await fetch(`${serverURL}/graphql`, {
        method: 'POST', headers, credentials: 'omit', body: JSON.stringify({ query, variables }),
      });
      body = await res.json();
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
