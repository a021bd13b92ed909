// How a comment renders for the viewer as the server sends it after a reload: the author's own
// rejected comment, marked with its reason and a way to dismiss it, and another reader's
// placeholder of a withdrawn comment whose replies stay reachable.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { Ctx } from './context.js';
import { Comment } from './Comment.jsx';
import { createI18n } from '../i18n/index.js';
import { addPage, initialState } from '../store.js';

afterEach(cleanup);

const me = { id: 'me', username: 'ann' };

function comment(over) {
  return {
    id: 'c1', body: '<p>Has anyone seen my cat?</p>', bodySource: 'Has anyone seen my cat?', status: 'PUBLISHED',
    rejectionReason: null, depth: 0, replyCount: 0, featured: false, createdAt: new Date().toISOString(), editedAt: null,
    parent: null, author: { ...me, role: 'COMMENTER' }, reactions: [], ...over,
  };
}

const page = (nodes) => ({ edges: nodes.map((node) => ({ node })), pageInfo: { hasNextPage: false, endCursor: null } });

function show(nodes, viewer, act = {}) {
  const state = addPage(initialState('NEWEST', 0), null, page(nodes));
  const ctx = {
    t: createI18n('en'), state, viewer, act, focus: null, readOnly: false, mutedIDs: new Set(), now: Date.now(),
    story: { id: 's1' }, closed: false,
    settings: { editWindowSeconds: 900, maxDepth: 4, reactionKinds: [{ kind: 'respect', label: 'Respect', icon: '👍' }] },
  };
  return render(<Ctx.Provider value={ctx}><ol><Comment id={nodes[0].id} level={0} /></ol></Ctx.Provider>);
}

describe('the author\'s own rejected comment, after a reload', () => {
  const rejected = comment({ status: 'REJECTED', rejectionReason: 'OFF_TOPIC' });

  it('shows the comment, marked with the reason', () => {
    show([rejected], me);
    const article = screen.getByRole('article', { name: 'Comment by ann' });
    expect(article.textContent).toContain('Your comment was not published: it was off topic.');
    expect(article.textContent).toContain('Has anyone seen my cat?');
  });

  it('offers to delete it, and neither edit, reply nor reactions', () => {
    show([rejected], me);
    expect(screen.getByRole('button', { name: 'Delete' })).toBeTruthy();
    for (const name of ['Edit', 'Reply', /Respect/]) expect(screen.queryByRole('button', { name })).toBeNull();
  });

  it('deletes it once confirmed, which dismisses it', async () => {
    const remove = vi.fn(() => Promise.resolve());
    show([rejected], me, { remove });
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Yes, delete' }));
    expect(remove).toHaveBeenCalledWith('c1');
  });

  it('says only that it was not published when no reason came', () => {
    show([comment({ status: 'REJECTED' })], me);
    expect(screen.getByRole('article').textContent).toContain('Your comment was not published.');
  });
});

describe('a placeholder', () => {
  // As the server sends it to a reader who may not read it: status only, no body or author.
  const placeholder = (status) => comment({ status, body: '', bodySource: '', author: null, replyCount: 1,
    replies: page([comment({ id: 'r1', depth: 1, parent: { id: 'c1' }, body: '<p>An approved reply.</p>', author: { id: 'bob', username: 'bob', role: 'COMMENTER' } })]) });

  it.each([['REJECTED'], ['PENDING']])('of a %s comment says it is not available, and keeps its reply', (status) => {
    show([placeholder(status)], { id: 'reader', username: 'reader' });
    const gone = screen.getByRole('article', { name: 'This comment is not available.' });
    expect(gone.textContent).toBe('This comment is not available.');
    expect(within(gone).queryAllByRole('button')).toEqual([]);
    expect(screen.getByRole('article', { name: 'Comment by bob' }).textContent).toContain('An approved reply.');
  });

  it('of a deleted comment says it was deleted', () => {
    show([placeholder('DELETED')], null);
    expect(screen.getByRole('article', { name: 'This comment was deleted.' })).toBeTruthy();
    expect(screen.getByText('An approved reply.')).toBeTruthy();
  });
});
