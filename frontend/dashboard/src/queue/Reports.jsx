import { Time } from '../ui/Time.jsx';

const reasons = { SPAM: 'Spam', OFFENSIVE: 'Offensive', ABUSIVE: 'Abusive', OFF_TOPIC: 'Off topic', ILLEGAL: 'Illegal', OTHER: 'Other' };

/** Readers' reports on a comment, newest first. */
export function Reports({ reports }) {
  if (!reports?.length) return null;
  return (
    <div class="reports">
      <h3>{reports.length === 1 ? '1 report' : `${reports.length} reports`}</h3>
      <ul>
        {reports.map((r) => (
          <li key={r.id}>
            <strong>{reasons[r.reason] ?? r.reason}</strong>
            {r.details && <span>: {r.details}</span>}
            <span class="muted"> · {r.reporter?.username ?? 'a deleted account'}, <Time iso={r.createdAt} /></span>
          </li>
        ))}
      </ul>
    </div>
  );
}
