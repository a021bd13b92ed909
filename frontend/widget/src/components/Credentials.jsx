// The reader's sessions and API tokens, in the account dialog: when each began and was last
// used, a "Sign out" for each (the current one is marked), a "Revoke" for each token, and
// "Sign out everywhere" after a lost device. Loaded only when the dialog opens.
import { useContext, useEffect, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { CREDENTIALS, REVOKE_TOKEN } from '../extraQueries.js';
import { fullDate } from '../format.js';
import { errorText } from '../errors.js';

export function Credentials() {
  const { t, act } = useContext(Ctx);
  const [creds, setCreds] = useState(null);
  const [error, setError] = useState(null);
  const fail = (err) => setError(errorText(err, t));
  const load = () => act.request(CREDENTIALS).then((d) => setCreds(d.viewer), fail);
  useEffect(() => { load(); }, []);
  if (!creds) return error && <p class="error" role="alert">{error}</p>;

  const date = (iso) => (iso ? fullDate(iso, t.lang) : t('never'));
  const revokeSession = (s) => { setError(null); act.revokeSession(s.id, s.current).then(() => !s.current && load(), fail); };
  const revokeToken = (k) => { setError(null); act.request(REVOKE_TOKEN, { input: { tokenID: k.id } }).then(load, fail); };
  return (
    <div class="credentials">
      <h4>{t('sessions')}</h4>
      <ul class="creds" data-sessions>
        {creds.sessions.map((s) => (
          <li key={s.id}>
            <span>{t('sessionSince', { date: date(s.createdAt) })}{s.current && <strong> · {t('thisDevice')}</strong>}</span>
            <span class="hint">{t('lastUsed', { date: date(s.lastUsedAt) })}</span>
            <button type="button" class="btn" onClick={() => revokeSession(s)}>{t('signOut')}</button>
          </li>
        ))}
      </ul>
      <button type="button" class="btn danger" onClick={() => { setError(null); act.signOutEverywhere().catch(fail); }}>{t('signOutEverywhere')}</button>
      <h4>{t('apiTokens')}</h4>
      {creds.apiTokens.length ? (
        <ul class="creds" data-tokens>
          {creds.apiTokens.map((k) => (
            <li key={k.id}>
              <span>{k.name}</span>
              <span class="hint">{t('lastUsed', { date: date(k.lastUsedAt) })}</span>
              <button type="button" class="btn" onClick={() => revokeToken(k)}>{t('revoke')}</button>
            </li>
          ))}
        </ul>
      ) : <p class="hint">{t('noApiTokens')}</p>}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
