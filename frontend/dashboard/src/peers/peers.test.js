import { describe, expect, it } from 'vitest';
import { connectionText, countsText, lagText, pauseAction, peerStatus, subscriptionInput } from './peers.js';

describe('peerStatus', () => {
  it('names the state with a tone', () => {
    expect(peerStatus({ state: 'ACTIVE' })).toEqual({ label: 'Active', tone: 'approve' });
    expect(peerStatus({ state: 'DEFEDERATED' }).tone).toBe('reject');
  });
  it('says which side a pending link waits for', () => {
    expect(peerStatus({ state: 'PENDING', localAdded: true, remoteConfirmed: false }).label).toBe('Pending: waiting for them');
    expect(peerStatus({ state: 'PENDING', localAdded: false, remoteConfirmed: true }).label).toBe('Pending: they added us');
  });
});

describe('connectionText', () => {
  it('says whether the link is up, and nothing when the server cannot tell', () => {
    expect(connectionText(true)).toBe('connected');
    expect(connectionText(false)).toBe('not connected: envelopes wait on the peer until it is back');
    expect(connectionText(null)).toBe(null);
  });
});

describe('lagText', () => {
  it('tells an unknown lag from none and some', () => {
    expect(lagText(-1)).toBe('unknown');
    expect(lagText(0)).toBe('up to date');
    expect(lagText(12)).toBe('12 waiting');
  });
});

describe('countsText', () => {
  it('adds the last refusal only when there were refusals', () => {
    expect(countsText({ received: 3, rejected: 0, lastError: '' })).toBe('3 applied, 0 refused');
    expect(countsText({ received: 3, rejected: 2, lastError: 'expired' })).toBe('3 applied, 2 refused (last: expired)');
  });
});

describe('pauseAction', () => {
  it('pauses an active peer, resumes a paused one, and does nothing for a defederated one', () => {
    expect(pauseAction({ state: 'ACTIVE' })).toEqual({ label: 'Pause', paused: true });
    expect(pauseAction({ state: 'PAUSED' })).toEqual({ label: 'Resume', paused: false });
    expect(pauseAction({ state: 'DEFEDERATED' })).toBeNull();
  });
});

describe('subscriptionInput', () => {
  it('answers the numbers typed as the input', () => {
    expect(subscriptionInput({ weight: '0.8', action: 'HIDE', quorum: '2' })).toEqual({ weight: 0.8, action: 'HIDE', quorum: 2 });
  });
  it('names the field that is wrong', () => {
    expect(subscriptionInput({ weight: '1.5', action: 'HIDE', quorum: '1' }).error).toMatch(/weight/);
    expect(subscriptionInput({ weight: '', action: 'HIDE', quorum: '1' }).error).toMatch(/weight/);
    expect(subscriptionInput({ weight: '0.5', action: 'BURN', quorum: '1' }).error).toMatch(/labels do/);
    expect(subscriptionInput({ weight: '0.5', action: 'FLAG', quorum: '1.5' }).error).toMatch(/quorum/);
    expect(subscriptionInput({ weight: '0.5', action: 'FLAG', quorum: '0' }).error).toMatch(/quorum/);
  });
});
