import { describe, it, expect } from 'vitest';
import { parseRoute, formatRoute } from './route.js';

describe('parseRoute', () => {
  it('opens the pending queue at the root', () => {
    expect(parseRoute('/admin/', '?site=s1')).toEqual({ view: 'queue', queue: 'PENDING', siteID: 's1', storyID: null });
    expect(parseRoute('/admin', '').view).toBe('queue');
  });

  it('reads a queue and a story filter', () => {
    expect(parseRoute('/admin/queue/reported', '?site=s1&story=t9')).toEqual({ view: 'queue', queue: 'REPORTED', siteID: 's1', storyID: 't9' });
  });

  it('reads the stories and settings views without a story', () => {
    expect(parseRoute('/admin/stories', '?site=s2&story=t1')).toMatchObject({ view: 'stories', siteID: 's2', storyID: null });
    expect(parseRoute('/admin/settings/', '').view).toBe('settings');
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
      { view: 'queue', queue: 'APPROVED', siteID: 'a', storyID: 'b' },
      { view: 'stories', queue: null, siteID: 'a', storyID: null },
      { view: 'settings', queue: null, siteID: null, storyID: null },
    ]) {
      const url = new URL(formatRoute(route), 'http://x');
      expect(parseRoute(url.pathname, url.search)).toEqual(route);
    }
  });

  it('keeps the story only on queues', () => {
    expect(formatRoute({ view: 'settings', siteID: 'a', storyID: 'b' })).toBe('/admin/settings?site=a');
  });
});
