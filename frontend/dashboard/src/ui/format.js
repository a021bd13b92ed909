// How numbers and times read in the dashboard, in the moderator's language.
import { currentLang } from '../i18n/index.js';

const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [7, 'day'], [4.35, 'week'], [12, 'month'], [Infinity, 'year']];

// One formatter of each kind per language, made when first needed.
const formatters = new Map();
function formatter(kind, make) {
  const key = `${kind}:${currentLang()}`;
  if (!formatters.has(key)) formatters.set(key, make(currentLang()));
  return formatters.get(key);
}

/** "3 minutes ago", "yesterday", "in 2 days": when something was or will be, from now. */
export function relativeTime(iso, now = Date.now()) {
  const relative = formatter('relative', (lang) => new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }));
  let amount = (Date.parse(iso) - now) / 1000;
  for (const [size, unit] of steps) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return '';
}

/** The full date and time, for titles and for a time's datetime text. */
export function absoluteTime(iso) {
  return formatter('absolute', (lang) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' })).format(new Date(iso));
}

/** A day of the log (YYYY-MM-DD) as the language writes dates. */
export function formatDay(day) {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return formatter('day', (lang) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' })).format(date);
}

/** A number as the language writes it: "1,234" or "1.234". */
export function formatNumber(n) {
  return formatter('number', (lang) => new Intl.NumberFormat(lang)).format(n);
}

/** A queue count; the server stops counting at 10000. */
export function formatCount(n) {
  return n >= 10000 ? `${formatNumber(10000)}+` : formatNumber(n);
}

/** A share from 0 to 1 as a percentage, or an em dash when there is none yet. */
export function formatShare(x) {
  if (x === null || x === undefined) return '—';
  return formatter('percent', (lang) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 })).format(x);
}
