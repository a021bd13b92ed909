import { describe, it, expect } from 'vitest';
import { usernamesQuery } from './useUsernames.js';

describe('usernamesQuery', () => {
  it('reads each id under its own alias', () => {
    expect(usernamesQuery(['a', 'b'])).toBe('query Usernames($u0: ID!, $u1: ID!) { u0: user(id: $u0) { id username } u1: user(id: $u1) { id username } }');
  });
});
