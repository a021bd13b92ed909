// The trust thresholds form: the thresholds in force (trustThresholds) as text, as inputs give
// them, and the CHANGE_THRESHOLDS proposal they make, checked as the server checks them
// (TrustSettings.Validate: whole numbers, none negative), with errors keyed "level.field".

export const LEVELS = [['basic', 'Basic (1)'], ['member', 'Member (2)'], ['regular', 'Regular (3)']];

export const NUMBER_FIELDS = [
  ['accountAgeDays', 'Account age (days), at least'], ['daysVisited', 'Days of visits, at least'],
  ['commentsPublished', 'Comments published, at least'], ['reactionsReceived', 'Reactions received, at least'],
  ['maxRejected', 'Rejected, at most'], ['maxReportsAgainst', 'Upheld reports against, at most'],
];

/** The form of a site's trustThresholds: numbers as text, noActiveSanctions as a bool. */
export function thresholdsForm(th) {
  const form = { rationale: '' };
  for (const [level] of LEVELS) {
    form[level] = { noActiveSanctions: Boolean(th[level].noActiveSanctions) };
    for (const [field] of NUMBER_FIELDS) form[level][field] = String(th[level][field]);
  }
  return form;
}

/** Returns {input, errors}: the ProposeRuleInput of siteID's form, or errors by "level.field". */
export function thresholdsInput(siteID, form) {
  const errors = {};
  const thresholds = {};
  for (const [level, label] of LEVELS) {
    thresholds[level] = { noActiveSanctions: Boolean(form[level].noActiveSanctions) };
    for (const [field] of NUMBER_FIELDS) {
      const text = String(form[level][field]).trim();
      const n = text === '' ? NaN : Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 1000000) errors[`${level}.${field}`] = `${label}: a whole number from 0.`;
      else thresholds[level][field] = n;
    }
  }
  if (!form.rationale.trim()) errors.rationale = 'Say why: voters read it first.';
  return { input: { siteID, kind: 'CHANGE_THRESHOLDS', thresholds, rationale: form.rationale.trim() }, errors };
}

/** Lists the thresholds the form changes from th, as "Basic (1): comments published 1 → 2". */
export function thresholdChanges(th, form) {
  const out = [];
  for (const [level, label] of LEVELS) {
    for (const [field, name] of NUMBER_FIELDS) {
      const now = String(form[level][field]).trim();
      if (now !== String(th[level][field])) out.push(`${label}: ${name.toLowerCase()} ${th[level][field]} → ${now}`);
    }
    if (Boolean(form[level].noActiveSanctions) !== Boolean(th[level].noActiveSanctions)) {
      out.push(`${label}: no active sanction ${th[level].noActiveSanctions ? 'required' : 'not required'} → ${form[level].noActiveSanctions ? 'required' : 'not required'}`);
    }
  }
  return out;
}
