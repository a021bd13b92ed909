import { Messages } from '../ui/fields.jsx';
import { t } from '../i18n/index.js';

/** The reactions readers may give: a row each of kind (the stored name), label and icon. */
export function ReactionKinds({ kinds, error, onChange }) {
  const change = (index, field, value) => onChange(kinds.map((k, i) => (i === index ? { ...k, [field]: value } : k)));
  return (
    <fieldset>
      <legend>{t('reactions.title')}</legend>
      <table class="grid">
        <thead><tr><th scope="col">{t('reactions.kind')}</th><th scope="col">{t('reactions.label')}</th><th scope="col">{t('reactions.icon')}</th><th scope="col"><span class="visually-hidden">{t('common.remove')}</span></th></tr></thead>
        <tbody>
          {kinds.map((k, i) => (
            <tr key={i}>
              <td><input aria-label={t('reactions.kindOf', { n: i + 1 })} value={k.kind} onInput={(e) => change(i, 'kind', e.currentTarget.value)} /></td>
              <td><input aria-label={t('reactions.labelOf', { n: i + 1 })} value={k.label} onInput={(e) => change(i, 'label', e.currentTarget.value)} /></td>
              <td><input aria-label={t('reactions.iconOf', { n: i + 1 })} class="icon-input" value={k.icon} onInput={(e) => change(i, 'icon', e.currentTarget.value)} /></td>
              <td><button type="button" class="quiet" onClick={() => onChange(kinds.filter((_, j) => j !== i))}>{t('common.remove')}<span class="visually-hidden"> {t('reactions.which', { name: k.label || i + 1 })}</span></button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => onChange([...kinds, { kind: '', label: '', icon: '' }])}>{t('reactions.add')}</button>
      <Messages name="reactionKinds" hint={t('reactions.hint')} error={error} />
    </fieldset>
  );
}
