// The dashboard's language: the moderator's choice saved in this browser, else the first of
// the browser's languages with a catalog, else English. Messages use the widget's format (a
// plural message is an object keyed by Intl.PluralRules categories, {name} takes a value) and
// its fill and pickLang, so a translator learns one format for both. English is built in;
// every other catalog is a chunk of its own, loaded when its language is chosen, so that each
// language added costs the others nothing.
import { useEffect, useState } from 'preact/hooks';
import { fill, pickLang } from '../../../widget/src/i18n/text.js';
import en from './en.js';

// How each catalog but English is loaded.
const loaders = {
  de: () => import('./de.js'),
};

/** The catalogs loaded so far, by language; English is the fallback for a key another lacks. */
export const catalogs = { en };

/** The languages the switcher offers, each named in its own language. */
export const languages = [
  { lang: 'en', name: 'English' },
  { lang: 'de', name: 'Deutsch' },
];

const STORAGE_KEY = 'parley.dashboard.lang';
const listeners = new Set();

function storedLang() {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** The language to start in: the saved choice, else the browser's languages, else English. */
export function initialLang() {
  const nav = globalThis.navigator;
  return pickLang(languages.map((l) => l.lang), storedLang(), ...(nav?.languages ?? []), nav?.language);
}

let current = 'en';

/** Loads lang's catalog, if it has one not loaded yet; English when it cannot be had. */
export async function loadCatalog(lang) {
  if (catalogs[lang] || !loaders[lang]) return;
  try {
    catalogs[lang] = (await loaders[lang]()).default;
  } catch { /* offline or a stale deployment: English stands in */ }
}

/** Loads the starting language's catalog and speaks it; main.jsx awaits it before rendering. */
export async function startLang() {
  const lang = initialLang();
  await loadCatalog(lang);
  if (catalogs[lang]) current = lang;
  if (globalThis.document) document.documentElement.lang = current;
  return current;
}

const lookup = (catalog, key) => key.split('.').reduce((m, part) => m?.[part], catalog);

/**
 * The message key in the current language, filled with vars; a key the language lacks falls
 * back to English, and an unknown key shows as itself (the catalog test keeps there being none).
 */
export function t(key, vars) {
  return fill(lookup(catalogs[current], key) ?? lookup(en, key) ?? key, current, vars);
}

/**
 * The message key with elements in it: vars that are JSX elements (a link, a time) take their
 * {name} places, the rest are filled as t fills them. Answers an array for JSX children.
 */
export function tx(key, vars = {}) {
  let message = lookup(catalogs[current], key) ?? lookup(en, key) ?? key;
  if (typeof message === 'object') message = message[new Intl.PluralRules(current).select(vars.n)] ?? message.other;
  return message.split(/(\{\w+\})/).filter(Boolean).map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    const value = name && vars[name];
    return value !== null && typeof value === 'object' ? value : fill(part, current, vars);
  });
}

/** Whether key names a message, for keys made from the server's codes. */
t.has = (key) => lookup(en, key) != null;

/** The current language's tag ('en', 'de'), for Intl formatters and <html lang>. */
export function currentLang() {
  return current;
}

/** Switches the language, remembers it in this browser and re-renders whoever listens. */
export async function setLang(lang) {
  await loadCatalog(lang);
  if (!catalogs[lang] || lang === current) return;
  current = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch { /* private mode: the choice lasts this visit */ }
  if (globalThis.document) document.documentElement.lang = lang;
  for (const listener of listeners) listener(lang);
}

/** The current language, re-rendering the component when it changes. */
export function useLang() {
  const [lang, setState] = useState(current);
  useEffect(() => {
    listeners.add(setState);
    setState(current);
    return () => listeners.delete(setState);
  }, []);
  return lang;
}
