// Why a comment stands where it does: each pipeline run, the stage that decided, and on
// request every stage's say. Shadow stages that disagreed are called out, since judging
// them is what shadow mode is for.
import { Time } from '../ui/Time.jsx';
import { t } from '../i18n/index.js';

export function Trail({ trail }) {
  if (!trail?.length) return null;
  return (
    <div class="trail">
      {trail.map((record) => <Record key={record.id} record={record} />)}
    </div>
  );
}

function Record({ record }) {
  const decider = record.stages.find((s) => s.stage === record.decidedBy && !s.shadow);
  const dissent = record.stages.filter((s) => s.shadow && s.decision !== 'PASS');
  return (
    <details class="record">
      <summary>
        <span class={`decision ${record.decision.toLowerCase()}`}>
          {record.decidedBy ? t('trail.decidedBy', { decision: t(`trail.${record.decision}`), stage: record.decidedBy }) : t(`trail.${record.decision}`)}
        </span>
        {decider?.evidence && <span class="evidence">: {decider.evidence}</span>}
        {dissent.map((s) => <span key={s.stage} class="shadow-note"> · {t('trail.shadowWould', { stage: s.stage, decision: t(`trail.would.${s.decision}`) })}</span>)}
        <span class="muted"> · {record.action === 'EDIT' ? t('trail.edit') : t('trail.new')}, <Time iso={record.createdAt} /></span>
      </summary>
      <table class="stages">
        <caption class="visually-hidden">{t('trail.caption')}</caption>
        <thead>
          <tr><th scope="col">{t('trail.stage')}</th><th scope="col">{t('trail.decision')}</th><th scope="col">{t('trail.flags')}</th><th scope="col">{t('trail.evidence')}</th><th scope="col">{t('trail.version')}</th></tr>
        </thead>
        <tbody>
          {record.stages.map((s, i) => (
            <tr key={i} class={s.stage === record.decidedBy && !s.shadow ? 'decider' : undefined}>
              <th scope="row">{s.stage}{s.shadow && <span class="tag">{t('common.shadow')}</span>}</th>
              <td>{t.has(`trail.verdict.${s.decision}`) ? t(`trail.verdict.${s.decision}`) : s.decision}</td>
              <td>{s.flags.join(', ')}</td>
              <td>{s.error ? t('trail.failed', { error: s.error }) : s.evidence}</td>
              <td>{s.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
