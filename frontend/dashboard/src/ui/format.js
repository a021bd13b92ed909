// How numbers and times read in the dashboard.

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [7, 'day'], [4.35, 'week'], [12, 'month'], [Infinity, 'year']];

/** "3 minutes ago", "yesterday", "in 2 days": when something was or will be, from now. */
export function relativeTime(iso, now = Date.now()) {
  let amount = (Date.parse(iso) - now) / 1000;
  for (const [size, unit] of steps) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return '';
}

/** The full date and time, for titles and for a time's datetime text. */
export function absoluteTime(iso) {
  return absolute.format(new Date(iso));
}

/** A queue count; the server stops counting at 10000. */
export function formatCount(n) {
  return n >= 10000 ? '10000+' : String(n);
}

/** A share from 0 to 1 as a percentage, or an em dash when there is none yet. */
export function formatShare(x) {
  return x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`;
}

/** "1 comment", "3 comments". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
