// How well a moderation stage agrees with the moderators, in words a moderator reads at a
// glance. Figures are given only where they mean something: for stages that judge what a
// comment says (a rule such as staff or user_status does what the settings say and cannot be
// wrong), and only once enough of its verdicts have been decided by people.
import { formatShare } from '../ui/format.js';
import { t } from '../i18n/index.js';

/** How many decided comments a figure needs before it is shown; fewer say little. */
export const MIN_DECISIONS = 20;

/**
 * Returns {text, measured} for a stage's statistics (stageStats' fields; undefined when no
 * comment it judged has been decided): measured is true when text gives a figure.
 */
export function describeStageStats(stats) {
  if (stats && !stats.canBeWrong) {
    return { text: t('stats.rule'), measured: false };
  }
  if (!stats || stats.decided === 0) {
    return { text: t('stats.none'), measured: false };
  }
  const { truePositives: agreed, falsePositives: overruled, falseNegatives: missed } = stats;
  const flagged = agreed + overruled;
  const rejected = agreed + missed;
  const parts = [];
  if (flagged >= MIN_DECISIONS) {
    parts.push(t('stats.agreed', { agreed, flagged, share: formatShare(agreed / flagged) }));
  }
  if (rejected >= MIN_DECISIONS) {
    parts.push(t('stats.caught', { agreed, rejected, share: formatShare(agreed / rejected) }));
  }
  if (!parts.length) {
    return {
      text: t('stats.tooFew', { n: stats.decided, flagged, min: MIN_DECISIONS }),
      measured: false,
    };
  }
  const text = parts.join('; ');
  return { text: text[0].toUpperCase() + text.slice(1), measured: true };
}
