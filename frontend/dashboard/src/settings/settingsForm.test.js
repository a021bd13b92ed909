import { describe, it, expect } from 'vitest';
import { siteToForm, formToInput } from './settingsForm.js';

const site = {
  id: 's1',
  name: 'Gazette',
  allowedOrigins: ['https://a.test', 'https://b.test'],
  settings: {
    minCommentLength: 1, maxCommentLength: 5000, editWindowSeconds: 900, maxDepth: 3,
    reactionKinds: [{ __typename: 'ReactionKind', kind: 'like', label: 'Like', icon: '👍' }],
    commentingDisabled: false, closedMessage: 'Closed.',
    premodAll: false, premodLinks: true, premodNewCommenters: 2, holdRejectionRate: 0.255,
    reportHoldThreshold: 3, holdSuspectWords: false, stages: [],
    autoCloseAfterDays: 14, showRevisions: true,
  },
};

describe('siteToForm', () => {
  it('shows numbers as text, origins a line each and the share as a percentage', () => {
    const form = siteToForm(site);
    expect(form).toMatchObject({
      name: 'Gazette', allowedOrigins: 'https://a.test\nhttps://b.test', maxCommentLength: '5000',
      holdRejectionRate: '25.5', premodLinks: true, stages: null, ssoSecret: '', removeSSOSecret: false,
    });
    expect(form.reactionKinds).toEqual([{ kind: 'like', label: 'Like', icon: '👍' }]);
  });

  it('keeps a custom pipeline', () => {
    const custom = { ...site, settings: { ...site.settings, stages: [{ stage: 'spam', shadow: true, failClosed: false, budgetMs: 50 }] } };
    expect(siteToForm(custom).stages).toEqual([{ stage: 'spam', shadow: true, failClosed: false, budgetMs: '50' }]);
  });
});

describe('formToInput', () => {
  it('round-trips an unchanged site to its settings', () => {
    const { input, errors } = formToInput('s1', siteToForm(site));
    expect(errors).toEqual({});
    const { reactionKinds, ...settings } = site.settings;
    expect(input).toEqual({
      siteID: 's1', name: 'Gazette', allowedOrigins: site.allowedOrigins, ...settings,
      reactionKinds: [{ kind: 'like', label: 'Like', icon: '👍' }],
    });
    expect(input).not.toHaveProperty('ssoSecret');
  });

  it('drops blank origin lines and trims them', () => {
    const form = { ...siteToForm(site), allowedOrigins: ' https://a.test \n\n https://c.test\n' };
    expect(formToInput('s1', form).input.allowedOrigins).toEqual(['https://a.test', 'https://c.test']);
  });

  it('names the fields that are not numbers and leaves range checks to the server', () => {
    const form = { ...siteToForm(site), maxDepth: 'three', minCommentLength: '', maxCommentLength: '0', holdRejectionRate: '120' };
    const { input, errors } = formToInput('s1', form);
    expect(errors).toEqual({ maxDepth: 'Enter a whole number.', minCommentLength: 'Enter a whole number.', holdRejectionRate: 'Enter a percentage from 0 to 100.' });
    expect(input.maxCommentLength).toBe(0);
  });

  it('sends a custom pipeline with numeric budgets, and an empty one for the built-in', () => {
    const form = { ...siteToForm(site), stages: [{ stage: 'spam', shadow: true, failClosed: true, budgetMs: '75' }] };
    expect(formToInput('s1', form).input.stages).toEqual([{ stage: 'spam', shadow: true, failClosed: true, budgetMs: 75 }]);
    const bad = { ...form, stages: [{ ...form.stages[0], budgetMs: '-1' }] };
    expect(formToInput('s1', bad).errors.stages).toMatch(/spam/);
  });

  it('sets or removes the single sign-on secret only when asked', () => {
    const secret = 'x'.repeat(32);
    expect(formToInput('s1', { ...siteToForm(site), ssoSecret: secret }).input.ssoSecret).toBe(secret);
    expect(formToInput('s1', { ...siteToForm(site), ssoSecret: secret, removeSSOSecret: true }).input.ssoSecret).toBe('');
  });
});
