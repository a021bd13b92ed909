import { describe, it, expect } from 'vitest';
import { CombinedError } from '@urql/core';
import { describeLogEntry, logMissing } from './log.js';

describe('describeLogEntry', () => {
  it('counts decisions by reason', () => {
    expect(describeLogEntry({ kind: 'DECISIONS', action: 'REJECT', reason: 'SPAM', count: 12 })).toBe('12 comments rejected (Spam)');
    expect(describeLogEntry({ kind: 'DECISIONS', action: 'APPROVE', reason: '', count: 1 })).toBe('1 comment approved');
  });

  it('names users and moderators only when the site does', () => {
    expect(describeLogEntry({ kind: 'SANCTION', sanction: 'BAN', username: null, moderator: null })).toBe('A commenter banned for good');
    expect(describeLogEntry({ kind: 'SANCTION', sanction: 'SUSPEND', username: 'cedar', moderator: 'admin', expiresAt: '2026-12-10T00:00:00Z' }))
      .toBe('cedar suspended by admin');
    expect(describeLogEntry({ kind: 'LEVEL_PIN', username: null, fromLevel: 1, toLevel: 3 })).toBe('A commenter pinned at trust level 3 (was 1)');
  });

  it('tells the story of a rule', () => {
    expect(describeLogEntry({ kind: 'RULE_PROPOSAL', rule: 'No shouting', state: 'OPEN' })).toBe('Proposal for “No shouting” open');
    expect(describeLogEntry({ kind: 'RULE_VOTES', rule: 'No shouting', votesFor: 2, votesAgainst: 1 })).toBe('Votes on “No shouting”: 2 for, 1 against');
    expect(describeLogEntry({ kind: 'RULE_ENACTED', rule: 'No shouting', version: 2 })).toBe('“No shouting” enacted as version 2');
  });
});

describe('logMissing', () => {
  it('recognises a server without the log', () => {
    expect(logMissing(new CombinedError({ graphQLErrors: [{ message: 'Cannot query field "moderationLog" on type "Query".' }] }))).toBe(true);
    expect(logMissing(new CombinedError({ graphQLErrors: [{ message: 'No.', extensions: { code: 'FORBIDDEN' } }] }))).toBe(false);
  });
});
