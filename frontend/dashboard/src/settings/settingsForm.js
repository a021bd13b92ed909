// Conversion between a site as the API returns it and the settings form's values, both ways.
// The form holds what the inputs show (text for numbers, a percentage for a share, one origin
// a line); the input is what updateSiteSettings takes. Errors are keyed by the API's field
// names, so the server's extensions.field lands next to the same control.
import { originLines } from '../sites/siteInput.js';
import { t } from '../i18n/index.js';

const integerFields = ['minCommentLength', 'maxCommentLength', 'editWindowSeconds', 'maxDepth', 'premodNewCommenters', 'reportHoldThreshold', 'autoCloseAfterDays'];
const booleanFields = ['commentingDisabled', 'premodAll', 'premodLinks', 'holdSuspectWords', 'showRevisions'];

/** The form's values for a site. */
export function siteToForm(site) {
  const s = site.settings;
  const form = {
    name: site.name,
    allowedOrigins: site.allowedOrigins.join('\n'),
    closedMessage: s.closedMessage,
    holdRejectionRate: String(Math.round(s.holdRejectionRate * 10000) / 100),
    reactionKinds: s.reactionKinds.map(({ kind, label, icon }) => ({ kind, label, icon })),
    // An empty list means the built-in pipeline: null keeps that apart from a custom one.
    stages: s.stages.length ? s.stages.map(stageToForm) : null,
    ssoSecret: '',
    removeSSOSecret: false,
  };
  for (const f of integerFields) form[f] = String(s[f]);
  for (const f of booleanFields) form[f] = s[f];
  return form;
}

/** A stage setting as the pipeline editor holds it. */
export function stageToForm({ stage, shadow = false, failClosed = false, budgetMs = 0 }) {
  return { stage, shadow, failClosed, budgetMs: String(budgetMs) };
}

/** The updateSiteSettings input for a site's form, and the errors that keep it from being sent. */
export function formToInput(siteID, form) {
  const errors = {};
  const input = { siteID, name: form.name.trim(), closedMessage: form.closedMessage };
  input.allowedOrigins = originLines(form.allowedOrigins);
  for (const f of integerFields) {
    const n = parseInteger(form[f]);
    if (n === null) errors[f] = t('settings.wholeNumber');
    else input[f] = n;
  }
  for (const f of booleanFields) input[f] = Boolean(form[f]);
  const rate = Number(form.holdRejectionRate);
  if (form.holdRejectionRate.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 100) {
    errors.holdRejectionRate = t('settings.percentage');
  } else {
    input.holdRejectionRate = rate / 100;
  }
  input.reactionKinds = form.reactionKinds.map((r) => ({ kind: r.kind.trim(), label: r.label.trim(), icon: r.icon.trim() }));
  input.stages = [];
  for (const st of form.stages ?? []) {
    const budgetMs = parseInteger(st.budgetMs);
    if (budgetMs === null || budgetMs < 0) errors.stages = t('settings.budget', { stage: st.stage });
    input.stages.push({ stage: st.stage, shadow: st.shadow, failClosed: st.failClosed, budgetMs: budgetMs ?? 0 });
  }
  if (form.removeSSOSecret) input.ssoSecret = '';
  else if (form.ssoSecret) input.ssoSecret = form.ssoSecret;
  return { input, errors };
}

function parseInteger(text) {
  return /^\s*-?\d+\s*$/.test(text) ? Number.parseInt(text, 10) : null;
}
