import { describe, it, expect } from 'vitest';
import { appendPage, emptyHistory, readHistory, HISTORY_PAGE } from './history.js';

const comments = Array.from({ length: 250 }, (_, i) => ({ id: `c${i}` }));

/** A server holding comments, newest first, with cursors as indexes; it records each read. */
function server(all = comments) {
  const reads = [];
  const read = async (first, after) => {
    reads.push({ first, after });
    const start = after === null ? 0 : Number(after) + 1;
    const nodes = all.slice(start, start + first);
    return {
      connection: {
        edges: nodes.map((node) => ({ node })),
        pageInfo: { hasNextPage: start + first < all.length, endCursor: nodes.length ? String(start + nodes.length - 1) : null },
      },
    };
  };
  return { read, reads };
}

describe('appendPage', () => {
  it('adds a page after the comments held and takes its cursor', () => {
    const page = (ids, endCursor, hasNextPage) => ({ edges: ids.map((id) => ({ node: { id } })), pageInfo: { endCursor, hasNextPage } });
    const one = appendPage(emptyHistory, page(['a', 'b'], 'b', true));
    const two = appendPage(one, page(['c'], 'c', false));
    expect(two).toEqual({ comments: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], endCursor: 'c', hasNextPage: false });
  });

  it('keeps the cursor when an empty page has none', () => {
    const held = { comments: [{ id: 'a' }], endCursor: 'a', hasNextPage: true };
    expect(appendPage(held, { edges: [], pageInfo: { endCursor: null, hasNextPage: false } }).endCursor).toBe('a');
  });
});

describe('readHistory', () => {
  it('reads one page when nothing is shown yet', async () => {
    const { read, reads } = server();
    const { history } = await readHistory(read, 0);
    expect(history.comments.map((c) => c.id)).toEqual(comments.slice(0, HISTORY_PAGE).map((c) => c.id));
    expect(history.hasNextPage).toBe(true);
    expect(reads).toEqual([{ first: HISTORY_PAGE, after: null }]);
  });

  it('reads as many comments as were shown, in pages the server allows', async () => {
    const { read, reads } = server();
    const { history } = await readHistory(read, 160);
    expect(history.comments).toHaveLength(160);
    expect(history.comments.at(-1).id).toBe('c159');
    expect(reads).toEqual([{ first: 100, after: null }, { first: 60, after: '99' }]);
  });

  it('stops when the user has fewer comments than were shown', async () => {
    const { read } = server(comments.slice(0, 30));
    const { history } = await readHistory(read, 40);
    expect(history.comments).toHaveLength(30);
    expect(history.hasNextPage).toBe(false);
  });

  it('answers the first error', async () => {
    const error = new Error('offline');
    expect(await readHistory(async () => ({ error }), 0)).toEqual({ error });
  });
});
