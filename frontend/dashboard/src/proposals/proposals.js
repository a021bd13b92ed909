// Proposals as the dashboard shows them: their states and kinds in words, the viewer's vote,
// what the viewer may do with one, the tally against the quorum, and how a live event changes
// a list. Pure, so each is tested alone.

export const STATE_LABELS = {
  DRAFT: 'Draft',
  OPEN: 'Open',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  WITHDRAWN: 'Withdrawn',
  ENACTED: 'Enacted',
};

/** The filters of the proposals view, '' for all; open ones first, as the work to do. */
export const STATE_FILTERS = [
  { state: '', label: 'All' },
  { state: 'OPEN', label: 'Open' },
  { state: 'APPROVED', label: 'Approved' },
  { state: 'ENACTED', label: 'Enacted' },
  { state: 'REJECTED', label: 'Rejected' },
  { state: 'WITHDRAWN', label: 'Withdrawn' },
  { state: 'DRAFT', label: 'My drafts' },
];

export const KIND_LABELS = {
  ADD_RULE: 'New rule',
  CHANGE_RULE: 'Change',
  RETIRE_RULE: 'Retire',
  CHANGE_THRESHOLDS: 'Trust thresholds',
};

/** A proposal's title: its kind and the rule it concerns. */
export function proposalTitle(p) {
  if (p.kind === 'CHANGE_THRESHOLDS') return 'Change the trust thresholds';
  if (p.kind === 'RETIRE_RULE') return `Retire “${p.name}”`;
  if (p.kind === 'CHANGE_RULE') return p.rollbackOf ? `Roll “${p.name}” back to version ${p.rollbackOf}` : `Change “${p.name}”`;
  return `Add “${p.name}”`;
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
export function describeTally(t) {
  const parts = [`${t.moderatorsFor} of ${t.moderatorQuorum} ${t.moderatorQuorum === 1 ? 'moderator' : 'moderators'} for, ${t.moderatorsAgainst} against`];
  if (t.memberQuorum > 0 || t.membersFor > 0 || t.membersAgainst > 0) {
    parts.push(`${t.membersFor} of ${t.memberQuorum} ${t.memberQuorum === 1 ? 'member' : 'members'} for, ${t.membersAgainst} against`);
  }
  return `${parts.join('; ')}; ${t.quorumReached ? 'quorum reached' : 'quorum not reached'}`;
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
  if (event.kind === 'rule.enacted' || p.state === 'ENACTED') return `${proposalTitle(p)} was enacted.`;
  return `${proposalTitle(p)}: ${STATE_LABELS[p.state].toLowerCase()}, ${describeTally(p.tally)}.`;
}

/** A back-test's duration: "840 ms", "3.2 s". */
export function formatDuration(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
}
