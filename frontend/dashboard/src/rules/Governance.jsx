// How the site governs its rules (setRuleGovernance, administrators only): the quorum of
// moderators, whether and how many members vote, the delay before enactment and the cost
// limit every rule is checked against.
import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { Check, Field } from '../ui/fields.jsx';
import { governanceForm, governanceInput } from './governance.js';
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
      setOutcome({ error: 'Some values need fixing; see the messages next to them.', done: '' });
      return;
    }
    const result = await save({ input });
    if (result.error) {
      setErrors(fieldErrors(result.error));
      setOutcome({ error: `Not saved: ${errorMessage(result.error)}`, done: '' });
      return;
    }
    setErrors({});
    setForm(governanceForm(result.data.setRuleGovernance));
    setOutcome({ error: '', done: 'Saved.' });
    onSaved?.();
  }

  return (
    <details class="settings-section governance">
      <summary>How the site decides</summary>
      <form class="stack" onSubmit={submit} noValidate>
        <div class="field-grid">
          <Field name="moderatorQuorum" label="Moderators who must approve" type="number" min="1" binding={binding} />
          <Field name="memberQuorum" label="Members who must approve too" type="number" min="0" binding={binding} hint="When members vote; 0 lets them vote without being needed." />
          <Field name="enactDelaySeconds" label="Wait before enactment (seconds)" type="number" min="0" binding={binding} hint="0 enacts a proposal as soon as it is approved." />
          <Field name="costLimit" label="Cost limit of a rule" type="number" min="1" binding={binding} hint="Checked at proposal and enforced as each rule runs." />
        </div>
        <Check name="memberVotes" label="Members (the MEMBER role, or trust level 2 and up) propose and vote" binding={binding} />
        <div class="row">
          <button type="submit" disabled={fetching}>{fetching ? 'Saving…' : 'Save how the site decides'}</button>
          <p class="error" role="alert">{outcome.error}</p>
          <p class="ok" role="status">{outcome.done}</p>
        </div>
      </form>
    </details>
  );
}
