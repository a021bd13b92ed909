import { describe, expect, it } from 'vitest';
import { addEnglish, createI18n } from './i18n/index.js';
import extras from './i18n/en-extras.js';
import { lastChangeText, parseThreshold } from './trust.js';

// trust.js is part of embed-extras.js, whose English messages come with it.
addEnglish(extras);
const t = createI18n('en');

describe('parseThreshold', () => {
  it('reads the forms the server records', () => {
    expect(parseThreshold('commentsPublished>=10')).toEqual({ signal: 'commentsPublished', op: '>=', n: 10 });
    expect(parseThreshold('rejected>3')).toEqual({ signal: 'rejected', op: '>', n: 3 });
    expect(parseThreshold('unpinned')).toBe(null);
  });
});

describe('lastChangeText', () => {
  it('explains a promotion by the thresholds crossed', () => {
    const { why, restore } = lastChangeText(t, {
      level: 1, nextLevel: 2, missing: [],
      lastChange: { from: 0, to: 1, crossed: ['daysVisited>=1', 'commentsPublished>=1'], byModerator: false, reason: '' },
    });
    expect(why).toBe('You reached level 1 with at least 1 day with activity, at least 1 published comment.');
    expect(restore).toBe(null);
  });

  it('tells a demoted reader what wins the level back', () => {
    const { why, restore } = lastChangeText(t, {
      level: 2, nextLevel: 3, pinned: false,
      missing: [{ signal: 'rejected', max: true, need: 3, have: 5 }],
      lastChange: { from: 3, to: 2, crossed: ['rejected>3'], byModerator: false, reason: '' },
    });
    expect(why).toBe('You went from level 3 to level 2: more than 3 rejected comments.');
    expect(restore.level).toBe(3);
    expect(restore.items).toEqual(['at most 3 rejected comments (you have 5)']);
  });

  it('tells a lifted pin from a new one', () => {
    const { why, restore } = lastChangeText(t, {
      level: 0, pinned: false, nextLevel: 1, missing: [{ signal: 'commentsPublished', max: false, need: 1, have: 0 }],
      lastChange: { from: 1, to: 0, crossed: ['unpinned'], byModerator: true, reason: 'A mistake.' },
    });
    expect(why).toBe('A moderator lifted the pin on your level (A mistake.); your activity earns level 0.');
    expect(restore.items).toEqual(['at least 1 published comment (you have 0)']);
  });

  it('names a moderator’s pin and its reason', () => {
    const { why } = lastChangeText(t, { level: 4, pinned: true, lastChange: { from: 1, to: 4, crossed: [], byModerator: true, reason: 'Local historian.' } });
    expect(why).toBe('A moderator set your level to 4: Local historian.');
  });
});
