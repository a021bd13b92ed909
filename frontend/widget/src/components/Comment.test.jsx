import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { Ctx } from './context.js';
import { Comment } from './Comment.jsx';
import { APIError } from '../api.js';
import { addPage, initialState } from '../store.js';
import { createI18n } from '../i18n/index.js';

const now = Date.parse('2026-01-01T12:10:00Z');
const kinds = [{ kind: 'respect', label: 'Respect', icon: '👍' }, { kind: 'funny', label: 'Funny', icon: '😄' }];

function comment(author, reactions = []) {
  return {
    id: `by-${author}`, body: '<p>Words.</p>', bodySource: 'Words.', status: 'PUBLISHED', depth: 0, replyCount: 0,
    featured: false, createdAt: '2026-01-01T12:00:00Z', parent: null, author: { id: author, username: author }, reactions,
  };
}

/** Renders one comment as viewer (null: signed out) sees it, with act's actions. */
function show(c, viewer, act = {}, readOnly = false) {
  const state = addPage(initialState(), null, { edges: [{ node: c }], pageInfo: { hasNextPage: false } });
  const ctx = {
    t: createI18n('en'), now, state, viewer, readOnly, focus: null, mutedIDs: new Set(), story: { id: 's1' }, closed: false,
    settings: { reactionKinds: kinds, editWindowSeconds: 900, maxDepth: 3 },
    act: { requestLogin: vi.fn(), react: vi.fn(() => Promise.resolve()), ...act },
  };
  render(<Ctx.Provider value={ctx}><ol><Comment id={c.id} level={0} /></ol></Ctx.Provider>);
  return { article: screen.getByRole('article'), act: ctx.act };
}

afterEach(cleanup);

describe('reactions on a comment', () => {
  it('offers each kind as a button with a visible label and a tooltip', () => {
    const { article, act } = show(comment('ada', [{ kind: 'respect', count: 2, viewerReacted: true }]), { id: 'bob' });
    const respect = within(article).getByRole('button', { name: 'Respect, 2' });
    expect(respect.getAttribute('title')).toBe('Respect');
    expect(respect.getAttribute('aria-pressed')).toBe('true');
    expect(respect.textContent).toContain('Respect');
    const funny = within(article).getByRole('button', { name: 'Funny, 0' });
    fireEvent.click(funny);
    expect(act.react).toHaveBeenCalledWith(expect.objectContaining({ id: 'by-ada' }), 'funny');
  });

  it('offers none on the reader’s own comment, showing the counts others gave', () => {
    const { article, act } = show(comment('ada', [{ kind: 'respect', count: 3, viewerReacted: false }]), { id: 'ada' });
    expect(within(article).queryAllByRole('button', { name: /Respect|Funny/ })).toEqual([]);
    expect(within(article).getByRole('img', { name: 'Respect, 3' }).getAttribute('title')).toBe('Respect');
    expect(within(article).queryByRole('img', { name: /Funny/ })).toBeNull();
    expect(act.react).not.toHaveBeenCalled();
  });

  it('asks a signed-out reader to sign in rather than sending what the server refuses', () => {
    const { article, act } = show(comment('ada'), null);
    const respect = within(article).getByRole('button', { name: 'Respect, 0' });
    expect(respect.getAttribute('title')).toBe('Respect: sign in to react');
    fireEvent.click(respect);
    expect(act.requestLogin).toHaveBeenCalled();
    expect(act.react).not.toHaveBeenCalled();
  });

  it('shows the server’s reason for a refusal until the next action', async () => {
    const react = vi.fn()
      .mockRejectedValueOnce(new APIError('FORBIDDEN', 'You are banned from reacting here.'))
      .mockResolvedValueOnce();
    const { article } = show(comment('ada'), { id: 'bob' }, { react });
    fireEvent.click(within(article).getByRole('button', { name: 'Funny, 0' }));
    await within(article).findByText('You are banned from reacting here.');
    expect(within(article).queryByText('You are not allowed to do that.')).toBeNull();

    fireEvent.click(within(article).getByRole('button', { name: 'Respect, 0' }));
    await waitFor(() => expect(within(article).queryByRole('alert')).toBeNull());
  });

  it('drops an old refusal when the reader starts another action, such as a reply', async () => {
    const react = vi.fn().mockRejectedValueOnce(new APIError('INVALID', 'This site has no "funny" reaction.'));
    const { article } = show(comment('ada'), { id: 'bob' }, { react });
    fireEvent.click(within(article).getByRole('button', { name: 'Funny, 0' }));
    await within(article).findByText('This site has no "funny" reaction.');
    fireEvent.click(within(article).getByRole('button', { name: 'Reply' }));
    expect(within(article).queryByText('This site has no "funny" reaction.')).toBeNull();
  });
});
