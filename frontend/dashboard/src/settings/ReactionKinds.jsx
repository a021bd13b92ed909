import { Messages } from '../ui/fields.jsx';

/** The reactions readers may give: a row each of kind (the stored name), label and icon. */
export function ReactionKinds({ kinds, error, onChange }) {
  const change = (index, field, value) => onChange(kinds.map((k, i) => (i === index ? { ...k, [field]: value } : k)));
  return (
    <fieldset>
      <legend>Reactions</legend>
      <table class="grid">
        <thead><tr><th scope="col">Kind</th><th scope="col">Label</th><th scope="col">Icon</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
        <tbody>
          {kinds.map((k, i) => (
            <tr key={i}>
              <td><input aria-label={`Kind of reaction ${i + 1}`} value={k.kind} onInput={(e) => change(i, 'kind', e.currentTarget.value)} /></td>
              <td><input aria-label={`Label of reaction ${i + 1}`} value={k.label} onInput={(e) => change(i, 'label', e.currentTarget.value)} /></td>
              <td><input aria-label={`Icon of reaction ${i + 1}`} class="icon-input" value={k.icon} onInput={(e) => change(i, 'icon', e.currentTarget.value)} /></td>
              <td><button type="button" class="quiet" onClick={() => onChange(kinds.filter((_, j) => j !== i))}>Remove<span class="visually-hidden"> reaction {k.label || i + 1}</span></button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => onChange([...kinds, { kind: '', label: '', icon: '' }])}>Add a reaction</button>
      <Messages name="reactionKinds" hint="Kinds are stored with each reaction: renaming one starts its counts afresh." error={error} />
    </fieldset>
  );
}
