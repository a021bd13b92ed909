// The site's public moderation log inside the dashboard, as readers see it at /log/<siteID>:
// moderators check here what the public is told. A server without the log gets the link.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { absoluteTime } from '../ui/format.js';
import { Time } from '../ui/Time.jsx';
import { describeLogEntry, logMissing } from './log.js';
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
        <h1 id="log-title" tabIndex={-1}>Moderation log</h1>
        <a class="quiet-link" href={publicURL} target="_blank" rel="noopener">The public page<span class="visually-hidden"> (opens in a new tab)</span></a>
      </div>
      <p class="muted">What readers are told: decisions counted per day and reason, sanctions, level pins and every rule proposal, vote and enactment. Reporters are never named; users and moderators only as the site's settings say.</p>
      {status.error && (logMissing(status.error)
        ? <p role="alert">This server does not serve the log to the dashboard yet. Read it at <a href={publicURL}>{publicURL}</a>.</p>
        : <p class="error" role="alert">{errorMessage(status.error)} <button type="button" onClick={() => load(null)}>Try again</button></p>)}
      {!status.error && !status.loading && log.entries.length === 0 && <p class="empty">Nothing logged yet.</p>}
      {log.entries.length > 0 && (
        <table class="stories log">
          <thead><tr><th scope="col">When</th><th scope="col">What</th></tr></thead>
          <tbody>
            {log.entries.map((e, i) => (
              <tr key={i}>
                <td>{e.kind === 'DECISIONS' && e.day ? e.day : <Time iso={e.at} />}</td>
                <td>
                  {describeLogEntry(e)}
                  {e.expiresAt && <span class="muted"> (ends {absoluteTime(e.expiresAt)})</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {status.loading && <p class="muted" role="status">Loading…</p>}
      {log.hasNextPage && !status.loading && <button type="button" class="load-more" onClick={() => load(log.endCursor)}>Load more</button>}
    </section>
  );
}
