import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { Ctx } from './context.js';
import { Claim } from './Claim.jsx';
import { createI18n } from '../i18n/index.js';
import messages from '../i18n/en-extras.js';
import { addEnglish } from '../i18n/index.js';
import { CLAIM, CLAIMABLE } from '../extraQueries.js';

addEnglish(messages);
afterEach(cleanup);

/** Renders the claim offer with a server answering claimable (null: the address is unverified). */
function show(claimable) {
  const request = vi.fn((query) => Promise.resolve(query === CLAIMABLE
    ? { viewer: { id: 'u1', claimableComments: claimable } }
    : { claimComments: { claimed: { total: claimable.total, imported: claimable.imported, guest: claimable.guest } } }));
  const { container } = render(<Ctx.Provider value={{ t: createI18n('en'), act: { request } }}><Claim /></Ctx.Provider>);
  return { request, container };
}

describe('Claim', () => {
  it('offers the earlier comments and says when they are the reader\'s', async () => {
    const { request } = show({ total: 3, imported: 2, guest: 1 });
    await screen.findByText('3 earlier comments were left under your email address (imported, or as a guest).');
    fireEvent.click(screen.getByRole('button', { name: 'Add them to my account' }));
    await screen.findByText('3 comments are now yours.');
    expect(request).toHaveBeenCalledWith(CLAIM);
  });

  it('shows nothing while the address is unverified, or when there is nothing to claim', async () => {
    for (const claimable of [null, { total: 0, imported: 0, guest: 0 }]) {
      const { request, container } = show(claimable);
      await waitFor(() => expect(request).toHaveBeenCalledWith(CLAIMABLE));
      expect(container.textContent).toBe('');
      cleanup();
    }
  });
});
