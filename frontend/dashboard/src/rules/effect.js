// A rule's effect as the editor holds it (strings, as inputs give them) and as the API takes
// and gives it ({kind, code | level | weight | perMinute}). The bounds mirror the server's
// (rule.go), so the editor can say what is wrong before a round trip; the server still decides.
import { t } from '../i18n/index.js';

/** The effects, in the order the picker offers them, with what each needs. */
// Each one's label is effect.kind.<kind>.
export const EFFECT_KINDS = [
  { kind: 'HOLD', arg: null },
  { kind: 'REJECT', arg: null },
  { kind: 'APPROVE', arg: null },
  { kind: 'FLAG', arg: 'code' },
  { kind: 'LEVEL_FLOOR', arg: 'level' },
  { kind: 'LEVEL_CEILING', arg: 'level' },
  { kind: 'REPORT_WEIGHT', arg: 'weight' },
  { kind: 'RATE', arg: 'perMinute' },
];

export const MAX_FLAG_CODE = 40;
export const MAX_REPORT_WEIGHT = 10;
export const MAX_RATE = 600;

/** The argument field an effect kind reads, or null. */
export function argumentOf(kind) {
  return EFFECT_KINDS.find((k) => k.kind === kind)?.arg ?? null;
}

/** The editor's form of an effect: the kind and every argument as text, so switching keeps them. */
export function effectForm(effect = null) {
  return {
    kind: effect?.kind ?? 'HOLD',
    code: effect?.code ?? '',
    level: effect?.level === null || effect?.level === undefined ? '1' : String(effect.level),
    weight: effect?.weight === null || effect?.weight === undefined ? '2' : String(effect.weight),
    perMinute: effect?.perMinute === null || effect?.perMinute === undefined ? '2' : String(effect.perMinute),
  };
}

const number = (s) => (String(s).trim() === '' ? NaN : Number(s));

/**
 * The RuleEffectInput of a form, with only the kind's argument set, or the error
 * {field: 'effect.<arg>', message} the server would give for it.
 */
export function effectInput(form) {
  const arg = argumentOf(form.kind);
  const input = { kind: form.kind };
  switch (arg) {
    case 'code': {
      const code = form.code.trim().toUpperCase();
      if (!/^[A-Z0-9_]+$/.test(code) || code.length > MAX_FLAG_CODE) {
        return { error: { field: 'effect.code', message: t('effect.bad.code', { max: MAX_FLAG_CODE }) } };
      }
      return { input: { ...input, code } };
    }
    case 'level': {
      const level = number(form.level);
      if (!Number.isInteger(level) || level < 0 || level > 4) return { error: { field: 'effect.level', message: t('effect.bad.level') } };
      return { input: { ...input, level } };
    }
    case 'weight': {
      const weight = number(form.weight);
      if (!Number.isFinite(weight) || weight < 0 || weight > MAX_REPORT_WEIGHT) {
        return { error: { field: 'effect.weight', message: t('effect.bad.weight', { max: MAX_REPORT_WEIGHT }) } };
      }
      return { input: { ...input, weight } };
    }
    case 'perMinute': {
      const perMinute = number(form.perMinute);
      if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > MAX_RATE) {
        return { error: { field: 'effect.perMinute', message: t('effect.bad.perMinute', { max: MAX_RATE }) } };
      }
      return { input: { ...input, perMinute } };
    }
    default:
      return { input };
  }
}

/** What an effect does, in a few words: "Flag LINK_SPAM", "Level at most 1". */
export function describeEffect(effect) {
  if (!effect) return t('effect.none');
  if (!t.has(`effect.does.${effect.kind}`)) return effect.kind;
  return t(`effect.does.${effect.kind}`, { code: effect.code, level: effect.level, weight: effect.weight, n: effect.perMinute });
}

/**
 * The name of an effect in a back-test's agreement table ("HOLD", "FLAG:<code>"), so a rule's
 * measured precision can be found; null for effects that decide no comment.
 */
export function agreementKey(effect) {
  if (!effect) return null;
  if (['HOLD', 'REJECT', 'APPROVE'].includes(effect.kind)) return effect.kind;
  if (effect.kind === 'FLAG') return `FLAG:${effect.code}`;
  return null;
}
