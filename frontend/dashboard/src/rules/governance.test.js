import { describe, it, expect } from 'vitest';
import { governanceForm, governanceInput } from './governance.js';

const loaded = { moderatorQuorum: 2, memberVotes: true, memberQuorum: 0, enactDelaySeconds: 3600, costLimit: 1000 };

describe('governanceInput', () => {
  it('round-trips a site governance', () => {
    expect(governanceInput('s1', governanceForm(loaded))).toEqual({ input: { siteID: 's1', ...loaded }, errors: {} });
  });

  it('names each field out of bounds', () => {
    const form = { ...governanceForm(loaded), moderatorQuorum: '0', memberQuorum: '1.5', enactDelaySeconds: '', costLimit: '100001' };
    expect(Object.keys(governanceInput('s1', form).errors).sort()).toEqual(['costLimit', 'enactDelaySeconds', 'memberQuorum', 'moderatorQuorum']);
  });
});
