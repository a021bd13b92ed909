// Why a comment stands where it does: each pipeline run, the stage that decided, and on
// request every stage's say. Shadow stages that disagreed are called out, since judging
// them is what shadow mode is for.
import { Time } from '../ui/Time.jsx';

const verbs = { PASS: 'Passed every stage', APPROVE: 'Approved', HOLD: 'Held', REJECT: 'Rejected' };

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
          {verbs[record.decision]}{record.decidedBy && ` by ${record.decidedBy}`}
        </span>
        {decider?.evidence && <span class="evidence">: {decider.evidence}</span>}
        {dissent.map((s) => <span key={s.stage} class="shadow-note"> · shadow {s.stage} would {s.decision.toLowerCase()}</span>)}
        <span class="muted"> · {record.action === 'EDIT' ? 'edit' : 'new comment'}, <Time iso={record.createdAt} /></span>
      </summary>
      <table class="stages">
        <caption class="visually-hidden">Stages of the moderation run</caption>
        <thead>
          <tr><th scope="col">Stage</th><th scope="col">Decision</th><th scope="col">Flags</th><th scope="col">Evidence</th><th scope="col">Version</th></tr>
        </thead>
        <tbody>
          {record.stages.map((s, i) => (
            <tr key={i} class={s.stage === record.decidedBy && !s.shadow ? 'decider' : undefined}>
              <th scope="row">{s.stage}{s.shadow && <span class="tag">shadow</span>}</th>
              <td>{s.decision}</td>
              <td>{s.flags.join(', ')}</td>
              <td>{s.error ? `Failed: ${s.error}` : s.evidence}</td>
              <td>{s.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
