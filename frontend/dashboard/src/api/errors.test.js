import { afterEach, describe, it, expect } from 'vitest';
import { setLang } from '../i18n/index.js';
import { CombinedError } from '@urql/core';
import { errorCode, fieldErrors, errorMessage, signInErrorMessage } from './errors.js';

const gqlError = (message, extensions) => new CombinedError({ graphQLErrors: [{ message, extensions }] });

describe('errorCode', () => {
  it('reads extensions.code, or NETWORK', () => {
    expect(errorCode(gqlError('No.', { code: 'FORBIDDEN' }))).toBe('FORBIDDEN');
    expect(errorCode(new CombinedError({ networkError: new Error('offline') }))).toBe('NETWORK');
    expect(errorCode(undefined)).toBeNull();
  });
});

describe('fieldErrors', () => {
  it('keys messages by extensions.field', () => {
    const error = new CombinedError({
      graphQLErrors: [
        { message: 'Too short.', extensions: { code: 'INVALID', field: 'maxCommentLength' } },
        { message: 'Elsewhere.', extensions: { code: 'INVALID' } },
      ],
    });
    expect(fieldErrors(error)).toEqual({ maxCommentLength: 'Too short.' });
  });
});

describe('messages', () => {
  it('keeps the server message for ordinary errors', () => {
    expect(errorMessage(gqlError('Only published comments can be featured.', { code: 'INVALID' }))).toBe('Only published comments can be featured.');
  });

  it('hides internal details but gives the request ID', () => {
    expect(errorMessage(gqlError('Internal error.', { code: 'INTERNAL', requestID: 'r42' }))).toMatch(/r42/);
  });

  it('speaks of the account on a failed sign-in and of waiting when rate limited', () => {
    expect(signInErrorMessage(gqlError('Wrong.', { code: 'UNAUTHENTICATED' }))).toMatch(/do not match/);
    expect(signInErrorMessage(gqlError('Too many failed sign-ins; try again in 30 seconds.', { code: 'RATE_LIMITED' }))).toMatch(/30 seconds/);
  });
});

describe('messages in German', () => {
  afterEach(() => setLang('en'));

  it('gives ours for the codes whose meaning is general, and keeps the server’s for bad input', async () => {
    await setLang('de');
    expect(errorMessage(gqlError('Too many requests.', { code: 'RATE_LIMITED', retryAfter: 12 }))).toBe('Zu viele Anfragen. Versuchen Sie es in 12 Sekunden erneut.');
    expect(errorMessage(gqlError('Comment not found.', { code: 'NOT_FOUND' }))).toMatch(/gelöscht/);
    expect(errorMessage(gqlError('The name is too long.', { code: 'INVALID', field: 'name' }))).toBe('The name is too long.');
    expect(errorMessage(new CombinedError({ networkError: new Error('offline') }))).toMatch(/Server ist nicht erreichbar/);
  });
});
