import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from './en.js';
import enExtras from './en-extras.js';
import de from './de.js';
import { addEnglish, createI18n, pickLang } from './index.js';

// keys lists every message path of a catalog, plural forms and error texts included.
const keys = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && !('other' in v) ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));

// sources lists the widget's modules that entry imports, itself included, following relative imports.
const sources = (entry, seen = new Set()) => {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const [, dep] of readFileSync(entry, 'utf8').matchAll(/from '(\.[^'?]+\.jsx?)'/g)) sources(resolve(dirname(entry), dep), seen);
  return seen;
};

// usedKeys lists the message keys a module passes to t(), t.has() or discussion.js's
// endSession() as literals (either side of a ?: too), and, for keys built from a template
// (`levelName.${level}`), the part before it.
const usedKeys = (file) => {
  const code = readFileSync(file, 'utf8');
  const found = [];
  for (const [, args] of code.matchAll(/\b(?:t|t\.has|endSession)\(([^()]*)/g)) {
    for (const [, key] of args.matchAll(/^\s*'([\w.]+)'/g)) found.push(key);
    for (const [, a, b] of args.matchAll(/\?\s*'([\w.]+)'\s*:\s*'([\w.]+)'/g)) found.push(a, b);
    for (const [, prefix] of args.matchAll(/^\s*`([\w.]+)\.\$\{/g)) found.push(prefix);
  }
  return found;
};

const has = (catalog, key) => key.split('.').reduce((m, part) => m?.[part], catalog) != null;
const src = resolve(import.meta.dirname, '..');
const mainSources = sources(resolve(src, 'embed.jsx'));
const extrasSources = [...sources(resolve(src, 'extras.js'))].filter((f) => !mainSources.has(f));

describe('catalogs', () => {
  it('German has every English message, those of embed-extras.js included', () => {
    expect(keys(de).sort()).toEqual(keys({ ...en, ...enExtras }).sort());
  });

  it('keeps each English message in one place, embed.js or embed-extras.js', () => {
    expect(Object.keys(enExtras).filter((k) => k in en)).toEqual([]);
  });

  it('has in en.js every message embed.js shows before the extras load', () => {
    expect([...mainSources].flatMap(usedKeys).length).toBeGreaterThan(60);
    const missing = [...mainSources].flatMap((f) => usedKeys(f).filter((k) => !has(en, k)).map((k) => `${f.split('/src/')[1]}: ${k}`));
    expect(missing).toEqual([]);
  });

  it('has in en.js or en-extras.js every message the extras show', () => {
    expect(extrasSources.flatMap(usedKeys)).toContain('trustTitle');
    const all = { ...en, ...enExtras };
    const missing = extrasSources.flatMap((f) => usedKeys(f).filter((k) => !has(all, k)).map((k) => `${f.split('/src/')[1]}: ${k}`));
    expect(missing).toEqual([]);
  });

  it('finds the messages of en-extras.js once embed-extras.js added them', () => {
    const t = createI18n('en');
    expect(t.has('trustTitle')).toBe(false);
    expect(t('trustTitle')).toBe('trustTitle');
    addEnglish(enExtras);
    expect(t.has('trustTitle')).toBe(true);
    expect(t('trustTitle')).toBe('Your trust level on this site');
    expect(t('signal.daysVisited', { n: 2 })).toBe('days with activity');
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
