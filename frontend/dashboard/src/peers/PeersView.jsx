// The instance's federation peers (admins only): each one's state, pinned key fingerprint,
// lag and envelope counts, with pause/resume and defederate; each site's subscriptions to
// their labels; and the coverage of the latest deletions sent to peers.
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Time } from '../ui/Time.jsx';
import { DEFEDERATE, PAUSE_PEER, PEERS } from './documents.js';
import { LabelSubscriptions } from './LabelSubscriptions.jsx';
import { connectionText, countsText, lagText, pauseAction, peerStatus } from './peers.js';
import { t, tx } from '../i18n/index.js';
import { Outcome, useOutcome } from '../ui/outcome.jsx';

export function PeersView() {
  const [{ data, error }, reload] = useQuery({ query: PEERS, requestPolicy: 'network-only' });
  const refresh = () => reload({ requestPolicy: 'network-only' });
  return (
    <section aria-labelledby="peers-title">
      <div class="view-head"><h1 id="peers-title" tabIndex={-1}>{t('nav.peers')}</h1></div>
      <p class="hint">{tx('peers.about', { command: <code>parley peer add URL</code> })}</p>
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!data && !error && <p role="status">{t('common.loading')}</p>}
      {data && (
        <>
          <p>{tx('peers.instance', { name: <strong>{data.instance.name}</strong>, key: <code>{data.instance.fingerprint}</code> })}{data.instance.federationAddress ? tx('peers.leaf', { address: <code>{data.instance.federationAddress}</code> }) : t('peers.noListener')}.</p>
          {data.peers.length === 0 && <p>{t('peers.none')}</p>}
          {data.peers.map((p) => <Peer key={p.id} peer={p} onChange={refresh} />)}
          <LabelSubscriptions sites={data.sites} peers={data.peers} />
          <Tombstones tombstones={data.tombstones} />
        </>
      )}
    </section>
  );
}

function Peer({ peer: p, onChange }) {
  const [message, run, setMessage] = useOutcome(onChange);
  const [, pause] = useMutation(PAUSE_PEER);
  const [, defederate] = useMutation(DEFEDERATE);
  const status = peerStatus(p);
  const action = pauseAction(p);

  function confirmDefederate() {
    if (!window.confirm(t('peers.confirmDefederate', { name: p.name }))) return;
    const hideContent = window.confirm(t('peers.confirmHide', { name: p.name }));
    run(defederate({ input: { peerID: p.id, purgeBacklog: true, hideContent } }), t('peers.defederated'));
  }

  return (
    <section class="settings-section peer" aria-label={t('peers.peer', { name: p.name })}>
      <h2><span class={`badge ${status.tone}`}>{status.label}</span> {p.name}</h2>
      <dl class="peer-facts">
        <dt>{t('peers.url')}</dt><dd>{p.url}</dd>
        <dt>{t('peers.fingerprint')}</dt><dd><code>{p.fingerprint}</code></dd>
        {connectionText(p.connected) && <><dt>{t('peers.connection')}</dt><dd>{connectionText(p.connected)}</dd></>}
        <dt>{t('peers.lag')}</dt><dd>{lagText(p.lag)}</dd>
        <dt>{t('peers.envelopes')}</dt><dd>{countsText(p)}</dd>
        <dt>{t('peers.lastEnvelope')}</dt><dd>{p.lastEventAt ? <Time iso={p.lastEventAt} /> : t('peers.noneYet')}</dd>
        <dt>{t('peers.weight')}</dt><dd>{p.trustWeight}</dd>
      </dl>
      <div class="row">
        {action && <button type="button" onClick={() => run(pause({ input: { peerID: p.id, paused: action.paused } }), action.paused ? t('common.paused') : t('peers.resumed'))}>{action.label}</button>}
        {p.state !== 'DEFEDERATED' && <button type="button" class="danger" onClick={confirmDefederate}>{t('peers.defederate')}</button>}
      </div>
      <Outcome outcome={message} />
    </section>
  );
}

function Tombstones({ tombstones }) {
  if (tombstones.length === 0) return null;
  return (
    <section class="settings-section" aria-labelledby="tombstones-title">
      <h2 id="tombstones-title">{t('peers.tombstones')}</h2>
      <table>
        <caption class="visually-hidden">{t('peers.tombstonesCaption')}</caption>
        <thead><tr><th scope="col">{t('log.what')}</th><th scope="col">{t('log.when')}</th><th scope="col">{t('peers.coverage')}</th><th scope="col">{t('peers.waitingFor')}</th></tr></thead>
        <tbody>
          {tombstones.map((t) => (
            <tr key={t.id}>
              <td>{t.objectType} <code>{t.objectID}</code></td>
              <td><Time iso={t.createdAt} /></td>
              <td>{t.coverage}</td>
              <td>{t.pending.length ? t.pending.join(', ') : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
