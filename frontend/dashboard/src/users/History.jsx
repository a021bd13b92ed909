// A user's comments on the site, newest first, with Load more for the older ones. Only the
// body is HTML (sanitised by the server); everything else is text.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/errors.js';
import { Time } from '../ui/Time.jsx';
import { useHistory } from './useHistory.js';
import { t, tx } from '../i18n/index.js';

/** version: bumped when the user may have changed (a ban rejects comments), to read again. */
export function History({ userID, siteID, version }) {
  const { history, status, loadMore } = useHistory({ userID, siteID, version });
  // Load more goes away on the last page; focus moves to the first comment it brought, so
  // that a keyboard user reads on from there instead of being dropped at the dialog's top.
  const [focusID, setFocusID] = useState(null);
  useEffect(() => {
    if (focusID) document.getElementById(`history-${focusID}`)?.focus();
  }, [focusID]);

  return (
    <section aria-labelledby="history-title">
      <h3 id="history-title">{t('user.history')}</h3>
      {!status.loading && !status.error && history.comments.length === 0 && <p class="muted">{t('user.noComments')}</p>}
      <ol class="history">
        {history.comments.map((c) => (
          <li key={c.id} id={`history-${c.id}`} tabIndex={-1}>
            <div class="history-meta">
              <span class={`status ${c.status.toLowerCase()}`}>{t(`status.${c.status}`)}</span>
              <Time iso={c.createdAt} />
              {c.story && <> {tx('card.on', { story: <a href={c.story.url} target="_blank" rel="noopener">{c.story.title || c.story.url}</a> })}</>}
            </div>
            <div class="comment-body" data-comment-body dangerouslySetInnerHTML={{ __html: c.body }} />
          </li>
        ))}
      </ol>
      {status.error && <p class="error" role="alert">{errorMessage(status.error)}</p>}
      {status.loading && <p class="muted" role="status">{t('common.loading')}</p>}
      {history.hasNextPage && !status.loading && (
        <button type="button" class="load-more" onClick={async () => setFocusID(await loadMore())}>{t('common.loadMore')}</button>
      )}
    </section>
  );
}
