// The dashboard's catalogs: every key the source asks for exists in English and German, the
// two have the same keys, plural forms and {placeholders}, and the language is chosen as the
// moderator's browser and choice say.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import en from './en.js';
import de from './de.js';
import { catalogs, initialLang, languages, setLang, startLang, t, tx } from './index.js';

const src = resolve(import.meta.dirname, '..');

// files lists the dashboard's modules, tests and catalogs left out.
const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const path = join(dir, e.name);
  if (e.isDirectory()) return e.name === 'i18n' ? [] : files(path);
  return /\.jsx?$/.test(e.name) && !/\.test\.jsx?$/.test(e.name) ? [path] : [];
});

// messages lists every message path of a catalog with its text (a plural message's forms
// joined), so that keys and placeholders can be compared.
const messages = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && !('other' in v)
  ? messages(v, `${prefix}${k}.`)
  : [[`${prefix}${k}`, typeof v === 'object' ? Object.values(v).join(' ') : v]]));

const placeholders = (text) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
const lookup = (catalog, key) => key.split('.').reduce((m, part) => m?.[part], catalog);

// usedKeys lists the keys a module passes to t(), t.has() or tx() as literals (either side of
// a ?: too), and for keys built from a template (`status.${code}`) the part before it, which
// must name a group of messages.
function usedKeys(file) {
  const code = readFileSync(file, 'utf8');
  const found = [];
  for (const [, args] of code.matchAll(/\b(?:t|t\.has|tx)\(([^()]*)/g)) {
    for (const [, key] of args.matchAll(/^\s*'([\w.]+)'/g)) found.push({ key });
    for (const [, a, b] of args.matchAll(/^\s*[\w.]+\s*\?\s*'([\w.]+)'\s*:\s*'([\w.]+)'/g)) found.push({ key: a }, { key: b });
    for (const [, prefix] of args.matchAll(/^\s*`([\w.]+)\.\$\{/g)) found.push({ prefix });
  }
  return found;
}

describe('catalogs', () => {
  const sources = files(src);
  const used = sources.flatMap((f) => usedKeys(f).map((u) => ({ ...u, file: relative(src, f) })));

  it('finds the keys the dashboard uses', () => {
    expect(sources.length).toBeGreaterThan(40);
    expect(used.filter((u) => u.key).length).toBeGreaterThan(400);
    expect(used.filter((u) => u.prefix).length).toBeGreaterThan(20);
  });

  it.each([['en', en], ['de', de]])('has in %s every key the source uses', (_, catalog) => {
    const missing = used.filter((u) => (u.key
      ? typeof lookup(catalog, u.key) !== 'string' && typeof lookup(catalog, u.key)?.other !== 'string'
      : typeof lookup(catalog, u.prefix) !== 'object'));
    expect(missing.map((u) => `${u.file}: ${u.key ?? `${u.prefix}.*`}`)).toEqual([]);
  });

  it('has the same keys in German as in English, with the same placeholders', () => {
    const english = Object.fromEntries(messages(en));
    const german = Object.fromEntries(messages(de));
    expect(Object.keys(german).sort()).toEqual(Object.keys(english).sort());
    const differ = Object.keys(english).filter((k) => german[k] !== undefined && placeholders(english[k]).join() !== placeholders(german[k]).join());
    expect(differ).toEqual([]);
  });

  it('gives German plurals the forms German needs', () => {
    const plurals = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => (typeof v !== 'object' ? [] : 'other' in v ? [`${prefix}${k}`] : plurals(v, `${prefix}${k}.`)));
    for (const key of plurals(en)) {
      expect(Object.keys(lookup(de, key)).sort(), key).toEqual(['one', 'other']);
    }
  });

  it('leaves no German message in English, but for words both languages share', () => {
    const same = new Set(['URL', 'Live', 'Name', 'Spam', 'Webhooks', 'Dashboard', 'Peers', 'Admin', 'Moderator', 'Administrator', 'Signal', 'Version', 'Import', 'Format', 'Version {version}', 'Peer {name}']);
    const english = Object.fromEntries(messages(en));
    const untranslated = messages(de).filter(([k, v]) => v === english[k] && /\p{L}{3}/u.test(v) && !same.has(v) && !/^\{\w+\}/.test(v)).map(([k]) => k);
    expect(untranslated).toEqual([]);
  });
});

describe('language', () => {
  afterEach(() => setLang('en'));

  it('starts in a language the browser asks for, or English', () => {
    localStorage.removeItem('parley.dashboard.lang');
    expect(['en', 'de']).toContain(initialLang());
    expect(languages.map((l) => l.lang)).toEqual(['en', 'de']);
  });

  it('loads German only when it is asked for, before the first render', async () => {
    localStorage.setItem('parley.dashboard.lang', 'de');
    expect(await startLang()).toBe('de');
    expect(catalogs.de).toBe(de);
    expect(document.documentElement.lang).toBe('de');
    expect(t('nav.settings')).toBe('Einstellungen');
  });

  it('keeps the moderator’s choice and speaks it', async () => {
    await setLang('de');
    expect(localStorage.getItem('parley.dashboard.lang')).toBe('de');
    expect(initialLang()).toBe('de');
    expect(t('nav.queue')).toBe('Warteschlangen');
    expect(t('queue.selected', { n: 1234 })).toBe('1.234 ausgewählt');
    expect(t('reject.title', { n: 1 })).toBe('Kommentar ablehnen');
    expect(t('reject.title', { n: 3 })).toBe('3 Kommentare ablehnen');
    await setLang('en');
    expect(t('reject.title', { n: 3 })).toBe('Reject 3 comments');
  });

  it('puts elements in their places', () => {
    const link = { type: 'a' };
    expect(tx('queue.onlyStory', { story: link })).toEqual(['Only comments on ', link, '.']);
  });
});
