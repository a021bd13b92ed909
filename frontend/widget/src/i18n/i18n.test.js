import { describe, expect, it } from 'vitest';
import en from './en.js';
import de from './de.js';
import { createI18n, pickLang } from './index.js';

// keys lists every message path of a catalog, plural forms and error texts included.
const keys = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && !('other' in v) ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));

describe('catalogs', () => {
  it('German has every English message', () => {
    expect(keys(de).sort()).toEqual(keys(en).sort());
  });
});

describe('pickLang', () => {
  it('takes the first candidate with a catalog, by primary subtag', () => {
    expect(pickLang(undefined, 'de-AT')).toBe('de');
    expect(pickLang('fr', 'DE_ch', 'en')).toBe('de');
    expect(pickLang('en-GB', 'de')).toBe('en');
    expect(pickLang('', 'ja')).toBe('en');
  });
});

describe('createI18n', () => {
  it('picks plural forms by the language’s rules and formats numbers', () => {
    const t = createI18n('en');
    expect(t('comments', { n: 0 })).toBe('0 comments');
    expect(t('comments', { n: 1 })).toBe('1 comment');
    expect(t('comments', { n: 1234 })).toBe('1,234 comments');
    const tde = createI18n('de', de);
    expect(tde('comments', { n: 1 })).toBe('1 Kommentar');
    expect(tde('comments', { n: 1234 })).toBe('1.234 Kommentare');
    expect(tde('newComments', { n: 2 })).toBe('2 neue Kommentare anzeigen');
  });

  it('fills names and reads error texts by code', () => {
    const t = createI18n('en');
    expect(t('mute', { name: 'ada' })).toBe('Mute ada');
    expect(t('reaction', { label: 'Respect', n: 3 })).toBe('Respect, 3');
    expect(t('err.RATE_LIMITED', { n: 12 })).toBe("You're posting too fast. Try again in 12 seconds.");
  });
});
