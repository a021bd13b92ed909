import { describe, expect, it } from 'vitest';
import { addInput, callbackURL, providerScope, providerStatus, updateInput } from './oidc.js';

describe('callbackURL', () => {
  it("is the instance's /oidc/callback", () => {
    expect(callbackURL('https://talk.example.org')).toBe('https://talk.example.org/oidc/callback');
    expect(callbackURL('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/oidc/callback');
  });
});

describe('providerStatus and providerScope', () => {
  it('tell an enabled provider from a turned-off one, and a site’s from the instance’s', () => {
    expect(providerStatus({ enabled: true }).label).toBe('Enabled');
    expect(providerStatus({ enabled: false }).label).toBe('Turned off');
    expect(providerScope({ siteID: 's1' })).toBe('This site only');
    expect(providerScope({ siteID: null })).toBe('Every site');
  });
});

describe('addInput', () => {
  const form = { name: ' Newsroom ', issuer: ' https://login.example.org ', clientID: ' parley ', clientSecret: 's3cret ', everySite: false };
  it('trims and names the site', () => {
    expect(addInput('s1', form)).toEqual({
      input: { siteID: 's1', name: 'Newsroom', issuer: 'https://login.example.org', clientID: 'parley', clientSecret: 's3cret ' }, errors: {},
    });
  });
  it('leaves the site out for every site', () => {
    expect(addInput('s1', { ...form, everySite: true }).input.siteID).toBeUndefined();
  });
  it('names every missing field before sending', () => {
    expect(Object.keys(addInput('s1', { name: ' ', issuer: '', clientID: '', clientSecret: '', everySite: false }).errors))
      .toEqual(['name', 'issuer', 'clientID', 'clientSecret']);
  });
});

describe('updateInput', () => {
  const p = { id: 'p1', name: 'Newsroom', clientID: 'parley', enabled: true };
  it('sends only what changed, keeping the secret when left empty', () => {
    expect(updateInput(p, { name: 'Newsroom', clientID: 'parley', clientSecret: '', enabled: true })).toEqual({ input: { id: 'p1' }, errors: {}, changed: false });
    expect(updateInput(p, { name: ' Staff ', clientID: 'parley', clientSecret: 'new', enabled: false }).input)
      .toEqual({ id: 'p1', name: 'Staff', clientSecret: 'new', enabled: false });
  });
  it('refuses an empty name or client ID', () => {
    expect(updateInput(p, { name: '', clientID: ' ', clientSecret: '', enabled: true }).errors).toEqual({ name: 'Give the provider a name.', clientID: 'Give the client ID registered at the provider.' });
  });
});
