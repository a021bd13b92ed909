import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { signInErrorMessage } from '../api/errors.js';
import { SIGN_IN } from './documents.js';
import { t } from '../i18n/index.js';
import { LanguagePicker } from './LanguagePicker.jsx';

/** The sign-in form; admission to the dashboard is decided after it, by the session's sites. */
export function SignIn({ onSignedIn }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [{ fetching }, signIn] = useMutation(SIGN_IN);

  async function submit(event) {
    event.preventDefault();
    setError(null);
    const result = await signIn({ input: { login: login.trim(), password } });
    if (result.error) setError(signInErrorMessage(result.error));
    else onSignedIn(result.data.signIn.token);
  }

  return (
    <main class="signin">
      <h1>{t('app.title')}</h1>
      <form onSubmit={submit} class="stack">
        <label class="field">
          <span>{t('signIn.login')}</span>
          <input name="login" autocomplete="username" required value={login} onInput={(e) => setLogin(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('signIn.password')}</span>
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <p class="error" role="alert">{error}</p>
        <button type="submit" class="primary" disabled={fetching}>{fetching ? t('signIn.busy') : t('signIn.submit')}</button>
      </form>
      <LanguagePicker />
    </main>
  );
}
