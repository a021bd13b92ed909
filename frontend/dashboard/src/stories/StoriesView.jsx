// A site's stories: search them, open or close them, set a story's own pre-moderation, and
// go to one story's queue. The search lives in the URL, so reload and back and forward keep it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Link, navigate } from '../app/navigation.jsx';
import { Time } from '../ui/Time.jsx';
import { STORIES, UPDATE_STORY } from './documents.js';

const PAGE_SIZE = 25;

const MODERATION = [
  { value: 'SITE', label: "Site's settings" },
  { value: 'PRE', label: 'Hold every comment' },
  { value: 'PRE_LINKS', label: 'Hold comments with links' },
  { value: 'POST', label: 'Hold none' },
];

const SHOW = [
  { value: '', label: 'All stories', closed: null },
  { value: 'open', label: 'Open', closed: false },
  { value: 'closed', label: 'Closed', closed: true },
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

  async function load(after) {
    const gen = ++generation.current;
    setStatus({ loading: true, error: '' });
    const { closed } = SHOW.find((s) => s.value === show);
    const result = await client.query(STORIES,
      { siteID: site.id, query: search.trim() || null, closed, first: PAGE_SIZE, after },
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
    if (!after) setNotice(edges.length ? '' : 'No stories match.');
  }

  useEffect(() => { load(null); }, [search, show, reads, site.id]);

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

  return (
    <section aria-labelledby="stories-title">
      <div class="view-head"><h1 id="stories-title" tabIndex={-1}>Stories</h1></div>
      <form role="search" class="row search" onSubmit={submit}>
        <label for="story-search">Search stories</label>
        <input id="story-search" type="search" placeholder="Title or URL" value={draft.query} onInput={(e) => setDraft({ ...draft, query: e.currentTarget.value })} />
        <label for="story-show">Show</label>
        <select id="story-show" value={draft.show} onChange={(e) => setDraft({ ...draft, show: e.currentTarget.value })}>
          {SHOW.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
        </select>
        <button type="submit">Search</button>
      </form>
      <p role="status" class="muted">{notice}</p>
      {status.error && <p class="error" role="alert">{status.error}</p>}
      {list.stories.length > 0 && (
        <table class="stories">
          <caption class="visually-hidden">Stories of {site.name}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Story</th><th scope="col">Comments</th><th scope="col">Started</th>
              <th scope="col">Pre-moderation</th><th scope="col">Commenting</th><th scope="col">Queue</th>
            </tr>
          </thead>
          <tbody>
            {list.stories.map((story) => {
              const name = story.title || story.url;
              return (
                <tr key={story.id}>
                  <th scope="row"><a href={story.url} target="_blank" rel="noopener">{name}</a>{story.title && <div class="muted url">{story.url}</div>}</th>
                  <td>{story.commentCount}</td>
                  <td><Time iso={story.createdAt} /></td>
                  <td>
                    <select aria-label={`Pre-moderation of ${name}`} value={story.moderation}
                      onChange={(e) => change(story, { moderation: e.currentTarget.value }, `${name}: pre-moderation changed.`)}>
                      {MODERATION.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
                    </select>
                  </td>
                  <td>
                    <span class={`status ${story.closed ? 'rejected' : 'published'}`}>{story.closed ? 'Closed' : 'Open'}</span>{' '}
                    {!story.closed && story.closesAt && <span class="muted">closes <Time iso={story.closesAt} /></span>}{' '}
                    <button type="button" onClick={() => change(story, { closed: !story.closed }, `${name}: ${story.closed ? 'reopened' : 'closed'}.`)}>
                      {story.closed ? 'Reopen' : 'Close'}<span class="visually-hidden"> {name}</span>
                    </button>
                  </td>
                  <td><Link to={{ view: 'queue', queue: 'PENDING', siteID: site.id, storyID: story.id }}>Queue<span class="visually-hidden"> of {name}</span></Link></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {status.loading && <p class="muted" role="status">Loading…</p>}
      {list.hasNextPage && !status.loading && <button type="button" class="load-more" onClick={() => load(list.endCursor)}>Load more</button>}
    </section>
  );
}
