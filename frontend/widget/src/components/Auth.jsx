// The reader's own Parley account: sign in, create one, or ask for a link that sets a new
// password. A real <form>, so that password managers recognise it; submitting never
// navigates (the handler prevents it).
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { errorText } from '../errors.js';
import { OIDC_PROVIDERS, REQUEST_RESET } from '../extraQueries.js';
import { signInWithPopup } from '../oidc.js';

// Each form's fields: [input name and message key, type, autocomplete].
const fields = {
  signin: [['login', 'text', 'username'], ['password', 'password', 'current-password']],
  signup: [['email', 'email', 'email'], ['username', 'text', 'username'], ['password', 'password', 'new-password']],
  reset: [['email', 'email', 'email']],
};
const titles = { signin: 'signIn', signup: 'createAccount', reset: 'resetTitle' };
const submits = { signin: 'signIn', signup: 'signUp', reset: 'resetSend' };

export function Auth() {
  const { t, act, story } = useContext(Ctx);
  const [providers, setProviders] = useState([]);
  const [mode, setMode] = useState('signin');
  const [values, setValues] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // The address a reset link was asked for: the answer is the same whether or not it has an
  // account, so the form says only that a link is on its way if it does.
  const [resetSent, setResetSent] = useState(null);
  const first = useRef();
  const id = useId();

  useEffect(() => first.current?.focus(), [mode]);
  useEffect(() => {
    // A site without OpenID Connect providers shows no buttons; a failure shows none either.
    act.request(OIDC_PROVIDERS, { siteID: story.site.id }).then((r) => setProviders(r.oidcProviders), () => {});
  }, []);
  const oidc = async (provider) => {
    if (busy) return;
    setError(null);
    try {
      await act.oidc(provider, signInWithPopup);
    } catch (err) {
      if (err.code !== 'CANCELLED') setError(err);
    }
  };

  const send = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const input = Object.fromEntries(fields[mode].map(([name]) => [name, values[name] || '']));
      if (mode === 'reset') {
        await act.request(REQUEST_RESET, { input: { ...input, language: t.lang } });
        setResetSent(input.email);
        setBusy(false);
        return;
      }
      await (mode === 'signin' ? act.signIn(input) : act.signUp(input));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const switchTo = (next) => {
    setMode(next);
    setError(null);
    setResetSent(null);
  };

  return (
    <form class="panel auth" aria-labelledby={`${id}-title`} noValidate
      onSubmit={(e) => { e.preventDefault(); send(); }}>
      <h3 id={`${id}-title`}>{t(titles[mode])}</h3>
      {mode === 'reset' && <p>{t('resetWhat')}</p>}
      {fields[mode].map(([name, type, autocomplete], i) => (
        <div class="field" key={mode + name}>
          <label for={`${id}-${name}`}>{t(name)}</label>
          <input
            id={`${id}-${name}`} ref={i === 0 ? first : undefined} type={type} autocomplete={autocomplete}
            value={values[name] || ''} readOnly={busy} aria-invalid={error?.field === name ? 'true' : undefined}
            aria-describedby={`${id}-error`}
            onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
          />
        </div>
      ))}
      {mode === 'signin' && providers.length > 0 && (
        <div class="row">
          {providers.map((p) => (
            <button type="button" class="btn" key={p.id} onClick={() => oidc(p.id)}>{t('signInWith', { name: p.name })}</button>
          ))}
        </div>
      )}
      {mode === 'signin' && (
        <p><button type="button" class="link" onClick={() => switchTo('reset')}>{t('forgotPassword')}</button></p>
      )}
      <p class="status" role="status">{resetSent && t('resetSent', { email: resetSent })}</p>
      <p class="error" id={`${id}-error`} role="alert">{error && errorText(error, t, { UNAUTHENTICATED: 'err.BAD_LOGIN' })}</p>
      <div class="row">
        <button type="submit" class="btn primary">{t(submits[mode])}</button>
        <button type="button" class="btn" onClick={() => switchTo(mode === 'signin' ? 'signup' : 'signin')}>
          {t(mode === 'signin' ? 'createAccount' : mode === 'reset' ? 'backToSignIn' : 'haveAccount')}
        </button>
        <button type="button" class="btn" onClick={act.closeLogin}>{t('cancel')}</button>
      </div>
    </form>
  );
}
