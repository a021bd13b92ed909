// The measures a moderator can take on a user, and how each one's form becomes its input.

export const SANCTION_KINDS = [
  { kind: 'WARN', label: 'Warn', hint: 'Holds their comments until they acknowledge the warning.' },
  { kind: 'MESSAGE', label: 'Message', hint: 'Only tells them something.' },
  { kind: 'PREMOD', label: 'Always pre-moderate', hint: 'Holds every comment of theirs for review.' },
  { kind: 'SUSPEND', label: 'Suspend', hint: 'Rejects their new comments for a while.' },
  { kind: 'BAN', label: 'Ban', hint: 'Rejects their new comments on this site.' },
];

const HOUR = 3600;
export const SUSPENSIONS = [
  { seconds: HOUR, label: '1 hour' },
  { seconds: 24 * HOUR, label: '1 day' },
  { seconds: 7 * 24 * HOUR, label: '7 days' },
  { seconds: 30 * 24 * HOUR, label: '30 days' },
];

const kindNames = { BAN: 'Ban', SUSPEND: 'Suspension', PREMOD: 'Pre-moderation', WARN: 'Warning', MESSAGE: 'Message' };

/** What form's measure does, in a line. */
export function sanctionHint(form) {
  return everySite(form) ? 'Rejects their new comments on every site.' : SANCTION_KINDS.find((k) => k.kind === form.kind).hint;
}

/** The label of the button that takes form's measure. */
export function sanctionAction(form) {
  return everySite(form) ? 'Ban on every site' : SANCTION_KINDS.find((k) => k.kind === form.kind).label;
}

/** What a sanction is called in the history. */
export function sanctionName(kind) {
  return kindNames[kind] ?? kind;
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
      return `Suspended for ${SUSPENSIONS.find((d) => String(d.seconds) === String(form.durationSeconds))?.label ?? 'the chosen time'}.`;
    case 'BAN': {
      const where = everySite(form) ? ' on every site' : '';
      return form.rejectExisting ? `Banned${where}, and their comments rejected.` : `Banned${where}.`;
    }
    case 'PREMOD':
      return 'Their comments will be held for review.';
    case 'WARN':
      return 'Warned.';
    default:
      return 'Message sent.';
  }
}

/** Whether a sanction still holds at now (not revoked, not expired). */
export function isActive(sanction, now = Date.now()) {
  return !sanction.revokedAt && (!sanction.expiresAt || Date.parse(sanction.expiresAt) > now);
}
