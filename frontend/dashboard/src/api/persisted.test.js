import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { persistedFetch, isRead } from './persisted.js';

const READ = 'query Site($id: ID!) { site(id: $id) { id } }';
const WRITE = 'mutation SignOut { signOut }';
const sha = (s) => createHash('sha256').update(s).digest('hex');

// server answers as a server that knows the hashes in known (and learns those sent with text).
function server(known = new Set()) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, init });
    const u = new URL(url, 'http://x');
    const ext = init.method === 'GET' ? JSON.parse(u.searchParams.get('extensions')) : JSON.parse(init.body).extensions;
    const query = init.method === 'GET' ? u.searchParams.get('query') : JSON.parse(init.body).query;
    const hash = ext?.persistedQuery?.sha256Hash;
    if (query) known.add(hash);
    const body = known.has(hash) ? { data: { ok: true } } : { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] };
    return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
  };
  return { calls, fetchImpl };
}

const urqlInit = (query, variables) => ({
  method: 'POST',
  headers: { accept: 'application/graphql-response+json', 'content-type': 'application/json', authorization: 'Bearer t' },
  body: JSON.stringify({ operationName: 'Op', query, variables }),
});

describe('persistedFetch', () => {
  it('sends a known read by GET with its hash alone', async () => {
    const s = server(new Set([sha(READ)]));
    const res = await persistedFetch(s.fetchImpl)('/graphql', urqlInit(READ, { id: '1' }));
    expect(await res.json()).toEqual({ data: { ok: true } });
    expect(s.calls).toHaveLength(1);
    const { url, init } = s.calls[0];
    const u = new URL(url, 'http://x');
    expect(init.method).toBe('GET');
    expect(init.body).toBeUndefined();
    expect(init.headers['content-type']).toBeUndefined();
    expect(init.headers.authorization).toBe('Bearer t');
    expect(u.searchParams.get('query')).toBeNull();
    expect(JSON.parse(u.searchParams.get('extensions'))).toEqual({ persistedQuery: { version: 1, sha256Hash: sha(READ) } });
    expect(JSON.parse(u.searchParams.get('variables'))).toEqual({ id: '1' });
  });
  it('sends the text by GET once the server asks for it', async () => {
    const s = server();
    const res = await persistedFetch(s.fetchImpl)('/graphql', urqlInit(READ, { id: '1' }));
    expect(await res.json()).toEqual({ data: { ok: true } });
    expect(s.calls.map((c) => c.init.method)).toEqual(['GET', 'GET']);
    expect(new URL(s.calls[1].url, 'http://x').searchParams.get('query')).toBe(READ);
  });
  it('sends a mutation by POST with its text and its hash', async () => {
    const s = server();
    await persistedFetch(s.fetchImpl)('/graphql', urqlInit(WRITE));
    expect(s.calls).toHaveLength(1);
    const body = JSON.parse(s.calls[0].init.body);
    expect(s.calls[0].init.method).toBe('POST');
    expect(body.query).toBe(WRITE);
    expect(body.extensions.persistedQuery.sha256Hash).toBe(sha(WRITE));
  });
  it('tells reads from mutations', () => {
    expect(isRead(READ)).toBe(true);
    expect(isRead('{ viewer { id } }')).toBe(true);
    expect(isRead(WRITE)).toBe(false);
  });
});
