// Commenting without an account, on sites that allow it: a name, an optional email address
// and the comment. Every guest comment waits for a moderator, which the guest is told.
import { useContext, useId, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { errorText } from '../errors.js';

export function GuestForm() {
  const { t, act } = useContext(Ctx);
  const [f, setF] = useState({ name: '', email: '', body: '' });
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const id = useId();
  const field = (k) => ({ id: `${id}${k}`, value: f[k], onInput: (e) => setF({ ...f, [k]: e.currentTarget.value }) });
  const send = (e) => {
    e.preventDefault();
    setError(null);
    act.postAsGuest(f.name, f.email, f.body).then(() => { setDone(true); setF({ ...f, body: '' }); }, setError);
  };
  return (
    <form class="guest panel" aria-labelledby={`${id}t`} onSubmit={send}>
      <h3 id={`${id}t`}>{t('guestTitle')}</h3>
      <div class="field"><label for={`${id}name`}>{t('guestName')}</label><input {...field('name')} autocomplete="name" required /></div>
      <div class="field"><label for={`${id}email`}>{t('guestEmail')}</label><input {...field('email')} type="email" autocomplete="email" /></div>
      <div class="field"><label for={`${id}body`}>{t('writeComment')}</label><textarea {...field('body')} rows={3} required /></div>
      {error && <p class="error" role="alert">{errorText(error, t)}</p>}
      {done && <p class="notice" role="status">{t('guestPosted')}</p>}
      <button type="submit" class="btn primary">{t('guestPost')}</button>
    </form>
  );
}
