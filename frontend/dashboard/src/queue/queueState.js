// The loaded part of a moderation queue and the moderator's place in it, as pure functions.
// Live updates and decisions reshape the list, but the selected comment and the bulk
// selection follow comments by ID, so the moderator never loses their place.

/** A queue with nothing loaded. */
export const emptyQueue = Object.freeze({ items: [], endCursor: null, hasNextPage: false, selectedID: null, checked: new Set() });

/** The comments of a connection, as a page. */
export function pageOf(connection) {
  return {
    items: connection.edges.map((e) => e.node),
    endCursor: connection.pageInfo.endCursor,
    hasNextPage: connection.pageInfo.hasNextPage,
  };
}

/** Appends the page that follows what is loaded ("Load more"). */
export function appendPage(state, page) {
  const known = new Set(state.items.map((c) => c.id));
  return {
    ...state,
    items: [...state.items, ...page.items.filter((c) => !known.has(c.id))],
    endCursor: page.endCursor,
    hasNextPage: page.hasNextPage,
  };
}

const time = (c) => Date.parse(c.createdAt);

/**
 * Merges a freshly read first page into the loaded queue: comments new at the top appear,
 * comments within the page's span that left the queue go, and older loaded comments stay so
 * the moderator keeps what they scrolled to.
 */
export function mergeFirstPage(state, page) {
  const oldest = page.items.length ? time(page.items[page.items.length - 1]) : Infinity;
  const fresh = new Set(page.items.map((c) => c.id));
  // Loaded comments older than the whole fresh page lie beyond it and are kept; without a
  // next page the fresh page is the whole queue.
  const tail = page.hasNextPage ? state.items.filter((c) => !fresh.has(c.id) && time(c) < oldest) : [];
  const items = [...page.items, ...tail];
  const next = tail.length
    ? { items, endCursor: state.endCursor, hasNextPage: state.hasNextPage }
    : { items, endCursor: page.endCursor, hasNextPage: page.hasNextPage };
  return keepPlace(state, { ...state, ...next });
}

/** How many comments of page are not loaded yet: the ones a live update brings. */
export function countNew(state, page) {
  const known = new Set(state.items.map((c) => c.id));
  return page.items.filter((c) => !known.has(c.id)).length;
}

/** Takes decided comments out of the list; the selection moves to the comment that follows. */
export function removeItems(state, ids) {
  const gone = new Set(ids);
  return keepPlace(state, { ...state, items: state.items.filter((c) => !gone.has(c.id)) });
}

/**
 * Puts comments back where they belong by time (after an undo) and selects the first of
 * them, so the moderator can decide again.
 */
export function restoreItems(state, comments) {
  if (!comments.length) return state;
  const back = new Set(comments.map((c) => c.id));
  const items = [...state.items.filter((c) => !back.has(c.id)), ...comments]
    .sort((a, b) => time(b) - time(a) || (a.id < b.id ? 1 : -1));
  return { ...state, items, selectedID: comments[0].id };
}

/** Replaces loaded comments with newer copies of them (after featuring, say). */
export function updateItems(state, comments) {
  const byID = new Map(comments.map((c) => [c.id, c]));
  return { ...state, items: state.items.map((c) => (byID.has(c.id) ? { ...c, ...byID.get(c.id) } : c)) };
}

/**
 * Moves the selection by delta (1 for next, -1 for previous), stopping at either end; with
 * nothing selected, either direction selects the first comment.
 */
export function moveSelection(state, delta) {
  if (!state.items.length) return state;
  const at = state.items.findIndex((c) => c.id === state.selectedID);
  const index = at < 0 ? 0 : Math.min(Math.max(at + delta, 0), state.items.length - 1);
  return { ...state, selectedID: state.items[index].id };
}

/** Selects one comment (on click). */
export function select(state, id) {
  return { ...state, selectedID: id };
}

/** Puts a comment in the bulk selection or takes it out. */
export function toggleChecked(state, id) {
  const checked = new Set(state.checked);
  if (checked.has(id)) checked.delete(id);
  else checked.add(id);
  return { ...state, checked };
}

/** Checks every loaded comment, or none. */
export function checkAll(state, on) {
  return { ...state, checked: on ? new Set(state.items.map((c) => c.id)) : new Set() };
}

/** Whether no, some or all loaded comments are checked: 'none', 'some' or 'all'. */
export function checkedState(state) {
  const n = state.items.filter((c) => state.checked.has(c.id)).length;
  if (n === 0) return 'none';
  return n === state.items.length ? 'all' : 'some';
}

// keepPlace carries the selection and the bulk selection from before to after: a selected
// comment that left is replaced by the one now at its place (or the new last one, never by
// a comment the moderator has not seen yet), and checked comments that left are unchecked.
function keepPlace(before, after) {
  const ids = new Set(after.items.map((c) => c.id));
  const checked = new Set([...before.checked].filter((id) => ids.has(id)));
  let selectedID = before.selectedID;
  if (selectedID !== null && !ids.has(selectedID)) {
    const was = before.items.findIndex((c) => c.id === selectedID);
    // The first survivor at or after the old position; before it, the last one.
    const survivor = before.items.slice(was + 1).find((c) => ids.has(c.id))
      ?? [...before.items.slice(0, Math.max(was, 0))].reverse().find((c) => ids.has(c.id));
    selectedID = survivor?.id ?? null;
  }
  return { ...after, checked, selectedID };
}
