// The trust thresholds form: the thresholds in force (trustThresholds) as text, as inputs give
// them, and the CHANGE_THRESHOLDS proposal they make, checked as the server checks them
// (TrustSettings.Validate: whole numbers, none negative), with errors keyed "level.field".
import { t } from '../i18n/index.js';

// The earned levels; each one's name is thresholds.level.<level>.
export const LEVELS = ['basic', 'member', 'regular'];

// The numeric signals; each one's name is thresholds.field.<field>.
export const NUMBER_FIELDS = ['accountAgeDays', 'daysVisited', 'commentsPublished', 'reactionsReceived', 'maxRejected', 'maxReportsAgainst'];

const levelName = (level) => t(`thresholds.level.${level}`);

/** The form of a site's trustThresholds: numbers as text, noActiveSanctions as a bool. */
export function thresholdsForm(th) {
  const form = { rationale: '' };
  for (const level of LEVELS) {
    form[level] = { noActiveSanctions: Boolean(th[level].noActiveSanctions) };
    for (const field of NUMBER_FIELDS) form[level][field] = String(th[level][field]);
  }
  return form;
}

/** Returns {input, errors}: the ProposeRuleInput of siteID's form, or errors by "level.field". */
export function thresholdsInput(siteID, form) {
  const errors = {};
  const thresholds = {};
  for (const level of LEVELS) {
    thresholds[level] = { noActiveSanctions: Boolean(form[level].noActiveSanctions) };
    for (const field of NUMBER_FIELDS) {
      const text = String(form[level][field]).trim();
      const n = text === '' ? NaN : Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 1000000) errors[`${level}.${field}`] = t('thresholds.wholeNumber', { level: levelName(level) });
      else thresholds[level][field] = n;
    }
  }
  if (!form.rationale.trim()) errors.rationale = t('common.sayWhy');
  return { input: { siteID, kind: 'CHANGE_THRESHOLDS', thresholds, rationale: form.rationale.trim() }, errors };
}

/** Lists the thresholds the form changes from th, as "Basic (1): comments published 1 → 2". */
export function thresholdChanges(th, form) {
  const out = [];
  const required = (on) => t(on ? 'thresholds.required' : 'thresholds.notRequired');
  for (const level of LEVELS) {
    for (const field of NUMBER_FIELDS) {
      const now = String(form[level][field]).trim();
      if (now !== String(th[level][field])) out.push(t('thresholds.changed', { level: levelName(level), field: t(`thresholds.inChange.${field}`), from: th[level][field], to: now }));
    }
    if (Boolean(form[level].noActiveSanctions) !== Boolean(th[level].noActiveSanctions)) {
      out.push(t('thresholds.sanctionChanged', { level: levelName(level), from: required(th[level].noActiveSanctions), to: required(form[level].noActiveSanctions) }));
    }
  }
  return out;
}
