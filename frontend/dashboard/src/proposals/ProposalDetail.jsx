// One proposal: what it changes and why, its votes against the quorum (the viewer's own, to
// cast or change), its back-test report, and the steps its state allows: open a draft, enact
// an approved proposal, withdraw one's own.
import { useEffect, useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { useViewer } from '../app/viewer.js';
import { Time } from '../ui/Time.jsx';
import { useUsernames } from '../users/useUsernames.js';
import { describeEffect } from '../rules/effect.js';
import { RULE_NOW } from '../rules/documents.js';
import { ENACT, OPEN_PROPOSAL, VOTE, WITHDRAW } from './documents.js';
import { actionsFor, describeTally, myVote, proposalTitle } from './proposals.js';
import { Backtest } from './Backtest.jsx';
import { t, tx } from '../i18n/index.js';

export function ProposalDetail({ proposal: p, liveNote, onChanged }) {
  const viewer = useViewer();
  const names = useUsernames([p.authorID, ...p.votes.map((v) => v.userID), ...(p.backtest?.users.map((u) => u.userID) ?? [])]);
  const nameOf = (id) => (id === viewer.id ? t('common.you') : names.get(id) ?? t('common.aUser'));
  const can = actionsFor(p, viewer.id);
  // An approved proposal waiting out the site's delay offers Enact when the delay ends.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!can.enactAt) return undefined;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.max(Date.parse(can.enactAt) - Date.now(), 0) + 50);
    return () => clearTimeout(timer);
  }, [can.enactAt]);
  const [outcome, setOutcome] = useState({ error: '', done: '' });
  const [, open] = useMutation(OPEN_PROPOSAL);
  const [, enact] = useMutation(ENACT);
  const [, withdraw] = useMutation(WITHDRAW);
  const [busy, setBusy] = useState('');

  async function run(name, mutation, done) {
    setBusy(name);
    setOutcome({ error: '', done: '' });
    const result = await mutation({ input: { proposalID: p.id } });
    setBusy('');
    if (result.error) {
      setOutcome({ error: errorMessage(result.error), done: '' });
      return;
    }
    onChanged(Object.values(result.data)[0]);
    setOutcome({ error: '', done });
  }

  return (
    <article class="proposal" aria-labelledby="proposals-title">
      <div class="view-head">
        <h1 id="proposals-title" tabIndex={-1}>{proposalTitle(p)}</h1>
        <span class={`status state-${p.state.toLowerCase()}`}>{t(`proposal.state.${p.state}`)}</span>
        {liveNote}
      </div>
      <dl class="facts">
        <div><dt>{t('proposal.kindLabel')}</dt><dd>{t(`proposal.kind.${p.kind}`)}{p.baseVersion > 0 && t('proposal.fromVersion', { version: p.baseVersion })}</dd></div>
        <div><dt>{t('proposal.proposed')}</dt><dd>{tx('proposal.byAt', { name: nameOf(p.authorID), time: <Time iso={p.createdAt} /> })}</dd></div>
        {p.effect && <div><dt>{t('backtest.effect')}</dt><dd>{describeEffect(p.effect)}</dd></div>}
        {p.kind !== 'RETIRE_RULE' && p.kind !== 'CHANGE_THRESHOLDS' && <div><dt>{t('proposal.mode')}</dt><dd>{p.shadow ? t('proposal.shadowMode') : t('proposal.acts')}</dd></div>}
        {p.enactAfter && p.state === 'APPROVED' && <div><dt>{t('proposal.mayBeEnacted')}</dt><dd><Time iso={p.enactAfter} /></dd></div>}
        {p.enactedAt && <div><dt>{t('proposal.state.ENACTED')}</dt><dd>{tx('proposal.enactedAs', { time: <Time iso={p.enactedAt} />, version: p.enactedVersion })}</dd></div>}
        {p.closedAt && !p.enactedAt && <div><dt>{t('proposal.closed')}</dt><dd><Time iso={p.closedAt} /></dd></div>}
      </dl>
      {p.ruleID && p.state !== 'ENACTED' && (p.kind === 'CHANGE_RULE' || p.kind === 'RETIRE_RULE') && <RuleNow siteID={p.siteID} ruleID={p.ruleID} />}
      {p.expression && p.kind !== 'RETIRE_RULE' && (
        <>
          <h2>{p.kind === 'CHANGE_RULE' ? t('proposal.proposedExpression') : t('proposal.expression')}</h2>
          <pre class="code"><code>{p.expression}</code></pre>
        </>
      )}
      {p.thresholds && <Thresholds thresholds={p.thresholds} />}
      <h2>{t('propose.rationale')}</h2>
      <p class="message">{p.rationale}</p>

      <Votes proposal={p} viewerID={viewer.id} nameOf={nameOf} canVote={can.vote} onChanged={onChanged} />
      <Backtest proposal={p} canRun={can.backtest} nameOf={nameOf} usernameOf={(id) => names.get(id) ?? nameOf(id)} onChanged={onChanged} />

      {(can.open || can.enact || can.enactAt || can.withdraw) && (
        <section aria-labelledby="decide-title" class="proposal-section">
          <h2 id="decide-title">{t('proposal.decide')}</h2>
          {can.enactAt && <p>{tx('proposal.enactableAt', { time: <Time iso={can.enactAt} /> })}</p>}
          <div class="row">
            {can.open && <button type="button" class="primary" disabled={Boolean(busy)} onClick={() => run('open', open, t('proposal.opened'))}>{t('proposal.open')}</button>}
            {can.enact && <button type="button" class="approve" disabled={Boolean(busy)} onClick={() => run('enact', enact, t('proposal.enactedDone'))}>{busy === 'enact' ? t('proposal.enacting') : t('proposal.enact')}</button>}
            {can.withdraw && <button type="button" class="reject" disabled={Boolean(busy)} onClick={() => run('withdraw', withdraw, t('proposal.withdrawn'))}>{t('proposal.withdraw')}</button>}
          </div>
        </section>
      )}
      <p class="error" role="alert">{outcome.error}</p>
      <p class="ok" role="status">{outcome.done}</p>
    </article>
  );
}

