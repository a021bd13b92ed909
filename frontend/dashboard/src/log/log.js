// The public moderation log's entries (graph/moderationlog.graphqls) as sentences, the same
// facts a reader of /log/<siteID> sees: users and moderators only where the site names them.

const ACTIONS = { APPROVE: 'approved', REJECT: 'rejected', HOLD: 'held', FEATURE: 'featured', UNFEATURE: 'unfeatured', UNDO: 'taken back' };
const SANCTIONS = { BAN: 'banned', SUSPEND: 'suspended', PREMOD: 'put under pre-moderation', WARN: 'warned' };

const someone = (e) => e.username ?? 'A commenter';
const by = (e) => (e.moderator ? ` by ${e.moderator}` : '');
const rule = (e) => (e.rule ? `“${e.rule}”` : 'a rule');

/** One entry of the log in a sentence. */
export function describeLogEntry(e) {
  switch (e.kind) {
    case 'DECISIONS': {
      const what = `${e.count} ${e.count === 1 ? 'comment' : 'comments'} ${ACTIONS[e.action] ?? e.action?.toLowerCase()}`;
      return e.reason ? `${what} (${e.reason})` : what;
    }
    case 'SANCTION': {
      return `${someone(e)} ${SANCTIONS[e.sanction] ?? e.sanction?.toLowerCase()}${e.expiresAt ? '' : e.sanction === 'WARN' ? '' : ' for good'}${by(e)}`;
    }
    case 'LEVEL_PIN':
      return `${someone(e)} pinned at trust level ${e.toLevel} (was ${e.fromLevel})${by(e)}`;
    case 'RULE_PROPOSAL':
      return `Proposal for ${rule(e)} ${e.state ? e.state.toLowerCase() : 'changed'}${e.summary ? `: ${e.summary}` : ''}`;
    case 'RULE_VOTES':
      return `Votes on ${rule(e)}: ${e.votesFor ?? 0} for, ${e.votesAgainst ?? 0} against`;
    case 'RULE_ENACTED':
      return `${capital(rule(e))} enacted${e.version ? ` as version ${e.version}` : ''}${e.summary ? `: ${e.summary}` : ''}`;
    default:
      return e.summary ?? e.kind;
  }
}

function capital(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Whether an API error says the server has no moderation log (an older server). */
export function logMissing(error) {
  return Boolean(error?.graphQLErrors?.some((e) => /Cannot query field "moderationLog"/.test(e.message)));
}
