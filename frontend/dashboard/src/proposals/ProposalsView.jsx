// A site's rule proposals: the list by state, or one proposal with its votes and back-test.
// Both follow ruleProposalsUpdated, so votes, back-tests and enactments by other moderators
// appear as they happen, and a screen reader hears them.
import { useEffect, useState } from 'preact/hooks';
import { useClient, useQuery, useSubscription } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Link } from '../app/navigation.jsx';
import { useViewer } from '../app/viewer.js';
import { Time } from '../ui/Time.jsx';
import { useUsernames } from '../users/useUsernames.js';
import { PROPOSALS, PROPOSAL_EVENTS } from './documents.js';
import { applyProposal, describeEvent, describeTally, myVote, proposalTitle, STATE_FILTERS } from './proposals.js';
import { ProposalDetail } from './ProposalDetail.jsx';
import { t, tx } from '../i18n/index.js';

export function ProposalsView({ site, proposalID, state, live }) {
  // The detail reads every proposal (there is no query for one); the list only its state's.
  const listState = proposalID ? '' : state;
  const [{ data, error }] = useQuery({ query: PROPOSALS, variables: { siteID: site.id, state: listState || null }, requestPolicy: 'network-only' });
  const [proposals, setProposals] = useState(null);
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => { if (data) setProposals(data.ruleProposals); }, [data]);

  useSubscription({ query: PROPOSAL_EVENTS, variables: { siteID: site.id } }, (_, event) => {
    const change = event.ruleProposalsUpdated;
    setProposals((list) => (list ? applyProposal(list, change.proposal, listState) : list));
    setAnnouncement(describeEvent(change));
    return event;
  });

  // A mutation's answer is the proposal as stored; it replaces the shown one at once.
  const replace = (p) => setProposals((list) => applyProposal(list ?? [], p, listState));

  const liveNote = <span class={`live ${live ? 'on' : 'off'}`}>{live ? t('common.live') : t('common.connecting')}</span>;
  let body;
  if (error && !proposals) body = <p class="error" role="alert">{errorMessage(error)}</p>;
  else if (!proposals) body = <p role="status">{t('common.loading')}</p>;
  else if (proposalID) {
    body = <Detail siteID={site.id} proposalID={proposalID} proposals={proposals} liveNote={liveNote} onChanged={replace} />;
  } else {
    body = <ProposalList site={site} proposals={proposals} state={state} liveNote={liveNote} />;
  }

  return (
    <section class="proposals-view" aria-labelledby="proposals-title">
      {proposalID && <p class="back"><Link to={{ view: 'proposals', siteID: site.id }}>{t('proposal.all')}</Link></p>}
      {body}
      <p class="visually-hidden" role="status">{announcement}</p>
    </section>
  );
}

// The server lists a site's newest 100 proposals; an older one is looked for in its state's
// list, which reaches further back.
const STATES = ['OPEN', 'APPROVED', 'ENACTED', 'REJECTED', 'WITHDRAWN', 'DRAFT'];

function Detail({ siteID, proposalID, proposals, liveNote, onChanged }) {
  const client = useClient();
  const listed = proposals.find((p) => p.id === proposalID);
  const [search, setSearch] = useState({ done: false });
  useEffect(() => {
    if (listed || proposals.length < 100) return undefined;
    let live = true;
    Promise.all(STATES.map((state) => client.query(PROPOSALS, { siteID, state }, { requestPolicy: 'network-only' }).toPromise()))
      .then((results) => {
        if (!live) return;
        const found = results.flatMap((r) => r.data?.ruleProposals ?? []).find((p) => p.id === proposalID);
        if (found) onChanged(found);
        setSearch({ done: true });
      });
    return () => { live = false; };
  }, [proposalID, Boolean(listed)]);
  if (listed) return <ProposalDetail proposal={listed} liveNote={liveNote} onChanged={onChanged} />;
  if (proposals.length >= 100 && !search.done) return <p role="status">{t('common.loading')}</p>;
  return (
    <>
      <h1 id="proposals-title" tabIndex={-1}>{t('proposal.notFound')}</h1>
      <p>{t('proposal.notFoundWhy')}</p>
    </>
  );
}

function ProposalList({ site, proposals, state, liveNote }) {
  const viewer = useViewer();
  const names = useUsernames(proposals.map((p) => p.authorID));
    return (
    <>
      <div class="view-head">
        <h1 id="proposals-title" tabIndex={-1}>{t('nav.proposals')}</h1>
        {liveNote}
        <Link class="quiet-link" to={{ view: 'rules', siteID: site.id }}>{t('rules.proposeRule')}</Link>
      </div>
      <nav aria-label={t('proposal.byState')} class="filters">
        <ul>
          {STATE_FILTERS.map((f) => (
            <li key={f.state}>
              <Link to={{ view: 'proposals', siteID: site.id, state: f.state }} aria-current={f.state === state ? 'page' : undefined}>{t(`proposal.filter.${f.state || 'ALL'}`)}</Link>
            </li>
          ))}
        </ul>
      </nav>
      {proposals.length === 0
        ? <p class="empty">{state ? t(`proposal.noneIn.${state}`) : t('proposal.none')}</p>
        : (
          <ul class="proposal-list">
            {proposals.map((p) => {
              const vote = myVote(p, viewer.id);
              return (
                <li key={p.id} class="card">
                  <div class="card-head">
                    <Link class="proposal-link" to={{ view: 'proposals', siteID: site.id, proposalID: p.id }}>{proposalTitle(p)}</Link>
                    <span class={`status state-${p.state.toLowerCase()}`}>{t(`proposal.state.${p.state}`)}</span>
                    <span class="tag">{t(`proposal.kind.${p.kind}`)}</span>
                    <span class="muted">{tx('proposal.byAt', { name: p.authorID === viewer.id ? t('common.you') : names.get(p.authorID) ?? t('common.aModerator'), time: <Time iso={p.createdAt} /> })}</span>
                  </div>
                  <p class="muted">
                    {describeTally(p.tally)}
                    {vote !== null && t(vote ? 'proposal.listVotedFor' : 'proposal.listVotedAgainst')}
                    {p.backtest ? t('proposal.listBacktested', { n: p.backtest.comments, changed: p.backtest.changedCount }) : t('proposal.listNotBacktested')}.
                  </p>
                </li>
              );
            })}
          </ul>
        )}
    </>
  );
}
