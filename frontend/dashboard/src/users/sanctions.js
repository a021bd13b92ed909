// The measures a moderator can take on a user, and how each one's form becomes its input.
import { t } from '../i18n/index.js';

// Each kind's label is sanction.kind.<kind> and its hint sanction.hint.<kind>.
export const SANCTION_KINDS = [{ kind: 'WARN' }, { kind: 'MESSAGE' }, { kind: 'PREMOD' }, { kind: 'SUSPEND' }, { kind: 'BAN' }];

const HOUR = 3600;
export const SUSPENSIONS = [{ seconds: HOUR }, { seconds: 24 * HOUR }, { seconds: 7 * 24 * HOUR }, { seconds: 30 * 24 * HOUR }];

/** A suspension's length in words: "1 hour", "7 days". */
export function suspensionLabel(seconds) {
  const s = Number(seconds);
  return s % (24 * HOUR) === 0 ? t('sanction.days', { n: s / (24 * HOUR) }) : t('sanction.hours', { n: s / HOUR });
}

/** What form's measure does, in a line. */
export function sanctionHint(form) {
  return everySite(form) ? t('sanction.hint.everySite') : t(`sanction.hint.${form.kind}`);
}

/** The label of the button that takes form's measure. */
export function sanctionAction(form) {
  return everySite(form) ? t('sanction.banEverywhere') : t(`sanction.kind.${form.kind}`);
}

/** What a sanction is called in the history. */
export function sanctionName(kind) {
  return t.has(`sanction.name.${kind}`) ? t(`sanction.name.${kind}`) : kind;
}

/** Whether form bans on every site, which only administrators may choose. */
function everySite(form) {
  return form.kind === 'BAN' && Boolean(form.everySite);
}

/**
 * The input of the mutation for form {kind, message, durationSeconds, rejectExisting,
 * everySite}. A ban on every site leaves the site out.
 */
export function sanctionInput(userID, siteID, form) {
  const input = { userID, message: form.message.trim() || null };
  if (!everySite(form)) input.siteID = siteID;
  if (form.kind === 'SUSPEND') input.durationSeconds = Number(form.durationSeconds);
  if (form.kind === 'BAN') input.rejectExistingComments = Boolean(form.rejectExisting);
  return input;
}

/** What the moderator is told once form's measure is taken. */
export function doneMessage(form) {
  switch (form.kind) {
    case 'SUSPEND':
      return t('sanction.done.SUSPEND', { duration: suspensionLabel(form.durationSeconds) });
    case 'BAN':
      return t(`sanction.done.BAN${everySite(form) ? '_EVERY_SITE' : ''}${form.rejectExisting ? '_REJECTED' : ''}`);
    case 'PREMOD':
      return t('sanction.done.PREMOD');
    case 'WARN':
      return t('sanction.done.WARN');
    default:
      return t('sanction.done.MESSAGE');
  }
}

/** Whether a sanction still holds at now (not revoked, not expired). */
export function isActive(sanction, now = Date.now()) {
  return !sanction.revokedAt && (!sanction.expiresAt || Date.parse(sanction.expiresAt) > now);
}
