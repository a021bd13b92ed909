// The dashboard's URL scheme, as pure functions: the path names the view (and a proposal), the
// query string the site, an optional story, the stories view's search and the proposals'
// state filter, so every screen can be bookmarked and reloaded, and back and forward retrace
// the searches.

const BASE = '/admin/';

export const QUEUES = ['PENDING', 'REPORTED', 'UNMODERATED', 'APPROVED', 'REJECTED'];

/** What the stories view may be limited to; '' shows every story. */
export const STORY_SHOWS = ['', 'open', 'closed'];

/** The proposal states the proposals view may be limited to; '' shows every proposal. */
export const PROPOSAL_STATES = ['', 'DRAFT', 'OPEN', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'ENACTED'];

/**
 * Reads a route ({view, queue, siteID, storyID, search, show, proposalID, state}) from a
 * location's pathname and search. search and show (the stories view's text and open/closed
 * filter) are '' elsewhere; proposalID and state (the proposals view's open proposal and
 * filter) are null and ''.
 */
export function parseRoute(pathname, search = '') {
  const params = new URLSearchParams(search);
  const route = { view: 'notfound', queue: null, siteID: params.get('site'), storyID: params.get('story'), search: '', show: '', proposalID: null, state: '' };
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname === '/admin' ? '' : null;
  if (rest === null) return route;
  const parts = rest.split('/').filter(Boolean);
  if (parts.length === 0) return { ...route, view: 'queue', queue: 'PENDING' };
  if (parts[0] === 'queue' && parts.length <= 2) {
    const queue = (parts[1] || 'pending').toUpperCase();
    return QUEUES.includes(queue) ? { ...route, view: 'queue', queue } : route;
  }
  if (parts[0] === 'stories' && parts.length === 1) {
    const show = params.get('show') ?? '';
    return { ...route, view: 'stories', storyID: null, search: params.get('q') ?? '', show: STORY_SHOWS.includes(show) ? show : '' };
  }
  if (parts[0] === 'settings' && parts.length === 1) return { ...route, view: 'settings' };
  if (parts[0] === 'webhooks' && parts.length === 1) return { ...route, view: 'webhooks' };
  if (parts[0] === 'oidc' && parts.length === 1) return { ...route, view: 'oidc' };
  if (parts[0] === 'imports' && parts.length === 1) return { ...route, view: 'imports' };
  if (parts[0] === 'peers' && parts.length === 1) return { ...route, view: 'peers', storyID: null };
  if ((parts[0] === 'rules' || parts[0] === 'log') && parts.length === 1) return { ...route, view: parts[0], storyID: null };
  if (parts[0] === 'proposals' && parts.length <= 2) {
    const state = (params.get('state') ?? '').toUpperCase();
    return { ...route, view: 'proposals', storyID: null, proposalID: parts[1] ? decodeURIComponent(parts[1]) : null, state: PROPOSAL_STATES.includes(state) ? state : '' };
  }
  return route;
}

/** Writes a route back as a path and query string, the inverse of parseRoute. */
export function formatRoute({ view, queue, siteID, storyID, search, show, proposalID, state }) {
  let path = BASE;
  if (view === 'queue') path += `queue/${(queue || 'PENDING').toLowerCase()}`;
  else if (['stories', 'settings', 'webhooks', 'oidc', 'imports', 'peers', 'rules', 'log'].includes(view)) path += view;
  else if (view === 'proposals') path += proposalID ? `proposals/${encodeURIComponent(proposalID)}` : 'proposals';
  const params = new URLSearchParams();
  if (siteID) params.set('site', siteID);
  if (storyID && view === 'queue') params.set('story', storyID);
  if (view === 'stories') {
    if (search) params.set('q', search);
    if (show) params.set('show', show);
  }
  if (view === 'proposals' && !proposalID && state) params.set('state', state.toLowerCase());
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
