import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { useViewer } from '../app/viewer.js';
import { SANCTIONS } from './documents.js';
import { SANCTION_KINDS, SUSPENSIONS, doneMessage, sanctionAction, sanctionHint, sanctionInput } from './sanctions.js';

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
      <h3 id="action-title">Take action</h3>
      <form onSubmit={submit} class="stack">
        <fieldset>
          <legend>Measure</legend>
          <div class="choices">
            {SANCTION_KINDS.map((k) => (
              <label key={k.kind} class="choice">
                <input type="radio" name="sanction-kind" value={k.kind} checked={form.kind === k.kind} onChange={() => set({ kind: k.kind })} />
                {k.label}
              </label>
            ))}
          </div>
          <p class="muted">{sanctionHint(form)}</p>
        </fieldset>
        {form.kind === 'SUSPEND' && (
          <label class="field">
            <span>Duration</span>
            <select value={form.durationSeconds} onChange={(e) => set({ durationSeconds: e.currentTarget.value })}>
              {SUSPENSIONS.map((d) => <option key={d.seconds} value={String(d.seconds)}>{d.label}</option>)}
            </select>
          </label>
        )}
        {form.kind === 'BAN' && admin && (
          <fieldset>
            <legend>Where</legend>
            <div class="choices">
              <label class="choice">
                <input type="radio" name="ban-scope" checked={!form.everySite} onChange={() => set({ everySite: false })} />
                On this site
              </label>
              <label class="choice">
                <input type="radio" name="ban-scope" checked={form.everySite} onChange={() => set({ everySite: true })} />
                On every site
              </label>
            </div>
          </fieldset>
        )}
        {form.kind === 'BAN' && (
          <label class="choice">
            <input type="checkbox" checked={form.rejectExisting} onChange={(e) => set({ rejectExisting: e.currentTarget.checked })} />
            Also reject their published and pending comments
          </label>
        )}
        <label class="field">
          <span>Message to {user.username}</span>
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
