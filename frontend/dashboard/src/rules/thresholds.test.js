import { describe, it, expect } from 'vitest';
import { thresholdChanges, thresholdsForm, thresholdsInput } from './thresholds.js';

const level = (n) => ({ accountAgeDays: n, daysVisited: n, commentsPublished: n, reactionsReceived: n, maxRejected: n, maxReportsAgainst: n, noActiveSanctions: true });
const inForce = { basic: level(1), member: level(5), regular: level(50) };

describe('thresholdsInput', () => {
  it('round-trips the thresholds in force into a CHANGE_THRESHOLDS proposal', () => {
    const form = { ...thresholdsForm(inForce), rationale: ' Stricter. ' };
    expect(thresholdsInput('s1', form)).toEqual({
      input: { siteID: 's1', kind: 'CHANGE_THRESHOLDS', thresholds: inForce, rationale: 'Stricter.' }, errors: {},
    });
  });

  it('names each field that is not a whole number from 0, and a missing rationale', () => {
    const form = thresholdsForm(inForce);
    form.basic.commentsPublished = '-1';
    form.member.daysVisited = '2.5';
    form.regular.maxRejected = '';
    expect(Object.keys(thresholdsInput('s1', form).errors).sort()).toEqual(['basic.commentsPublished', 'member.daysVisited', 'rationale', 'regular.maxRejected']);
  });
});

describe('thresholdChanges', () => {
  it('lists only what the form changes', () => {
    const form = thresholdsForm(inForce);
    expect(thresholdChanges(inForce, form)).toEqual([]);
    form.basic.commentsPublished = '2';
    form.regular.noActiveSanctions = false;
    expect(thresholdChanges(inForce, form)).toEqual(['Basic (1): comments published, at least 1 → 2', 'Regular (3): no active sanction required → not required']);
  });
});
