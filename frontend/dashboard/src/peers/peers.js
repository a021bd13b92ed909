// What the peers view shows of a peer, as pure functions so they can be tested alone.
import { t } from '../i18n/index.js';

// Each state's tone; its label is peers.state.<state>.
const TONES = { ACTIVE: 'approve', PENDING: 'warn', PAUSED: 'warn', DEFEDERATED: 'reject' };

/** The badge of a peer's state; a pending link says which side has yet to add the other. */
export function peerStatus(peer) {
  const s = TONES[peer.state] ? { label: t(`peers.state.${peer.state}`), tone: TONES[peer.state] } : { label: peer.state, tone: 'muted' };
  if (peer.state !== 'PENDING') return s;
  if (!peer.localAdded) return { ...s, label: t('peers.state.theyAdded') };
  if (!peer.remoteConfirmed) return { ...s, label: t('peers.state.waiting') };
  return s;
}

/** A peer's backlog in words; -1 means the server cannot tell (not active, no transport). */
export function lagText(lag) {
  if (lag == null || lag < 0) return t('peers.lagUnknown');
  if (lag === 0) return t('peers.upToDate');
  return t('peers.waiting', { n: lag });
}

/** Whether the leaf connection to an active peer is up; null when the server cannot tell. */
export function connectionText(connected) {
  if (connected == null) return null;
  return t(connected ? 'peers.connectedYes' : 'peers.connectedNo');
}

/** The counters of envelopes, with the last refusal's reason when there was one. */
export function countsText(peer) {
  const base = t('peers.counts', { received: peer.received, rejected: peer.rejected });
  return peer.rejected > 0 && peer.lastError ? `${base} ${t('peers.last', { error: peer.lastError })}` : base;
}

/** What the pause button does for a peer in its state; null when it cannot. */
export function pauseAction(peer) {
  if (peer.state === 'DEFEDERATED') return null;
  return peer.state === 'PAUSED' ? { label: t('peers.resume'), paused: false } : { label: t('common.pause'), paused: true };
}

/** The actions a site may take on a subscribed peer's labels, mildest first. */
export const LABEL_ACTIONS = ['IGNORE', 'FLAG', 'HOLD', 'HIDE'];

/**
 * Checks a label subscription form ({weight, action, quorum} as typed) and answers the
 * mutation's input fields, or {error} naming the field.
 */
export function subscriptionInput(form) {
  const weight = Number(form.weight);
  const quorum = Number(form.quorum);
  if (form.weight === '' || !Number.isFinite(weight) || weight < 0 || weight > 1) return { error: t('peers.labels.badWeight') };
  if (!LABEL_ACTIONS.includes(form.action)) return { error: t('peers.labels.badAction') };
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > 100) return { error: t('peers.labels.badQuorum') };
  return { weight, action: form.action, quorum };
}
