// The discussion as the reader sees it, as pure functions over plain data, so that pages,
// live events and optimistic changes can be tested without a browser.
//
// Comments are kept once, by ID (byId); lists hold the order in which they are shown, per
// parent (ROOT for the top level), with the cursor of the next page; queued holds comments
// that arrived live from other people and wait behind a "Show N new …" button, so that
// nothing moves under the reader until they ask.

export const ROOT = '';

export function initialState(order = 'NEWEST', count = 0) {
  return { order, count, byId: {}, lists: {}, queued: {} };
}

const emptyList = (more = false) => ({ ids: [], cursor: null, more });

// merge adds one connection's nodes (and the replies that came inline with them) to byId and
// lists, mutating both: callers pass fresh copies.
function merge(byId, lists, key, conn) {
  const prev = lists[key] || emptyList();
  const ids = [...prev.ids];
  for (const { node } of conn.edges) {
    const { replies, ...comment } = node;
    byId[comment.id] = comment;
    if (!ids.includes(comment.id)) ids.push(comment.id);
    if (replies) merge(byId, lists, comment.id, replies);
  }
  lists[key] = { ids, cursor: conn.pageInfo.endCursor ?? prev.cursor, more: conn.pageInfo.hasNextPage };
}

/** Adds a page of comments under parentID (null: the top level) after those already shown. */
export function addPage(state, parentID, conn) {
  const byId = { ...state.byId };
  const lists = { ...state.lists };
  merge(byId, lists, parentID || ROOT, conn);
  // A comment that waited in a queue and came with the page is shown now: unqueue it.
  const queued = {};
  for (const [key, ids] of Object.entries(state.queued)) {
    const rest = ids.filter((id) => !lists[key]?.ids.includes(id));
    if (rest.length) queued[key] = rest;
  }
  return { ...state, byId, lists, queued };
}

const listKey = (c) => (c.depth > 0 ? c.parent?.id : ROOT);
const newestFirst = (state, key) => key === ROOT && state.order === 'NEWEST';

/**
 * Whether a comment the reader never saw belongs to what is loaded: its list has no page
 * left to load, or, newest first, it is newer than the last comment shown. Otherwise it
 * is somewhere in a page not yet loaded and will come with it.
 */
function belongsInView(state, key, c) {
  const list = state.lists[key];
  if (!list) return false;
  if (!list.more) return true;
  const last = state.byId[list.ids[list.ids.length - 1]];
  return newestFirst(state, key) && (!last || c.createdAt >= last.createdAt);
}

/**
 * Takes a comment that was just created. The viewer's own comment is shown at once (at the
 * top, newest first; else at the end); anyone else's waits in its list's queue. A reply to a
 * comment whose replies are not open only raises that comment's reply count.
 */
export function receive(state, c, viewerID) {
  if (state.byId[c.id]) return update(state, c, viewerID);
  const key = listKey(c);
  const count = state.count + (c.status === 'PUBLISHED' ? 1 : 0);
  const parent = key ? state.byId[key] : null;
  if (key == null || (key && !parent)) return { ...state, count };
  const byId = { ...state.byId };
  if (parent) byId[key] = { ...parent, replyCount: parent.replyCount + 1 };
  const list = state.lists[key];
  const own = viewerID && c.author?.id === viewerID;
  if (!own && !list) return { ...state, byId, count };
  byId[c.id] = c;
  if (!own) return { ...state, byId, count, queued: { ...state.queued, [key]: [...(state.queued[key] || []), c.id] } };
  const shown = list || emptyList(parent?.replyCount > 0);
  const ids = newestFirst(state, key) ? [c.id, ...shown.ids] : [...shown.ids, c.id];
  return { ...state, byId, count, lists: { ...state.lists, [key]: { ...shown, ids } } };
}

/**
 * Takes a changed comment (an edit, a moderation decision, a deletion, new reaction counts)
 * and changes it in place. A published comment the reader never saw (a held comment just
 * approved) is new to them, and is received as such when it belongs to what is loaded.
 */
