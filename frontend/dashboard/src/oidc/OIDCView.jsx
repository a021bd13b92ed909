// The OpenID Connect providers readers may sign in with (admins only): the redirect URI to
// register at a provider, with a copy button; the providers this site may use (its own and
// the instance's), each to edit, turn off or on, or remove; and a form to add one. The
// secret is write-only: the API never answers it, so the edit form keeps it when left empty.
import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { Check, Field } from '../ui/fields.jsx';
import { Time } from '../ui/Time.jsx';
import { ADD_OIDC_PROVIDER, OIDC_PROVIDERS, REMOVE_OIDC_PROVIDER, UPDATE_OIDC_PROVIDER } from './documents.js';
import { addInput, callbackURL, providerScope, providerStatus, updateInput } from './oidc.js';
import { t, tx } from '../i18n/index.js';
import { Outcome, useOutcome } from '../ui/outcome.jsx';

export function OIDCView({ site }) {
  const [{ data, error }, reload] = useQuery({ query: OIDC_PROVIDERS, variables: { siteID: site.id }, requestPolicy: 'network-only' });
  const refresh = () => reload({ requestPolicy: 'network-only' });
  return (
    <section aria-labelledby="oidc-title">
      <div class="view-head"><h1 id="oidc-title" tabIndex={-1}>{t('nav.oidc')}</h1></div>
      <p class="hint">{t('oidc.about', { site: site.name })}</p>
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!data && !error && <p role="status">{t('common.loading')}</p>}
      {data && (
        <>
          <Callback url={data.oidcCallbackURL ?? callbackURL(window.location.origin)} />
          {data.allOIDCProviders.length === 0 && <p>{t('oidc.none')}</p>}
          {data.allOIDCProviders.map((p) => <Provider key={p.id} provider={p} onChange={refresh} />)}
          <NewProvider siteID={site.id} onAdded={refresh} />
        </>
      )}
    </section>
  );
}

/** The redirect URI to register at the provider, with a button that copies it. */
function Callback({ url }) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(t('oidc.copied'));
    } catch {
      // No clipboard (an insecure origin, a refused permission): select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(document.getElementById('oidc-callback'));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      setCopied(t('oidc.copyFailed'));
    }
  }
  return (
    <section class="settings-section" aria-labelledby="oidc-callback-title">
      <h2 id="oidc-callback-title">{t('oidc.callbackTitle')}</h2>
      <p class="hint">{t('oidc.callbackHint')}</p>
      <div class="row">
        <code id="oidc-callback" data-testid="oidc-callback">{url}</code>
        <button type="button" onClick={copy}>{t('oidc.copy')}</button>
        <span class="ok" role="status">{copied}</span>
      </div>
    </section>
  );
}

function Provider({ provider: p, onChange }) {
  const [message, run, setMessage] = useOutcome(onChange);
  const [editing, setEditing] = useState(false);
  const [, update] = useMutation(UPDATE_OIDC_PROVIDER);
  const [, remove] = useMutation(REMOVE_OIDC_PROVIDER);
  const status = providerStatus(p);

  return (
    <section class="settings-section oidc-provider" aria-label={t('oidc.provider', { name: p.name })} data-enabled={String(p.enabled)}>
      <h2><span class={`badge ${status.tone}`}>{status.label}</span> {p.name}</h2>
      <p class="hint">{tx('oidc.summary', { issuer: <code>{p.issuer}</code>, clientID: <code>{p.clientID}</code>, scope: providerScope(p), time: <Time iso={p.createdAt} /> })}</p>
      {editing ? (
        <EditProvider provider={p} onDone={(saved) => { setEditing(false); if (saved) { setMessage({ error: '', done: t('common.saved') }); onChange(); } }} />
      ) : (
        <div class="row">
          <button type="button" onClick={() => setEditing(true)}>{t('oidc.edit')}</button>
          <button type="button" onClick={() => run(update({ input: { id: p.id, enabled: !p.enabled } }), p.enabled ? t('oidc.turnedOff') : t('oidc.turnedOn'))}>
            {p.enabled ? t('oidc.turnOff') : t('oidc.turnOn')}
          </button>
          <button type="button" class="danger" onClick={() => window.confirm(t('oidc.confirmRemove', { name: p.name })) && run(remove({ input: { id: p.id } }), t('oidc.removed'))}>
            {t('common.remove')}
          </button>
        </div>
      )}
      <Outcome outcome={message} />
    </section>
  );
}

