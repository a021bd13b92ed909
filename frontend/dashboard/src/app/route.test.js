import { describe, it, expect } from 'vitest';
import { parseRoute, formatRoute } from './route.js';

const none = { search: '', show: '', proposalID: null, state: '' };

describe('parseRoute', () => {
  it('opens the pending queue at the root', () => {
    expect(parseRoute('/admin/', '?site=s1')).toEqual({ view: 'queue', queue: 'PENDING', siteID: 's1', storyID: null, ...none });
    expect(parseRoute('/admin', '').view).toBe('queue');
  });

  it('reads a queue and a story filter', () => {
    expect(parseRoute('/admin/queue/reported', '?site=s1&story=t9')).toEqual({ view: 'queue', queue: 'REPORTED', siteID: 's1', storyID: 't9', ...none });
  });

  it('reads the stories and settings views without a story', () => {
    expect(parseRoute('/admin/stories', '?site=s2&story=t1')).toMatchObject({ view: 'stories', siteID: 's2', storyID: null });
    expect(parseRoute('/admin/settings/', '').view).toBe('settings');
    expect(parseRoute('/admin/webhooks', '?site=s2')).toMatchObject({ view: 'webhooks', siteID: 's2' });
    expect(parseRoute('/admin/oidc', '?site=s2')).toMatchObject({ view: 'oidc', siteID: 's2' });
    expect(parseRoute('/admin/imports', '?site=s2')).toMatchObject({ view: 'imports', siteID: 's2' });
    expect(parseRoute('/admin/peers', '?site=s2&story=t1')).toMatchObject({ view: 'peers', siteID: 's2', storyID: null });
  });

  it("reads the stories view's search and filter", () => {
    expect(parseRoute('/admin/stories', '?site=s2&q=budget+2027&show=closed')).toMatchObject({ search: 'budget 2027', show: 'closed' });
    expect(parseRoute('/admin/stories', '?show=sometimes')).toMatchObject({ search: '', show: '' });
  });

  it('keeps the search to the stories view', () => {
    expect(parseRoute('/admin/queue/pending', '?q=budget&show=open')).toMatchObject(none);
    expect(parseRoute('/admin/settings', '?q=budget&show=open')).toMatchObject(none);
  });

  it('answers notfound for unknown paths and queues', () => {
    expect(parseRoute('/admin/queue/spam', '').view).toBe('notfound');
    expect(parseRoute('/admin/nope', '').view).toBe('notfound');
    expect(parseRoute('/elsewhere', '').view).toBe('notfound');
  });
});

describe('rules, proposals and the log', () => {
  it('reads the rules and log views', () => {
    expect(parseRoute('/admin/rules', '?site=s1&story=t1')).toEqual({ view: 'rules', queue: null, siteID: 's1', storyID: null, ...none });
    expect(parseRoute('/admin/log/', '?site=s1').view).toBe('log');
  });

  it('reads the proposals list with its state filter, and one proposal', () => {
    expect(parseRoute('/admin/proposals', '?site=s1&state=open')).toMatchObject({ view: 'proposals', proposalID: null, state: 'OPEN' });
    expect(parseRoute('/admin/proposals', '?state=maybe')).toMatchObject({ view: 'proposals', state: '' });
    expect(parseRoute('/admin/proposals/p%2F7', '?site=s1')).toMatchObject({ view: 'proposals', proposalID: 'p/7', siteID: 's1' });
    expect(parseRoute('/admin/proposals/p1/votes', '').view).toBe('notfound');
  });

  it('round-trips and keeps the filter to the list', () => {
    for (const route of [
      { view: 'rules', queue: null, siteID: 'a', storyID: null, ...none },
      { view: 'log', queue: null, siteID: 'a', storyID: null, ...none },
      { view: 'proposals', queue: null, siteID: 'a', storyID: null, ...none, state: 'ENACTED' },
      { view: 'proposals', queue: null, siteID: 'a', storyID: null, ...none, proposalID: 'x y' },
    ]) {
      const url = new URL(formatRoute(route), 'http://x');
      expect(parseRoute(url.pathname, url.search)).toEqual(route);
    }
    expect(formatRoute({ view: 'proposals', siteID: 'a', proposalID: 'p1', state: 'OPEN' })).toBe('/admin/proposals/p1?site=a');
    expect(formatRoute({ view: 'rules', siteID: 'a', state: 'OPEN' })).toBe('/admin/rules?site=a');
  });
});

describe('formatRoute', () => {
  it('round-trips through parseRoute', () => {
    for (const route of [
      { view: 'queue', queue: 'APPROVED', siteID: 'a', storyID: 'b', ...none },
      { view: 'stories', queue: null, siteID: 'a', storyID: null, ...none },
      { view: 'stories', queue: null, siteID: 'a', storyID: null, ...none, search: 'a&b=c #1', show: 'open' },
      { view: 'settings', queue: null, siteID: null, storyID: null, ...none },
      { view: 'webhooks', queue: null, siteID: 'a', storyID: null, ...none },
      { view: 'oidc', queue: null, siteID: 'a', storyID: null, ...none },
      { view: 'peers', queue: null, siteID: 'a', storyID: null, ...none },
    ]) {
      const url = new URL(formatRoute(route), 'http://x');
      expect(parseRoute(url.pathname, url.search)).toEqual(route);
    }
  });

  it('keeps the story only on queues', () => {
    expect(formatRoute({ view: 'settings', siteID: 'a', storyID: 'b' })).toBe('/admin/settings?site=a');
  });

  it('writes the search only on the stories view, and only when there is one', () => {
    expect(formatRoute({ view: 'stories', siteID: 'a', search: 'budget', show: 'closed' })).toBe('/admin/stories?site=a&q=budget&show=closed');
    expect(formatRoute({ view: 'stories', siteID: 'a', search: '', show: '' })).toBe('/admin/stories?site=a');
    expect(formatRoute({ view: 'queue', queue: 'PENDING', siteID: 'a', search: 'budget', show: 'open' })).toBe('/admin/queue/pending?site=a');
  });
});
