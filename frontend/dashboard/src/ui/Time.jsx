import { absoluteTime, relativeTime } from './format.js';

/** A time shown relative to now, with the exact time on hover and in datetime. */
export function Time({ iso }) {
  return <time dateTime={iso} title={absoluteTime(iso)}>{relativeTime(iso)}</time>;
}
