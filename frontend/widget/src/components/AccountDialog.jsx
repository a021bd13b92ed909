// The reader's own data, behind an "Account" button: a modal <dialog> (the browser keeps
// focus inside it and closes it on Escape) to see and change the address, to download all
// of it as JSON, or to delete the
// account once the reader has read what that does and confirmed it. Deletion waits a grace
// period on the server, during which signing in again cancels it.
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { EXPORT } from '../extraQueries.js';
import { errorText } from '../errors.js';
import { Credentials } from './Credentials.jsx';
import { EmailSettings } from './EmailSettings.jsx';
import { Claim } from './Claim.jsx';

/**
 * Saves data as a JSON file through a temporary <a download>, placed next to from: inside
 * the widget's shadow root, so the host page's document is never touched.
 */
function save(data, name, from) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  a.download = name;
  from.after(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function AccountDialog({ onClose }) {
  const { t, viewer, act } = useContext(Ctx);
  const [deleting, setDeleting] = useState(false);
  const [value, setValue] = useState('');
  const [removeComments, setRemoveComments] = useState(false);
  const [error, setError] = useState(null);
  const dialog = useRef();
  const input = useRef();
  const id = useId();
  // An account made through the host's single sign-on has no password: it types a word.
  const pw = viewer.hasPassword;

  useEffect(() => {
    const d = dialog.current;
    d.showModal();
    return () => d.open && d.close();
  }, []);
  useEffect(() => { if (deleting) input.current.focus(); }, [deleting]);

  const fail = (err) => setError(errorText(err, t));
  const download = (e) => {
    const button = e.currentTarget;
    setError(null);
    act.request(EXPORT).then(({ viewerExport: data }) => save(data, `parley-data-${viewer.username}.json`, button), fail);
  };
  const send = (e) => {
    e.preventDefault();
    if (!deleting) return;
    setError(null);
    act.deleteAccount({ ...(pw ? { password: value } : { confirm: value }), removeComments }).catch(fail);
  };

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby={`${id}t`} onClose={onClose}>
      <form onSubmit={send}>
        <h3 id={`${id}t`}>{t(deleting ? 'deleteAccount' : 'account')}</h3>
        {deleting ? (
          <>
            <p>{t('deleteAccountWhat')}</p>
            <div class="field">
              <label for={id}>{t(pw ? 'password' : 'typeDelete')}</label>
              <input id={id} ref={input} type={pw ? 'password' : 'text'} autocomplete={pw ? 'current-password' : 'off'} value={value}
                aria-describedby={`${id}e`} aria-invalid={error ? 'true' : undefined} onInput={(e) => setValue(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label>
                <input type="checkbox" checked={removeComments} onChange={(e) => setRemoveComments(e.currentTarget.checked)} />
                {' '}{t('removeComments')}
              </label>
            </div>
          </>
        ) : (
          <div class="row">
            <button type="button" class="btn" onClick={download}>{t('downloadData')}</button>
            <button type="button" class="btn danger" onClick={() => setDeleting(true)}>{t('deleteAccount')}</button>
          </div>
        )}
        {!deleting && <EmailSettings hasPassword={pw} />}
        {!deleting && <Claim />}
        {!deleting && <Credentials />}
        <p class="error" id={`${id}e`} role="alert">{error}</p>
        <div class="row">
          {deleting && <button type="submit" class="btn danger">{t('deleteAccount')}</button>}
          <button type="button" class="btn" onClick={() => dialog.current.close()}>{t(deleting ? 'cancel' : 'close')}</button>
        </div>
      </form>
    </dialog>
  );
}