export function update(state, c, viewerID) {
  const old = state.byId[c.id];
  if (!old) {
    const key = listKey(c);
    return c.status === 'PUBLISHED' && key != null && belongsInView(state, key, c) ? receive(state, c, viewerID) : state;
  }
  const was = old.status === 'PUBLISHED';
  const is = c.status === 'PUBLISHED';
  return { ...state, count: state.count + (is - was), byId: { ...state.byId, [c.id]: { ...old, ...c } } };
}

/** Shows the comments queued in the list of parentID (null: the top level). */
export function reveal(state, parentID) {
  const key = parentID || ROOT;
  const waiting = state.queued[key];
  if (!waiting?.length) return state;
  const list = state.lists[key] || emptyList();
  const fresh = waiting.filter((id) => !list.ids.includes(id));
  const ids = newestFirst(state, key) ? [...fresh.reverse(), ...list.ids] : [...list.ids, ...fresh];
  const { [key]: _, ...queued } = state.queued;
  return { ...state, queued, lists: { ...state.lists, [key]: { ...list, ids } } };
}

/**
 * Flips the viewer's reaction of kind on a comment, with its count: applied before the
 * server answers, and applied again to roll back when it refuses.
 */
export function toggleReaction(state, id, kind) {
  const c = state.byId[id];
  if (!c) return state;
  const found = c.reactions.find((r) => r.kind === kind);
  const r = found || { kind, count: 0, viewerReacted: false };
  const next = { ...r, viewerReacted: !r.viewerReacted, count: Math.max(0, r.count + (r.viewerReacted ? -1 : 1)) };
  const reactions = found ? c.reactions.map((x) => (x === found ? next : x)) : [...c.reactions, next];
  return { ...state, byId: { ...state.byId, [id]: { ...c, reactions } } };
}

/**
 * Takes a fresh first page after the live connection was down (events may have been missed
 * meanwhile): what is known changes in place, what is new waits in its queue.
 */
export function sync(state, conn, viewerID) {
  let next = state;
  for (const { node: { replies, ...c } } of conn.edges) {
    next = receive(next, c, viewerID);
    for (const edge of replies?.edges || []) next = receive(next, edge.node, viewerID);
  }
  return next;
}

/** The reducer over the functions above, for useReducer. */
export function reducer(state, a) {
  switch (a.type) {
    case 'reset': return addPage(initialState(a.order, a.count ?? state.count), null, a.page);
    case 'page': return addPage(state, a.parentID, a.page);
    case 'receive': return receive(state, a.comment, a.viewerID);
    case 'sync': return sync(state, a.page, a.viewerID);
    case 'update': return update(state, a.comment, a.viewerID);
    case 'reveal': return reveal(state, a.parentID);
    case 'react': return toggleReaction(state, a.id, a.kind);
    default: throw new Error(`unknown action ${a.type}`);
  }
}

/**
 * How a comment shows to the viewer: 'comment'; 'pending' or 'rejected' (their own, held or
 * refused, until they delete it); 'deleted' or 'unavailable' (a placeholder, without body or
 * author, that keeps the replies below it reachable); or null when it does not show at all.
 * The server sends a placeholder only while a reply below it shows to the viewer.
 */
export function display(c, viewerID) {
  const own = !!viewerID && c.author?.id === viewerID;
  switch (c.status) {
    case 'PUBLISHED': return 'comment';
    case 'PENDING': return own ? 'pending' : c.replyCount > 0 ? 'unavailable' : null;
    case 'REJECTED': return own ? 'rejected' : c.replyCount > 0 ? 'unavailable' : null;
    case 'DELETED': return c.replyCount > 0 ? 'deleted' : null;
    default: return null;
  }
}

/**
 * What the viewer may do with a published comment's reactions, as the server decides it:
 * 'toggle' them; 'signIn' first (signed out, the buttons lead to the sign-in); or only be
 * 'show'n the counts, on the viewer's own comment (the server refuses reactions to it) and
 * wherever the widget is read-only.
 */
export function reactionMode(c, viewerID, readOnly) {
  if (readOnly) return 'show';
  if (!viewerID) return 'signIn';
  return c.author?.id === viewerID ? 'show' : 'toggle';
}
