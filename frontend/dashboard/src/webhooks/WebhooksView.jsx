// A site's webhook endpoints (admins only): add one (its secret is shown once), pause, enable
// or delete it, read its latest deliveries and send one again. A turned-off endpoint shows
// the server's notice of why.
import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { Field, Messages } from '../ui/fields.jsx';
import { Time } from '../ui/Time.jsx';
import { CREATE_WEBHOOK, DELETE_WEBHOOK, REDELIVER_WEBHOOK, UPDATE_WEBHOOK, WEBHOOKS } from './documents.js';
import { deliveryOutcome, endpointStatus, formToInput, groupKinds } from './webhooks.js';
import { t, tx } from '../i18n/index.js';
import { Outcome, useOutcome } from '../ui/outcome.jsx';

export function WebhooksView({ site }) {
  const [{ data, error }, reload] = useQuery({ query: WEBHOOKS, variables: { siteID: site.id }, requestPolicy: 'network-only' });
  const refresh = () => reload({ requestPolicy: 'network-only' });
  return (
    <section aria-labelledby="webhooks-title">
      <div class="view-head"><h1 id="webhooks-title" tabIndex={-1}>{t('nav.webhooks')}</h1></div>
      <p class="hint">{t('webhooks.about')}</p>
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!data && !error && <p role="status">{t('common.loading')}</p>}
      {data && (
        <>
          {data.webhookEndpoints.length === 0 && <p>{t('webhooks.none')}</p>}
          {data.webhookEndpoints.map((e) => <Endpoint key={e.id} endpoint={e} onChange={refresh} />)}
          <NewEndpoint siteID={site.id} kinds={data.webhookEventKinds} onCreated={refresh} />
        </>
      )}
    </section>
  );
}

function Endpoint({ endpoint: e, onChange }) {
  const [message, run, setMessage] = useOutcome(onChange);
  const [, update] = useMutation(UPDATE_WEBHOOK);
  const [, remove] = useMutation(DELETE_WEBHOOK);
  const [, redeliver] = useMutation(REDELIVER_WEBHOOK);
  const status = endpointStatus(e);

  return (
    <section class="settings-section webhook" aria-label={t('webhooks.endpoint', { url: e.url })}>
      <h2><span class={`badge ${status.tone}`}>{status.label}</span> {e.url}</h2>
      {e.description && <p>{e.description}</p>}
      <p class="hint">{tx('webhooks.receives', { kinds: e.kinds.join(', '), time: <Time iso={e.createdAt} /> })}</p>
      {e.disabledReason && <p class="error" role="note">{e.disabledReason}</p>}
      <div class="row">
        <button type="button" onClick={() => run(update({ input: { id: e.id, enabled: !e.enabled } }), e.enabled ? t('common.paused') : t('webhooks.enabled'))}>
          {e.enabled ? t('common.pause') : t('webhooks.enable')}
        </button>
        <button type="button" class="danger" onClick={() => window.confirm(t('webhooks.confirmDelete', { url: e.url })) && run(remove({ input: { id: e.id } }), t('webhooks.deleted'))}>
          {t('webhooks.delete')}
        </button>
      </div>
      <Outcome outcome={message} />
      {e.deliveries.length === 0 ? <p class="hint">{t('webhooks.noDeliveries')}</p> : (
        <table class="deliveries">
          <caption class="visually-hidden">{t('webhooks.deliveriesTo', { url: e.url })}</caption>
          <thead><tr><th scope="col">{t('webhooks.event')}</th><th scope="col">{t('log.when')}</th><th scope="col">{t('webhooks.outcome')}</th><th scope="col">{t('webhooks.nextTry')}</th><th scope="col"><span class="visually-hidden">{t('webhooks.actions')}</span></th></tr></thead>
          <tbody>
            {e.deliveries.map((d) => (
              <tr key={d.id} data-state={d.state}>
                <td><code>{d.kind}</code></td>
                <td><Time iso={d.eventAt} /></td>
                <td>{deliveryOutcome(d)}</td>
                <td>{d.nextAttemptAt ? <Time iso={d.nextAttemptAt} /> : '—'}</td>
                <td><button type="button" onClick={() => run(redeliver({ input: { deliveryID: d.id } }), t('webhooks.requeued'))}>{t('webhooks.sendAgain')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewEndpoint({ siteID, kinds, onCreated }) {
  const empty = { url: '', description: '', kinds: ['comment.created'] };
  const [form, setForm] = useState(empty);
  const [errors, setErrors] = useState({});
  const [secret, setSecret] = useState('');
  const [outcome, setOutcome] = useState('');
  const [{ fetching }, create] = useMutation(CREATE_WEBHOOK);
  const set = (change) => setForm((f) => ({ ...f, ...change }));
  const binding = { form, errors, set, idPrefix: 'webhook-' };

  async function submit(event) {
    event.preventDefault();
    const { input, errors: local } = formToInput(siteID, form);
    setErrors(local);
    if (Object.keys(local).length) return;
    const result = await create({ input });
    if (result.error) {
      setErrors(fieldErrors(result.error));
      setOutcome(t('webhooks.notAdded', { error: errorMessage(result.error) }));
      return;
    }
    setSecret(result.data.createWebhookEndpoint.secret);
    setOutcome('');
    setForm(empty);
    onCreated();
  }

  function toggle(kind, on) {
    set({ kinds: on ? [...form.kinds, kind] : form.kinds.filter((k) => k !== kind) });
  }

  return (
    <section class="settings-section" aria-labelledby="new-webhook-title">
      <h2 id="new-webhook-title">{t('webhooks.addTitle')}</h2>
      {secret && (
        <div role="status" class="secret">
          <p>{tx('webhooks.secret', { label: <strong>{t('webhooks.secretLabel')}</strong> })}</p>
          <p><code data-testid="webhook-secret">{secret}</code></p>
        </div>
      )}
      <form onSubmit={submit} class="stack" noValidate>
        <Field name="url" label={t('peers.url')} hint={t('webhooks.urlHint')} binding={binding} type="url" />
        <Field name="description" label={t('webhooks.description')} hint={t('webhooks.descriptionHint')} binding={binding} />
        <fieldset aria-describedby="webhook-kinds-hint">
          <legend>{t('webhooks.events')}</legend>
          {groupKinds(kinds).map((g) => (
            <div key={g.noun} class="row wrap">
              {g.kinds.map((k) => (
                <label key={k} class="choice"><input type="checkbox" checked={form.kinds.includes(k)} onChange={(e) => toggle(k, e.currentTarget.checked)} />{k}</label>
              ))}
            </div>
          ))}
          <Messages name="kinds" hint="" error={errors.kinds} idPrefix="webhook-" />
        </fieldset>
        <p class="error" role="alert">{outcome}</p>
        <div class="row"><button type="submit" disabled={fetching}>{t('webhooks.add')}</button></div>
      </form>
    </section>
  );
}
