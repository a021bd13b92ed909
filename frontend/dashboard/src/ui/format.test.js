import { afterEach, describe, it, expect } from 'vitest';
import { relativeTime, formatCount, formatShare, formatDay } from './format.js';
import { setLang } from '../i18n/index.js';

describe('format', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  afterEach(() => setLang('en'));

  it('tells times relative to now', () => {
    setLang('en');
    expect(relativeTime('2026-03-01T11:59:30Z', now)).toBe('30 seconds ago');
    expect(relativeTime('2026-03-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(relativeTime('2026-02-28T12:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('2026-03-08T12:00:00Z', now)).toBe('next week');
  });

  it('tells them in German when the moderator reads German', async () => {
    await setLang('de');
    expect(relativeTime('2026-03-01T11:57:00Z', now)).toBe('vor 3 Minuten');
    expect(relativeTime('2026-02-28T12:00:00Z', now)).toBe('gestern');
    expect(formatCount(1234)).toBe('1.234');
    expect(formatShare(0.857)).toMatch(/^86\s%$/);
    expect(formatDay('2026-03-01')).toBe('01.03.2026');
  });

  it('caps counts where the server stops counting', () => {
    setLang('en');
    expect(formatCount(42)).toBe('42');
    expect(formatCount(10000)).toBe('10,000+');
  });

  it('shows shares as percentages, and none as a dash', () => {
    setLang('en');
    expect(formatShare(0.857)).toBe('86%');
    expect(formatShare(null)).toBe('—');
  });
});
