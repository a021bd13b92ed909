import { Time } from '../ui/Time.jsx';
import { t } from '../i18n/index.js';

/** Readers' reports on a comment, newest first. */
export function Reports({ reports }) {
  if (!reports?.length) return null;
  return (
    <div class="reports">
      <h3>{t('reports.count', { n: reports.length })}</h3>
      <ul>
        {reports.map((r) => (
          <li key={r.id}>
            <strong>{t.has(`reason.${r.reason}`) ? t(`reason.${r.reason}`) : r.reason}</strong>
            {r.details && <span>: {r.details}</span>}
            <span class="muted"> · {r.reporter?.username ?? t('common.deletedAccount')}, <Time iso={r.createdAt} /></span>
          </li>
        ))}
      </ul>
    </div>
  );
}
