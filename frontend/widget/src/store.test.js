import { describe, expect, it } from 'vitest';
import { addPage, display, initialState, reducer, reveal, receive, ROOT, sync, toggleReaction, update } from './store.js';

let seq = 0;
const at = (minute) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
function comment(fields = {}) {
  seq += 1;
  return {
    id: `c${seq}`, body: '<p>x</p>', status: 'PUBLISHED', depth: 0, replyCount: 0, featured: false,
    createdAt: at(seq), parent: null, author: { id: 'other', username: 'other' }, reactions: [], ...fields,
  };
}
const reply = (parent, fields) => comment({ depth: parent.depth + 1, parent: { id: parent.id }, ...fields });
const page = (nodes, more = false, cursor = 'next') => ({
  edges: nodes.map((node) => ({ node })), pageInfo: { hasNextPage: more, endCursor: cursor },
});
const ids = (state, key = ROOT) => state.lists[key]?.ids;

describe('addPage', () => {
  it('keeps the page order with inline replies under their parents', () => {
    const a = comment({ replyCount: 1 });
    const r = reply(a);
    const b = comment();
    const s = addPage(initialState(), null, page([{ ...a, replies: page([r]) }, b], true, 'cur1'));
    expect(ids(s)).toEqual([a.id, b.id]);
    expect(ids(s, a.id)).toEqual([r.id]);
    expect(s.lists[ROOT]).toMatchObject({ cursor: 'cur1', more: true });
    expect(s.byId[a.id].replies).toBeUndefined();
  });

  it('appends the next page without repeating a comment it already shows', () => {
    const [a, b, c] = [comment(), comment(), comment()];
    let s = addPage(initialState(), null, page([a, b], true));
    s = addPage(s, null, page([b, c], false, null));
    expect(ids(s)).toEqual([a.id, b.id, c.id]);
    expect(s.lists[ROOT]).toMatchObject({ cursor: 'next', more: false });
  });

  it('takes a queued comment out of the queue once a page brings it', () => {
    const a = comment();
    let s = addPage(initialState('OLDEST'), null, page([a]));
    const late = comment();
    s = receive(s, late, 'me');
    expect(s.queued[ROOT]).toEqual([late.id]);
    s = addPage(s, null, page([late]));
    expect(s.queued[ROOT]).toBeUndefined();
    expect(ids(s)).toEqual([a.id, late.id]);
  });
});

describe('receive', () => {
  const loaded = (order = 'NEWEST') => {
    const a = comment({ replyCount: 1 });
    const r = reply(a);
    return { a, r, s: addPage(initialState(order, 2), null, page([{ ...a, replies: page([r]) }])) };
  };

  it('queues someone else’s new comment without moving what is shown', () => {
    const { a, s } = loaded();
    const fresh = comment();
    const next = receive(s, fresh, 'me');
    expect(ids(next)).toEqual([a.id]);
    expect(next.queued[ROOT]).toEqual([fresh.id]);
    expect(next.count).toBe(3);
  });

  it('shows the viewer’s own comment at once, on top when newest come first', () => {
    const { a, s } = loaded();
    const mine = comment({ author: { id: 'me', username: 'me' } });
    expect(ids(receive(s, mine, 'me'))).toEqual([mine.id, a.id]);
  });

  it('shows the viewer’s own comment at the end in other orders', () => {
    const { a, s } = loaded('OLDEST');
    const mine = comment({ author: { id: 'me', username: 'me' } });
    expect(ids(receive(s, mine, 'me'))).toEqual([a.id, mine.id]);
  });

  it('queues a reply in its thread and counts it on the parent', () => {
    const { a, r, s } = loaded();
    const r2 = reply(a);
    const next = receive(s, r2, 'me');
    expect(ids(next, a.id)).toEqual([r.id]);
    expect(next.queued[a.id]).toEqual([r2.id]);
    expect(next.byId[a.id].replyCount).toBe(2);
  });

  it('only counts a reply to a comment whose replies are not open', () => {
    const { r, s } = loaded();
    const deep = reply(r);
    const next = receive(s, deep, 'me');
    expect(next.byId[r.id].replyCount).toBe(1);
    expect(next.queued[r.id]).toBeUndefined();
    expect(next.byId[deep.id]).toBeUndefined();
  });

  it('gives the viewer’s reply to an unopened thread a list that still has more to load', () => {
    const a = comment({ replyCount: 4 });
    const s = addPage(initialState(), null, page([a]));
    const mine = reply(a, { author: { id: 'me', username: 'me' } });
    const next = receive(s, mine, 'me');
    expect(next.lists[a.id]).toMatchObject({ ids: [mine.id], more: true, cursor: null });
  });

  it('does not count a pending comment, and changes a known one in place', () => {
    const { a, s } = loaded();
    const held = comment({ status: 'PENDING', author: { id: 'me', username: 'me' } });
    const next = receive(s, held, 'me');
    expect(next.count).toBe(2);
    const again = receive(next, { ...a, body: '<p>edited</p>' }, 'me');
    expect(again.byId[a.id].body).toBe('<p>edited</p>');
    expect(ids(again)).toEqual(ids(next));
  });
});

