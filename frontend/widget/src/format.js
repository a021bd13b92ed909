// Times and durations as readers see them, in the widget's language.

const units = [
  ['year', 31536000],
  ['month', 2592000],
  ['week', 604800],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** Says how long ago iso was, seen at now (ms): "3 minutes ago", "gestern"; "now" under a minute. */
export function relativeTime(iso, now, lang) {
  // Never in the future: a comment made since now last ticked is simply new.
  const seconds = Math.min(0, (Date.parse(iso) - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(0, 'second');
}

/** The full date and time of iso, for a <time>'s title. */
export function fullDate(iso, lang) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));
}

/**
 * Whole minutes left (rounded up) to edit a comment created at iso under an edit window of
 * windowSeconds, seen at now (ms); 0 once the window has closed.
 */
export function editMinutesLeft(iso, windowSeconds, now) {
  const left = Math.min(Date.parse(iso) + windowSeconds * 1000 - now, windowSeconds * 1000);
  return left > 0 ? Math.ceil(left / 60000) : 0;
}
