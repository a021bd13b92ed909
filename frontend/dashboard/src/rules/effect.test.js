import { describe, it, expect } from 'vitest';
import { agreementKey, describeEffect, effectForm, effectInput } from './effect.js';

describe('effectInput', () => {
  it('sends only the chosen kind and its argument', () => {
    const form = { ...effectForm(), kind: 'FLAG', code: ' link_spam ', level: '3' };
    expect(effectInput(form)).toEqual({ input: { kind: 'FLAG', code: 'LINK_SPAM' } });
    expect(effectInput({ ...form, kind: 'HOLD' })).toEqual({ input: { kind: 'HOLD' } });
    expect(effectInput({ ...form, kind: 'LEVEL_CEILING' })).toEqual({ input: { kind: 'LEVEL_CEILING', level: 3 } });
    expect(effectInput({ ...form, kind: 'REPORT_WEIGHT', weight: '0.5' })).toEqual({ input: { kind: 'REPORT_WEIGHT', weight: 0.5 } });
    expect(effectInput({ ...form, kind: 'RATE', perMinute: '5' })).toEqual({ input: { kind: 'RATE', perMinute: 5 } });
  });

  it('names the argument at fault, as the server does', () => {
    const form = effectForm();
    expect(effectInput({ ...form, kind: 'FLAG', code: 'no spaces' }).error.field).toBe('effect.code');
    expect(effectInput({ ...form, kind: 'FLAG', code: '' }).error.field).toBe('effect.code');
    expect(effectInput({ ...form, kind: 'LEVEL_FLOOR', level: '5' }).error.field).toBe('effect.level');
    expect(effectInput({ ...form, kind: 'LEVEL_FLOOR', level: '1.5' }).error.field).toBe('effect.level');
    expect(effectInput({ ...form, kind: 'REPORT_WEIGHT', weight: '11' }).error.field).toBe('effect.weight');
    expect(effectInput({ ...form, kind: 'REPORT_WEIGHT', weight: '' }).error.field).toBe('effect.weight');
    expect(effectInput({ ...form, kind: 'RATE', perMinute: '0' }).error.field).toBe('effect.perMinute');
  });
});

describe('effectForm', () => {
  it("reads an effect back, keeping defaults for the other kinds' arguments", () => {
    expect(effectForm({ kind: 'LEVEL_FLOOR', level: 0, code: null, weight: null, perMinute: null }))
      .toEqual({ kind: 'LEVEL_FLOOR', code: '', level: '0', weight: '2', perMinute: '2' });
  });
});

describe('describeEffect and agreementKey', () => {
  it('says what an effect does', () => {
    expect(describeEffect({ kind: 'FLAG', code: 'SHOUTING' })).toBe('Flag SHOUTING');
    expect(describeEffect({ kind: 'RATE', perMinute: 1 })).toBe('At most 1 comment a minute');
    expect(describeEffect({ kind: 'REPORT_WEIGHT', weight: 2 })).toBe('Reports count 2×');
  });

  it("names the effect's row of a back-test, when it decides comments", () => {
    expect(agreementKey({ kind: 'REJECT' })).toBe('REJECT');
    expect(agreementKey({ kind: 'FLAG', code: 'X' })).toBe('FLAG:X');
    expect(agreementKey({ kind: 'RATE', perMinute: 3 })).toBeNull();
  });
});
