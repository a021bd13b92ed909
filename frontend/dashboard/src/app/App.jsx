// The dashboard's root: one GraphQL client per session, the sign-in form without one, and
// the gate that lets in only admins and moderators.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Provider, useQuery } from '@urql/preact';
import { makeClient } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { loadToken, saveToken } from './session.js';
import { SESSION } from './documents.js';
import { SignIn } from './SignIn.jsx';
import { Shell } from './Shell.jsx';
import { SignOutButton } from './SignOutButton.jsx';

export function App() {
  const [token, setToken] = useState(loadToken);
  const [live, setLive] = useState(false);
  const signOut = () => {
    saveToken(null);
    setToken(null);
  };
  const session = useMemo(() => makeClient({ token, onUnauthenticated: signOut, onLive: setLive }), [token]);
  useEffect(() => () => session.close(), [session]);

  return (
    <Provider value={session.client}>
      {token
        ? <Gate live={live} onSignOut={signOut} />
        : <SignIn onSignedIn={(t) => { saveToken(t); setToken(t); }} />}
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
  if (fetching && !data) return <p class="page-message" role="status">Loading…</p>;
  if (error && !data) {
    return (
      <main class="page-message">
        <p role="alert">{errorMessage(error)}</p>
        <button type="button" onClick={() => reexecute({ requestPolicy: 'network-only' })}>Try again</button>
      </main>
    );
  }
  const { viewer, sites } = data;
  if (!viewer) return null;
  if (!viewer.admin && sites.length === 0) {
    return (
      <main class="page-message">
        <h1>Parley moderation</h1>
        <p role="alert">You are not a moderator of any site.</p>
        <p>Signed in as {viewer.username}. Ask an administrator to make you a moderator.</p>
        <SignOutButton onSignedOut={onSignOut} />
      </main>
    );
  }
  return <Shell viewer={viewer} sites={sites} live={live} onSignOut={onSignOut} />;
}
