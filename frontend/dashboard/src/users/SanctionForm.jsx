import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { useViewer } from '../app/viewer.js';
import { SANCTIONS } from './documents.js';
import { SANCTION_KINDS, SUSPENSIONS, doneMessage, sanctionAction, sanctionHint, sanctionInput, suspensionLabel } from './sanctions.js';
import { t } from '../i18n/index.js';

/**
 * The measures a moderator can take on a user: one form, the fields following the kind. An
 * administrator may also ban on every site; moderators ban on the site they work on.
 */
export function SanctionForm({ user, siteID, onDone }) {
  const { admin } = useViewer();
  const [form, setForm] = useState({ kind: 'WARN', message: '', durationSeconds: String(SUSPENSIONS[1].seconds), rejectExisting: false, everySite: false });
  const [result, setResult] = useState({ error: '', done: '' });
  const [busy, setBusy] = useState(false);
  const [, run] = useMutation(SANCTIONS[form.kind]);
  const set = (change) => setForm((f) => ({ ...f, ...change }));

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    const answer = await run({ input: sanctionInput(user.id, siteID, form) });
    setBusy(false);
    if (answer.error) {
      const fields = fieldErrors(answer.error);
      setResult({ error: fields.message ?? fields.durationSeconds ?? errorMessage(answer.error), done: '' });
      return;
    }
    setResult({ error: '', done: doneMessage(form) });
    set({ message: '' });
    onDone();
  }

  return (
    <section aria-labelledby="action-title">
      <h3 id="action-title">{t('sanction.takeAction')}</h3>
      <form onSubmit={submit} class="stack">
        <fieldset>
          <legend>{t('sanction.measure')}</legend>
          <div class="choices">
            {SANCTION_KINDS.map((k) => (
              <label key={k.kind} class="choice">
                <input type="radio" name="sanction-kind" value={k.kind} checked={form.kind === k.kind} onChange={() => set({ kind: k.kind })} />
                {t(`sanction.kind.${k.kind}`)}
              </label>
            ))}
          </div>
          <p class="muted">{sanctionHint(form)}</p>
        </fieldset>
        {form.kind === 'SUSPEND' && (
          <label class="field">
            <span>{t('sanction.duration')}</span>
            <select value={form.durationSeconds} onChange={(e) => set({ durationSeconds: e.currentTarget.value })}>
              {SUSPENSIONS.map((d) => <option key={d.seconds} value={String(d.seconds)}>{suspensionLabel(d.seconds)}</option>)}
            </select>
          </label>
        )}
        {form.kind === 'BAN' && admin && (
          <fieldset>
            <legend>{t('sanction.where')}</legend>
            <div class="choices">
              <label class="choice">
                <input type="radio" name="ban-scope" checked={!form.everySite} onChange={() => set({ everySite: false })} />
                {t('sanction.thisSite')}
              </label>
              <label class="choice">
                <input type="radio" name="ban-scope" checked={form.everySite} onChange={() => set({ everySite: true })} />
                {t('sanction.everySite')}
              </label>
            </div>
          </fieldset>
        )}
        {form.kind === 'BAN' && (
          <label class="choice">
            <input type="checkbox" checked={form.rejectExisting} onChange={(e) => set({ rejectExisting: e.currentTarget.checked })} />
            {t('sanction.rejectExisting')}
          </label>
        )}
        <label class="field">
          <span>{t('sanction.messageTo', { name: user.username })}</span>
          <textarea rows={2} value={form.message} onInput={(e) => set({ message: e.currentTarget.value })} />
        </label>
        <p class="error" role="alert">{result.error}</p>
        <p class="ok" role="status">{result.done}</p>
        <div class="row">
          <button type="submit" class={form.kind === 'BAN' || form.kind === 'SUSPEND' ? 'reject' : 'primary'} disabled={busy}>{sanctionAction(form)}</button>
        </div>
      </form>
    </section>
  );
}
