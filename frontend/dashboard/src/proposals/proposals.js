// Proposals as the dashboard shows them: their states and kinds in words, the viewer's vote,
// what the viewer may do with one, the tally against the quorum, and how a live event changes
// a list. Pure, so each is tested alone.
import { currentLang, t } from '../i18n/index.js';
import { formatNumber } from '../ui/format.js';

/**
 * The filters of the proposals view, '' for all; open ones first, as the work to do. Each
 * one's label is proposal.filter.<state or ALL>; a state's name is proposal.state.<state>.
 */
export const STATE_FILTERS = [{ state: '' }, { state: 'OPEN' }, { state: 'APPROVED' }, { state: 'ENACTED' }, { state: 'REJECTED' }, { state: 'WITHDRAWN' }, { state: 'DRAFT' }];

/** A proposal's title: its kind and the rule it concerns. */
export function proposalTitle(p) {
  if (p.kind === 'CHANGE_THRESHOLDS') return t('proposal.title.thresholds');
  if (p.kind === 'RETIRE_RULE') return t('proposal.title.retire', { name: p.name });
  if (p.kind === 'CHANGE_RULE') return p.rollbackOf ? t('proposal.title.rollback', { name: p.name, version: p.rollbackOf }) : t('proposal.title.change', { name: p.name });
  return t('proposal.title.add', { name: p.name });
}

/** The viewer's vote on a proposal: true for, false against, null when they have not voted. */
export function myVote(proposal, viewerID) {
  const vote = proposal.votes?.find((v) => v.userID === viewerID);
  return vote ? vote.approve : null;
}

/**
 * What the viewer may do with a proposal at now (ms): vote while it is open, open and
 * withdraw their own, back-test it until it is decided, enact it once approved and past the
 * site's delay. enactAt is when an
 * approved proposal may be enacted, if later than now. The server decides in the end; these
 * only decide which buttons are offered.
 */
export function actionsFor(proposal, viewerID, now = Date.now()) {
  const mine = proposal.authorID === viewerID;
  const after = proposal.enactAfter ? Date.parse(proposal.enactAfter) : null;
  const approved = proposal.state === 'APPROVED';
  return {
    vote: proposal.state === 'OPEN',
    open: mine && proposal.state === 'DRAFT',
    withdraw: mine && (proposal.state === 'DRAFT' || proposal.state === 'OPEN'),
    backtest: ['DRAFT', 'OPEN', 'APPROVED'].includes(proposal.state),
    enact: approved && (after === null || after <= now),
    enactAt: approved && after !== null && after > now ? proposal.enactAfter : null,
  };
}

/** The tally in a sentence: "1 of 2 moderators for, 0 against; quorum not reached". */
export function describeTally(tally) {
  const parts = [t('proposal.tally.moderators', { for: tally.moderatorsFor, n: tally.moderatorQuorum, against: tally.moderatorsAgainst })];
  if (tally.memberQuorum > 0 || tally.membersFor > 0 || tally.membersAgainst > 0) {
    parts.push(t('proposal.tally.members', { for: tally.membersFor, n: tally.memberQuorum, against: tally.membersAgainst }));
  }
  return `${parts.join('; ')}; ${t(tally.quorumReached ? 'proposal.tally.reached' : 'proposal.tally.notReached')}`;
}

/**
 * A list of proposals (newest first) after a live event about proposal: replaced where it
 * is, added when new and of the filter's state, dropped when it left the filter's state.
 */
export function applyProposal(list, proposal, state = '') {
  const fits = !state || proposal.state === state;
  const at = list.findIndex((p) => p.id === proposal.id);
  if (at === -1) {
    if (!fits) return list;
    return [...list, proposal].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }
  if (!fits) return list.filter((p) => p.id !== proposal.id);
  return list.map((p, i) => (i === at ? proposal : p));
}

/** What a live event says, for the screen reader's status line. */
export function describeEvent(event) {
  const p = event.proposal;
  if (event.kind === 'rule.enacted' || p.state === 'ENACTED') return t('proposal.event.enacted', { title: proposalTitle(p) });
  return t('proposal.event.changed', { title: proposalTitle(p), state: t(`proposal.event.state.${p.state}`), tally: describeTally(p.tally) });
}

/** A back-test's duration: "840 ms", "3.2 s". */
export function formatDuration(ms) {
  if (ms < 1000) return `${formatNumber(ms)} ms`;
  const digits = ms < 10000 ? 1 : 0;
  return `${new Intl.NumberFormat(currentLang(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(ms / 1000)} s`;
}
