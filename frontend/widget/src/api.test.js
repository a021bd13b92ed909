import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { createAPI, isRead, queryHash } from './api.js';

const tokens = { get: () => null, set: () => {} };
const answer = (body) => ({ status: 200, json: async () => body });

describe('persisted queries', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('hashes a query as the server does', async () => {
    const q = 'query X { viewer { id } }';
    expect(await queryHash(q)).toBe(createHash('sha256').update(q).digest('hex'));
  });

  it('tells reads from mutations', () => {
    expect(isRead('query X { a }')).toBe(true);
    expect(isRead('{ a }')).toBe(true);
    expect(isRead('mutation X { a }')).toBe(false);
  });

  it('sends a read by GET with its hash only, then with its text when the server asks', async () => {
    const calls = [];
    vi.stubGlobal('fetch', vi.fn(async (url, init) => {
      calls.push({ url, method: init.method });
      if (calls.length === 1) return answer({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
      return answer({ data: { viewer: null } });
    }));
    const api = createAPI('http://parley.test', tokens, () => {});
    expect(await api('query V { viewer { id } }', { a: 1 })).toEqual({ viewer: null });
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET']);
    const first = new URL(calls[0].url).searchParams;
    const second = new URL(calls[1].url).searchParams;
    expect(first.get('query')).toBeNull();
    expect(JSON.parse(first.get('extensions')).persistedQuery.version).toBe(1);
    expect(second.get('query')).toBe('query V { viewer { id } }');
  });

  it('sends a mutation by POST', async () => {
    const fetchMock = vi.fn(async () => answer({ data: { x: true } }));
    vi.stubGlobal('fetch', fetchMock);
    const api = createAPI('http://parley.test', tokens, () => {});
    await api('mutation M { x }', {});
    expect(fetchMock.mock.calls[0][1].method).toBe('POST');
  });
});
