// The form that proposes new trust thresholds (a CHANGE_THRESHOLDS proposal), starting from
// the thresholds in force: one column per earned level, the changes listed before it is sent,
// and the rationale voters will read.
import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { PROPOSE_RULE } from '../proposals/documents.js';
import { TRUST_THRESHOLDS } from './documents.js';
import { LEVELS, NUMBER_FIELDS, thresholdChanges, thresholdsForm, thresholdsInput } from './thresholds.js';
import { t } from '../i18n/index.js';

/** onProposed gets the stored proposal. */
export function ProposeThresholds({ siteID, onProposed }) {
  const [{ data, error }] = useQuery({ query: TRUST_THRESHOLDS, variables: { siteID }, requestPolicy: 'cache-and-network' });
  if (error) return <p class="error" role="alert">{errorMessage(error)}</p>;
  if (!data) return <p role="status">{t('thresholds.loading')}</p>;
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
    if (!changes.length) local.form = t('thresholds.noChange');
    setErrors(local);
    if (Object.keys(local).length) {
      setOutcome(local.form ?? t('common.fixFields'));
      return;
    }
    const result = await propose({ input });
    if (result.error) {
      setOutcome(t('common.notProposed', { error: errorMessage(result.error) }));
      return;
    }
    setOutcome('');
    onProposed(result.data.proposeRule);
  }

  return (
    <form class="propose-thresholds stack" onSubmit={submit} noValidate>
      <table class="grid">
        <caption class="visually-hidden">{t('thresholds.caption')}</caption>
        <thead><tr><th scope="col">{t('thresholds.signal')}</th>{LEVELS.map((k) => <th key={k} scope="col">{t(`thresholds.level.${k}`)}</th>)}</tr></thead>
        <tbody>
          {NUMBER_FIELDS.map((field) => (
            <tr key={field}>
              <th scope="row">{t(`thresholds.field.${field}`)}</th>
              {LEVELS.map((level) => {
                const id = `thresholds-${level}-${field}`;
                const err = errors[`${level}.${field}`];
                return (
                  <td key={level}>
                    <input id={id} name={id} type="text" inputMode="numeric" size={6} value={form[level][field]}
                      aria-label={`${t(`thresholds.level.${level}`)}: ${t(`thresholds.field.${field}`)}`} aria-invalid={err ? 'true' : undefined} aria-describedby={err ? `${id}-error` : undefined}
                      onInput={(e) => setField(level, field, e.currentTarget.value)} />
                    {err && <span id={`${id}-error`} class="error">{err}</span>}
                  </td>
                );
              })}
            </tr>
          ))}
          <tr>
            <th scope="row">{t('thresholds.noSanction')}</th>
            {LEVELS.map((level) => (
              <td key={level}>
                <input type="checkbox" name={`thresholds-${level}-noActiveSanctions`} aria-label={t('thresholds.noSanctionOf', { level: t(`thresholds.level.${level}`) })}
                  checked={form[level].noActiveSanctions} onChange={(e) => setField(level, 'noActiveSanctions', e.currentTarget.checked)} />
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <div aria-live="polite">
        {changes.length > 0 ? <ul class="muted">{changes.map((c) => <li key={c}>{c}</li>)}</ul> : <p class="muted">{t('thresholds.unchanged')}</p>}
      </div>
      <div class="field">
        <label for="thresholds-rationale">{t('thresholds.why')}</label>
        <textarea id="thresholds-rationale" rows={3} maxLength={4000} value={form.rationale} aria-invalid={errors.rationale ? 'true' : undefined}
          aria-describedby={errors.rationale ? 'thresholds-rationale-error' : undefined} onInput={(e) => setForm((f) => ({ ...f, rationale: e.currentTarget.value }))} />
        {errors.rationale && <p id="thresholds-rationale-error" class="error">{errors.rationale}</p>}
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={fetching}>{fetching ? t('common.proposing') : t('thresholds.submit')}</button>
        <p class="error" role="alert">{outcome}</p>
      </div>
    </form>
  );
}
