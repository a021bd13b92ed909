// The site's public moderation log inside the dashboard, as readers see it at /log/<siteID>:
// moderators check here what the public is told. A server without the log gets the link.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { absoluteTime, formatDay } from '../ui/format.js';
import { Time } from '../ui/Time.jsx';
import { describeLogEntry, logMissing } from './log.js';
import { t, tx } from '../i18n/index.js';
import { MODERATION_LOG } from './documents.js';

const PAGE_SIZE = 50;

export function LogView({ site }) {
  const client = useClient();
  const [log, setLog] = useState({ entries: [], endCursor: null, hasNextPage: false });
  const [status, setStatus] = useState({ loading: true, error: null });
  const generation = useRef(0);
  const publicURL = `/log/${encodeURIComponent(site.id)}`;

  async function load(after) {
    const gen = ++generation.current;
    setStatus({ loading: true, error: null });
    const result = await client.query(MODERATION_LOG, { siteID: site.id, first: PAGE_SIZE, after }, { requestPolicy: 'network-only' }).toPromise();
    if (gen !== generation.current) return;
    if (result.error) {
      setStatus({ loading: false, error: result.error });
      return;
    }
    const { edges, pageInfo } = result.data.moderationLog;
    setLog((l) => ({ entries: [...(after ? l.entries : []), ...edges.map((e) => e.node)], endCursor: pageInfo.endCursor, hasNextPage: pageInfo.hasNextPage }));
    setStatus({ loading: false, error: null });
  }
  useEffect(() => { load(null); }, [site.id]);

  return (
    <section aria-labelledby="log-title">
      <div class="view-head">
        <h1 id="log-title" tabIndex={-1}>{t('log.title')}</h1>
        <a class="quiet-link" href={publicURL} target="_blank" rel="noopener">{t('log.publicPage')}<span class="visually-hidden">{t('common.opensNewTab')}</span></a>
      </div>
      <p class="muted">{t('log.about')}</p>
      {status.error && (logMissing(status.error)
        ? <p role="alert">{tx('log.missing', { link: <a href={publicURL}>{publicURL}</a> })}</p>
        : <p class="error" role="alert">{errorMessage(status.error)} <button type="button" onClick={() => load(null)}>{t('common.tryAgain')}</button></p>)}
      {!status.error && !status.loading && log.entries.length === 0 && <p class="empty">{t('log.empty')}</p>}
      {log.entries.length > 0 && (
        <table class="stories log">
          <thead><tr><th scope="col">{t('log.when')}</th><th scope="col">{t('log.what')}</th></tr></thead>
          <tbody>
            {log.entries.map((e, i) => (
              <tr key={i}>
                <td>{e.kind === 'DECISIONS' && e.day ? formatDay(e.day) : <Time iso={e.at} />}</td>
                <td>
                  {describeLogEntry(e)}
                  {e.expiresAt && <span class="muted"> {t('log.ends', { time: absoluteTime(e.expiresAt) })}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {status.loading && <p class="muted" role="status">{t('common.loading')}</p>}
      {log.hasNextPage && !status.loading && <button type="button" class="load-more" onClick={() => load(log.endCursor)}>{t('common.loadMore')}</button>}
    </section>
  );
}
