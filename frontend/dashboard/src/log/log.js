// The public moderation log's entries (graph/moderationlog.graphqls) as sentences, the same
// facts a reader of /log/<siteID> sees: users and moderators only where the site names them.
import { t } from '../i18n/index.js';

const someone = (e) => e.username ?? t('log.someone');
const by = (e) => (e.moderator ? t('log.by', { name: e.moderator }) : '');
const rule = (e) => (e.rule ? t('log.rule', { name: e.rule }) : t('log.aRule'));
const known = (prefix, code) => (t.has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code?.toLowerCase());

/** One entry of the log in a sentence. */
export function describeLogEntry(e) {
  switch (e.kind) {
    case 'DECISIONS': {
      const what = t('log.decisions', { n: e.count, action: known('log.action', e.action) });
      return e.reason ? `${what} (${t.has(`reason.${e.reason}`) ? t(`reason.${e.reason}`) : e.reason})` : what;
    }
    case 'SANCTION': {
      const forGood = !e.expiresAt && e.sanction !== 'WARN';
      return t(forGood ? 'log.sanctionForGood' : 'log.sanction', { name: someone(e), sanction: known('log.sanctions', e.sanction), by: by(e) });
    }
    case 'LEVEL_PIN':
      return t('log.pinned', { name: someone(e), to: e.toLevel, from: e.fromLevel, by: by(e) });
    case 'RULE_PROPOSAL':
      return t('log.proposal', { rule: rule(e), state: e.state ? known('log.state', e.state) : t('log.changed') }) + (e.summary ? `: ${e.summary}` : '');
    case 'RULE_VOTES':
      return t('log.votes', { rule: rule(e), for: e.votesFor ?? 0, against: e.votesAgainst ?? 0 });
    case 'RULE_ENACTED':
      return capital(t(e.version ? 'log.enactedVersion' : 'log.enacted', { rule: rule(e), version: e.version })) + (e.summary ? `: ${e.summary}` : '');
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
