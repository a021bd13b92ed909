import { describe, expect, it } from 'vitest';
import { APIError } from './api.js';
import { errorText, retryAfterSeconds } from './errors.js';
import { createI18n } from './i18n/index.js';
import de from './i18n/de.js';

const t = createI18n('en');

describe('errorText', () => {
  it('keeps the server’s words for invalid input and conflicts', () => {
    expect(errorText(new APIError('INVALID', 'Comment is empty.', 'body'), t)).toBe('Comment is empty.');
    expect(errorText(new APIError('CONFLICT', 'Username is taken.'), t)).toBe('Username is taken.');
  });

  it('says why something was refused in the server’s words, generically when it gave none', () => {
    expect(errorText(new APIError('FORBIDDEN', "You can't react to your own comment."), t)).toBe("You can't react to your own comment.");
    expect(errorText(new APIError('FORBIDDEN'), t)).toBe('You are not allowed to do that.');
  });

  it('says how long to wait when rate limited', () => {
    const err = new APIError('RATE_LIMITED', 'Too many changes from your account; try again in 7 seconds.');
    expect(errorText(err, t)).toBe("You're posting too fast. Try again in 7 seconds.");
    expect(retryAfterSeconds(new APIError('RATE_LIMITED', 'x', null, { retryAfter: 2.2 }))).toBe(3);
    expect(errorText(new APIError('RATE_LIMITED', 'try again later'), t)).toBe("You're posting too fast. Try again in a moment.");
  });

  it('translates the other codes, and takes overrides', () => {
    expect(errorText(new APIError('NETWORK'), t)).toMatch(/Could not reach/);
    expect(errorText(new APIError('SOMETHING_NEW', 'raw'), t)).toMatch(/Something went wrong/);
    expect(errorText(new APIError('UNAUTHENTICATED', 'x'), t, { UNAUTHENTICATED: 'err.BAD_LOGIN' })).toMatch(/password is not right/);
    expect(errorText(new APIError('CLOSED', 'x'), createI18n('de', de))).toBe('Die Kommentare sind geschlossen.');
    expect(errorText(new APIError('UNAVAILABLE', 'The sign-in provider … did not answer'), t)).toMatch(/sign-in service did not answer/);
  });
});
