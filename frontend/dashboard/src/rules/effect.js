// A rule's effect as the editor holds it (strings, as inputs give them) and as the API takes
// and gives it ({kind, code | level | weight | perMinute}). The bounds mirror the server's
// (rule.go), so the editor can say what is wrong before a round trip; the server still decides.

/** The effects, in the order the picker offers them, with what each needs. */
export const EFFECT_KINDS = [
  { kind: 'HOLD', label: 'Hold for a moderator', arg: null },
  { kind: 'REJECT', label: 'Reject', arg: null },
  { kind: 'APPROVE', label: 'Approve', arg: null },
  { kind: 'FLAG', label: 'Flag with a reason code', arg: 'code' },
  { kind: 'LEVEL_FLOOR', label: 'Trust level at least', arg: 'level' },
  { kind: 'LEVEL_CEILING', label: 'Trust level at most', arg: 'level' },
  { kind: 'REPORT_WEIGHT', label: "Weigh the author's reports", arg: 'weight' },
  { kind: 'RATE', label: 'Limit comments per minute', arg: 'perMinute' },
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
        return { error: { field: 'effect.code', message: `A reason code is 1 to ${MAX_FLAG_CODE} capital letters, digits or underscores.` } };
      }
      return { input: { ...input, code } };
    }
    case 'level': {
      const level = number(form.level);
      if (!Number.isInteger(level) || level < 0 || level > 4) return { error: { field: 'effect.level', message: 'A trust level is 0 to 4.' } };
      return { input: { ...input, level } };
    }
    case 'weight': {
      const weight = number(form.weight);
      if (!Number.isFinite(weight) || weight < 0 || weight > MAX_REPORT_WEIGHT) {
        return { error: { field: 'effect.weight', message: `A report weight is 0 to ${MAX_REPORT_WEIGHT}.` } };
      }
      return { input: { ...input, weight } };
    }
    case 'perMinute': {
      const perMinute = number(form.perMinute);
      if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > MAX_RATE) {
        return { error: { field: 'effect.perMinute', message: `A rate is 1 to ${MAX_RATE} comments a minute.` } };
      }
      return { input: { ...input, perMinute } };
    }
    default:
      return { input };
  }
}

/** What an effect does, in a few words: "Flag LINK_SPAM", "Level at most 1". */
export function describeEffect(effect) {
  if (!effect) return 'No effect';
  switch (effect.kind) {
    case 'HOLD': return 'Hold for a moderator';
    case 'REJECT': return 'Reject';
    case 'APPROVE': return 'Approve';
    case 'FLAG': return `Flag ${effect.code}`;
    case 'LEVEL_FLOOR': return `Trust level at least ${effect.level}`;
    case 'LEVEL_CEILING': return `Trust level at most ${effect.level}`;
    case 'REPORT_WEIGHT': return `Reports count ${effect.weight}×`;
    case 'RATE': return `At most ${effect.perMinute} ${effect.perMinute === 1 ? 'comment' : 'comments'} a minute`;
    default: return effect.kind;
  }
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
