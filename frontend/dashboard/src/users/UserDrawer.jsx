// A user's standing on the site, beside the queue: their comments and counts, sanctions and
// moderators' notes, and the measures a moderator can take. Labelled by the username.
import { useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Dialog } from '../ui/Dialog.jsx';
import { Time } from '../ui/Time.jsx';
import { USER } from './documents.js';
import { SanctionForm } from './SanctionForm.jsx';
import { Sanctions } from './Sanctions.jsx';
import { Notes } from './Notes.jsx';

/** user: {id, username} of the author to show, or null when the drawer is closed. */
export function UserDrawer({ user, siteID, onClose }) {
  return (
    <Dialog open={Boolean(user)} onClose={onClose} labelledBy="drawer-title" class="drawer">
      {user && <DrawerContent user={user} siteID={siteID} />}
    </Dialog>
  );
}

const statusLabels = { PUBLISHED: 'Published', PENDING: 'Pending', REJECTED: 'Rejected', DELETED: 'Deleted' };
const roleLabels = { COMMENTER: 'Commenter', MEMBER: 'Member', MODERATOR: 'Moderator', ADMIN: 'Administrator' };

function DrawerContent({ user: shown, siteID }) {
  const [{ data, error, fetching }, reexecute] = useQuery({ query: USER, variables: { id: shown.id, siteID }, requestPolicy: 'cache-and-network' });
  const reload = () => reexecute({ requestPolicy: 'network-only' });
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
          <p class="muted">
            {roleLabels[user.role]} · joined <Time iso={user.createdAt} />{user.email && ` · ${user.email}`}
          </p>
          <dl class="counts" aria-label="Comments on this site">
            {Object.entries(statusLabels).map(([status, label]) => (
              <div key={status}><dt>{label}</dt><dd>{user.commentCounts[status.toLowerCase()]}</dd></div>
            ))}
          </dl>
          <Sanctions sanctions={user.sanctions} onChanged={reload} />
          <SanctionForm user={user} siteID={siteID} onDone={reload} />
          <Notes notes={user.notes} user={user} siteID={siteID} onAdded={reload} />
          <section aria-labelledby="history-title">
            <h3 id="history-title">History on this site</h3>
            {user.comments.edges.length === 0 && <p class="muted">No comments yet.</p>}
            <ol class="history">
              {user.comments.edges.map(({ node: c }) => (
                <li key={c.id}>
                  <div class="history-meta">
                    <span class={`status ${c.status.toLowerCase()}`}>{statusLabels[c.status]}</span>
                    <Time iso={c.createdAt} />
                    {c.story && <> on <a href={c.story.url} target="_blank" rel="noopener">{c.story.title || c.story.url}</a></>}
                  </div>
                  <div class="comment-body" data-comment-body dangerouslySetInnerHTML={{ __html: c.body }} />
                </li>
              ))}
            </ol>
            {user.comments.pageInfo.hasNextPage && <p class="muted">Showing the 20 most recent.</p>}
          </section>
        </>
      )}
    </div>
  );
}
