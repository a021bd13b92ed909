// The reader's address, in the account dialog: whether it is verified, a new verification
// link when it is not, and a change of address (links go to both addresses, and the address
// changes once both are followed). Loaded only when the dialog opens.
import { useContext, useEffect, useId, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { CHANGE_EMAIL, EMAIL_STATE, RESEND_VERIFICATION } from '../extraQueries.js';
import { errorText } from '../errors.js';

export function EmailSettings({ hasPassword }) {
  const { t, act } = useContext(Ctx);
  const [state, setState] = useState(null);
  const [changing, setChanging] = useState(false);
  const [values, setValues] = useState({ email: '', password: '' });
  const [note, setNote] = useState(null);
  const [error, setError] = useState(null);
  const id = useId();
  const fail = (err) => setError(err);
  useEffect(() => { act.request(EMAIL_STATE).then((d) => setState(d.viewer), fail); }, []);

  const resend = () => {
    setError(null);
    act.request(RESEND_VERIFICATION, { input: { language: t.lang } }).then(() => setNote(t('verificationSent', { email: state.email })), fail);
  };
  const change = () => {
    setError(null);
    act.request(CHANGE_EMAIL, { input: { ...values, language: t.lang } }).then(() => {
      setNote(t('emailChangeSent', { email: values.email }));
      setChanging(false);
      setValues({ email: '', password: '' });
    }, fail);
  };
  // The dialog's own form deletes the account: Enter here must change the address instead.
  const enter = (e) => { if (e.key === 'Enter') { e.preventDefault(); change(); } };
  const field = (name, type, autocomplete) => (
    <div class="field">
      <label for={`${id}${name}`}>{t(name === 'email' ? 'newEmail' : 'password')}</label>
      <input id={`${id}${name}`} type={type} autocomplete={autocomplete} value={values[name]} onKeyDown={enter}
        aria-invalid={error?.field === name ? 'true' : undefined} aria-describedby={`${id}e`}
        onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })} />
    </div>
  );

  if (!state) return error && <p class="error" role="alert">{errorText(error, t)}</p>;
  return (
    <div class="email-settings">
      <h4>{t('email')}</h4>
      <p>
        {state.email}{' '}
        <span class={state.emailVerified ? 'hint' : 'error'}>{t(state.emailVerified ? 'emailVerified' : 'emailUnverified')}</span>
      </p>
      <div class="row">
        {!state.emailVerified && <button type="button" class="btn" onClick={resend}>{t('resendVerification')}</button>}
        {hasPassword && !changing && <button type="button" class="btn" onClick={() => { setNote(null); setChanging(true); }}>{t('changeEmail')}</button>}
      </div>
      {changing && (
        <div class="panel">
          {field('email', 'email', 'email')}
          {field('password', 'password', 'current-password')}
          <div class="row">
            <button type="button" class="btn primary" onClick={change}>{t('changeEmailSend')}</button>
            <button type="button" class="btn" onClick={() => { setChanging(false); setError(null); }}>{t('cancel')}</button>
          </div>
        </div>
      )}
      <p class="status" role="status">{note}</p>
      <p class="error" id={`${id}e`} role="alert">{error && errorText(error, t)}</p>
    </div>
  );
}
