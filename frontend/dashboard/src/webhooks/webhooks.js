// What the webhooks view says about endpoints and deliveries, as pure functions.
import { t } from '../i18n/index.js';

/** The line a delivery's outcome reads as in the log. */
export function deliveryOutcome(d) {
  switch (d.state) {
    case 'DELIVERED':
      return d.attempts > 1 ? t('webhooks.deliveredAt', { status: d.lastStatus, attempt: d.attempts }) : t('webhooks.delivered', { status: d.lastStatus });
    case 'FAILED':
      return t('webhooks.gaveUp', { n: d.attempts, error: d.lastError });
    default:
      return d.attempts === 0 ? t('webhooks.waiting') : t('webhooks.attemptFailed', { attempt: d.attempts, error: d.lastError });
  }
}

/** The endpoint's status as a short word and a tone for its badge. */
export function endpointStatus(e) {
  if (!e.enabled && e.disabledReason) return { label: t('webhooks.state.off'), tone: 'reject' };
  if (!e.enabled) return { label: t('webhooks.state.paused'), tone: 'muted' };
  if (e.failingSince) return { label: t('webhooks.state.failing'), tone: 'warn' };
  return { label: t('webhooks.state.active'), tone: 'approve' };
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
  if (!url) errors.url = t('webhooks.urlNeeded');
  if (form.kinds.length === 0) errors.kinds = t('webhooks.kindsNeeded');
  return { input: { siteID, url, description: form.description.trim(), kinds: form.kinds }, errors };
}
