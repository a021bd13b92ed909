import { describe, it, expect } from 'vitest';
import { sanctionInput, isActive, doneMessage, sanctionAction, sanctionHint, SUSPENSIONS } from './sanctions.js';

describe('sanctionInput', () => {
  it('adds the duration only to a suspension', () => {
    expect(sanctionInput('u', 's', { kind: 'SUSPEND', message: ' Cool off. ', durationSeconds: String(SUSPENSIONS[1].seconds) }))
      .toEqual({ userID: 'u', siteID: 's', message: 'Cool off.', durationSeconds: 86400 });
  });

  it('adds the rejection of existing comments only to a ban', () => {
    expect(sanctionInput('u', 's', { kind: 'BAN', message: '', rejectExisting: true }))
      .toEqual({ userID: 'u', siteID: 's', message: null, rejectExistingComments: true });
    expect(sanctionInput('u', 's', { kind: 'WARN', message: 'Be kind.', rejectExisting: true, durationSeconds: '3600' }))
      .toEqual({ userID: 'u', siteID: 's', message: 'Be kind.' });
  });

  it('leaves the site out of a ban on every site, and only of a ban', () => {
    expect(sanctionInput('u', 's', { kind: 'BAN', message: '', rejectExisting: false, everySite: true }))
      .toEqual({ userID: 'u', message: null, rejectExistingComments: false });
    expect(sanctionInput('u', 's', { kind: 'SUSPEND', message: '', durationSeconds: '3600', everySite: true }))
      .toEqual({ userID: 'u', siteID: 's', message: null, durationSeconds: 3600 });
  });
});

describe('isActive', () => {
  const now = Date.parse('2026-05-01T00:00:00Z');
  it('is over once revoked or expired', () => {
    expect(isActive({ revokedAt: null, expiresAt: null }, now)).toBe(true);
    expect(isActive({ revokedAt: null, expiresAt: '2026-05-02T00:00:00Z' }, now)).toBe(true);
    expect(isActive({ revokedAt: null, expiresAt: '2026-04-30T00:00:00Z' }, now)).toBe(false);
    expect(isActive({ revokedAt: '2026-04-30T00:00:00Z', expiresAt: null }, now)).toBe(false);
  });
});

describe('doneMessage', () => {
  it('names the suspension period', () => {
    expect(doneMessage({ kind: 'SUSPEND', durationSeconds: '604800' })).toBe('Suspended for 7 days.');
    expect(doneMessage({ kind: 'BAN', rejectExisting: true })).toMatch(/rejected/);
  });

  it('says where a ban holds', () => {
    expect(doneMessage({ kind: 'BAN', rejectExisting: false, everySite: false })).toBe('Banned.');
    expect(doneMessage({ kind: 'BAN', rejectExisting: true, everySite: true })).toBe('Banned on every site, and their comments rejected.');
  });
});

describe('sanctionHint and sanctionAction', () => {
  it('name a ban on every site as such', () => {
    expect(sanctionHint({ kind: 'BAN', everySite: false })).toMatch(/on this site/);
    expect(sanctionHint({ kind: 'BAN', everySite: true })).toMatch(/on every site/);
    expect(sanctionAction({ kind: 'BAN', everySite: true })).toBe('Ban on every site');
    expect(sanctionAction({ kind: 'SUSPEND', everySite: true })).toBe('Suspend');
  });
});
