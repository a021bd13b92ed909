// What the sign-in providers view says and sends, as pure functions.
import { t } from '../i18n/index.js';

/**
 * The redirect URI an administrator registers at the provider, as made from the dashboard's
 * origin: used only when the server does not say (its oidcCallbackURL, made from
 * PARLEY_PUBLIC_URL, is right even when the dashboard was opened at another address).
 */
export function callbackURL(origin) {
  return `${origin.replace(/\/+$/, '')}/oidc/callback`;
}

/** The provider's status as a short word and a tone for its badge. */
export function providerStatus(p) {
  return p.enabled ? { label: t('oidc.state.on'), tone: 'approve' } : { label: t('oidc.state.off'), tone: 'muted' };
}

/** Whom a provider serves: this site only, or every site of the instance. */
export function providerScope(p) {
  return p.siteID ? t('oidc.scope.site') : t('oidc.scope.instance');
}

const required = { name: 'oidc.nameNeeded', issuer: 'oidc.issuerNeeded', clientID: 'oidc.clientIDNeeded', clientSecret: 'oidc.secretNeeded' };

/**
 * The form's input for addOIDCProvider, with errors found before sending. everySite leaves
 * siteID out, for a provider every site of the instance may use.
 */
export function addInput(siteID, form) {
  const input = { name: form.name.trim(), issuer: form.issuer.trim(), clientID: form.clientID.trim(), clientSecret: form.clientSecret };
  if (!form.everySite) input.siteID = siteID;
  const errors = {};
  for (const [field, key] of Object.entries(required)) if (!input[field]) errors[field] = t(key);
  return { input, errors };
}

/**
 * The input for updateOIDCProvider from an edit form: only what changed is sent, and an
 * empty secret keeps the stored one. changed is false when there is nothing to send.
 */
export function updateInput(provider, form) {
  const input = { id: provider.id };
  const errors = {};
  const name = form.name.trim();
  const clientID = form.clientID.trim();
  if (!name) errors.name = t('oidc.nameNeeded');
  if (!clientID) errors.clientID = t('oidc.clientIDNeeded');
  if (name !== provider.name) input.name = name;
  if (clientID !== provider.clientID) input.clientID = clientID;
  if (form.clientSecret) input.clientSecret = form.clientSecret;
  if (form.enabled !== provider.enabled) input.enabled = form.enabled;
  return { input, errors, changed: Object.keys(input).length > 1 };
}