describe('update', () => {
  it('publishes an approved pending comment in place and counts it', () => {
    const held = comment({ status: 'PENDING', author: { id: 'me', username: 'me' } });
    let s = addPage(initialState('NEWEST', 0), null, page([held]));
    s = update(s, { ...held, status: 'PUBLISHED' }, 'me');
    expect(s.byId[held.id].status).toBe('PUBLISHED');
    expect(s.count).toBe(1);
    expect(display(s.byId[held.id], 'me')).toBe('comment');
  });

  it('uncounts a rejected comment', () => {
    const a = comment();
    const s = update(addPage(initialState('NEWEST', 1), null, page([a])), { id: a.id, status: 'REJECTED', body: '' }, 'me');
    expect(s.count).toBe(0);
    expect(display(s.byId[a.id], 'me')).toBeNull();
  });

  it('treats an unseen comment approved for others as new when it belongs to what is loaded', () => {
    const a = comment();
    const s = addPage(initialState(), null, page([a]));
    const approved = comment();
    expect(update(s, approved, 'me').queued[ROOT]).toEqual([approved.id]);
  });

  it('ignores an unseen comment that lies in a page not loaded yet', () => {
    const old = comment();
    const a = comment();
    const s = addPage(initialState(), null, page([a], true));
    expect(update(s, { ...old, reactions: [{ kind: 'x', count: 1, viewerReacted: false }] }, 'me')).toBe(s);
  });
});

describe('reveal', () => {
  it('puts queued comments on top, newest first', () => {
    const a = comment();
    let s = addPage(initialState(), null, page([a]));
    const [n1, n2] = [comment(), comment()];
    s = receive(receive(s, n1, 'me'), n2, 'me');
    s = reveal(s, null);
    expect(ids(s)).toEqual([n2.id, n1.id, a.id]);
    expect(s.queued[ROOT]).toBeUndefined();
  });

  it('appends queued replies to their thread', () => {
    const a = comment({ replyCount: 1 });
    const r = reply(a);
    let s = addPage(initialState(), null, page([{ ...a, replies: page([r]) }]));
    const r2 = reply(a);
    s = reducer(receive(s, r2, 'me'), { type: 'reveal', parentID: a.id });
    expect(ids(s, a.id)).toEqual([r.id, r2.id]);
  });
});

describe('toggleReaction', () => {
  it('adds the viewer’s reaction and takes it back on a second toggle (the rollback)', () => {
    const a = comment({ reactions: [{ kind: 'like', count: 2, viewerReacted: false }] });
    const s = addPage(initialState(), null, page([a]));
    const on = toggleReaction(s, a.id, 'like');
    expect(on.byId[a.id].reactions).toEqual([{ kind: 'like', count: 3, viewerReacted: true }]);
    expect(toggleReaction(on, a.id, 'like').byId[a.id].reactions).toEqual(a.reactions);
  });

  it('starts a kind nobody used yet at one', () => {
    const a = comment();
    const s = toggleReaction(addPage(initialState(), null, page([a])), a.id, 'funny');
    expect(s.byId[a.id].reactions).toEqual([{ kind: 'funny', count: 1, viewerReacted: true }]);
  });
});

describe('display', () => {
  const own = { id: 'me', username: 'me' };
  it.each([
    ['PUBLISHED', own, 0, 'comment'],
    ['PENDING', own, 0, 'pending'],
    ['PENDING', undefined, 0, null],
    ['REJECTED', own, 0, 'rejected'],
    ['REJECTED', undefined, 2, 'unavailable'],
    ['REJECTED', { id: 'other', username: 'other' }, 1, 'unavailable'],
    ['REJECTED', undefined, 0, null],
    ['PENDING', undefined, 1, 'unavailable'],
    ['DELETED', undefined, 1, 'deleted'],
    ['DELETED', own, 1, 'deleted'],
    ['DELETED', own, 0, null],
  ])('%s by %o with %i replies shows as %s', (status, author, replyCount, want) => {
    expect(display(comment({ status, replyCount, ...(author && { author }) }), 'me')).toBe(want);
  });
});

describe('sync', () => {
  it('changes known comments in place and queues the ones missed while offline', () => {
    const held = comment({ status: 'PENDING', author: { id: 'me', username: 'me' }, replyCount: 1 });
    const r = reply(held);
    let s = addPage(initialState('NEWEST', 0), null, page([{ ...held, replies: page([r]) }]));
    const missed = comment();
    const missedReply = reply(held);
    s = sync(s, page([missed, { ...held, status: 'PUBLISHED', replies: page([r, missedReply]) }]), 'me');
    expect(ids(s)).toEqual([held.id]);
    expect(s.queued[ROOT]).toEqual([missed.id]);
    expect(s.queued[held.id]).toEqual([missedReply.id]);
    expect(s.byId[held.id].status).toBe('PUBLISHED');
    expect(s.byId[held.id].replies).toBeUndefined();
    expect(s.count).toBe(3);
  });
});
