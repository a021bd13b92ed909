import { describe, it, expect } from 'vitest';
import { actionsFor, applyProposal, describeEvent, describeTally, formatDuration, myVote, proposalTitle } from './proposals.js';

const tally = { moderatorsFor: 1, moderatorsAgainst: 0, membersFor: 0, membersAgainst: 0, moderatorQuorum: 2, memberQuorum: 0, quorumReached: false };
const proposal = (over = {}) => ({
  id: 'p1', kind: 'ADD_RULE', state: 'OPEN', name: 'No shouting', authorID: 'me', rollbackOf: 0,
  votes: [{ userID: 'me', approve: true }, { userID: 'other', approve: false }], tally,
  createdAt: '2026-12-01T10:00:00Z', enactAfter: null, ...over,
});

describe('myVote', () => {
  it("finds the viewer's vote, or none", () => {
    expect(myVote(proposal(), 'me')).toBe(true);
    expect(myVote(proposal(), 'other')).toBe(false);
    expect(myVote(proposal(), 'third')).toBeNull();
  });
});

describe('actionsFor', () => {
  const now = Date.parse('2026-12-02T00:00:00Z');
  it('lets anyone vote on an open proposal and its author withdraw it', () => {
    expect(actionsFor(proposal(), 'me', now)).toMatchObject({ vote: true, withdraw: true, open: false, enact: false, backtest: true });
    expect(actionsFor(proposal(), 'other', now)).toMatchObject({ vote: true, withdraw: false });
  });

  it('lets the author open a draft', () => {
    expect(actionsFor(proposal({ state: 'DRAFT' }), 'me', now)).toMatchObject({ open: true, vote: false, withdraw: true });
  });

  it("enacts an approved proposal only after the site's delay", () => {
    expect(actionsFor(proposal({ state: 'APPROVED' }), 'other', now)).toMatchObject({ enact: true, enactAt: null, vote: false });
    expect(actionsFor(proposal({ state: 'APPROVED', enactAfter: '2026-12-03T00:00:00Z' }), 'other', now))
      .toMatchObject({ enact: false, enactAt: '2026-12-03T00:00:00Z' });
    expect(actionsFor(proposal({ state: 'APPROVED', enactAfter: '2026-12-01T00:00:00Z' }), 'other', now)).toMatchObject({ enact: true });
  });

  it('offers nothing once it is closed', () => {
    for (const state of ['ENACTED', 'REJECTED', 'WITHDRAWN']) {
      expect(actionsFor(proposal({ state }), 'me', now)).toEqual({ vote: false, open: false, withdraw: false, backtest: false, enact: false, enactAt: null });
    }
  });
});

describe('describeTally', () => {
  it('counts moderators, and members when they vote', () => {
    expect(describeTally(tally)).toBe('1 of 2 moderators for, 0 against; quorum not reached');
    expect(describeTally({ ...tally, moderatorQuorum: 1, memberQuorum: 3, membersFor: 3, quorumReached: true }))
      .toBe('1 of 1 moderator for, 0 against; 3 of 3 members for, 0 against; quorum reached');
  });
});

describe('applyProposal', () => {
  const a = proposal({ id: 'a', createdAt: '2026-12-01T10:00:00Z' });
  const b = proposal({ id: 'b', createdAt: '2026-12-01T09:00:00Z' });
  it('replaces a proposal in place', () => {
    const voted = { ...b, tally: { ...tally, moderatorsFor: 2 } };
    expect(applyProposal([a, b], voted)).toEqual([a, voted]);
  });

  it('adds a new one in date order when it fits the filter', () => {
    const c = proposal({ id: 'c', createdAt: '2026-12-01T11:00:00Z' });
    expect(applyProposal([a, b], c, 'OPEN').map((p) => p.id)).toEqual(['c', 'a', 'b']);
    expect(applyProposal([a, b], { ...c, state: 'DRAFT' }, 'OPEN')).toEqual([a, b]);
  });

  it('drops one that left the filtered state', () => {
    expect(applyProposal([a, b], { ...a, state: 'APPROVED' }, 'OPEN')).toEqual([b]);
    expect(applyProposal([a, b], { ...a, state: 'APPROVED' }, '').map((p) => p.state)).toEqual(['APPROVED', 'OPEN']);
  });
});

describe('words', () => {
  it('titles proposals by kind', () => {
    expect(proposalTitle(proposal())).toBe('Add “No shouting”');
    expect(proposalTitle(proposal({ kind: 'CHANGE_RULE', rollbackOf: 2 }))).toBe('Roll “No shouting” back to version 2');
    expect(proposalTitle(proposal({ kind: 'CHANGE_THRESHOLDS' }))).toBe('Change the trust thresholds');
  });

  it('describes a live event', () => {
    expect(describeEvent({ kind: 'rule.enacted', proposal: proposal({ state: 'ENACTED' }) })).toBe('Add “No shouting” was enacted.');
    expect(describeEvent({ kind: 'rule.proposal_changed', proposal: proposal() })).toMatch(/^Add “No shouting”: open, 1 of 2/);
  });

  it('formats durations', () => {
    expect(formatDuration(840)).toBe('840 ms');
    expect(formatDuration(3240)).toBe('3.2 s');
    expect(formatDuration(12600)).toBe('13 s');
  });
});
