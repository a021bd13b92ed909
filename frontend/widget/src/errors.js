// Friendly, translated words for the API's error codes.

const generic = new Set(['NETWORK', 'STALE', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CLOSED', 'INTERNAL', 'UNAVAILABLE']);

/**
 * Seconds to wait after a RATE_LIMITED error: from a retryAfter extension when the server
 * sends one, else from its message ("try again in 12 seconds"); null when neither says.
 */
export function retryAfterSeconds(err) {
  const n = Number(err.extensions?.retryAfter ?? err.message?.match(/(\d+)\s*seconds?/)?.[1]);
  return n > 0 ? Math.ceil(n) : null;
}

// The codes whose message from the server says more than any generic text could: the exact
// problem with the input ("Username is taken.") or why something was refused ("You can't
// react to your own comment.").
const specific = new Set(['INVALID', 'CONFLICT', 'FORBIDDEN']);

/**
 * What to tell the reader about err: the server's message for the codes above, else a
 * translated text for its code; overrides maps a code to another key where the context says
 * more (a refused sign-in is a wrong password, not a lost session).
 */
export function errorText(err, t, overrides = {}) {
  const code = err.code;
  if (overrides[code]) return t(overrides[code]);
  if (code === 'RATE_LIMITED') {
    const n = retryAfterSeconds(err);
    return n ? t('err.RATE_LIMITED', { n }) : t('err.RATE_LIMITED_SOON');
  }
  if (specific.has(code) && err.message && err.message !== code) return err.message;
  return t(`err.${generic.has(code) ? code : 'INTERNAL'}`);
}
