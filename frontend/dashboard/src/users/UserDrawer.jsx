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

/** user: {id, username} of the author to show, or null when the drawer is closed. */
export function UserDrawer({ user, siteID, onClose }) {
  return (
    <Dialog open={Boolean(user)} onClose={onClose} labelledBy="drawer-title" class="drawer">
      {user && <DrawerContent user={user} siteID={siteID} />}
    </Dialog>
  );
}

const countLabels = { published: 'Published', pending: 'Pending', rejected: 'Rejected', deleted: 'Deleted' };

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
        <form method="dialog"><button type="submit" class="quiet">Close</button></form>
      </div>
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!user && fetching && <p role="status">Loading…</p>}
      {user && (
        <>
          <p class="muted">Joined <Time iso={user.createdAt} />{user.email && ` · ${user.email}`}</p>
          <dl class="counts" aria-label="Comments on this site">
            {Object.entries(countLabels).map(([key, label]) => (
              <div key={key}><dt>{label}</dt><dd>{user.commentCounts[key]}</dd></div>
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
