// A user's comments on a site as the drawer shows them: newest first, a page at a time.

export const HISTORY_PAGE = 20;
// The largest page the server serves (parley.MaxPageSize).
const MAX_PAGE = 100;

export const emptyHistory = { comments: [], endCursor: null, hasNextPage: false };

/** history with a page (a CommentConnection of user.comments) added after what it holds. */
export function appendPage(history, connection) {
  return {
    comments: [...history.comments, ...connection.edges.map((e) => e.node)],
    endCursor: connection.pageInfo.endCursor ?? history.endCursor,
    hasNextPage: connection.pageInfo.hasNextPage,
  };
}

/**
 * Reads the newest count comments again (a page at the fewest), in as few pages as the server
 * allows. read(first, after) answers {connection} or {error}; this answers {history} or
 * {error}. A ban that rejects the user's comments changes every page shown, not only the first.
 */
export async function readHistory(read, count) {
  let history = emptyHistory;
  do {
    const first = Math.min(Math.max(count - history.comments.length, HISTORY_PAGE), MAX_PAGE);
    const page = await read(first, history.endCursor);
    if (page.error) return { error: page.error };
    history = appendPage(history, page.connection);
  } while (history.hasNextPage && history.comments.length < count);
  return { history };
}