function EditProvider({ provider: p, onDone }) {
  const [form, setForm] = useState({ name: p.name, clientID: p.clientID, clientSecret: '', enabled: p.enabled });
  const [errors, setErrors] = useState({});
  const [outcome, setOutcome] = useState('');
  const [{ fetching }, update] = useMutation(UPDATE_OIDC_PROVIDER);
  const set = (change) => setForm((f) => ({ ...f, ...change }));
  const binding = { form, errors, set, idPrefix: `oidc-${p.id}-` };

  async function submit(event) {
    event.preventDefault();
    const { input, errors: local, changed } = updateInput(p, form);
    setErrors(local);
    if (Object.keys(local).length) return;
    if (!changed) return onDone(false);
    const result = await update({ input });
    if (result.error) {
      const fields = fieldErrors(result.error);
      setErrors(fields);
      setOutcome(Object.keys(fields).length ? t('common.fixFields') : t('common.notSaved', { error: errorMessage(result.error) }));
      return;
    }
    onDone(true);
  }

  return (
    <form onSubmit={submit} class="stack" noValidate aria-label={t('oidc.editTitle', { name: p.name })}>
      <Field name="name" label={t('common.name')} hint={t('oidc.nameHint')} binding={binding} />
      <Field name="clientID" label={t('oidc.clientID')} hint={t('oidc.clientIDHint')} binding={binding} />
      <Field name="clientSecret" label={t('oidc.clientSecret')} hint={t('oidc.keepSecretHint')} binding={binding} type="password" autocomplete="new-password" />
      <Check name="enabled" label={t('oidc.enabled')} hint={t('oidc.enabledHint')} binding={binding} />
      <p class="error" role="alert">{outcome}</p>
      <div class="row">
        <button type="submit" disabled={fetching}>{fetching ? t('common.saving') : t('oidc.save')}</button>
        <button type="button" onClick={() => onDone(false)}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}

function NewProvider({ siteID, onAdded }) {
  const empty = { name: '', issuer: '', clientID: '', clientSecret: '', everySite: false };
  const [form, setForm] = useState(empty);
  const [errors, setErrors] = useState({});
  const [outcome, setOutcome] = useState({ error: '', done: '' });
  const [{ fetching }, add] = useMutation(ADD_OIDC_PROVIDER);
  const set = (change) => setForm((f) => ({ ...f, ...change }));
  const binding = { form, errors, set, idPrefix: 'oidc-new-' };

  async function submit(event) {
    event.preventDefault();
    const { input, errors: local } = addInput(siteID, form);
    setErrors(local);
    if (Object.keys(local).length) return;
    const result = await add({ input });
    if (result.error) {
      // INVALID on issuer (discovery failed) and the like land next to their field.
      const fields = fieldErrors(result.error);
      setErrors(fields);
      setOutcome({ error: Object.keys(fields).length ? t('common.fixFields') : t('oidc.notAdded', { error: errorMessage(result.error) }), done: '' });
      return;
    }
    setOutcome({ error: '', done: t('oidc.added', { name: result.data.addOIDCProvider.name }) });
    setForm(empty);
    onAdded();
  }

  return (
    <section class="settings-section" aria-labelledby="new-oidc-title">
      <h2 id="new-oidc-title">{t('oidc.addTitle')}</h2>
      <form onSubmit={submit} class="stack" noValidate>
        <Field name="name" label={t('common.name')} hint={t('oidc.nameHint')} binding={binding} />
        <Field name="issuer" label={t('oidc.issuer')} hint={t('oidc.issuerHint')} binding={binding} type="url" />
        <Field name="clientID" label={t('oidc.clientID')} hint={t('oidc.clientIDHint')} binding={binding} />
        <Field name="clientSecret" label={t('oidc.clientSecret')} hint={t('oidc.secretHint')} binding={binding} type="password" autocomplete="new-password" />
        <Check name="everySite" label={t('oidc.everySite')} hint={t('oidc.everySiteHint')} binding={binding} />
        <p class="error" role="alert">{outcome.error}</p>
        <p class="ok" role="status">{outcome.done}</p>
        <div class="row"><button type="submit" disabled={fetching}>{fetching ? t('oidc.checking') : t('oidc.add')}</button></div>
      </form>
    </section>
  );
}
