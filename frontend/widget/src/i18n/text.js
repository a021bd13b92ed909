// The two operations on messages that both embed.js and count.js need, apart from the
// catalogs, so that count.js takes only the one message it shows.

/**
 * Returns the first of the candidate language tags (an option, the host's <html lang>, …)
 * whose primary subtag is in available; the first available language when none is.
 */
export function pickLang(available, ...candidates) {
  for (const tag of candidates) {
    const primary = String(tag || '').toLowerCase().split(/[-_]/)[0];
    if (available.includes(primary)) return primary;
  }
  return available[0];
}

/**
 * Fills message for lang: a plural message (an object keyed by plural category) picks its
 * form by vars.n, and {name} takes vars.name, numbers formatted the language's way.
 */
export function fill(message, lang, vars = {}) {
  const text = typeof message === 'object' ? message[new Intl.PluralRules(lang).select(vars.n)] ?? message.other : message;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name === 'n' ? new Intl.NumberFormat(lang).format(vars.n) : String(vars[name] ?? '')));
}
