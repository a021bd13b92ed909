// Why a comment is rejected: one reason, and a note that OTHER requires. The reason chosen
// last is preselected, so a run of spam is r, Enter, r, Enter.
import { useState } from 'preact/hooks';
import { Dialog } from '../ui/Dialog.jsx';
import { t } from '../i18n/index.js';

// Each one's label is reason.<value>, but for OTHER, which asks for the note.
const REJECT_REASONS = ['SPAM', 'OFFENSIVE', 'ABUSIVE', 'OFF_TOPIC', 'BANNED_WORD', 'ILLEGAL', 'OTHER'];

/** count: how many comments are rejected; onConfirm(reason, note) may answer an error message. */
export function RejectDialog({ open, count, initialReason, onConfirm, onClose }) {
  return (
    <Dialog open={open} onClose={onClose} labelledBy="reject-title" class="modal">
      <RejectForm count={count} initialReason={initialReason} onConfirm={onConfirm} onClose={onClose} />
    </Dialog>
  );
}

function RejectForm({ count, initialReason, onConfirm, onClose }) {
  const [reason, setReason] = useState(initialReason);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const noteRequired = reason === 'OTHER';

  async function submit(event) {
    event.preventDefault();
    if (noteRequired && !note.trim()) {
      setError(t('reject.noteNeeded'));
      event.currentTarget.querySelector('textarea').focus();
      return;
    }
    setBusy(true);
    const failure = await onConfirm(reason, note.trim());
    setBusy(false);
    if (failure) setError(failure);
  }

  // Enter confirms from the reason list as well as from the button; in the note it starts a
  // new line unless Ctrl or Cmd is held.
  function onKeyDown(event) {
    if (event.key !== 'Enter' || event.target.type === 'submit' || event.target.type === 'button') return;
    if (event.target.tagName === 'TEXTAREA' && !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    event.currentTarget.requestSubmit();
  }

  return (
    <form onSubmit={submit} onKeyDown={onKeyDown} class="stack" noValidate>
      <h2 id="reject-title">{t('reject.title', { n: count })}</h2>
      <fieldset>
        <legend>{t('reject.reason')}</legend>
        {REJECT_REASONS.map((r) => (
          <label key={r} class="choice">
            <input type="radio" name="reason" value={r} checked={reason === r} autoFocus={reason === r} onChange={() => setReason(r)} />
            {r === 'OTHER' ? t('reject.otherReason') : t(`reason.${r}`)}
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>{noteRequired ? t('reject.noteRequired') : t('reject.noteOptional')}</span>
        <textarea rows={3} maxLength={2000} value={note} required={noteRequired} aria-invalid={error && noteRequired ? 'true' : undefined}
          aria-describedby="reject-error" onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <p id="reject-error" class="error" role="alert">{error}</p>
      <div class="row">
        <button type="submit" class="reject" disabled={busy}>{t('card.reject')}</button>
        <button type="button" onClick={onClose}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
