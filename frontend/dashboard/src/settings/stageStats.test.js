import { describe, it, expect } from 'vitest';
import { describeStageStats, MIN_DECISIONS } from './stageStats.js';

const stats = (fields) => ({ stage: 'spam', decided: 0, truePositives: 0, falsePositives: 0, falseNegatives: 0, canBeWrong: true, ...fields });

describe('describeStageStats', () => {
  it('grades no rule, however many decisions it saw', () => {
    for (const stage of ['staff', 'user_status']) {
      const d = describeStageStats(stats({ stage, canBeWrong: false, decided: 500, truePositives: 40, falsePositives: 60 }));
      expect(d).toEqual({ text: 'A rule: it does what the settings say, so there is nothing to measure', measured: false });
    }
  });

  it('gives no figure before enough decisions', () => {
    expect(describeStageStats(undefined).measured).toBe(false);
    expect(describeStageStats(stats({})).text).toBe('No moderator decisions to compare with yet');
    const few = describeStageStats(stats({ decided: 50, truePositives: 2, falsePositives: MIN_DECISIONS - 3, falseNegatives: 5 }));
    expect(few).toEqual({ text: 'Too few decisions to measure yet: moderators decided 50 comments it saw, and it flagged 19 of them; figures start at 20', measured: false });
    expect(few.text).not.toMatch(/%/);
  });

  it('says in words how often moderators agreed, and how many rejections it caught', () => {
    expect(describeStageStats(stats({ decided: 40, truePositives: 18, falsePositives: 2, falseNegatives: 7 }))).toEqual({
      text: 'Moderators agreed with 18 of the 20 comments it flagged (90%); it caught 18 of the 25 comments moderators rejected (72%)',
      measured: true,
    });
  });

  it('gives each figure only once it has enough decisions of its own', () => {
    expect(describeStageStats(stats({ decided: 60, truePositives: 15, falsePositives: 10, falseNegatives: 1 })).text)
      .toBe('Moderators agreed with 15 of the 25 comments it flagged (60%)');
    expect(describeStageStats(stats({ decided: 60, truePositives: 1, falsePositives: 0, falseNegatives: 24 })).text)
      .toBe('It caught 1 of the 25 comments moderators rejected (4%)');
  });
});
