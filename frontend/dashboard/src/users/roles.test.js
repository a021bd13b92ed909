import { describe, it, expect } from 'vitest';
import { roleChange } from './roles.js';

describe('roleChange', () => {
  it('grants the moderator role to commenters and members', () => {
    for (const role of ['COMMENTER', 'MEMBER']) {
      expect(roleChange(role)).toMatchObject({ role: 'MODERATOR', label: 'Make moderator' });
    }
    expect(roleChange('MEMBER').done('fern')).toBe('fern now moderates this site.');
  });

  it('takes the moderator role back to commenter', () => {
    expect(roleChange('MODERATOR')).toMatchObject({ role: 'COMMENTER', label: 'Take back the moderator role' });
  });

  it('offers nothing for administrators', () => {
    expect(roleChange('ADMIN')).toBeNull();
  });
});