/** The rule a change or retirement concerns, as it is in force now, for voters to compare. */
function RuleNow({ siteID, ruleID }) {
  const [{ data }] = useQuery({ query: RULE_NOW, variables: { siteID }, requestPolicy: 'cache-and-network' });
  const rule = data?.rules.find((r) => r.id === ruleID);
  if (!rule) return null;
  return (
    <>
      <h2>{t('proposal.inForceNow', { version: rule.version })}</h2>
      <pre class="code"><code>{rule.expression}</code></pre>
      <p>{describeEffect(rule.effect)}{rule.shadow ? t('proposal.inShadow') : ''}.</p>
    </>
  );
}

function Votes({ proposal: p, viewerID, nameOf, canVote, onChanged }) {
  const mine = myVote(p, viewerID);
  const [{ fetching }, vote] = useMutation(VOTE);
  const [error, setError] = useState('');

  async function cast(approve) {
    setError('');
    const result = await vote({ input: { proposalID: p.id, approve } });
    if (result.error) setError(errorMessage(result.error));
    else onChanged(result.data.voteOnProposal);
  }

  return (
    <section aria-labelledby="votes-title" class="proposal-section">
      <h2 id="votes-title">{t('proposal.votes')}</h2>
      <p>{describeTally(p.tally)}.</p>
      <p>{mine === null ? t('proposal.notVoted') : t(mine ? 'proposal.votedFor' : 'proposal.votedAgainst')}{canVote && mine !== null && ` ${t('proposal.canChange')}`}</p>
      {canVote && (
        <div class="row" role="group" aria-label={t('proposal.yourVote')}>
          <button type="button" class="toggle" aria-pressed={mine === true ? 'true' : 'false'} disabled={fetching} onClick={() => cast(true)}>{t('proposal.voteFor')}</button>
          <button type="button" class="toggle" aria-pressed={mine === false ? 'true' : 'false'} disabled={fetching} onClick={() => cast(false)}>{t('proposal.voteAgainst')}</button>
        </div>
      )}
      <p class="error" role="alert">{error}</p>
      {p.votes.length > 0 && (
        <table class="grid votes">
          <thead><tr><th scope="col">{t('proposal.voter')}</th><th scope="col">{t('proposal.vote')}</th><th scope="col">{t('proposal.as')}</th><th scope="col">{t('log.when')}</th></tr></thead>
          <tbody>
            {p.votes.map((v) => (
              <tr key={v.userID}>
                <th scope="row">{nameOf(v.userID)}</th>
                <td class={v.approve ? 'decision approve' : 'decision reject'}>{v.approve ? t('proposal.for') : t('proposal.against')}</td>
                <td>{v.moderator ? t('proposal.asModerator') : t('proposal.asMember')}</td>
                <td><Time iso={v.votedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// Each row's name is proposal.threshold.<field>.
const THRESHOLD_FIELDS = ['accountAgeDays', 'daysVisited', 'commentsPublished', 'reactionsReceived', 'maxRejected', 'maxReportsAgainst', 'noActiveSanctions'];
const LEVELS = ['basic', 'member', 'regular'];

function Thresholds({ thresholds }) {
  return (
    <>
      <h2>{t('proposal.thresholds')}</h2>
      <table class="grid">
        <thead><tr><th scope="col">{t('thresholds.signal')}</th>{LEVELS.map((k) => <th key={k} scope="col">{t(`thresholds.level.${k}`)}</th>)}</tr></thead>
        <tbody>
          {THRESHOLD_FIELDS.map((field) => (
            <tr key={field}>
              <th scope="row">{t(`proposal.threshold.${field}`)}</th>
              {LEVELS.map((k) => {
                const v = thresholds[k][field];
                return <td key={k}>{typeof v === 'boolean' ? (v ? t('common.yes') : t('common.no')) : v}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
