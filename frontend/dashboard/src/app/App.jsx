// The dashboard's root: one GraphQL client per session, the sign-in form without one, and
// the gate that lets in only admins and moderators.
import { Fragment } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Provider, useQuery } from '@urql/preact';
import { makeClient } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { loadToken, saveToken } from './session.js';
import { SESSION } from './documents.js';
import { SignIn } from './SignIn.jsx';
import { Shell } from './Shell.jsx';
import { SignOutButton } from './SignOutButton.jsx';
import { LanguagePicker } from './LanguagePicker.jsx';
import { t, useLang } from '../i18n/index.js';

export function App() {
  const [token, setToken] = useState(loadToken);
  const [live, setLive] = useState(false);
  const signOut = () => {
    saveToken(null);
    setToken(null);
  };
  const session = useMemo(() => makeClient({ token, onUnauthenticated: signOut, onLive: setLive }), [token]);
  useEffect(() => () => session.close(), [session]);
  // A change of language renders every view afresh in it; the client and its cache stay.
  const lang = useLang();

  return (
    <Provider value={session.client}>
      <Fragment key={lang}>
        {token
          ? <Gate live={live} onSignOut={signOut} />
          : <SignIn onSignedIn={(signedIn) => { saveToken(signedIn); setToken(signedIn); }} />}
      </Fragment>
    </Provider>
  );
}

function Gate({ live, onSignOut }) {
  const [{ data, error, fetching }, reexecute] = useQuery({ query: SESSION });
  // No viewer means the server no longer knows the token.
  const signedOut = data && !data.viewer;
  useEffect(() => {
    if (signedOut) onSignOut();
  }, [signedOut]);
  if (fetching && !data) return <p class="page-message" role="status">{t('common.loading')}</p>;
  if (error && !data) {
    return (
      <main class="page-message">
        <p role="alert">{errorMessage(error)}</p>
        <button type="button" onClick={() => reexecute({ requestPolicy: 'network-only' })}>{t('common.tryAgain')}</button>
      </main>
    );
  }
  const { viewer, sites } = data;
  if (!viewer) return null;
  if (!viewer.admin && sites.length === 0) {
    return (
      <main class="page-message">
        <h1>{t('app.title')}</h1>
        <p role="alert">{t('app.notModerator')}</p>
        <p>{t('app.askAdmin', { name: viewer.username })}</p>
        <div class="row"><SignOutButton onSignedOut={onSignOut} /><LanguagePicker /></div>
      </main>
    );
  }
  return <Shell viewer={viewer} sites={sites} live={live} onSignOut={onSignOut} />;
}
