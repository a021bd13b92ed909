import { describe, it, expect } from 'vitest';
import { describeGovernance, describeMeasured, measuredAgreement } from './rules.js';
import { formatShare } from '../ui/format.js';

describe('measuredAgreement', () => {
  const enacted = [{
    id: 'p1',
    backtest: { comments: 1000, ranAt: '2026-12-01T00:00:00Z', agreement: [{ effect: 'FLAG:LINKS', precision: 0.9, recall: 0.5 }, { effect: 'HOLD', precision: 0.4, recall: 0.2 }] },
  }, { id: 'p2', backtest: null }];

  it("reads the enacting proposal's back-test row for the rule's effect", () => {
    expect(measuredAgreement({ proposalID: 'p1', effect: { kind: 'FLAG', code: 'LINKS' } }, enacted))
      .toEqual({ effect: 'FLAG:LINKS', precision: 0.9, recall: 0.5, comments: 1000, ranAt: '2026-12-01T00:00:00Z' });
  });

  it('answers null without a back-test or for effects on the author', () => {
    expect(measuredAgreement({ proposalID: 'p2', effect: { kind: 'HOLD' } }, enacted)).toBeNull();
    expect(measuredAgreement({ proposalID: 'p1', effect: { kind: 'RATE', perMinute: 2 } }, enacted)).toBeNull();
    expect(measuredAgreement({ proposalID: 'p9', effect: { kind: 'HOLD' } }, enacted)).toBeNull();
  });
});

describe('describeGovernance', () => {
  it('says who enacts and when', () => {
    expect(describeGovernance({ moderatorQuorum: 1, memberVotes: false, memberQuorum: 0, enactDelaySeconds: 0, costLimit: 1000 }))
      .toBe('Enacting a proposal takes the approval of 1 moderator. A rule may cost up to 1000 to evaluate.');
    expect(describeGovernance({ moderatorQuorum: 2, memberVotes: true, memberQuorum: 3, enactDelaySeconds: 86400, costLimit: 50 }))
      .toBe('Enacting a proposal takes the approval of 2 moderators and 3 members, then a wait of 1 day. A rule may cost up to 50 to evaluate.');
    expect(describeGovernance({ moderatorQuorum: 1, memberVotes: true, memberQuorum: 0, enactDelaySeconds: 90, costLimit: 1 }))
      .toMatch(/1 moderator \(members vote too\), then a wait of 90 seconds\./);
  });
});

describe('describeMeasured', () => {
  const hold = { effect: { kind: 'HOLD' } };
  it('gives the precision and recall when moderators decided some of the comments', () => {
    expect(describeMeasured(hold, { precision: 0.5, recall: null, decided: 6, comments: 40 }, formatShare))
      .toEqual({ measured: true, text: "Back-test precision 50%, recall —, against moderators' decisions on 6 of the 40 comments it replayed." });
  });

  it('says why there is no measure', () => {
    expect(describeMeasured(hold, { precision: null, recall: null, comments: 2 }, formatShare).text).toMatch(/decided none of the 2 comments/);
    expect(describeMeasured(hold, null, formatShare).text).toMatch(/without a back-test/);
    expect(describeMeasured({ effect: { kind: 'LEVEL_FLOOR', level: 1 } }, null, formatShare).text).toMatch(/acts on authors/);
  });
});
