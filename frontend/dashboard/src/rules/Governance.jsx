// How the site governs its rules (setRuleGovernance, administrators only): the quorum of
// moderators, whether and how many members vote, the delay before enactment and the cost
// limit every rule is checked against.
import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { Check, Field } from '../ui/fields.jsx';
import { governanceForm, governanceInput } from './governance.js';
import { t } from '../i18n/index.js';
import { SET_GOVERNANCE } from './documents.js';

export function Governance({ siteID, governance, onSaved }) {
  const [form, setForm] = useState(() => governanceForm(governance));
  const [errors, setErrors] = useState({});
  const [outcome, setOutcome] = useState({ error: '', done: '' });
  const [{ fetching }, save] = useMutation(SET_GOVERNANCE);
  const binding = { form, errors, set: (change) => setForm((f) => ({ ...f, ...change })), idPrefix: 'gov-' };

  async function submit(event) {
    event.preventDefault();
    const { input, errors: local } = governanceInput(siteID, form);
    if (Object.keys(local).length) {
      setErrors(local);
      setOutcome({ error: t('governance.fix'), done: '' });
      return;
    }
    const result = await save({ input });
    if (result.error) {
      setErrors(fieldErrors(result.error));
      setOutcome({ error: t('common.notSaved', { error: errorMessage(result.error) }), done: '' });
      return;
    }
    setErrors({});
    setForm(governanceForm(result.data.setRuleGovernance));
    setOutcome({ error: '', done: t('common.saved') });
    onSaved?.();
  }

  return (
    <details class="settings-section governance">
      <summary>{t('governance.title')}</summary>
      <form class="stack" onSubmit={submit} noValidate>
        <div class="field-grid">
          <Field name="moderatorQuorum" label={t('governance.moderatorQuorum')} type="number" min="1" binding={binding} />
          <Field name="memberQuorum" label={t('governance.memberQuorum')} type="number" min="0" binding={binding} hint={t('governance.memberQuorumHint')} />
          <Field name="enactDelaySeconds" label={t('governance.enactDelaySeconds')} type="number" min="0" binding={binding} hint={t('governance.enactDelayHint')} />
          <Field name="costLimit" label={t('governance.costLimit')} type="number" min="1" binding={binding} hint={t('governance.costLimitHint')} />
        </div>
        <Check name="memberVotes" label={t('governance.memberVotes')} binding={binding} />
        <div class="row">
          <button type="submit" disabled={fetching}>{fetching ? t('common.saving') : t('governance.save')}</button>
          <p class="error" role="alert">{outcome.error}</p>
          <p class="ok" role="status">{outcome.done}</p>
        </div>
      </form>
    </details>
  );
}
