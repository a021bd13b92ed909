// The governance form's values as text (as inputs give them) and the RuleGovernanceInput they
// make, with the server's bounds (rule.go) checked first, keyed by the API's field names.
import { t } from '../i18n/index.js';

export const MAX_ENACT_DELAY_SECONDS = 30 * 24 * 3600;
export const MAX_COST_LIMIT = 100000;

/** The form of a site's ruleGovernance. */
export function governanceForm(g) {
  return {
    moderatorQuorum: String(g.moderatorQuorum),
    memberVotes: g.memberVotes,
    memberQuorum: String(g.memberQuorum),
    enactDelaySeconds: String(g.enactDelaySeconds),
    costLimit: String(g.costLimit),
  };
}

const BOUNDS = {
  moderatorQuorum: [1, 100],
  memberQuorum: [0, 10000],
  enactDelaySeconds: [0, MAX_ENACT_DELAY_SECONDS],
  costLimit: [1, MAX_COST_LIMIT],
};

/** Returns {input, errors}: the RuleGovernanceInput of siteID's form, or errors by field. */
export function governanceInput(siteID, form) {
  const input = { siteID, memberVotes: form.memberVotes };
  const errors = {};
  for (const [field, [min, max]] of Object.entries(BOUNDS)) {
    const text = String(form[field]).trim();
    const n = text === '' ? NaN : Number(text);
    if (!Number.isInteger(n) || n < min || n > max) errors[field] = t(`governance.bounds.${field}`, { min, max });
    else input[field] = n;
  }
  return { input, errors };
}
