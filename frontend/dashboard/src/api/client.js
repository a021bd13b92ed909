// The GraphQL client of one session: queries (by GET, as persisted queries) and mutations over
// fetch to the same origin, subscriptions over one graphql-ws WebSocket. The token travels as
// a bearer header (in connection_init on the WebSocket), never as a cookie.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWSClient } from 'graphql-ws';
import { errorCode } from './errors.js';
import { persistedFetch } from './persisted.js';

/** The WebSocket URL of the API on the page's own host. */
function websocketURL(location) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
}

/**
 * Makes a client for token (null before sign-in). onUnauthenticated runs when the server no
 * longer accepts the token; onLive(connected) follows the WebSocket, so the dashboard can
 * say when its queues are not live.
 */
export function makeClient({ token, onUnauthenticated = () => {}, onLive = () => {} }) {
  const authorization = token ? `Bearer ${token}` : null;
  const ws = createWSClient({
    url: websocketURL(window.location),
    lazy: true,
    connectionParams: authorization ? { authorization } : {},
    // A dashboard left open all night must come back after any outage.
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: { connected: () => onLive(true), closed: () => onLive(false) },
  });
  const client = new Client({
    url: '/graphql',
    // Reads go by GET as persisted queries, mutations by POST with their hash (persisted.js).
    // urql hands every operation over as a POST (its own GET would send the text), and
    // persistedFetch decides how it travels.
    preferGetMethod: false,
    fetch: persistedFetch(),
    fetchOptions: () => ({ credentials: 'omit', headers: authorization ? { authorization } : {} }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (authorization && errorCode(error) === 'UNAUTHENTICATED') onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const operation = { ...request, query: request.query || '' };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(operation, sink) }) };
        },
      }),
    ],
  });
  return { client, close: () => ws.dispose() };
}
