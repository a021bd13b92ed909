import { describe, it, expect } from 'vitest';
import { relativeTime, formatCount, formatShare, plural } from './format.js';

describe('format', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('tells times relative to now', () => {
    expect(relativeTime('2026-03-01T11:59:30Z', now)).toBe('30 seconds ago');
    expect(relativeTime('2026-03-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(relativeTime('2026-02-28T12:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('2026-03-08T12:00:00Z', now)).toBe('next week');
  });

  it('caps counts where the server stops counting', () => {
    expect(formatCount(42)).toBe('42');
    expect(formatCount(10000)).toBe('10000+');
  });

  it('shows shares as percentages, and none as a dash', () => {
    expect(formatShare(0.857)).toBe('86%');
    expect(formatShare(null)).toBe('—');
  });

  it('pluralises', () => {
    expect(plural(1, 'comment')).toBe('1 comment');
    expect(plural(3, 'comment')).toBe('3 comments');
  });
});
