// A proposal's back-test: the form that runs it over the site's latest comments, and the
// stored report every voter reads: comments whose outcome would change (linked to their
// story), users whose level would change, agreement with the moderators per effect, and how
// long the replay took.
import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { formatShare } from '../ui/format.js';
import { Time } from '../ui/Time.jsx';
import { UserDrawer } from '../users/UserDrawer.jsx';
import { BACKTEST } from './documents.js';
import { formatDuration } from './proposals.js';

const MAX_COMMENTS = 100000;
const OUTCOMES = { PASS: 'published', APPROVE: 'approved', HOLD: 'held', REJECT: 'rejected' };

/** A changed comment's link text: its short ID and its story's path. */
function changeLabel(c) {
  let where = c.storyURL;
  try {
    where = new URL(c.storyURL).pathname;
  } catch { /* not a URL: show it as it is */ }
  return `Comment ${c.commentID.slice(0, 8)} on ${where}`;
}
const SHOWN_CHANGES = 50;

/** nameOf(id) is how the page names a user ("you" for the viewer); usernameOf(id) the username. */
export function Backtest({ proposal: p, canRun, nameOf, usernameOf, onChanged }) {
  const [comments, setComments] = useState('1000');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [{ fetching }, run] = useMutation(BACKTEST);
  const report = p.backtest;

  async function submit(event) {
    event.preventDefault();
    const n = Number(comments);
    if (!Number.isInteger(n) || n < 1 || n > MAX_COMMENTS) {
      setError(`Replay 1 to ${MAX_COMMENTS} comments.`);
      return;
    }
    setError('');
    setDone('');
    const result = await run({ input: { proposalID: p.id, comments: n } });
    if (result.error) {
      setError(errorMessage(result.error));
      return;
    }
    const { backtest } = result.data.backtestProposal;
    onChanged(result.data.backtestProposal);
    setDone(`Back-test done: ${backtest.changedCount} of ${backtest.comments} comments would change.`);
  }

  return (
    <section aria-labelledby="backtest-title" class="proposal-section">
      <h2 id="backtest-title">Back-test</h2>
      {canRun && (
        <form class="row backtest-form" onSubmit={submit} noValidate>
          <label for="backtest-comments">Comments to replay</label>
          <input id="backtest-comments" type="number" min="1" max={MAX_COMMENTS} step="1" value={comments}
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'backtest-error' : undefined}
            onInput={(e) => setComments(e.currentTarget.value)} />
          <button type="submit" disabled={fetching}>{fetching ? 'Running…' : report ? 'Run the back-test again' : 'Run the back-test'}</button>
          <span id="backtest-error" class="error" role="alert">{error}</span>
          <span class="visually-hidden" role="status">{done}</span>
        </form>
      )}
      {!report
        ? <p class="muted">Not back-tested yet.</p>
        : <Report report={report} nameOf={nameOf} usernameOf={usernameOf} siteID={p.siteID} />}
    </section>
  );
}

function Report({ report: r, nameOf, usernameOf, siteID }) {
  const shown = r.changed.slice(0, SHOWN_CHANGES);
  const [drawerUser, setDrawerUser] = useState(null);
  return (
    <div class="report">
      <p>
        Replayed <strong>{r.comments}</strong> of the {r.requested} latest comments in {formatDuration(r.durationMs)}, <Time iso={r.ranAt} />:
        {' '}<strong>{r.changedCount}</strong> {r.changedCount === 1 ? 'comment' : 'comments'} and <strong>{r.users.length}</strong> {r.users.length === 1 ? "user's level" : "users' levels"} would change.
      </p>
      {r.method && <p class="hint">{r.method}</p>}

      <h3>Agreement with the moderators</h3>
      {r.agreement.length === 0
        ? <p class="muted">No effect of this proposal decides comments, so there is nothing to compare.</p>
        : (
          <table class="grid">
            <thead>
              <tr><th scope="col">Effect</th><th scope="col">Acted on</th><th scope="col">Decided by moderators</th><th scope="col">Agreed</th><th scope="col">Overruled</th><th scope="col">Missed</th><th scope="col">Precision</th><th scope="col">Recall</th></tr>
            </thead>
            <tbody>
              {r.agreement.map((a) => (
                <tr key={a.effect}>
                  <th scope="row">{a.effect}</th><td>{a.predicted}</td><td>{a.decided}</td>
                  <td>{a.truePositives}</td><td>{a.falsePositives}</td><td>{a.falseNegatives}</td>
                  <td>{formatShare(a.precision)}</td><td>{formatShare(a.recall)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

      <h3>Comments whose outcome would change</h3>
      {r.changedCount === 0
        ? <p class="muted">None.</p>
        : (
          <>
            <table class="grid">
              <thead><tr><th scope="col">Comment</th><th scope="col">Was</th><th scope="col">Would be</th></tr></thead>
              <tbody>
                {shown.map((c) => (
                  <tr key={c.commentID}>
                    <th scope="row"><a href={c.storyURL} target="_blank" rel="noopener" title={`Comment ${c.commentID}`}>{changeLabel(c)}<span class="visually-hidden"> (opens its story)</span></a></th>
                    <td class={`decision ${c.before.toLowerCase()}`}>{OUTCOMES[c.before] ?? c.before}</td>
                    <td class={`decision ${c.after.toLowerCase()}`}>{OUTCOMES[c.after] ?? c.after}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {r.changedCount > shown.length && <p class="muted">And {r.changedCount - shown.length} more.</p>}
          </>
        )}

      <h3>Users whose trust level would change</h3>
      {r.users.length === 0
        ? <p class="muted">None.</p>
        : (
          <ul class="level-changes">
            {r.users.map((u) => (
              <li key={u.userID}>
                <button type="button" class="author" onClick={() => setDrawerUser({ id: u.userID, username: usernameOf(u.userID) })}>{nameOf(u.userID)}</button>: level {u.from} → {u.to}
              </li>
            ))}
          </ul>
        )}
      <UserDrawer user={drawerUser} siteID={siteID} onClose={() => setDrawerUser(null)} />
    </div>
  );
}
