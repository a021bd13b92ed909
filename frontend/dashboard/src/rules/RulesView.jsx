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
import { t, tx } from '../i18n/index.js';

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
        <h1 id="rules-title" tabIndex={-1}>{t('nav.rules')}</h1>
        <Link class="quiet-link" to={{ view: 'proposals', siteID: site.id, state: 'OPEN' }}>{t('rules.openProposals')}</Link>
      </div>
      {governance && <p class="muted">{describeGovernance(governance)}</p>}
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!data && !error && <p role="status">{t('common.loading')}</p>}

      {data && (
        <section aria-labelledby="in-force-title" class="rules-section">
          <h2 id="in-force-title">{t('rules.inForce')}</h2>
          {data.rules.length === 0 && <p class="empty">{t('rules.none')}</p>}
          {data.rules.length > 0 && (
            <p class="stats">
              {tx('rules.inProduction', {
                label: <span class="label">{t('rules.inProductionLabel')}</span>,
                stage: <code>trust_rules</code>,
                stats: describeStageStats(data.stageStats.find((s) => s.stage === 'trust_rules')).text,
              })}
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
          <h2 id="propose-title" tabIndex={-1}>{editing.rule ? t('rules.proposeChangeTo', { name: editing.rule.name }) : t('rules.proposeRule')}</h2>
          <p class="hint">{t('rules.proposeHint')}</p>
          <ProposeRule key={editing.key} siteID={site.id} rule={editing.rule} costLimit={governance.costLimit}
            onProposed={openProposal} onCancel={editing.rule ? () => change(null) : null} />
        </section>
      )}
      {governance && (
        <section aria-labelledby="thresholds-title" class="settings-section">
          <h2 id="thresholds-title">{t('rules.thresholds')}</h2>
          <p class="hint">{t('rules.thresholdsHint')}</p>
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
        <span class="tag">{t('rules.version', { version: rule.version })}</span>
        {rule.shadow && <span class="tag">{t('common.shadow')}</span>}
        <span class="muted">{tx('rules.enacted', { time: <Time iso={rule.enactedAt} /> })}</span>
      </div>
      <pre class="code"><code>{rule.expression}</code></pre>
      <p class="rule-effect"><span class="label">{t('rules.effect')}</span> {describeEffect(rule.effect)}</p>
      <p class={stats.measured ? 'stats' : 'stats muted'}>
        {stats.text}{measured && <> <span class="muted">{tx('rules.backtested', { time: <Time iso={measured.ranAt} /> })}</span></>}
      </p>
      <div class="row">
        <button type="button" onClick={onChange}>{t('rules.proposeChange')}<span class="visually-hidden"> {t('rules.to', { name: rule.name })}</span></button>
        <button type="button" onClick={onRetire}>{t('rules.proposeRetire')}<span class="visually-hidden"> ({rule.name})</span></button>
        <Link to={{ view: 'proposals', siteID: rule.siteID, proposalID: rule.proposalID }}>{t('rules.enactingProposal')}<span class="visually-hidden"> ({rule.name})</span></Link>
      </div>
      {earlier.length > 0 && (
        <details class="versions">
          <summary>{t('rules.earlier', { n: earlier.length })}<span class="visually-hidden"> {t('rules.of', { name: rule.name })}</span></summary>
          <ol>
            {earlier.map((v) => (
              <li key={v.version}>
                <span class="label">{t('rules.versionLabel', { version: v.version })}</span> <span class="muted">(<Time iso={v.enactedAt} />)</span>: {describeEffect(v.effect)}{v.shadow && `, ${t('common.shadow')}`}
                <pre class="code"><code>{v.expression}</code></pre>
                <button type="button" class="quiet" onClick={() => onRollback(v.version)}>{t('rules.rollback', { version: v.version })}<span class="visually-hidden"> {t('rules.of', { name: rule.name })}</span></button>
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}
