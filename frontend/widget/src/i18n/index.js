// The widget's translations: English and German catalogs, chosen by language tag.
import en from './en.js';
import de from './de.js';
import { fill, pickLang as pick } from './text.js';

const catalogs = { en, de };

/** The catalog language for the candidate tags (an option, the host's <html lang>, …); English when none matches. */
export const pickLang = (...candidates) => pick(Object.keys(catalogs), ...candidates);

const lookup = (catalog, key) => key.split('.').reduce((m, part) => m?.[part], catalog);

/**
 * Returns t(key, vars) for lang; "err.CODE" keys name the error texts. Missing keys fall back
 * to English. t.has(key) tells whether a key has a message, for keys made from the server's
 * codes, which may name one added since this widget was built.
 */
export function createI18n(lang) {
  const messages = catalogs[lang] || en;
  const t = (key, vars) => fill(lookup(messages, key) ?? lookup(en, key) ?? key, lang, vars);
  t.lang = lang;
  t.has = (key) => lookup(en, key) != null;
  return t;
}
