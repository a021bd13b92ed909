// What the rules view says about a site's rules and governance, kept pure.
import { agreementKey } from './effect.js';

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
  if (!agreementKey(rule.effect)) return { measured: false, text: 'Precision not measured: its effect acts on authors, not on comments.' };
  if (!measured) return { measured: false, text: 'Precision not measured: its proposal was enacted without a back-test.' };
  if (measured.precision === null && measured.recall === null) {
    return { measured: false, text: `Precision not measured yet: moderators decided none of the ${measured.comments} comments its back-test replayed.` };
  }
  return {
    measured: true,
    text: `Back-test precision ${share(measured.precision)}, recall ${share(measured.recall)}, against moderators' decisions on ${measured.decided} of the ${measured.comments} comments it replayed.`,
  };
}

/** How a site governs its rules, in a sentence. */
export function describeGovernance(g) {
  const count = (n, one) => `${n} ${n === 1 ? one : `${one}s`}`;
  const members = g.memberVotes ? g.memberQuorum > 0 ? ` and ${count(g.memberQuorum, 'member')}` : ' (members vote too)' : '';
  const delay = g.enactDelaySeconds > 0 ? `, then a wait of ${describeDelay(g.enactDelaySeconds)}` : '';
  return `Enacting a proposal takes the approval of ${count(g.moderatorQuorum, 'moderator')}${members}${delay}. A rule may cost up to ${g.costLimit} to evaluate.`;
}

function describeDelay(s) {
  const units = [[86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, unit] of units) {
    if (s % size === 0) return `${s / size} ${s === size ? unit : `${unit}s`}`;
  }
  return `${s} ${s === 1 ? 'second' : 'seconds'}`;
}
