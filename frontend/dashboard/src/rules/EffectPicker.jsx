// The effect of a rule: a choice of kind, and the one argument that kind takes.
import { Messages } from '../ui/fields.jsx';
import { EFFECT_KINDS, MAX_RATE, MAX_REPORT_WEIGHT, argumentOf } from './effect.js';
import { t } from '../i18n/index.js';

// Each argument's label is effect.arg.<name>.label and its hint effect.arg.<name>.hint.
const ARGUMENTS = {
  code: { props: { autocapitalize: 'characters', spellcheck: false } },
  level: { props: { type: 'number', min: 0, max: 4, step: 1 } },
  weight: { props: { type: 'number', min: 0, max: MAX_REPORT_WEIGHT, step: 'any' } },
  perMinute: { props: { type: 'number', min: 1, max: MAX_RATE, step: 1 } },
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
        <label for={ids.kind}>{t('effect.when')}</label>
        <select id={ids.kind} value={effect.kind} aria-describedby={`${idPrefix}effect.kind-hint`}
          onChange={(e) => onChange({ ...effect, kind: e.currentTarget.value })}>
          {EFFECT_KINDS.map((k) => <option key={k.kind} value={k.kind}>{t(`effect.kind.${k.kind}`)} ({k.kind})</option>)}
        </select>
        <Messages name="effect.kind" idPrefix={idPrefix} error={errors['effect.kind']}
          hint={t('effect.hint')} />
      </div>
      {spec && (
        <div class="field">
          <label for={ids.arg}>{t(`effect.arg.${arg}.label`)}</label>
          <input id={ids.arg} name={arg} value={effect[arg]} {...spec.props}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={[error && `${idPrefix}effect.${arg}-error`, `${idPrefix}effect.${arg}-hint`].filter(Boolean).join(' ')}
            onInput={(e) => onChange({ ...effect, [arg]: e.currentTarget.value })} />
          <Messages name={`effect.${arg}`} idPrefix={idPrefix} hint={t(`effect.arg.${arg}.hint`, { weight: MAX_REPORT_WEIGHT, rate: MAX_RATE })} error={error} />
        </div>
      )}
    </div>
  );
}
