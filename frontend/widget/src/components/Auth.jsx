// The reader's own Parley account: sign in, or create one. There is no <form> (nothing that
// could post the page anywhere); Enter in a field sends, like a form would.
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { errorText } from '../errors.js';

// Each form's fields: [input name and message key, type, autocomplete].
const fields = {
  signin: [['login', 'text', 'username'], ['password', 'password', 'current-password']],
  signup: [['email', 'email', 'email'], ['username', 'text', 'username'], ['password', 'password', 'new-password']],
};

export function Auth() {
  const { t, act } = useContext(Ctx);
  const [mode, setMode] = useState('signin');
  const [values, setValues] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef();
  const id = useId();

  useEffect(() => first.current?.focus(), [mode]);

  const send = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const input = Object.fromEntries(fields[mode].map(([name]) => [name, values[name] || '']));
      await (mode === 'signin' ? act.signIn(input) : act.signUp(input));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const switchTo = (next) => {
    setMode(next);
    setError(null);
  };

  return (
    <div class="panel auth" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t(mode === 'signin' ? 'signIn' : 'createAccount')}</h3>
      {fields[mode].map(([name, type, autocomplete], i) => (
        <div class="field" key={mode + name}>
          <label for={`${id}-${name}`}>{t(name)}</label>
          <input
            id={`${id}-${name}`} ref={i === 0 ? first : undefined} type={type} autocomplete={autocomplete}
            value={values[name] || ''} readOnly={busy} aria-invalid={error?.field === name ? 'true' : undefined}
            aria-describedby={`${id}-error`}
            onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
            onKeyDown={(e) => e.key === 'Enter' && send()}
          />
        </div>
      ))}
      <p class="error" id={`${id}-error`} role="alert">{error && errorText(error, t, { UNAUTHENTICATED: 'err.BAD_LOGIN' })}</p>
      <div class="row">
        <button type="button" class="btn primary" onClick={send}>{t(mode === 'signin' ? 'signIn' : 'signUp')}</button>
        <button type="button" class="btn" onClick={() => switchTo(mode === 'signin' ? 'signup' : 'signin')}>
          {t(mode === 'signin' ? 'createAccount' : 'haveAccount')}
        </button>
        <button type="button" class="btn" onClick={act.closeLogin}>{t('cancel')}</button>
      </div>
    </div>
  );
}
