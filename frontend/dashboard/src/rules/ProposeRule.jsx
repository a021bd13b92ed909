// The form that proposes a new rule or a change to one: name, CEL expression (checked as the
// moderator types, and again by proposeRule, with problems shown at their line and column),
// effect, shadow mode and the rationale voters will read.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useClient, useMutation } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { Check, Field, focusFirstInvalid } from '../ui/fields.jsx';
import { PROPOSE_RULE } from '../proposals/documents.js';
import { CHECK_RULE } from './documents.js';
import { ExpressionEditor } from './ExpressionEditor.jsx';
import { EffectPicker } from './EffectPicker.jsx';
import { effectForm, effectInput } from './effect.js';
import { issuesFromError, markersFor } from './expression.js';
import { t, tx } from '../i18n/index.js';

const CHECK_DELAY_MS = 400;

/** The form's state for a new rule, or for a change to rule (a Rule of the API). */
export function proposalForm(rule = null) {
  return {
    name: rule?.name ?? '',
    expression: rule?.expression ?? '',
    effect: effectForm(rule?.effect),
    shadow: rule ? rule.shadow : true,
    rationale: '',
    draft: false,
  };
}

/**
 * rule is the rule to change, or null for a new one; costLimit the site's. onProposed gets
 * the stored proposal.
 */
export function ProposeRule({ siteID, rule, costLimit, onProposed, onCancel }) {
  const client = useClient();
  const [form, setForm] = useState(() => proposalForm(rule));
  const [errors, setErrors] = useState({});
  const [issues, setIssues] = useState([]);
  const [check, setCheck] = useState(null);
  const [outcome, setOutcome] = useState('');
  const [{ fetching }, propose] = useMutation(PROPOSE_RULE);
  const set = (change) => setForm((f) => ({ ...f, ...change }));
  const binding = { form, errors, set, idPrefix: 'rule-' };
  const formRef = useRef();

  // Check the expression as it is typed; only the latest answer counts.
  const checks = useRef(0);
  useEffect(() => {
    const n = ++checks.current;
    if (!form.expression.trim()) {
      setIssues([]);
      setCheck(null);
      return undefined;
    }
    const timer = setTimeout(async () => {
      const result = await client.query(CHECK_RULE, { siteID, expression: form.expression }, { requestPolicy: 'network-only' }).toPromise();
      if (n !== checks.current) return;
      if (result.error) {
        setIssues([]);
        setCheck(null);
        return;
      }
      setIssues(result.data.checkRule.issues);
      setCheck(result.data.checkRule);
    }, CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [form.expression]);

  // After a failed proposal, take the moderator to what to fix: the expression's first problem
  // (caret on it) or the first invalid field. A layout effect, so focus has moved by the time
  // the message is on screen.
  const [focusRequest, setFocusRequest] = useState(null);
  useLayoutEffect(() => {
    if (!focusRequest) return;
    if (focusRequest.issues) {
      const input = formRef.current.querySelector('textarea[name=expression]');
      const [first] = markersFor(form.expression, focusRequest.issues);
      input.focus({ preventScroll: true });
      input.setSelectionRange(first.start, first.end);
      input.scrollIntoView({ block: 'center' });
    } else {
      focusFirstInvalid(formRef.current);
    }
  }, [focusRequest]);

  async function submit(event) {
    event.preventDefault();
    setOutcome('');
    const local = {};
    if (!form.name.trim()) local.name = t('propose.nameNeeded');
    if (!form.expression.trim()) local.expression = t('propose.expressionNeeded');
    const effect = effectInput(form.effect);
    if (effect.error) local[effect.error.field] = effect.error.message;
    if (!form.rationale.trim()) local.rationale = t('propose.rationaleNeeded');
    if (Object.keys(local).length) {
      setErrors(local);
      setOutcome(t('common.fixFields'));
      setFocusRequest({});
      return;
    }
    const input = {
      siteID,
      kind: rule ? 'CHANGE_RULE' : 'ADD_RULE',
      ruleID: rule?.id ?? null,
      name: form.name.trim(),
      expression: form.expression,
      effect: effect.input,
      shadow: form.shadow,
      rationale: form.rationale.trim(),
      draft: form.draft,
    };
    const result = await propose({ input });
    if (result.error) {
      const found = issuesFromError(result.error);
      setErrors(fieldErrors(result.error));
      if (found.length) {
        setIssues(found);
        const [first] = found;
        setOutcome(t('propose.problemAt', { line: first.line, column: first.column }));
        setFocusRequest({ issues: found });
      } else {
        setOutcome(t('common.notProposed', { error: errorMessage(result.error) }));
        setFocusRequest({});
      }
      return;
    }
    setErrors({});
    onProposed(result.data.proposeRule);
  }

  const status = !form.expression.trim() ? ''
    : check?.valid ? t('propose.checksOut', { cost: check.costMax, limit: costLimit })
      : '';

  return (
    <form ref={formRef} class="propose stack" onSubmit={submit} noValidate>
      <Field name="name" label={t('common.name')} binding={binding} maxLength={80} hint={t('propose.nameHint')} />
      <div class="field">
        <label for="rule-expression">{t('propose.expression')}</label>
        <ExpressionEditor id="rule-expression" hintID="rule-expression-hint" value={form.expression} issues={issues.length ? issues : errors.expression ? [{ line: 1, column: 1, message: errors.expression }] : []}
          status={status} onInput={(expression) => { set({ expression }); setErrors(({ expression: _, ...rest }) => rest); }} />
        <span id="rule-expression-hint" class="hint">
          {tx('propose.expressionHint', {
            comment: <code>comment</code>,
            author: <code>author</code>,
            story: <code>story</code>,
            site: <code>site.id</code>,
            example: <code>{'comment.links > 2 && author.level < 2'}</code>,
          })}
        </span>
      </div>
      <EffectPicker effect={form.effect} errors={errors} idPrefix="rule-" onChange={(effect) => set({ effect })} />
      <Check name="shadow" label={t('propose.shadow')} binding={binding}
        hint={t('propose.shadowHint')} />
      <Field name="rationale" label={t('propose.rationale')} multiline rows={3} binding={binding} maxLength={4000} hint={t('propose.rationaleHint')} />
      <Check name="draft" label={t('propose.draft')} binding={binding} />
      <div class="row">
        <button type="submit" class="primary" disabled={fetching}>{fetching ? t('common.proposing') : rule ? t('propose.change') : t('propose.rule')}</button>
        {onCancel && <button type="button" class="quiet" onClick={onCancel}>{t('common.cancel')}</button>}
        <p class="error" role="alert">{outcome}</p>
      </div>
    </form>
  );
}
