import { describe, expect, it } from 'vitest';
import { sharingChanges } from './sharing.js';

describe('sharingChanges', () => {
  it('shares the peers newly chosen and unshares those left out', () => {
    expect(sharingChanges(['a', 'b'], ['b', 'c'])).toEqual({ share: ['c'], unshare: ['a'] });
  });
  it('changes nothing when the choice is the same', () => {
    expect(sharingChanges(['a'], ['a'])).toEqual({ share: [], unshare: [] });
    expect(sharingChanges([], [])).toEqual({ share: [], unshare: [] });
  });
});
