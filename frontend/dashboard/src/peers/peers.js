// What the peers view shows of a peer, as pure functions so they can be tested alone.

const STATES = {
  ACTIVE: { label: 'Active', tone: 'approve' },
  PENDING: { label: 'Pending', tone: 'warn' },
  PAUSED: { label: 'Paused', tone: 'warn' },
  DEFEDERATED: { label: 'Defederated', tone: 'reject' },
};

/** The badge of a peer's state; a pending link says which side has yet to add the other. */
export function peerStatus(peer) {
  const s = STATES[peer.state] ?? { label: peer.state, tone: 'muted' };
  if (peer.state !== 'PENDING') return s;
  if (!peer.localAdded) return { ...s, label: 'Pending: they added us' };
  if (!peer.remoteConfirmed) return { ...s, label: 'Pending: waiting for them' };
  return s;
}

/** A peer's backlog in words; -1 means the server cannot tell (not active, no transport). */
export function lagText(lag) {
  if (lag == null || lag < 0) return 'unknown';
  if (lag === 0) return 'up to date';
  return `${lag} waiting`;
}

/** The counters of envelopes, with the last refusal's reason when there was one. */
export function countsText(peer) {
  const base = `${peer.received} applied, ${peer.rejected} refused`;
  return peer.rejected > 0 && peer.lastError ? `${base} (last: ${peer.lastError})` : base;
}

/** What the pause button does for a peer in its state; null when it cannot. */
export function pauseAction(peer) {
  if (peer.state === 'DEFEDERATED') return null;
  return peer.state === 'PAUSED' ? { label: 'Resume', paused: false } : { label: 'Pause', paused: true };
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
  if (form.weight === '' || !Number.isFinite(weight) || weight < 0 || weight > 1) return { error: 'The weight must be between 0 and 1.' };
  if (!LABEL_ACTIONS.includes(form.action)) return { error: 'Choose what the labels do.' };
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > 100) return { error: 'The quorum must be a whole number of peers from 1 to 100.' };
  return { weight, action: form.action, quorum };
}
