// A user's standing on the site, beside the queue: their comments and counts, role, sanctions
// and moderators' notes, and the measures a moderator can take. Labelled by the username.
import { useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Dialog } from '../ui/Dialog.jsx';
import { Time } from '../ui/Time.jsx';
import { USER } from './documents.js';
import { RoleControl } from './RoleControl.jsx';
import { SanctionForm } from './SanctionForm.jsx';
import { Sanctions } from './Sanctions.jsx';
import { Notes } from './Notes.jsx';
import { History } from './History.jsx';
import { t, tx } from '../i18n/index.js';

/** user: {id, username} of the author to show, or null when the drawer is closed. */
export function UserDrawer({ user, siteID, onClose }) {
  return (
    <Dialog open={Boolean(user)} onClose={onClose} labelledBy="drawer-title" class="drawer">
      {user && <DrawerContent user={user} siteID={siteID} />}
    </Dialog>
  );
}

const COUNTS = ['published', 'pending', 'rejected', 'deleted'];

function DrawerContent({ user: shown, siteID }) {
  const [{ data, error, fetching }, reexecute] = useQuery({ query: USER, variables: { id: shown.id, siteID }, requestPolicy: 'cache-and-network' });
  const reload = () => reexecute({ requestPolicy: 'network-only' });
  // A sanction can reject the user's comments, so the history is read again after one.
  const [historyVersion, setHistoryVersion] = useState(0);
  const sanctioned = () => {
    reload();
    setHistoryVersion((v) => v + 1);
  };
  const user = data?.user;
  return (
    <div class="drawer-body">
      <div class="drawer-head">
        <h2 id="drawer-title">{shown.username}</h2>
        <form method="dialog"><button type="submit" class="quiet">{t('common.close')}</button></form>
      </div>
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!user && fetching && <p role="status">{t('common.loading')}</p>}
      {user && (
        <>
          <p class="muted">{tx('user.joined', { time: <Time iso={user.createdAt} /> })}{user.email && ` · ${user.email}`}</p>
          <dl class="counts" aria-label={t('user.counts')}>
            {COUNTS.map((key) => (
              <div key={key}><dt>{t(`status.${key.toUpperCase()}`)}</dt><dd>{user.commentCounts[key]}</dd></div>
            ))}
          </dl>
          <RoleControl user={user} siteID={siteID} onChanged={reload} />
          <Sanctions sanctions={user.sanctions} onChanged={reload} />
          <SanctionForm user={user} siteID={siteID} onDone={sanctioned} />
          <Notes notes={user.notes} user={user} siteID={siteID} onAdded={reload} />
          <History userID={shown.id} siteID={siteID} version={historyVersion} />
        </>
      )}
    </div>
  );
}
