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
import { actionsFor, describeTally, KIND_LABELS, myVote, proposalTitle, STATE_LABELS } from './proposals.js';
import { Backtest } from './Backtest.jsx';

export function ProposalDetail({ proposal: p, liveNote, onChanged }) {
  const viewer = useViewer();
  const names = useUsernames([p.authorID, ...p.votes.map((v) => v.userID), ...(p.backtest?.users.map((u) => u.userID) ?? [])]);
  const nameOf = (id) => (id === viewer.id ? 'you' : names.get(id) ?? 'a user');
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
        <span class={`status state-${p.state.toLowerCase()}`}>{STATE_LABELS[p.state]}</span>
        {liveNote}
      </div>
      <dl class="facts">
        <div><dt>Kind</dt><dd>{KIND_LABELS[p.kind]}{p.baseVersion > 0 && `, from version ${p.baseVersion}`}</dd></div>
        <div><dt>Proposed</dt><dd>by {nameOf(p.authorID)}, <Time iso={p.createdAt} /></dd></div>
        {p.effect && <div><dt>Effect</dt><dd>{describeEffect(p.effect)}</dd></div>}
        {p.kind !== 'RETIRE_RULE' && p.kind !== 'CHANGE_THRESHOLDS' && <div><dt>Mode</dt><dd>{p.shadow ? 'Shadow: recorded, without effect' : 'Acts on comments and authors'}</dd></div>}
        {p.enactAfter && p.state === 'APPROVED' && <div><dt>May be enacted</dt><dd><Time iso={p.enactAfter} /></dd></div>}
        {p.enactedAt && <div><dt>Enacted</dt><dd><Time iso={p.enactedAt} /> as version {p.enactedVersion}</dd></div>}
        {p.closedAt && !p.enactedAt && <div><dt>Closed</dt><dd><Time iso={p.closedAt} /></dd></div>}
      </dl>
      {p.ruleID && p.state !== 'ENACTED' && (p.kind === 'CHANGE_RULE' || p.kind === 'RETIRE_RULE') && <RuleNow siteID={p.siteID} ruleID={p.ruleID} />}
      {p.expression && p.kind !== 'RETIRE_RULE' && (
        <>
          <h2>{p.kind === 'CHANGE_RULE' ? 'Proposed expression' : 'Expression'}</h2>
          <pre class="code"><code>{p.expression}</code></pre>
        </>
      )}
      {p.thresholds && <Thresholds thresholds={p.thresholds} />}
      <h2>Rationale</h2>
      <p class="message">{p.rationale}</p>

      <Votes proposal={p} viewerID={viewer.id} nameOf={nameOf} canVote={can.vote} onChanged={onChanged} />
      <Backtest proposal={p} canRun={can.backtest} nameOf={nameOf} usernameOf={(id) => names.get(id) ?? nameOf(id)} onChanged={onChanged} />

      {(can.open || can.enact || can.enactAt || can.withdraw) && (
        <section aria-labelledby="decide-title" class="proposal-section">
          <h2 id="decide-title">Decide</h2>
          {can.enactAt && <p>Approved; it may be enacted <Time iso={can.enactAt} />.</p>}
          <div class="row">
            {can.open && <button type="button" class="primary" disabled={Boolean(busy)} onClick={() => run('open', open, 'Opened for votes.')}>Open for votes</button>}
            {can.enact && <button type="button" class="approve" disabled={Boolean(busy)} onClick={() => run('enact', enact, 'Enacted.')}>{busy === 'enact' ? 'Enacting…' : 'Enact'}</button>}
            {can.withdraw && <button type="button" class="reject" disabled={Boolean(busy)} onClick={() => run('withdraw', withdraw, 'Withdrawn.')}>Withdraw</button>}
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
      <h2>In force now (version {rule.version})</h2>
      <pre class="code"><code>{rule.expression}</code></pre>
      <p>{describeEffect(rule.effect)}{rule.shadow ? ', in shadow mode' : ''}.</p>
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
      <h2 id="votes-title">Votes</h2>
      <p>{describeTally(p.tally)}.</p>
      <p>{mine === null ? 'You have not voted.' : `You voted ${mine ? 'for' : 'against'}.`}{canVote && mine !== null && ' You can change your vote while the proposal is open.'}</p>
      {canVote && (
        <div class="row" role="group" aria-label="Your vote">
          <button type="button" class="toggle" aria-pressed={mine === true ? 'true' : 'false'} disabled={fetching} onClick={() => cast(true)}>Vote for</button>
          <button type="button" class="toggle" aria-pressed={mine === false ? 'true' : 'false'} disabled={fetching} onClick={() => cast(false)}>Vote against</button>
        </div>
      )}
      <p class="error" role="alert">{error}</p>
      {p.votes.length > 0 && (
        <table class="grid votes">
          <thead><tr><th scope="col">Voter</th><th scope="col">Vote</th><th scope="col">As</th><th scope="col">When</th></tr></thead>
          <tbody>
            {p.votes.map((v) => (
              <tr key={v.userID}>
                <th scope="row">{nameOf(v.userID)}</th>
                <td class={v.approve ? 'decision approve' : 'decision reject'}>{v.approve ? 'For' : 'Against'}</td>
                <td>{v.moderator ? 'moderator' : 'member'}</td>
                <td><Time iso={v.votedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const THRESHOLD_LABELS = [
  ['accountAgeDays', 'Account age (days)'], ['daysVisited', 'Days visited'], ['commentsPublished', 'Comments published'],
  ['reactionsReceived', 'Reactions received'], ['maxRejected', 'Rejected, at most'], ['maxReportsAgainst', 'Upheld reports against, at most'],
  ['noActiveSanctions', 'No active sanction'],
];

function Thresholds({ thresholds }) {
  const levels = [['basic', 'Basic (1)'], ['member', 'Member (2)'], ['regular', 'Regular (3)']];
  return (
    <>
      <h2>Proposed trust thresholds</h2>
      <table class="grid">
        <thead><tr><th scope="col">Signal</th>{levels.map(([k, l]) => <th key={k} scope="col">{l}</th>)}</tr></thead>
        <tbody>
          {THRESHOLD_LABELS.map(([field, label]) => (
            <tr key={field}>
              <th scope="row">{label}</th>
              {levels.map(([k]) => {
                const v = thresholds[k][field];
                return <td key={k}>{typeof v === 'boolean' ? (v ? 'yes' : 'no') : v}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
