// What the webhooks view says about endpoints and deliveries, as pure functions.

/** The line a delivery's outcome reads as in the log. */
export function deliveryOutcome(d) {
  switch (d.state) {
    case 'DELIVERED':
      return `Delivered (HTTP ${d.lastStatus})${d.attempts > 1 ? ` at attempt ${d.attempts}` : ''}`;
    case 'FAILED':
      return `Gave up after ${d.attempts} attempts: ${d.lastError}`;
    default:
      return d.attempts === 0 ? 'Waiting to be sent' : `Attempt ${d.attempts} failed: ${d.lastError}`;
  }
}

/** The endpoint's status as a short word and a tone for its badge. */
export function endpointStatus(e) {
  if (!e.enabled && e.disabledReason) return { label: 'Turned off', tone: 'reject' };
  if (!e.enabled) return { label: 'Paused', tone: 'muted' };
  if (e.failingSince) return { label: 'Failing', tone: 'warn' };
  return { label: 'Active', tone: 'approve' };
}

/** The kinds an admin picks from, grouped by their noun (comment, user, …). */
export function groupKinds(kinds) {
  const groups = new Map();
  for (const k of [...kinds].sort()) {
    const noun = k.split('.')[0];
    if (!groups.has(noun)) groups.set(noun, []);
    groups.get(noun).push(k);
  }
  return [...groups.entries()].map(([noun, list]) => ({ noun, kinds: list }));
}

/** The form's input for createWebhookEndpoint, with errors found before sending. */
export function formToInput(siteID, form) {
  const errors = {};
  const url = form.url.trim();
  if (!url) errors.url = 'Give the URL to send events to.';
  if (form.kinds.length === 0) errors.kinds = 'Choose at least one kind of event.';
  return { input: { siteID, url, description: form.description.trim(), kinds: form.kinds }, errors };
}
