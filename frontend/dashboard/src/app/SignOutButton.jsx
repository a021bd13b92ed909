import { useMutation } from '@urql/preact';
import { SIGN_OUT } from './documents.js';
import { t } from '../i18n/index.js';

/** Revokes the session on the server, then forgets it here whatever the server said. */
export function SignOutButton({ onSignedOut }) {
  const [{ fetching }, signOut] = useMutation(SIGN_OUT);
  return (
    <button type="button" class="quiet" disabled={fetching} onClick={() => signOut().finally(onSignedOut)}>
      {t('app.signOut')}
    </button>
  );
}
