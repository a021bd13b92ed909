// Reading the API's errors (urql's CombinedError): clients switch on extensions.code, never
// on messages, and extensions.field names the input at fault.
import { currentLang, t } from '../i18n/index.js';

/** The extensions.code of the first GraphQL error, 'NETWORK' when the server was not reached, or null. */
export function errorCode(error) {
  if (!error) return null;
  if (error.networkError) return 'NETWORK';
  return error.graphQLErrors?.[0]?.extensions?.code ?? null;
}

/** The messages of errors that name an input field, by field. */
export function fieldErrors(error) {
  const fields = {};
  for (const e of error?.graphQLErrors ?? []) {
    const field = e.extensions?.field;
    if (field && !fields[field]) fields[field] = e.message;
  }
  return fields;
}

// The codes whose meaning does not depend on what was sent. The server writes English only, so
// a moderator reading another language gets the dashboard's own sentence for them; INVALID and
// CONFLICT messages say what is at fault (a field, a name taken, a limit) and stay the server's.
const GENERAL = new Set(['NOT_FOUND', 'RATE_LIMITED', 'CLOSED', 'FORBIDDEN']);

/**
 * A sentence a moderator can act on. The server's own messages are written for people; the
 * codes where they are not (or where there is no message) get ours.
 */
export function errorMessage(error) {
  if (!error) return '';
  const code = errorCode(error);
  if (currentLang() !== 'en' && GENERAL.has(code)) {
    const after = error.graphQLErrors[0].extensions?.retryAfter;
    return code === 'RATE_LIMITED' && after > 0 ? t('err.RATE_LIMITED_AFTER', { n: Math.ceil(after) }) : t(`err.${code}`);
  }
  switch (code) {
    case 'NETWORK':
      return t('err.network');
    case 'INTERNAL': {
      const id = error.graphQLErrors[0].extensions.requestID;
      return id ? t('err.internalID', { id }) : t('err.internal');
    }
    case 'UNAUTHENTICATED':
      return t('err.unauthenticated');
    case 'FORBIDDEN':
      return error.graphQLErrors[0].message || t('err.forbidden');
    default:
      return error.graphQLErrors?.[0]?.message || error.message;
  }
}

/** What the sign-in form says for an error; a rate limit keeps the server's "try again in …". */
export function signInErrorMessage(error) {
  return errorCode(error) === 'UNAUTHENTICATED'
    ? t('err.signIn')
    : errorMessage(error);
}
