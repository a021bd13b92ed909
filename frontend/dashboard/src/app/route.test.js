import { describe, it, expect } from 'vitest';
import { parseRoute, formatRoute } from './route.js';

const none = { search: '', show: '' };

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

describe('formatRoute', () => {
  it('round-trips through parseRoute', () => {
    for (const route of [
      { view: 'queue', queue: 'APPROVED', siteID: 'a', storyID: 'b', ...none },
      { view: 'stories', queue: null, siteID: 'a', storyID: null, ...none },
      { view: 'stories', queue: null, siteID: 'a', storyID: null, search: 'a&b=c #1', show: 'open' },
      { view: 'settings', queue: null, siteID: null, storyID: null, ...none },
      { view: 'webhooks', queue: null, siteID: 'a', storyID: null, ...none },
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
