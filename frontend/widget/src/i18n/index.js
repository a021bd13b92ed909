// The widget's translations. English is built into embed.js, but for the messages only the
// parts loaded on demand show (en-extras.js), which embed-extras.js adds with addEnglish; every
// other catalog is a JSON file beside it (dist/i18n/<lang>.json, written by scripts/catalogs.mjs),
// fetched only by readers who need it, so that each language added costs the others nothing.
import en from './en.js';
import { fill, pickLang as pick } from './text.js';

/** The languages with a catalog; each but English has src/i18n/<lang>.js and its JSON. */
export const languages = ['en', 'de'];

/** The catalog language for the candidate tags (an option, the host's <html lang>, …); English when none matches. */
export const pickLang = (...candidates) => pick(languages, ...candidates);

/** Resolves to lang's messages from the Parley server at serverURL; English when they cannot be had. */
export async function loadCatalog(serverURL, lang) {
  if (lang === 'en') return en;
  try {
    const res = await fetch(`${serverURL}/i18n/${lang}.json`, { credentials: 'omit' });
    return res.ok ? await res.json() : en;
  } catch {
    return en;
  }
}

/**
 * Adds messages to the English catalog; embed-extras.js calls it (through ParleyRuntime) with
 * the messages only its parts show, before any of them renders, so t() and t.has find them.
 */
export function addEnglish(messages) {
  Object.assign(en, messages);
}

const lookup = (catalog, key) => key.split('.').reduce((m, part) => m?.[part], catalog);

/**
 * Returns t(key, vars) for lang with its messages; "err.CODE" keys name the error texts.
 * Missing keys fall back to English. t.has(key) tells whether a key has a message, for keys
 * made from the server's codes, which may name one added since this widget was built.
 */
export function createI18n(lang, messages = en) {
  const t = (key, vars) => fill(lookup(messages, key) ?? lookup(en, key) ?? key, lang, vars);
  t.lang = lang;
  t.has = (key) => lookup(en, key) != null;
  return t;
}
