// A site's moderation pipeline: the stages in the order they run, each one's policies, and
// how well each stage that judges comments has agreed with the moderators, which is what
// decides whether a shadow stage can be trusted.
import { useState } from 'preact/hooks';
import { Messages } from '../ui/fields.jsx';
import { describeStageStats, MIN_DECISIONS } from './stageStats.js';
import { addStage, availableStages, changeStage, customFrom, moveStage, removeStage } from './pipeline.js';

export function PipelineEditor({ stages, known, defaults, stats, error, onChange }) {
  const statsOf = (name) => stats.find((s) => s.stage === name);
  return (
    <fieldset>
      <legend>Moderation pipeline</legend>
      <p class="hint">Stages run in order; the first that approves, holds or rejects decides. A shadow stage is recorded without effect, so you can see how it would do.</p>
      <p class="hint">Under each stage that judges what comments say: how often moderators agreed with the comments it flagged (held or rejected, or would have in shadow mode), and how many of their rejections it caught, once {MIN_DECISIONS} are decided.</p>
      {stages === null
        ? <BuiltIn defaults={defaults} statsOf={statsOf} onCustomise={() => onChange(customFrom(defaults))} />
        : <Custom stages={stages} known={known} statsOf={statsOf} onChange={onChange} />}
      <Messages name="stages" error={error} />
    </fieldset>
  );
}

function BuiltIn({ defaults, statsOf, onCustomise }) {
  return (
    <>
      <p>This site runs the built-in pipeline, in this order:</p>
      <ol class="stage-list">
        {defaults.map((st) => (
          <li key={st.stage} class={st.shadow ? 'shadow' : undefined}>
            <span class="stage-name">{st.stage}</span>
            {st.shadow && <span class="tag">shadow</span>}
            {st.failClosed && <span class="tag">holds on failure</span>}
            {' '}<StageStats stats={statsOf(st.stage)} />
          </li>
        ))}
      </ol>
      <button type="button" onClick={onCustomise}>Customise the pipeline</button>
    </>
  );
}

function Custom({ stages, known, statsOf, onChange }) {
  const addable = availableStages(known, stages);
  const [toAdd, setToAdd] = useState('');
  const adding = addable.includes(toAdd) ? toAdd : addable[0];
  return (
    <>
      <ol class="stage-list">
        {stages.map((st, i) => (
          <li key={st.stage} class={st.shadow ? 'shadow' : undefined}>
            <div class="stage-row">
              <span class="stage-name">{st.stage}</span>
              {!known.includes(st.stage) && <span class="tag warn">not installed on this server</span>}
              <label class="choice"><input type="checkbox" checked={st.shadow} onChange={(e) => onChange(changeStage(stages, i, { shadow: e.currentTarget.checked }))} />Shadow<span class="visually-hidden"> {st.stage}</span></label>
              <label class="choice"><input type="checkbox" checked={st.failClosed} onChange={(e) => onChange(changeStage(stages, i, { failClosed: e.currentTarget.checked }))} />Hold on failure<span class="visually-hidden"> of {st.stage}</span></label>
              <label class="budget">
                Budget (ms)<span class="visually-hidden"> of {st.stage}</span>
                <input type="number" min="0" step="1" value={st.budgetMs} onInput={(e) => onChange(changeStage(stages, i, { budgetMs: e.currentTarget.value }))} />
              </label>
              <span class="stage-buttons">
                <button type="button" class="quiet" aria-label={`Move ${st.stage} up`} disabled={i === 0} onClick={() => onChange(moveStage(stages, i, -1))}>Up</button>
                <button type="button" class="quiet" aria-label={`Move ${st.stage} down`} disabled={i === stages.length - 1} onClick={() => onChange(moveStage(stages, i, 1))}>Down</button>
                <button type="button" class="quiet" aria-label={`Remove ${st.stage}`} onClick={() => onChange(removeStage(stages, i))}>Remove</button>
              </span>
            </div>
            <StageStats stats={statsOf(st.stage)} />
          </li>
        ))}
      </ol>
      <div class="row">
        {addable.length > 0 && (
          <>
            <label for="add-stage">Add a stage</label>
            <select id="add-stage" value={adding} onChange={(e) => setToAdd(e.currentTarget.value)}>
              {addable.map((name) => <option key={name} value={name}>{name}</option>)}
            </select>
            <button type="button" onClick={() => onChange(addStage(stages, adding))}>Add</button>
          </>
        )}
        <button type="button" class="quiet" onClick={() => onChange(null)}>Use the built-in pipeline</button>
      </div>
    </>
  );
}

/** A stage's agreement with the moderators' decisions, where there is one to tell. */
function StageStats({ stats }) {
  const { text, measured } = describeStageStats(stats);
  return <span class={measured ? 'stats' : 'stats muted'}>{text}</span>;
}
