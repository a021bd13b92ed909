import { describe, expect, it } from 'vitest';
import { deliveryOutcome, endpointStatus, formToInput, groupKinds } from './webhooks.js';

describe('deliveryOutcome', () => {
  it('says a delivery arrived, and after how many tries', () => {
    expect(deliveryOutcome({ state: 'DELIVERED', lastStatus: 204, attempts: 1 })).toBe('Delivered (HTTP 204)');
    expect(deliveryOutcome({ state: 'DELIVERED', lastStatus: 200, attempts: 3 })).toBe('Delivered (HTTP 200) at attempt 3');
  });
  it('gives the reason of a failed attempt and of giving up', () => {
    expect(deliveryOutcome({ state: 'PENDING', attempts: 2, lastError: 'HTTP 500 Internal Server Error.' })).toBe('Attempt 2 failed: HTTP 500 Internal Server Error.');
    expect(deliveryOutcome({ state: 'FAILED', attempts: 14, lastError: 'No answer within 10s.' })).toBe('Gave up after 14 attempts: No answer within 10s.');
    expect(deliveryOutcome({ state: 'PENDING', attempts: 0, lastError: '' })).toBe('Waiting to be sent');
  });
});

describe('endpointStatus', () => {
  it('tells a turned-off endpoint from a paused, failing or active one', () => {
    expect(endpointStatus({ enabled: false, disabledReason: 'Turned off…' }).label).toBe('Turned off');
    expect(endpointStatus({ enabled: false, disabledReason: '' }).label).toBe('Paused');
    expect(endpointStatus({ enabled: true, failingSince: '2026-01-01T00:00:00Z' }).label).toBe('Failing');
    expect(endpointStatus({ enabled: true, failingSince: null }).label).toBe('Active');
  });
});

describe('groupKinds', () => {
  it('groups kinds by noun, sorted', () => {
    expect(groupKinds(['user.sanctioned', 'comment.reported', 'comment.created'])).toEqual([
      { noun: 'comment', kinds: ['comment.created', 'comment.reported'] },
      { noun: 'user', kinds: ['user.sanctioned'] },
    ]);
  });
});

describe('formToInput', () => {
  it('refuses an empty URL and no kinds before sending', () => {
    expect(formToInput('s', { url: ' ', description: '', kinds: [] }).errors).toEqual({
      url: 'Give the URL to send events to.', kinds: 'Choose at least one kind of event.',
    });
  });
  it('trims what it sends', () => {
    expect(formToInput('s', { url: ' https://x.example/ ', description: ' Slack ', kinds: ['comment.created'] })).toEqual({
      input: { siteID: 's', url: 'https://x.example/', description: 'Slack', kinds: ['comment.created'] }, errors: {},
    });
  });
});
