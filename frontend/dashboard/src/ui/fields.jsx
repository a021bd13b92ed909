// Form controls bound to a form's state, each with its label, hint and error tied to it
// (aria-describedby, aria-invalid) so a screen reader reads them with the control. Errors are
// keyed by the API's input field names, so a server's extensions.field lands on its control.

/**
 * The ids of field name's control, hint and error. idPrefix keeps two forms that share field
 * names (a site's settings and the new-site dialog) apart on one page.
 */
function fieldIDs(name, idPrefix = '') {
  return { control: `${idPrefix}field-${name}`, hint: `${idPrefix}${name}-hint`, error: `${idPrefix}${name}-error` };
}

/** The props that bind a control to form field name; binding is {form, errors, set, idPrefix?}. */
function bind(name, { form, errors, set, idPrefix }, kind = 'text') {
  const ids = fieldIDs(name, idPrefix);
  const describedBy = [errors[name] && ids.error, ids.hint].filter(Boolean).join(' ');
  const props = { id: ids.control, name, 'aria-describedby': describedBy, 'aria-invalid': errors[name] ? 'true' : undefined };
  if (kind === 'checkbox') return { ...props, type: 'checkbox', checked: form[name], onChange: (e) => set({ [name]: e.currentTarget.checked }) };
  return { ...props, value: form[name], onInput: (e) => set({ [name]: e.currentTarget.value }) };
}

/** A labelled text, number or textarea field with its hint and error. */
export function Field({ name, label, hint, binding, multiline = false, ...props }) {
  const Control = multiline ? 'textarea' : 'input';
  return (
    <div class="field">
      <label for={fieldIDs(name, binding.idPrefix).control}>{label}</label>
      <Control {...bind(name, binding)} {...props} />
      <Messages name={name} hint={hint} error={binding.errors[name]} idPrefix={binding.idPrefix} />
    </div>
  );
}

/** A checkbox with its label and hint. */
export function Check({ name, label, hint, binding }) {
  return (
    <div class="field check">
      <label class="choice"><input {...bind(name, binding, 'checkbox')} />{label}</label>
      <Messages name={name} hint={hint} error={binding.errors[name]} idPrefix={binding.idPrefix} />
    </div>
  );
}

/** A field's hint and error; the hint element is always there for aria-describedby. */
export function Messages({ name, hint, error, idPrefix }) {
  const ids = fieldIDs(name, idPrefix);
  return (
    <>
      <span id={ids.hint} class="hint">{hint}</span>
      {error && <span id={ids.error} class="error">{error}</span>}
    </>
  );
}

/**
 * Moves focus to the first invalid control in container, centred so that neither the sticky
 * top bar nor a sticky save bar hides it. Answers whether there was one.
 */
export function focusFirstInvalid(container) {
  const field = container?.querySelector('[aria-invalid="true"]');
  if (!field) return false;
  field.focus({ preventScroll: true });
  field.scrollIntoView({ block: 'center' });
  return true;
}
