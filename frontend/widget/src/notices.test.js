import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createI18n } from './i18n/index.js';
import { postedNotice, rejectionNotice } from './notices.js';
import deMessages from './i18n/de.js';

// The RejectReason values of the API's schema, so that a reason added there without words
// here fails this test rather than showing the plain notice.
// (happy-dom replaces the global URL, which node:fs does not take.)
const schema = readFileSync(fileURLToPath(import.meta.resolve('../../../graph/moderation.graphqls')), 'utf8');
const reasons = schema.match(/enum RejectReason \{([^}]*)\}/)[1].trim().split(/\s+/);

describe('rejectionNotice', () => {
  const en = createI18n('en');
  const de = createI18n('de', deMessages);

  it('says why, in a sentence', () => {
    expect(rejectionNotice(en, 'OFF_TOPIC')).toBe('Your comment was not published: it was off topic.');
    expect(rejectionNotice(en, 'BANNED_WORD')).toBe('Your comment was not published: it contains a banned word.');
    expect(rejectionNotice(de, 'SPAM')).toBe('Ihr Kommentar wurde nicht veröffentlicht, weil er nach Spam aussieht.');
  });

  it.each(reasons)('has words of its own for %s in every language', (reason) => {
    const words = new Set();
    for (const t of [en, de]) {
      const text = rejectionNotice(t, reason);
      expect(text).not.toBe(t('rejected'));
      expect(text).not.toContain(reason);
      words.add(text);
    }
    expect(words.size).toBe(2);
  });

  it('tells every reason apart', () => {
    expect(new Set(reasons.map((r) => rejectionNotice(en, r))).size).toBe(reasons.length);
  });

  it('falls back to the plain notice without a reason, or with one it has no words for', () => {
    expect(rejectionNotice(en, null)).toBe('Your comment was not published.');
    expect(rejectionNotice(de, undefined)).toBe('Ihr Kommentar wurde nicht veröffentlicht.');
    expect(rejectionNotice(en, 'ADDED_LATER')).toBe('Your comment was not published.');
  });
});

describe('postedNotice', () => {
  const t = createI18n('en');
  it('tells the author where their new comment stands', () => {
    expect(postedNotice(t, { status: 'PUBLISHED', rejectionReason: null })).toBe('Your comment was posted.');
    expect(postedNotice(t, { status: 'PENDING', rejectionReason: null })).toBe('Your comment is awaiting review.');
    expect(postedNotice(t, { status: 'REJECTED', rejectionReason: 'BANNED_WORD' })).toBe('Your comment was not published: it contains a banned word.');
  });
});
