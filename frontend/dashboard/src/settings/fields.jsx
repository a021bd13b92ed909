// Form controls bound to the settings form, each with its label, hint and error tied to it
// (aria-describedby, aria-invalid) so a screen reader reads them with the control.

/** The props that bind a control to form field name. */
function bind(name, { form, errors, set }, kind = 'text') {
  const describedBy = [errors[name] && `${name}-error`, `${name}-hint`].filter(Boolean).join(' ');
  const props = { id: `field-${name}`, name, 'aria-describedby': describedBy, 'aria-invalid': errors[name] ? 'true' : undefined };
  if (kind === 'checkbox') return { ...props, type: 'checkbox', checked: form[name], onChange: (e) => set({ [name]: e.currentTarget.checked }) };
  return { ...props, value: form[name], onInput: (e) => set({ [name]: e.currentTarget.value }) };
}

/** A labelled text, number or textarea field with its hint and error. */
export function Field({ name, label, hint, binding, multiline = false, ...props }) {
  const Control = multiline ? 'textarea' : 'input';
  return (
    <div class="field">
      <label for={`field-${name}`}>{label}</label>
      <Control {...bind(name, binding)} {...props} />
      <Messages name={name} hint={hint} error={binding.errors[name]} />
    </div>
  );
}

/** A checkbox with its label and hint. */
export function Check({ name, label, hint, binding }) {
  return (
    <div class="field check">
      <label class="choice"><input {...bind(name, binding, 'checkbox')} />{label}</label>
      <Messages name={name} hint={hint} error={binding.errors[name]} />
    </div>
  );
}

/** A field's hint and error; the hint element is always there for aria-describedby. */
export function Messages({ name, hint, error }) {
  return (
    <>
      <span id={`${name}-hint`} class="hint">{hint}</span>
      {error && <span id={`${name}-error`} class="error">{error}</span>}
    </>
  );
}
