// The effect of a rule: a choice of kind, and the one argument that kind takes.
import { Messages } from '../ui/fields.jsx';
import { EFFECT_KINDS, MAX_RATE, MAX_REPORT_WEIGHT, argumentOf } from './effect.js';

const ARGUMENTS = {
  code: { label: 'Reason code', hint: 'Capital letters, digits and underscores, as SHOUTING or LINK_SPAM.', props: { autocapitalize: 'characters', spellcheck: false } },
  level: { label: 'Trust level', hint: '0 (new) to 4 (leader).', props: { type: 'number', min: 0, max: 4, step: 1 } },
  weight: { label: 'Report weight', hint: `How many reports each of the author's counts for, 0 to ${MAX_REPORT_WEIGHT}.`, props: { type: 'number', min: 0, max: MAX_REPORT_WEIGHT, step: 'any' } },
  perMinute: { label: 'Comments per minute', hint: `1 to ${MAX_RATE}.`, props: { type: 'number', min: 1, max: MAX_RATE, step: 1 } },
};

/** effect is the editor's effect form (effect.js); errors are keyed "effect.<field>". */
export function EffectPicker({ effect, errors, onChange, idPrefix = '' }) {
  const arg = argumentOf(effect.kind);
  const spec = arg && ARGUMENTS[arg];
  const ids = { kind: `${idPrefix}effect-kind`, arg: `${idPrefix}effect-${arg}` };
  const error = arg && errors[`effect.${arg}`];
  return (
    <div class="effect-picker">
      <div class="field">
        <label for={ids.kind}>Effect when the expression is true</label>
        <select id={ids.kind} value={effect.kind} aria-describedby={`${idPrefix}effect.kind-hint`}
          onChange={(e) => onChange({ ...effect, kind: e.currentTarget.value })}>
          {EFFECT_KINDS.map((k) => <option key={k.kind} value={k.kind}>{k.label} ({k.kind})</option>)}
        </select>
        <Messages name="effect.kind" idPrefix={idPrefix} error={errors['effect.kind']}
          hint="Hold, reject and approve decide the comment; a flag adds a reason and lets the other stages go on; the rest act on the author." />
      </div>
      {spec && (
        <div class="field">
          <label for={ids.arg}>{spec.label}</label>
          <input id={ids.arg} name={arg} value={effect[arg]} {...spec.props}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={[error && `${idPrefix}effect.${arg}-error`, `${idPrefix}effect.${arg}-hint`].filter(Boolean).join(' ')}
            onInput={(e) => onChange({ ...effect, [arg]: e.currentTarget.value })} />
          <Messages name={`effect.${arg}`} idPrefix={idPrefix} hint={spec.hint} error={error} />
        </div>
      )}
    </div>
  );
}
