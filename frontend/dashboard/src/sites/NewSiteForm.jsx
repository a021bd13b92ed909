// Creates a site from its name and the origins allowed to embed it. The server checks both and
// names the field at fault; its message shows next to that field, which then gets focus.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { SESSION } from '../app/documents.js';
import { Field, focusFirstInvalid } from '../ui/fields.jsx';
import { CREATE_SITE } from './documents.js';
import { newSiteInput } from './siteInput.js';
import { t } from '../i18n/index.js';

/**
 * onCreated(site) runs once the session's list of sites includes the new site, so the caller
 * can switch to it. idPrefix keeps the form's ids apart from the settings form's.
 */
export function NewSiteForm({ idPrefix, onCreated, onCancel }) {
  const client = useClient();
  const [form, setForm] = useState({ name: '', allowedOrigins: '' });
  const [errors, setErrors] = useState({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const formRef = useRef();
  const [focusError, setFocusError] = useState(0);
  useEffect(() => {
    if (focusError) focusFirstInvalid(formRef.current);
  }, [focusError]);
  const binding = { form, errors, idPrefix, set: (change) => setForm((f) => ({ ...f, ...change })) };

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    const result = await client.mutation(CREATE_SITE, { input: newSiteInput(form) }).toPromise();
    if (result.error) {
      const fields = fieldErrors(result.error);
      setBusy(false);
      setErrors(fields);
      // A field's message shows under it, and focus goes there; this line is for the rest.
      setError(fields.name || fields.allowedOrigins ? '' : t('site.notCreated', { error: errorMessage(result.error) }));
      setFocusError((n) => n + 1);
      return;
    }
    // The shell only shows sites of the session's list, so read it again before switching.
    await client.query(SESSION, {}, { requestPolicy: 'network-only' }).toPromise();
    onCreated(result.data.createSite);
  }

  return (
    <form ref={formRef} class="stack" onSubmit={submit} noValidate>
      <Field name="name" label={t('common.name')} autocomplete="off" binding={binding} />
      <Field name="allowedOrigins" label={t('common.allowedOrigins')} multiline rows={3} binding={binding}
        hint={t('common.originsHint')} />
      <p class="error" role="alert">{error}</p>
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>{busy ? t('site.creating') : t('site.create')}</button>
        {onCancel && <button type="button" onClick={onCancel}>{t('common.cancel')}</button>}
      </div>
    </form>
  );
}
