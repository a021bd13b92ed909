// The form that proposes new trust thresholds (a CHANGE_THRESHOLDS proposal), starting from
// the thresholds in force: one column per earned level, the changes listed before it is sent,
// and the rationale voters will read.
import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { PROPOSE_RULE } from '../proposals/documents.js';
import { TRUST_THRESHOLDS } from './documents.js';
import { LEVELS, NUMBER_FIELDS, thresholdChanges, thresholdsForm, thresholdsInput } from './thresholds.js';

/** onProposed gets the stored proposal. */
export function ProposeThresholds({ siteID, onProposed }) {
  const [{ data, error }] = useQuery({ query: TRUST_THRESHOLDS, variables: { siteID }, requestPolicy: 'cache-and-network' });
  if (error) return <p class="error" role="alert">{errorMessage(error)}</p>;
  if (!data) return <p role="status">Loading the thresholds in force…</p>;
  return <ThresholdsForm key={siteID} siteID={siteID} inForce={data.trustThresholds} onProposed={onProposed} />;
}

function ThresholdsForm({ siteID, inForce, onProposed }) {
  const [form, setForm] = useState(() => thresholdsForm(inForce));
  const [errors, setErrors] = useState({});
  const [outcome, setOutcome] = useState('');
  const [{ fetching }, propose] = useMutation(PROPOSE_RULE);
  const changes = thresholdChanges(inForce, form);
  const setField = (level, field, value) => setForm((f) => ({ ...f, [level]: { ...f[level], [field]: value } }));

  async function submit(event) {
    event.preventDefault();
    const { input, errors: local } = thresholdsInput(siteID, form);
    if (!changes.length) local.form = 'Change at least one threshold.';
    setErrors(local);
    if (Object.keys(local).length) {
      setOutcome(local.form ?? 'Some fields need fixing; see the messages next to them.');
      return;
    }
    const result = await propose({ input });
    if (result.error) {
      setOutcome(`Not proposed: ${errorMessage(result.error)}`);
      return;
    }
    setOutcome('');
    onProposed(result.data.proposeRule);
  }

  return (
    <form class="propose-thresholds stack" onSubmit={submit} noValidate>
      <table class="grid">
        <caption class="visually-hidden">Trust thresholds by level; the values in force are filled in.</caption>
        <thead><tr><th scope="col">Signal</th>{LEVELS.map(([k, l]) => <th key={k} scope="col">{l}</th>)}</tr></thead>
        <tbody>
          {NUMBER_FIELDS.map(([field, label]) => (
            <tr key={field}>
              <th scope="row">{label}</th>
              {LEVELS.map(([level, levelLabel]) => {
                const id = `thresholds-${level}-${field}`;
                const err = errors[`${level}.${field}`];
                return (
                  <td key={level}>
                    <input id={id} name={id} type="text" inputMode="numeric" size={6} value={form[level][field]}
                      aria-label={`${levelLabel}: ${label}`} aria-invalid={err ? 'true' : undefined} aria-describedby={err ? `${id}-error` : undefined}
                      onInput={(e) => setField(level, field, e.currentTarget.value)} />
                    {err && <span id={`${id}-error`} class="error">{err}</span>}
                  </td>
                );
              })}
            </tr>
          ))}
          <tr>
            <th scope="row">No active sanction</th>
            {LEVELS.map(([level, levelLabel]) => (
              <td key={level}>
                <input type="checkbox" name={`thresholds-${level}-noActiveSanctions`} aria-label={`${levelLabel}: no active sanction required`}
                  checked={form[level].noActiveSanctions} onChange={(e) => setField(level, 'noActiveSanctions', e.currentTarget.checked)} />
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <div aria-live="polite">
        {changes.length > 0 ? <ul class="muted">{changes.map((c) => <li key={c}>{c}</li>)}</ul> : <p class="muted">No change yet: these are the thresholds in force.</p>}
      </div>
      <div class="field">
        <label for="thresholds-rationale">Why change them</label>
        <textarea id="thresholds-rationale" rows={3} maxLength={4000} value={form.rationale} aria-invalid={errors.rationale ? 'true' : undefined}
          aria-describedby={errors.rationale ? 'thresholds-rationale-error' : undefined} onInput={(e) => setForm((f) => ({ ...f, rationale: e.currentTarget.value }))} />
        {errors.rationale && <p id="thresholds-rationale-error" class="error">{errors.rationale}</p>}
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={fetching}>{fetching ? 'Proposing…' : 'Propose these thresholds'}</button>
        <p class="error" role="alert">{outcome}</p>
      </div>
    </form>
  );
}
