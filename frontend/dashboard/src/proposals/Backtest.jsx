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
import { t, tx } from '../i18n/index.js';

const MAX_COMMENTS = 100000;
const outcome = (o) => (t.has(`backtest.outcome.${o}`) ? t(`backtest.outcome.${o}`) : o);

/** A changed comment's link text: its short ID and its story's path. */
function changeLabel(c) {
  let where = c.storyURL;
  try {
    where = new URL(c.storyURL).pathname;
  } catch { /* not a URL: show it as it is */ }
  return t('backtest.change', { id: c.commentID.slice(0, 8), where });
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
      setError(t('backtest.range', { max: MAX_COMMENTS }));
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
    setDone(t('backtest.done', { changed: backtest.changedCount, n: backtest.comments }));
  }

  return (
    <section aria-labelledby="backtest-title" class="proposal-section">
      <h2 id="backtest-title">{t('backtest.title')}</h2>
      {canRun && (
        <form class="row backtest-form" onSubmit={submit} noValidate>
          <label for="backtest-comments">{t('backtest.comments')}</label>
          <input id="backtest-comments" type="number" min="1" max={MAX_COMMENTS} step="1" value={comments}
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'backtest-error' : undefined}
            onInput={(e) => setComments(e.currentTarget.value)} />
          <button type="submit" disabled={fetching}>{fetching ? t('backtest.running') : report ? t('backtest.runAgain') : t('backtest.run')}</button>
          <span id="backtest-error" class="error" role="alert">{error}</span>
          <span class="visually-hidden" role="status">{done}</span>
        </form>
      )}
      {!report
        ? <p class="muted">{t('backtest.notYet')}</p>
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
        {tx('backtest.replayed', { comments: <strong>{r.comments}</strong>, requested: r.requested, duration: formatDuration(r.durationMs), time: <Time iso={r.ranAt} /> })}
        {' '}{tx('backtest.wouldChange', {
          comments: <>{tx('backtest.changedComments', { n: r.changedCount, count: <strong>{r.changedCount}</strong> })}</>,
          users: <>{tx('backtest.changedUsers', { n: r.users.length, count: <strong>{r.users.length}</strong> })}</>,
        })}
      </p>
      {r.method && <p class="hint">{r.method}</p>}

      <h3>{t('backtest.agreement')}</h3>
      {r.agreement.length === 0
        ? <p class="muted">{t('backtest.nothingToCompare')}</p>
        : (
          <table class="grid">
            <thead>
              <tr><th scope="col">{t('backtest.effect')}</th><th scope="col">{t('backtest.actedOn')}</th><th scope="col">{t('backtest.decided')}</th><th scope="col">{t('backtest.agreed')}</th><th scope="col">{t('backtest.overruled')}</th><th scope="col">{t('backtest.missed')}</th><th scope="col">{t('backtest.precision')}</th><th scope="col">{t('backtest.recall')}</th></tr>
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

      <h3>{t('backtest.changedTitle')}</h3>
      {r.changedCount === 0
        ? <p class="muted">{t('common.none')}</p>
        : (
          <>
            <table class="grid">
              <thead><tr><th scope="col">{t('backtest.comment')}</th><th scope="col">{t('backtest.was')}</th><th scope="col">{t('backtest.wouldBe')}</th></tr></thead>
              <tbody>
                {shown.map((c) => (
                  <tr key={c.commentID}>
                    <th scope="row"><a href={c.storyURL} target="_blank" rel="noopener" title={t('backtest.commentID', { id: c.commentID })}>{changeLabel(c)}<span class="visually-hidden"> {t('backtest.opensStory')}</span></a></th>
                    <td class={`decision ${c.before.toLowerCase()}`}>{outcome(c.before)}</td>
                    <td class={`decision ${c.after.toLowerCase()}`}>{outcome(c.after)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {r.changedCount > shown.length && <p class="muted">{t('backtest.more', { n: r.changedCount - shown.length })}</p>}
          </>
        )}

      <h3>{t('backtest.usersTitle')}</h3>
      {r.users.length === 0
        ? <p class="muted">{t('common.none')}</p>
        : (
          <ul class="level-changes">
            {r.users.map((u) => (
              <li key={u.userID}>
                <button type="button" class="author" onClick={() => setDrawerUser({ id: u.userID, username: usernameOf(u.userID) })}>{nameOf(u.userID)}</button>: {t('backtest.level', { from: u.from, to: u.to })}
              </li>
            ))}
          </ul>
        )}
      <UserDrawer user={drawerUser} siteID={siteID} onClose={() => setDrawerUser(null)} />
    </div>
  );
}
