// The loaded part of one queue, kept in component state and reshaped only by the pure
// functions of queueState.js. Reads go to the network: a queue is only useful when fresh.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { QUEUE } from './documents.js';
import { appendPage, countNew, emptyQueue, mergeFirstPage, pageOf } from './queueState.js';

export const PAGE_SIZE = 20;

/**
 * Loads queue (of siteID, or of one story) and answers its state, how loading went, and
 * refresh (read the first page again and merge; resolves to how many comments it added),
 * loadMore, and update (apply a queueState function).
 */
export function useQueueList({ siteID, storyID, queue }) {
  const client = useClient();
  const [state, setState] = useState(emptyQueue);
  const [status, setStatus] = useState({ loading: true, error: null });
  const latest = useRef(state);
  latest.current = state;
  // Answers for a queue the moderator has left are dropped.
  const generation = useRef(0);
  const variables = { queue, siteID, storyID, first: PAGE_SIZE };

  const read = (after) => client.query(QUEUE, { ...variables, after }, { requestPolicy: 'network-only' }).toPromise();

  useEffect(() => {
    const gen = ++generation.current;
    setState(emptyQueue);
    setStatus({ loading: true, error: null });
    read(null).then((result) => {
      if (gen !== generation.current) return;
      if (!result.error) setState(appendPage(emptyQueue, pageOf(result.data.moderationQueue)));
      setStatus({ loading: false, error: result.error ?? null });
    });
  }, [queue, siteID, storyID]);

  const refresh = useCallback(async () => {
    const gen = generation.current;
    const result = await read(null);
    if (gen !== generation.current || result.error) return 0;
    const page = pageOf(result.data.moderationQueue);
    const added = countNew(latest.current, page);
    setState((s) => mergeFirstPage(s, page));
    setStatus({ loading: false, error: null });
    return added;
  }, [queue, siteID, storyID]);

  const loadMore = useCallback(async () => {
    const gen = generation.current;
    setStatus({ loading: true, error: null });
    const result = await read(state.endCursor);
    if (gen !== generation.current) return;
    if (!result.error) setState((s) => appendPage(s, pageOf(result.data.moderationQueue)));
    setStatus({ loading: false, error: result.error ?? null });
  }, [queue, siteID, storyID, state.endCursor]);

  const update = useCallback((change) => setState(change), []);

  return { state, status, refresh, loadMore, update };
}
