// The user's role on the site, and for administrators the button that grants the MODERATOR
// role or takes it back.
import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { useViewer } from '../app/viewer.js';
import { SET_SITE_ROLE } from './documents.js';
import { roleChange } from './roles.js';
import { t } from '../i18n/index.js';

/** user: {id, username, role} with role on siteID; onChanged runs after a change. */
export function RoleControl({ user, siteID, onChanged }) {
  const { admin } = useViewer();
  const [{ fetching }, setSiteRole] = useMutation(SET_SITE_ROLE);
  const [outcome, setOutcome] = useState({ error: '', done: '' });
  const change = admin ? roleChange(user.role) : null;

  async function apply() {
    const result = await setSiteRole({ input: { siteID, userID: user.id, role: change.role } });
    if (result.error) {
      setOutcome({ error: errorMessage(result.error), done: '' });
      return;
    }
    setOutcome({ error: '', done: change.done(user.username) });
    onChanged();
  }

  return (
    <section aria-labelledby="role-title">
      <h3 id="role-title">{t('user.role')}</h3>
      <div class="row">
        <span>{t(`role.${user.role}`)}{user.role === 'ADMIN' && t('user.everySite')}</span>
        {change && <button type="button" disabled={fetching} onClick={apply}>{change.label}</button>}
      </div>
      <p class="error" role="alert">{outcome.error}</p>
      <p class="ok" role="status">{outcome.done}</p>
    </section>
  );
}
