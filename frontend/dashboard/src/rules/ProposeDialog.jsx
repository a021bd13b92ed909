// Proposals that need only a rationale: retiring a rule, or rolling it back to an earlier
// version (a CHANGE_RULE with rollbackTo, as a rollback is itself a proposal).
import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Dialog } from '../ui/Dialog.jsx';
import { PROPOSE_RULE } from '../proposals/documents.js';
import { t } from '../i18n/index.js';

/** asking: {kind: 'RETIRE_RULE' | 'CHANGE_RULE', rule, rollbackTo?}, or null when closed. */
export function ProposeDialog({ siteID, asking, onClose, onProposed }) {
  return (
    <Dialog open={Boolean(asking)} onClose={onClose} labelledBy="propose-dialog-title" class="modal">
      {asking && <Body siteID={siteID} asking={asking} onClose={onClose} onProposed={onProposed} />}
    </Dialog>
  );
}

function Body({ siteID, asking, onClose, onProposed }) {
  const [rationale, setRationale] = useState('');
  const [error, setError] = useState('');
  const [{ fetching }, propose] = useMutation(PROPOSE_RULE);
  const { kind, rule, rollbackTo } = asking;
  const title = kind === 'RETIRE_RULE' ? t('propose.retire', { name: rule.name }) : t('propose.rollback', { name: rule.name, version: rollbackTo });

  async function submit(event) {
    event.preventDefault();
    if (!rationale.trim()) {
      setError(t('common.sayWhy'));
      return;
    }
    const result = await propose({ input: { siteID, kind, ruleID: rule.id, rollbackTo: rollbackTo ?? null, rationale: rationale.trim() } });
    if (result.error) {
      setError(errorMessage(result.error));
      return;
    }
    onClose();
    onProposed(result.data.proposeRule);
  }

  return (
    <form class="stack" onSubmit={submit} noValidate>
      <h2 id="propose-dialog-title">{title}</h2>
      <div class="field">
        <label for="propose-dialog-rationale">{t('propose.rationale')}</label>
        <textarea id="propose-dialog-rationale" rows={4} value={rationale} maxLength={4000} aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'propose-dialog-error' : undefined} onInput={(e) => setRationale(e.currentTarget.value)} />
        <p id="propose-dialog-error" class="error" role="alert">{error}</p>
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={fetching}>{fetching ? t('common.proposing') : t('propose.submit')}</button>
        <button type="button" class="quiet" onClick={onClose}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
