// Reporting a comment: a modal <dialog> (the browser keeps focus inside it and closes it on
// Escape) asking for a reason, and details when the reason is OTHER.
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { errorText } from '../errors.js';

const reasons = ['SPAM', 'OFFENSIVE', 'ABUSIVE', 'OFF_TOPIC', 'ILLEGAL', 'OTHER'];

/** onClose(sent) is called when the dialog closes, sent telling whether a report went out. */
export function ReportDialog({ commentID, onClose }) {
  const { t, act } = useContext(Ctx);
  const [reason, setReason] = useState(null);
  const [details, setDetails] = useState('');
  const [error, setError] = useState(null);
  const [sent, setSent] = useState(false);
  const dialog = useRef();
  const done = useRef();
  const id = useId();

  useEffect(() => {
    const d = dialog.current;
    d.showModal();
    return () => d.open && d.close();
  }, []);
  useEffect(() => { if (sent) done.current.focus(); }, [sent]);

  const send = async () => {
    if (!reason) return setError(t('reportWhy'));
    if (reason === 'OTHER' && !details.trim()) return setError(t('detailsRequired'));
    try {
      setError(null);
      await act.report(commentID, reason, details.trim());
      setSent(true);
    } catch (err) {
      setError(errorText(err, t));
    }
  };

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby={`${id}-title`} onClose={() => onClose(sent)}>
      <h3 id={`${id}-title`}>{t('reportTitle')}</h3>
      {sent ? (
        <>
          <p role="status">{t('reportThanks')}</p>
          <div class="row"><button type="button" class="btn primary" ref={done} onClick={() => dialog.current.close()}>{t('close')}</button></div>
        </>
      ) : (
        <>
          <fieldset>
            <legend>{t('reportWhy')}</legend>
            {reasons.map((r) => (
              <label class="choice" key={r}>
                <input type="radio" name={`${id}-reason`} value={r} checked={reason === r} onChange={() => setReason(r)} />
                {t(r)}
              </label>
            ))}
          </fieldset>
          <div class="field">
            <label for={`${id}-details`}>{t('details')}</label>
            <textarea id={`${id}-details`} rows={3} value={details} aria-required={reason === 'OTHER' ? 'true' : undefined}
              aria-describedby={`${id}-error`} onInput={(e) => setDetails(e.currentTarget.value)} />
          </div>
          <p class="error" id={`${id}-error`} role="alert">{error}</p>
          <div class="row">
            <button type="button" class="btn primary" onClick={send}>{t('sendReport')}</button>
            <button type="button" class="btn" onClick={() => dialog.current.close()}>{t('cancel')}</button>
          </div>
        </>
      )}
    </dialog>
  );
}
