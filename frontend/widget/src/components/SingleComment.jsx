// The one-comment embed: a single comment, read-only, with a link to its discussion.
import { useEffect, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { Comment } from './Comment.jsx';
import { useNow } from './App.jsx';
import { APIError, createAPI } from '../api.js';
import { tokenStore } from '../session.js';
import { addPage, initialState } from '../store.js';
import { errorText } from '../errors.js';
import * as Q from '../queries.js';

export function SingleComment({ opts, emit, t }) {
  const [loaded, setLoaded] = useState(null);
  const [failed, setFailed] = useState(null);
  const now = useNow();

  useEffect(() => {
    (async () => {
      const tokens = tokenStore(new URL(opts.serverURL).origin);
      const api = createAPI(opts.serverURL, tokens, () => {});
      const site = (await api(Q.COMMENT_SITE, { id: opts.commentID })).comment?.story?.site;
      const comment = site && (await api(Q.ONE_COMMENT, { id: opts.commentID, siteID: site.id })).comment;
      if (!comment) throw new APIError('NOT_FOUND');
      const { story, ...node } = comment;
      const state = addPage(initialState(), null, { edges: [{ node }], pageInfo: { hasNextPage: false } });
      setLoaded({ story, state });
      emit('ready', { commentID: comment.id });
    })().catch(setFailed);
  }, []);

  if (!loaded) {
    return (
      <section class="parley" aria-label={t('region')}>
        <p role="status">{failed ? errorText(failed, t) : t('loading')}</p>
      </section>
    );
  }
  const { story, state } = loaded;
  const ctx = {
    t, now, state, story, settings: story.site.settings, viewer: null, mutedIDs: new Set(), readOnly: true, act: {},
  };
  // Only http(s) links: a story URL is the host's, but a link must never run script.
  const href = /^https?:\/\//i.test(story.url) ? story.url : undefined;
  return (
    <Ctx.Provider value={ctx}>
      <section class="parley single" aria-label={t('region')}>
        <ol class="thread"><Comment id={opts.commentID} level={0} /></ol>
        {href && <a class="btn" href={href} target="_top">{t('viewDiscussion')}</a>}
      </section>
    </Ctx.Provider>
  );
}
