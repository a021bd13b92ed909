// The instance's federation peers (admins only): each one's state, pinned key fingerprint,
// lag and envelope counts, with pause/resume and defederate; each site's subscriptions to
// their labels; and the coverage of the latest deletions sent to peers.
import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Time } from '../ui/Time.jsx';
import { DEFEDERATE, PAUSE_PEER, PEERS } from './documents.js';
import { LabelSubscriptions } from './LabelSubscriptions.jsx';
import { countsText, lagText, pauseAction, peerStatus } from './peers.js';

export function PeersView() {
  const [{ data, error }, reload] = useQuery({ query: PEERS, requestPolicy: 'network-only' });
  const refresh = () => reload({ requestPolicy: 'network-only' });
  return (
    <section aria-labelledby="peers-title">
      <div class="view-head"><h1 id="peers-title" tabIndex={-1}>Peers</h1></div>
      <p class="hint">Other Parley instances this one federates with. Compare a fingerprint with the peer's operator before trusting it. Add peers with <code>parley peer add URL</code> or the API's addPeer.</p>
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!data && !error && <p role="status">Loading…</p>}
      {data && (
        <>
          <p>This instance: <strong>{data.instance.name}</strong>, key <code>{data.instance.fingerprint}</code>{data.instance.federationAddress ? <>, leaf address <code>{data.instance.federationAddress}</code></> : ' (federation listener off)'}.</p>
          {data.peers.length === 0 && <p>No peers yet.</p>}
          {data.peers.map((p) => <Peer key={p.id} peer={p} onChange={refresh} />)}
          <LabelSubscriptions sites={data.sites} peers={data.peers} />
          <Tombstones tombstones={data.tombstones} />
        </>
      )}
    </section>
  );
}

function Peer({ peer: p, onChange }) {
  const [message, setMessage] = useState({ error: '', done: '' });
  const [, pause] = useMutation(PAUSE_PEER);
  const [, defederate] = useMutation(DEFEDERATE);
  const status = peerStatus(p);
  const action = pauseAction(p);

  async function run(promise, done) {
    const result = await promise;
    if (result.error) {
      setMessage({ error: errorMessage(result.error), done: '' });
      return;
    }
    setMessage({ error: '', done });
    onChange();
  }

  function confirmDefederate() {
    if (!window.confirm(`Defederate from ${p.name}? Nothing of it will be accepted any more, and its waiting envelopes are dropped.`)) return;
    const hideContent = window.confirm(`Also hide the comments of ${p.name} already shown here?`);
    run(defederate({ input: { peerID: p.id, purgeBacklog: true, hideContent } }), 'Defederated.');
  }

  return (
    <section class="settings-section peer" aria-label={`Peer ${p.name}`}>
      <h2><span class={`badge ${status.tone}`}>{status.label}</span> {p.name}</h2>
      <dl class="peer-facts">
        <dt>URL</dt><dd>{p.url}</dd>
        <dt>Fingerprint</dt><dd><code>{p.fingerprint}</code></dd>
        <dt>Lag</dt><dd>{lagText(p.lag)}</dd>
        <dt>Envelopes</dt><dd>{countsText(p)}</dd>
        <dt>Last envelope</dt><dd>{p.lastEventAt ? <Time iso={p.lastEventAt} /> : 'none yet'}</dd>
        <dt>Label weight</dt><dd>{p.trustWeight}</dd>
      </dl>
      <div class="row">
        {action && <button type="button" onClick={() => run(pause({ input: { peerID: p.id, paused: action.paused } }), action.paused ? 'Paused.' : 'Resumed.')}>{action.label}</button>}
        {p.state !== 'DEFEDERATED' && <button type="button" class="danger" onClick={confirmDefederate}>Defederate</button>}
      </div>
      <p class="error" role="alert">{message.error}</p>
      <p class="ok" role="status">{message.done}</p>
    </section>
  );
}

function Tombstones({ tombstones }) {
  if (tombstones.length === 0) return null;
  return (
    <section class="settings-section" aria-labelledby="tombstones-title">
      <h2 id="tombstones-title">Deletions sent to peers</h2>
      <table>
        <caption class="visually-hidden">The latest deletions and how far they reached</caption>
        <thead><tr><th scope="col">What</th><th scope="col">When</th><th scope="col">Coverage</th><th scope="col">Waiting for</th></tr></thead>
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
