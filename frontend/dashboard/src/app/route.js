// The dashboard's URL scheme, as pure functions: the path names the view, the query string
// the site and an optional story, so every screen can be bookmarked and reloaded.

const BASE = '/admin/';

export const QUEUES = ['PENDING', 'REPORTED', 'UNMODERATED', 'APPROVED', 'REJECTED'];

/** Reads a route ({view, queue, siteID, storyID}) from a location's pathname and search. */
export function parseRoute(pathname, search = '') {
  const params = new URLSearchParams(search);
  const route = { view: 'notfound', queue: null, siteID: params.get('site'), storyID: params.get('story') };
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname === '/admin' ? '' : null;
  if (rest === null) return route;
  const parts = rest.split('/').filter(Boolean);
  if (parts.length === 0) return { ...route, view: 'queue', queue: 'PENDING' };
  if (parts[0] === 'queue' && parts.length <= 2) {
    const queue = (parts[1] || 'pending').toUpperCase();
    return QUEUES.includes(queue) ? { ...route, view: 'queue', queue } : route;
  }
  if ((parts[0] === 'stories' || parts[0] === 'settings') && parts.length === 1) {
    return { ...route, view: parts[0], storyID: parts[0] === 'stories' ? null : route.storyID };
  }
  return route;
}

/** Writes a route back as a path and query string, the inverse of parseRoute. */
export function formatRoute({ view, queue, siteID, storyID }) {
  let path = BASE;
  if (view === 'queue') path += `queue/${(queue || 'PENDING').toLowerCase()}`;
  else if (view === 'stories' || view === 'settings') path += view;
  const params = new URLSearchParams();
  if (siteID) params.set('site', siteID);
  if (storyID && view === 'queue') params.set('story', storyID);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
