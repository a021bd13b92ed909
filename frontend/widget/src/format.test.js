import { describe, expect, it } from 'vitest';
import { editMinutesLeft, fullDate, relativeTime } from './format.js';

const now = Date.parse('2026-03-10T12:00:00Z');
const ago = (seconds) => new Date(now - seconds * 1000).toISOString();

describe('relativeTime', () => {
  it.each([
    [10, 'en', 'now'],
    [180, 'en', '3 minutes ago'],
    [7200, 'en', '2 hours ago'],
    [86400, 'en', 'yesterday'],
    [3 * 86400, 'en', '3 days ago'],
    [400 * 86400, 'en', 'last year'],
    [180, 'de', 'vor 3 Minuten'],
    [-90, 'en', 'now'],
    [86400, 'de', 'gestern'],
  ])('%is ago in %s is %s', (seconds, lang, want) => {
    expect(relativeTime(ago(seconds), now, lang)).toBe(want);
  });
});

describe('fullDate', () => {
  it('names the day in the language', () => {
    expect(fullDate('2026-03-10T12:00:00Z', 'en')).toMatch(/March 10, 2026/);
    expect(fullDate('2026-03-10T12:00:00Z', 'de')).toMatch(/10\. März 2026/);
  });
});

describe('editMinutesLeft', () => {
  it('rounds up what is left of the window and is 0 once it closed', () => {
    expect(editMinutesLeft(ago(60), 900, now)).toBe(14);
    expect(editMinutesLeft(ago(1), 900, now)).toBe(15);
    expect(editMinutesLeft(ago(899.5), 900, now)).toBe(1);
    expect(editMinutesLeft(ago(900), 900, now)).toBe(0);
    expect(editMinutesLeft(ago(5000), 900, now)).toBe(0);
    expect(editMinutesLeft(ago(-120), 900, now)).toBe(15);
  });
});
