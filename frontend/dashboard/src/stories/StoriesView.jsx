// A site's stories: search them, open or close them, set a story's own pre-moderation, share
// them with peer instances (when this one has any), and go to one story's queue. The search lives in the URL, so reload and back and forward keep it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Link, navigate } from '../app/navigation.jsx';
import { Time } from '../ui/Time.jsx';
import { formatNumber } from '../ui/format.js';
import { SHAREABLE_PEERS, STORIES, UPDATE_STORY } from './documents.js';
import { ShareForm, SharedWith } from './ShareStory.jsx';
import { t, tx } from '../i18n/index.js';

const PAGE_SIZE = 25;

// A story's own pre-moderation; each one's label is stories.moderation.<value>.
const MODERATION = ['SITE', 'PRE', 'PRE_LINKS', 'POST'];

// What the list may be limited to; each one's label is stories.show.<value or all>.
const SHOW = [
  { value: '', closed: null },
  { value: 'open', closed: false },
  { value: 'closed', closed: true },
];

/** search and show come from the route: the text and the open/closed filter applied. */
export function StoriesView({ site, search, show }) {
  const client = useClient();
  const [draft, setDraft] = useState({ query: search, show });
  // Back and forward bring another search; the form shows it.
  useEffect(() => { setDraft({ query: search, show }); }, [search, show]);
  // Searching again for the same thing leaves the URL as it is but still reads afresh.
  const [reads, setReads] = useState(0);
  const [list, setList] = useState({ stories: [], endCursor: null, hasNextPage: false });
  const [status, setStatus] = useState({ loading: true, error: '' });
  const [notice, setNotice] = useState('');
  const generation = useRef(0);
  // The peers stories can be shared with; without any, the Peers column is not shown.
  const [peers, setPeers] = useState([]);
  const [sharing, setSharing] = useState(null);

  useEffect(() => {
    let live = true;
    client.query(SHAREABLE_PEERS, { siteID: site.id }, { requestPolicy: 'network-only' }).toPromise()
      .then((r) => { if (live) setPeers(r.data?.shareablePeers ?? []); });
    return () => { live = false; };
  }, [site.id]);

  async function load(after) {
    const gen = ++generation.current;
    setStatus({ loading: true, error: '' });
    const { closed } = SHOW.find((s) => s.value === show);
    const result = await client.query(STORIES,
      { siteID: site.id, query: search.trim() || null, closed, first: PAGE_SIZE, after, sharing: peers.length > 0 },
      { requestPolicy: 'network-only' }).toPromise();
    if (gen !== generation.current) return;
    if (result.error) {
      setStatus({ loading: false, error: errorMessage(result.error) });
      return;
    }
    const { edges, pageInfo } = result.data.stories;
    setList((l) => ({
      stories: [...(after ? l.stories : []), ...edges.map((e) => e.node)],
      endCursor: pageInfo.endCursor,
      hasNextPage: pageInfo.hasNextPage,
    }));
    setStatus({ loading: false, error: '' });
    if (!after) setNotice(edges.length ? '' : t('stories.noMatch'));
  }

  // With peers to share with, the list reads each story's sharing too (read again once they
  // are known); without, it asks nothing about sharing.
  useEffect(() => { load(null); }, [search, show, reads, site.id, peers.length > 0]);

  function submit(event) {
    event.preventDefault();
    const next = { query: draft.query.trim(), show: draft.show };
    if (next.query === search && next.show === show) setReads((n) => n + 1);
    else navigate({ view: 'stories', siteID: site.id, search: next.query, show: next.show });
  }

  async function change(story, change, done) {
    const result = await client.mutation(UPDATE_STORY, { input: { storyID: story.id, ...change } }).toPromise();
    if (result.error) {
      setNotice(`${story.title || story.url}: ${errorMessage(result.error)}`);
      return;
    }
    const updated = result.data.updateStory;
    setList((l) => ({ ...l, stories: l.stories.map((s) => (s.id === updated.id ? { ...s, ...updated } : s)) }));
    setNotice(done);
  }

  function shared(story, name, sharedWith) {
    setList((l) => ({ ...l, stories: l.stories.map((s) => (s.id === story.id ? { ...s, sharedWith } : s)) }));
    setSharing(null);
    setNotice(sharedWith.length ? t('stories.nowShared', { name, peers: sharedWith.map((p) => p.name).join(', ') }) : t('stories.nowUnshared', { name }));
  }

  return (
    <section aria-labelledby="stories-title">
      <div class="view-head"><h1 id="stories-title" tabIndex={-1}>{t('nav.stories')}</h1></div>
      <form role="search" class="row search" onSubmit={submit}>
        <label for="story-search">{t('stories.search')}</label>
        <input id="story-search" type="search" placeholder={t('stories.placeholder')} value={draft.query} onInput={(e) => setDraft({ ...draft, query: e.currentTarget.value })} />
        <label for="story-show">{t('stories.showLabel')}</label>
        <select id="story-show" value={draft.show} onChange={(e) => setDraft({ ...draft, show: e.currentTarget.value })}>
          {SHOW.map((s) => <option key={s.value} value={s.value}>{t(`stories.show.${s.value || 'all'}`)}</option>)}
        </select>
        <button type="submit">{t('stories.submit')}</button>
      </form>
      <p role="status" class="muted">{notice}</p>
      {status.error && <p class="error" role="alert">{status.error}</p>}
      {list.stories.length > 0 && (
        <table class="stories">
          <caption class="visually-hidden">{t('stories.caption', { site: site.name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('stories.story')}</th><th scope="col">{t('stories.comments')}</th><th scope="col">{t('stories.started')}</th>
              <th scope="col">{t('stories.premod')}</th><th scope="col">{t('stories.commenting')}</th>
              {peers.length > 0 && <th scope="col">{t('stories.peers')}</th>}
              <th scope="col">{t('stories.queue')}</th>
            </tr>
          </thead>
          <tbody>
            {list.stories.map((story) => {
              const name = story.title || story.url;
              return [
                <tr key={story.id}>
                  <th scope="row"><a href={story.url} target="_blank" rel="noopener">{name}</a>{story.title && <div class="muted url">{story.url}</div>}</th>
                  <td>{formatNumber(story.commentCount)}</td>
                  <td><Time iso={story.createdAt} /></td>
                  <td>
                    <select aria-label={t('stories.premodOf', { name })} value={story.moderation}
                      onChange={(e) => change(story, { moderation: e.currentTarget.value }, t('stories.premodChanged', { name }))}>
                      {MODERATION.map((m) => <option key={m} value={m}>{t(`stories.moderation.${m}`)}</option>)}
                    </select>
                  </td>
                  <td>
                    <span class={`status ${story.closed ? 'rejected' : 'published'}`}>{story.closed ? t('stories.closed') : t('stories.open')}</span>{' '}
                    {!story.closed && story.closesAt && <span class="muted">{tx('stories.closes', { time: <Time iso={story.closesAt} /> })}</span>}{' '}
                    <button type="button" onClick={() => change(story, { closed: !story.closed }, t(story.closed ? 'stories.reopened' : 'stories.wasClosed', { name }))}>
                      {story.closed ? t('stories.reopen') : t('stories.close')}<span class="visually-hidden"> {name}</span>
                    </button>
                  </td>
                  {peers.length > 0 && (
                    <td>
                      <SharedWith story={story} />{' '}
                      <button type="button" aria-expanded={sharing === story.id} onClick={() => setSharing(sharing === story.id ? null : story.id)}>
                        {t('stories.share')}<span class="visually-hidden"> {name}</span>
                      </button>
                    </td>
                  )}
                  <td><Link to={{ view: 'queue', queue: 'PENDING', siteID: site.id, storyID: story.id }}>{t('stories.queue')}<span class="visually-hidden"> {t('stories.queueOf', { name })}</span></Link></td>
                </tr>,
                sharing === story.id && (
                  <tr key={`${story.id}-share`} class="share-row">
                    <td colSpan={7}>
                      <ShareForm story={story} name={name} peers={peers} onSaved={(w) => shared(story, name, w)} onCancel={() => setSharing(null)} />
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
      {status.loading && <p class="muted" role="status">{t('common.loading')}</p>}
      {list.hasNextPage && !status.loading && <button type="button" class="load-more" onClick={() => load(list.endCursor)}>{t('common.loadMore')}</button>}
    </section>
  );
}
