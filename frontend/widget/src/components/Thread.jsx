// The list of top-level comments: featured ones first, then the rest, with the button that
// shows new comments and the one that loads more. Or, after "Continue this thread", one
// comment's thread on its own.
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { Comment } from './Comment.jsx';
import { ROOT } from '../store.js';
import { errorText } from '../errors.js';

function Rerooted({ id }) {
  const { t, act, state } = useContext(Ctx);
  const back = useRef();
  useEffect(() => {
    back.current.focus();
    // The thread is why the reader came: open its replies (on failure its button stays).
    if (!state.lists[id]) act.loadReplies(id).catch(() => {});
  }, [id]);
  return (
    <>
      <button type="button" class="link" ref={back} onClick={() => act.focusRoot(null)}>{t('backToAll')}</button>
      <ol class="thread"><Comment id={id} level={0} /></ol>
    </>
  );
}

export function Thread() {
  const { t, state, act, rootID } = useContext(Ctx);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const featuredTitle = useId();
  if (rootID) return <Rerooted id={rootID} />;

  const list = state.lists[ROOT] || { ids: [], more: false };
  const isFeatured = (id) => state.byId[id].featured && state.byId[id].status === 'PUBLISHED';
  const featured = list.ids.filter(isFeatured);
  const rest = list.ids.filter((id) => !isFeatured(id));
  const waiting = state.queued[ROOT]?.length || 0;
  const atTop = state.order === 'NEWEST';
  const news = waiting > 0 && (
    <button type="button" class="btn new" onClick={() => act.reveal(null)}>{t('newComments', { n: waiting })}</button>
  );
  const loadMore = () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    act.loadMore().then(act.focus, (err) => setError(errorText(err, t))).finally(() => setBusy(false));
  };

  return (
    <>
      {featured.length > 0 && (
        <section class="featured" aria-labelledby={featuredTitle}>
          <h3 id={featuredTitle}>{t('featured')}</h3>
          <ol class="thread">{featured.map((id) => <Comment key={id} id={id} level={0} />)}</ol>
        </section>
      )}
      {atTop && news}
      <ol class="thread">{rest.map((id) => <Comment key={id} id={id} level={0} />)}</ol>
      {!atTop && news}
      {list.more && (
        <button type="button" class="btn more" aria-disabled={busy ? 'true' : undefined} onClick={loadMore}>{t('loadMore')}</button>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </>
  );
}
