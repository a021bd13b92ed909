// A site's community rules: those in force, each with its effect, version, shadow state and
// the precision its back-test measured, and the editor that proposes a new rule or a change.
// Rules change only through proposals, so every button here proposes; none edits.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Link, navigate } from '../app/navigation.jsx';
import { formatShare } from '../ui/format.js';
import { describeStageStats } from '../settings/stageStats.js';
import { Time } from '../ui/Time.jsx';
import { RULES } from './documents.js';
import { describeEffect } from './effect.js';
import { describeGovernance, describeMeasured, measuredAgreement } from './rules.js';
import { ProposeRule } from './ProposeRule.jsx';
import { ProposeDialog } from './ProposeDialog.jsx';
import { ProposeThresholds } from './ProposeThresholds.jsx';
import { Governance } from './Governance.jsx';
import { useViewer } from '../app/viewer.js';

export function RulesView({ site }) {
  const viewer = useViewer();
  const [{ data, error }, reexecute] = useQuery({ query: RULES, variables: { siteID: site.id }, requestPolicy: 'cache-and-network' });
  // The rule whose change is being written (null: a new rule), and a key to start the form afresh.
  const [editing, setEditing] = useState({ rule: null, key: 0 });
  const [asking, setAsking] = useState(null);
  const editor = useRef();
  const governance = data?.ruleGovernance;

  function change(rule) {
    setEditing((e) => ({ rule, key: e.key + 1 }));
  }
  // A change (or going back to a new rule) starts reading at the editor's heading. A layout
  // effect, so focus has moved by the time the heading shows.
  useLayoutEffect(() => {
    if (editing.key === 0) return;
    editor.current?.scrollIntoView({ block: 'start' });
    editor.current?.querySelector('h2')?.focus();
  }, [editing.key]);

  const openProposal = (p) => navigate({ view: 'proposals', siteID: site.id, proposalID: p.id });

  return (
    <section aria-labelledby="rules-title" class="rules-view">
      <div class="view-head">
        <h1 id="rules-title" tabIndex={-1}>Rules</h1>
        <Link class="quiet-link" to={{ view: 'proposals', siteID: site.id, state: 'OPEN' }}>Open proposals</Link>
      </div>
      {governance && <p class="muted">{describeGovernance(governance)}</p>}
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!data && !error && <p role="status">Loading…</p>}

      {data && (
        <section aria-labelledby="in-force-title" class="rules-section">
          <h2 id="in-force-title">In force</h2>
          {data.rules.length === 0 && <p class="empty">No community rules yet. The first one you propose appears here once it is enacted.</p>}
          {data.rules.length > 0 && (
            <p class="stats">
              <span class="label">In production</span>, the <code>trust_rules</code> stage (the rules that hold, reject or flag comments, shadow ones included):{' '}
              {describeStageStats(data.stageStats.find((s) => s.stage === 'trust_rules')).text}.
            </p>
          )}
          {data.rules.length > 0 && (
            <ul class="rule-list">
              {data.rules.map((rule) => (
                <RuleItem key={rule.id} rule={rule} measured={measuredAgreement(rule, data.ruleProposals)}
                  onChange={() => change(rule)} onRetire={() => setAsking({ kind: 'RETIRE_RULE', rule })}
                  onRollback={(version) => setAsking({ kind: 'CHANGE_RULE', rule, rollbackTo: version })} />
              ))}
            </ul>
          )}
        </section>
      )}

      {governance && (
        <section ref={editor} aria-labelledby="propose-title" class="settings-section">
          <h2 id="propose-title" tabIndex={-1}>{editing.rule ? `Propose a change to “${editing.rule.name}”` : 'Propose a rule'}</h2>
          <p class="hint">A proposal is voted on before it takes effect; run its back-test from the proposal to show voters what it would have changed.</p>
          <ProposeRule key={editing.key} siteID={site.id} rule={editing.rule} costLimit={governance.costLimit}
            onProposed={openProposal} onCancel={editing.rule ? () => change(null) : null} />
        </section>
      )}
      {governance && (
        <section aria-labelledby="thresholds-title" class="settings-section">
          <h2 id="thresholds-title">Propose trust thresholds</h2>
          <p class="hint">What readers must reach for each earned level. Start from the thresholds in force; 0 asks nothing (a maximum of 0 is no limit). The change is voted on like a rule.</p>
          <ProposeThresholds siteID={site.id} onProposed={openProposal} />
        </section>
      )}
      {governance && viewer.admin && (
        <Governance siteID={site.id} governance={governance} onSaved={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      <ProposeDialog siteID={site.id} asking={asking} onClose={() => setAsking(null)} onProposed={openProposal} />
    </section>
  );
}

function RuleItem({ rule, measured, onChange, onRetire, onRollback }) {
  const titleID = `rule-${rule.id}-title`;
  const earlier = rule.versions.filter((v) => v.version !== rule.version);
  const stats = describeMeasured(rule, measured, formatShare);
  return (
    <li class={`rule${rule.shadow ? ' shadow' : ''}`} aria-labelledby={titleID}>
      <div class="rule-head">
        <h3 id={titleID}>{rule.name}</h3>
        <span class="tag">version {rule.version}</span>
        {rule.shadow && <span class="tag">shadow</span>}
        <span class="muted">enacted <Time iso={rule.enactedAt} /></span>
      </div>
      <pre class="code"><code>{rule.expression}</code></pre>
      <p class="rule-effect"><span class="label">Effect:</span> {describeEffect(rule.effect)}</p>
      <p class={stats.measured ? 'stats' : 'stats muted'}>
        {stats.text}{measured && <> <span class="muted">(back-tested <Time iso={measured.ranAt} />)</span></>}
      </p>
      <div class="row">
        <button type="button" onClick={onChange}>Propose a change<span class="visually-hidden"> to {rule.name}</span></button>
        <button type="button" onClick={onRetire}>Propose retiring it<span class="visually-hidden"> ({rule.name})</span></button>
        <Link to={{ view: 'proposals', siteID: rule.siteID, proposalID: rule.proposalID }}>The proposal that enacted it<span class="visually-hidden"> ({rule.name})</span></Link>
      </div>
      {earlier.length > 0 && (
        <details class="versions">
          <summary>Earlier versions ({earlier.length})<span class="visually-hidden"> of {rule.name}</span></summary>
          <ol>
            {earlier.map((v) => (
              <li key={v.version}>
                <span class="label">Version {v.version}</span> <span class="muted">(<Time iso={v.enactedAt} />)</span>: {describeEffect(v.effect)}{v.shadow && ', shadow'}
                <pre class="code"><code>{v.expression}</code></pre>
                <button type="button" class="quiet" onClick={() => onRollback(v.version)}>Propose rolling back to version {v.version}<span class="visually-hidden"> of {rule.name}</span></button>
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}
