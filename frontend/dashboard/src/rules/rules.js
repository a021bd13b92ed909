// What the rules view says about a site's rules and governance, kept pure.
import { agreementKey } from './effect.js';
import { t } from '../i18n/index.js';

/**
 * The measured agreement of a rule: the back-test stored with the proposal that enacted its
 * version, for the rule's effect. null when there was none, or the effect decides no comment.
 */
export function measuredAgreement(rule, enacted) {
  const key = agreementKey(rule.effect);
  if (!key) return null;
  const proposal = enacted.find((p) => p.id === rule.proposalID);
  const row = proposal?.backtest?.agreement.find((a) => a.effect === key);
  return row ? { ...row, comments: proposal.backtest.comments, ranAt: proposal.backtest.ranAt } : null;
}

/**
 * What the rules view says of a rule's measured agreement: the back-test's precision and
 * recall against the moderators, or why there is none. measured is measuredAgreement's.
 */
export function describeMeasured(rule, measured, share) {
  if (!agreementKey(rule.effect)) return { measured: false, text: t('measured.authors') };
  if (!measured) return { measured: false, text: t('measured.noBacktest') };
  if (measured.precision === null && measured.recall === null) {
    return { measured: false, text: t('measured.undecided', { comments: measured.comments }) };
  }
  return {
    measured: true,
    text: t('measured.figures', { precision: share(measured.precision), recall: share(measured.recall), decided: measured.decided, comments: measured.comments }),
  };
}

/** How a site governs its rules, in a sentence. */
export function describeGovernance(g) {
  const members = g.memberVotes ? g.memberQuorum > 0 ? t('governance.andMembers', { n: g.memberQuorum }) : t('governance.membersToo') : '';
  const delay = g.enactDelaySeconds > 0 ? t('governance.thenWait', { delay: describeDelay(g.enactDelaySeconds) }) : '';
  return t('governance.summary', { n: g.moderatorQuorum, members, delay, cost: g.costLimit });
}

function describeDelay(s) {
  const units = [[86400, 'days'], [3600, 'hours'], [60, 'minutes']];
  for (const [size, unit] of units) {
    if (s % size === 0) return t(`governance.${unit}`, { n: s / size });
  }
  return t('governance.seconds', { n: s });
}
