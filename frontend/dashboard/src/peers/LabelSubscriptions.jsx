// A site's subscriptions to peers' moderation labels (admins only): for the chosen site,
// each peer that is not defederated with its weight, action and quorum, saved with
// subscribeLabels and ended with unsubscribeLabels.
import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { t } from '../i18n/index.js';
import { LABEL_SUBSCRIPTIONS, SUBSCRIBE_LABELS, UNSUBSCRIBE_LABELS } from './documents.js';
import { LABEL_ACTIONS, subscriptionInput } from './peers.js';
import { Outcome, useOutcome } from '../ui/outcome.jsx';

export function LabelSubscriptions({ sites, peers }) {
  const [siteID, setSiteID] = useState(sites[0]?.id ?? '');
  const usable = peers.filter((p) => p.state !== 'DEFEDERATED');
  if (sites.length === 0 || usable.length === 0) return null;
  return (
    <section class="settings-section" aria-labelledby="labels-title">
      <h2 id="labels-title">{t('peers.labels.title')}</h2>
      <p class="hint">{t('peers.labels.about')}</p>
      <label>{t('peers.labels.forSite')}{' '}
        <select value={siteID} onChange={(e) => setSiteID(e.currentTarget.value)}>
          {sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
      </label>
      {siteID && <SiteSubscriptions key={siteID} siteID={siteID} peers={usable} />}
    </section>
  );
}

function SiteSubscriptions({ siteID, peers }) {
  const [{ data, error }, reload] = useQuery({ query: LABEL_SUBSCRIPTIONS, variables: { siteID }, requestPolicy: 'network-only' });
  if (error) return <p class="error" role="alert">{errorMessage(error)}</p>;
  if (!data) return <p role="status">{t('common.loading')}</p>;
  const byPeer = Object.fromEntries(data.labelSubscriptions.map((s) => [s.peerID, s]));
  return peers.map((p) => (
    <SubscriptionForm key={`${p.id}:${byPeer[p.id]?.action ?? ''}:${byPeer[p.id]?.weight ?? ''}:${byPeer[p.id]?.quorum ?? ''}`}
      siteID={siteID} peer={p} sub={byPeer[p.id]} onChange={() => reload({ requestPolicy: 'network-only' })} />
  ));
}

function SubscriptionForm({ siteID, peer, sub, onChange }) {
  const [form, setForm] = useState({ weight: String(sub?.weight ?? 0.5), action: sub?.action ?? 'FLAG', quorum: String(sub?.quorum ?? 1) });
  const [message, run, setMessage] = useOutcome(onChange);
  const [, subscribe] = useMutation(SUBSCRIBE_LABELS);
  const [, unsubscribe] = useMutation(UNSUBSCRIBE_LABELS);
  const field = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });

  function save(e) {
    e.preventDefault();
    const input = subscriptionInput(form);
    if (input.error) {
      setMessage({ error: input.error, done: '' });
      return;
    }
    run(subscribe({ input: { siteID, peerID: peer.id, ...input } }), t(sub ? 'peers.labels.changed' : 'peers.labels.done'));
  }

  const id = `sub-${peer.id}`;
  return (
    <form class="label-subscription" aria-label={t('peers.labels.of', { name: peer.name })} onSubmit={save} noValidate>
      <h3>{peer.name} <span class={`badge ${sub ? 'approve' : 'muted'}`}>{t(sub ? 'peers.labels.subscribed' : 'peers.labels.notSubscribed')}</span></h3>
      <div class="row">
        <label for={`${id}-weight`}>{t('peers.labels.weight')}</label>
        <input id={`${id}-weight`} type="number" min="0" max="1" step="0.1" value={form.weight} onInput={field('weight')} />
        <label for={`${id}-action`}>{t('peers.labels.action')}</label>
        <select id={`${id}-action`} value={form.action} onChange={field('action')}>
          {LABEL_ACTIONS.map((a) => <option key={a} value={a}>{t(`peers.labels.actions.${a}`)}</option>)}
        </select>
        <label for={`${id}-quorum`}>{t('peers.labels.quorum')}</label>
        <input id={`${id}-quorum`} type="number" min="1" max="100" step="1" value={form.quorum} onInput={field('quorum')} />
        <button type="submit">{t(sub ? 'peers.labels.save' : 'peers.labels.subscribe')}</button>
        {sub && <button type="button" class="danger" onClick={() => run(unsubscribe({ input: { siteID, peerID: peer.id } }), t('peers.labels.ended'))}>{t('peers.labels.unsubscribe')}</button>}
      </div>
      <Outcome outcome={message} />
    </form>
  );
}
