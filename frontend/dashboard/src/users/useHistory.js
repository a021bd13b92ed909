// The drawer's history of a user's comments on a site: the first page on opening, more on
// request, and everything shown read again when the user may have changed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { USER_COMMENTS } from './documents.js';
import { HISTORY_PAGE, appendPage, emptyHistory, readHistory } from './history.js';

// A user deleted meanwhile has no comments left to show.
const noComments = { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };

/**
 * Answers the history, how loading went, and loadMore (resolves to the id of the first comment
 * it added, or null). A change of version reads the shown comments again.
 */
export function useHistory({ userID, siteID, version }) {
  const client = useClient();
  const [history, setHistory] = useState(emptyHistory);
  const [status, setStatus] = useState({ loading: true, error: null });
  const shown = useRef(0);
  shown.current = history.comments.length;
  // Answers for a user or site the drawer has left are dropped.
  const generation = useRef(0);

  async function read(first, after) {
    const result = await client.query(USER_COMMENTS, { id: userID, siteID, first, after }, { requestPolicy: 'network-only' }).toPromise();
    return result.error ? { error: result.error } : { connection: result.data.user?.comments ?? noComments };
  }

  useEffect(() => {
    const gen = ++generation.current;
    setStatus({ loading: true, error: null });
    readHistory(read, shown.current).then((answer) => {
      if (gen !== generation.current) return;
      if (answer.history) setHistory(answer.history);
      setStatus({ loading: false, error: answer.error ?? null });
    });
  }, [userID, siteID, version]);

  async function loadMore() {
    const gen = generation.current;
    setStatus({ loading: true, error: null });
    const page = await read(HISTORY_PAGE, history.endCursor);
    if (gen !== generation.current) return null;
    if (page.connection) setHistory((h) => appendPage(h, page.connection));
    setStatus({ loading: false, error: page.error ?? null });
    return page.connection?.edges[0]?.node.id ?? null;
  }

  return { history, status, loadMore };
}
