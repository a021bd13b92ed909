import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { Ctx } from './context.js';
import { Auth } from './Auth.jsx';
import { EmailSettings } from './EmailSettings.jsx';
import { addEnglish, createI18n } from '../i18n/index.js';
import extras from '../i18n/en-extras.js';
import { CHANGE_EMAIL, EMAIL_STATE, OIDC_PROVIDERS, REQUEST_RESET, RESEND_VERIFICATION } from '../extraQueries.js';

// Both are parts of embed-extras.js, whose English messages come with it.
addEnglish(extras);

/** Renders part with a server whose answers, by operation, are answers. */
function show(part, answers) {
  const request = vi.fn((query) => (query in answers ? answers[query]() : Promise.reject(new Error(`unexpected ${query}`))));
  const act = { request, signIn: vi.fn(), signUp: vi.fn(), closeLogin: vi.fn() };
  render(<Ctx.Provider value={{ t: createI18n('en'), act, story: { site: { id: 's1' } } }}>{part}</Ctx.Provider>);
  return act;
}

const type = (label, value) => fireEvent.input(screen.getByLabelText(label), { target: { value } });

afterEach(cleanup);

describe('Auth', () => {
  it('asks for a reset link and says only that one is on its way', async () => {
    const act = show(<Auth />, { [OIDC_PROVIDERS]: () => Promise.resolve({ oidcProviders: [] }), [REQUEST_RESET]: () => Promise.resolve({ requestPasswordReset: true }) });
    fireEvent.click(screen.getByRole('button', { name: 'Forgot your password?' }));
    expect(screen.getByRole('heading').textContent).toBe('Set a new password');
    type('Email', 'ada@example.org');
    fireEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    expect((await screen.findByRole('status')).textContent).toMatch(/If ada@example.org belongs to an account/);
    expect(act.request).toHaveBeenCalledWith(REQUEST_RESET, { input: { email: 'ada@example.org', language: 'en' } });
    expect(act.signIn).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Back to sign in' }));
    expect(screen.getByRole('heading').textContent).toBe('Sign in');
  });

  it('shows why a reset link cannot be sent', async () => {
    const limited = Object.assign(new Error('RATE_LIMITED'), { code: 'RATE_LIMITED', retryAfter: 30 });
    show(<Auth />, { [OIDC_PROVIDERS]: () => Promise.resolve({ oidcProviders: [] }), [REQUEST_RESET]: () => Promise.reject(limited) });
    fireEvent.click(screen.getByRole('button', { name: 'Forgot your password?' }));
    type('Email', 'ada@example.org');
    fireEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    expect((await screen.findByRole('alert', {}, { timeout: 2000 })).textContent).toMatch(/too fast/);
  });
});

describe('EmailSettings', () => {
  const unverified = () => Promise.resolve({ viewer: { id: 'u1', email: 'ada@example.org', emailVerified: false } });

  it('sends a new verification link for an unverified address', async () => {
    const act = show(<EmailSettings hasPassword />, { [EMAIL_STATE]: unverified, [RESEND_VERIFICATION]: () => Promise.resolve({ resendVerification: true }) });
    expect(await screen.findByText('not verified yet')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send the verification link again' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/new verification link to ada@example.org/));
    expect(act.request).toHaveBeenCalledWith(RESEND_VERIFICATION, { input: { language: 'en' } });
  });

  it('changes the address with the password, and Enter does not submit the dialog around it', async () => {
    const act = show(<EmailSettings hasPassword />, { [EMAIL_STATE]: unverified, [CHANGE_EMAIL]: () => Promise.resolve({ changeEmail: true }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Change email' }));
    type('New email address', 'ada@new.example');
    type('Password', 'secret words');
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    screen.getByLabelText('Password').dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(true);
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/link to ada@new.example/));
    expect(act.request).toHaveBeenCalledWith(CHANGE_EMAIL, { input: { email: 'ada@new.example', password: 'secret words', language: 'en' } });
  });

  it('offers no change of address to an account without a password', async () => {
    show(<EmailSettings hasPassword={false} />, { [EMAIL_STATE]: unverified });
    await screen.findByText('ada@example.org', { exact: false });
    expect(screen.queryByRole('button', { name: 'Change email' })).toBeNull();
  });
});
