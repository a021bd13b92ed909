// A site's moderation pipeline: the stages in the order they run, each one's policies, and
// how well each stage that judges comments has agreed with the moderators, which is what
// decides whether a shadow stage can be trusted.
import { useState } from 'preact/hooks';
import { Messages } from '../ui/fields.jsx';
import { describeStageStats, MIN_DECISIONS } from './stageStats.js';
import { addStage, availableStages, changeStage, customFrom, moveStage, removeStage } from './pipeline.js';
import { t } from '../i18n/index.js';

export function PipelineEditor({ stages, known, defaults, stats, error, onChange }) {
  const statsOf = (name) => stats.find((s) => s.stage === name);
  return (
    <fieldset>
      <legend>{t('pipeline.title')}</legend>
      <p class="hint">{t('pipeline.about')}</p>
      <p class="hint">{t('pipeline.statsAbout', { n: MIN_DECISIONS })}</p>
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
      <p>{t('pipeline.builtIn')}</p>
      <ol class="stage-list">
        {defaults.map((st) => (
          <li key={st.stage} class={st.shadow ? 'shadow' : undefined}>
            <span class="stage-name">{st.stage}</span>
            {st.shadow && <span class="tag">{t('common.shadow')}</span>}
            {st.failClosed && <span class="tag">{t('pipeline.holdsOnFailure')}</span>}
            {' '}<StageStats stats={statsOf(st.stage)} />
          </li>
        ))}
      </ol>
      <button type="button" onClick={onCustomise}>{t('pipeline.customise')}</button>
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
              {!known.includes(st.stage) && <span class="tag warn">{t('pipeline.notInstalled')}</span>}
              <label class="choice"><input type="checkbox" checked={st.shadow} onChange={(e) => onChange(changeStage(stages, i, { shadow: e.currentTarget.checked }))} />{t('pipeline.shadow')}<span class="visually-hidden"> {st.stage}</span></label>
              <label class="choice"><input type="checkbox" checked={st.failClosed} onChange={(e) => onChange(changeStage(stages, i, { failClosed: e.currentTarget.checked }))} />{t('pipeline.holdOnFailure')}<span class="visually-hidden"> {t('pipeline.of', { stage: st.stage })}</span></label>
              <label class="budget">
                {t('pipeline.budget')}<span class="visually-hidden"> {t('pipeline.of', { stage: st.stage })}</span>
                <input type="number" min="0" step="1" value={st.budgetMs} onInput={(e) => onChange(changeStage(stages, i, { budgetMs: e.currentTarget.value }))} />
              </label>
              <span class="stage-buttons">
                <button type="button" class="quiet" aria-label={t('pipeline.moveUp', { stage: st.stage })} disabled={i === 0} onClick={() => onChange(moveStage(stages, i, -1))}>{t('pipeline.up')}</button>
                <button type="button" class="quiet" aria-label={t('pipeline.moveDown', { stage: st.stage })} disabled={i === stages.length - 1} onClick={() => onChange(moveStage(stages, i, 1))}>{t('pipeline.down')}</button>
                <button type="button" class="quiet" aria-label={t('pipeline.remove', { stage: st.stage })} onClick={() => onChange(removeStage(stages, i))}>{t('common.remove')}</button>
              </span>
            </div>
            <StageStats stats={statsOf(st.stage)} />
          </li>
        ))}
      </ol>
      <div class="row">
        {addable.length > 0 && (
          <>
            <label for="add-stage">{t('pipeline.addStage')}</label>
            <select id="add-stage" value={adding} onChange={(e) => setToAdd(e.currentTarget.value)}>
              {addable.map((name) => <option key={name} value={name}>{name}</option>)}
            </select>
            <button type="button" onClick={() => onChange(addStage(stages, adding))}>{t('common.add')}</button>
          </>
        )}
        <button type="button" class="quiet" onClick={() => onChange(null)}>{t('pipeline.useBuiltIn')}</button>
      </div>
    </>
  );
}

/** A stage's agreement with the moderators' decisions, where there is one to tell. */
function StageStats({ stats }) {
  const { text, measured } = describeStageStats(stats);
  return <span class={measured ? 'stats' : 'stats muted'}>{text}</span>;
}
