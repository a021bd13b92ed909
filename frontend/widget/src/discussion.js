// useDiscussion: the data and actions of one story's discussion (loading, paging, the
// reader's session, posting, live updates), for the components to render and call.
import { useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { APIError, createAPI, createLive } from './api.js';
import { tokenStore } from './session.js';
import { initialState, reducer, ROOT } from './store.js';
import { postedNotice, rejectionNotice } from './notices.js';
import * as Q from './queries.js';

/**
 * Subscribes to query on client, handing each result's data to next; returns the
 * unsubscribe function. Errors end nothing: graphql-ws reconnects, and a subscription
 * refused by the server is simply without updates.
 */
function subscribe(client, query, variables, next) {
  return client.subscribe({ query, variables }, { next: ({ data }) => data && next(data), error() {}, complete() {} });
}

export function useDiscussion(opts, emit, bridge, t) {
  const tokens = useMemo(() => tokenStore(new URL(opts.serverURL).origin), []);
  const [token, setToken] = useState(tokens.get);
  const [viewer, setViewer] = useState(null);
  const api = useMemo(() => createAPI(opts.serverURL, tokens, () => { setToken(null); setViewer(null); }), []);
  const [story, setStory] = useState(null);
  const [failed, setFailed] = useState(null);
  const [state, dispatch] = useReducer(reducer, undefined, initialState);
  const [notice, setNotice] = useState('');
  // Counts notifications stored live for the signed-in reader, so the bell counts again.
  const [inboxTick, setInboxTick] = useState(0);
  // A request to move focus to a comment; a new object each time, so asking again works.
  const [focus, setFocus] = useState(null);
  const focusOn = (id) => setFocus({ id });
  const [authOpen, setAuthOpen] = useState(false);
  const [ssoError, setSSOError] = useState(null);
  // Set when the reader signed in with the form just now, so the composer may take focus.
  const [signedInHere, setSignedInHere] = useState(false);
  // Subscriptions outlive renders; they read the current viewer and order through this ref.
  const latest = useRef();
  latest.current = { viewerID: viewer?.id, order: state.order };
  // Whether a live connection was up before: any later one may have missed events.
  const wasConnected = useRef(false);

  const ids = story && { storyID: story.id, siteID: story.site.id };
  const page = async (order, after, current = ids) => (await api(Q.COMMENTS, { ...current, order, after })).story.comments;
  const reload = async () => dispatch({ type: 'reset', order: state.order, page: await page(state.order) });

  // The polite live region repeats a message only when it changes; a zero-width suffix
  // makes a repeated one new.
  const announce = (text) => setNotice((old) => (old === text ? `${text}\u200b` : text));

  const startSession = async (auth, here) => {
    setSignedInHere(!!here);
    tokens.set(auth.token);
    setToken(auth.token);
    // The comments are read again as the viewer before the widget shows them signed in, so
    // nothing the reader opens in between is wiped by the reload.
    await reload();
    // The sign-in answer comes from an anonymous request, which may not see the new
    // viewer's private fields (their muted users): ask again as them.
    setViewer((await api(Q.VIEWER_QUERY)).viewer);
    setAuthOpen(false);
    // A sign-in within a deleted account's grace period keeps the account: say so.
    announce(t(auth.deletionCancelled ? 'welcomeBack' : 'welcome', { name: auth.user.username }));
    emit('login', { user: { id: auth.user.id, username: auth.user.username } });
  };

  // Forgets the session here and tells the reader and the host page, with message's words.
  const endSession = async (message) => {
    tokens.set(null);
    setToken(null);
    setViewer(null);
    announce(t(message));
    emit('logout', {});
    opts.onLogout?.();
    await reload();
  };

  const act = {
    requestLogin: () => (opts.onLoginRequest ? opts.onLoginRequest() : setAuthOpen(true)),
    closeLogin: () => setAuthOpen(false),
    signIn: async (input) => startSession((await api(Q.SIGN_IN, { input })).signIn, true),
    signUp: async (input) => startSession((await api(Q.SIGN_UP, { input })).signUp, true),
    async sso(jwt) {
      setSSOError(null);
      await startSession((await api(Q.SIGN_IN_SSO, { input: { siteID: story.site.id, token: jwt } })).signInWithSSO);
    },
    // OpenID Connect in a popup (oidc.js, which only the sign-in panel's buttons need); the
    // popup opens from the click, so browsers let it.
    async oidc(provider, signInWithPopup) {
      await startSession(await signInWithPopup(opts.serverURL, provider, story.site.id), true);
    },
    async signOut() {
      await api(Q.SIGN_OUT).catch(() => {}); // the session ends here whatever the server says
      await endSession('signedOut');
    },
    // request sends any operation as the viewer: the parts loaded on demand bring their own.
    request: api,
    async revokeSession(sessionID, current) {
      await api(Q.REVOKE_SESSION, { input: { sessionID } });
      if (current) await endSession('signedOut');
    },
    async signOutEverywhere() {
      await api(Q.SIGN_OUT_EVERYWHERE);
      await endSession('signedOutEverywhere');
    },
    async deleteAccount(input) {
      await api(Q.DELETE_ACCOUNT, { input });
      await endSession('accountDeleted');
    },
    setOrder: async (order) => dispatch({ type: 'reset', order, page: await page(order) }),
    // loadMore and loadReplies answer the first comment they brought, for the focus.
    async loadMore() {
      const p = await page(state.order, state.lists[ROOT]?.cursor);
      dispatch({ type: 'page', parentID: null, page: p });
      return p.edges[0]?.node.id;
    },
    async loadReplies(id) {
      const p = (await api(Q.REPLIES, { id, siteID: story.site.id, after: state.lists[id]?.cursor })).comment.replies;
      dispatch({ type: 'page', parentID: id, page: p });
      return p.edges[0]?.node.id;
    },
    focus: focusOn,
    // Shows the comments waiting in a list and takes the reader to the first of them.
    reveal(parentID) {
      const waiting = state.queued[parentID || ROOT] || [];
      dispatch({ type: 'reveal', parentID });
      focusOn(parentID || state.order !== 'NEWEST' ? waiting[0] : waiting[waiting.length - 1]);
    },
    async post(parentID, body) {
      // Absent, not null: the server reads a null parentID as a parent it cannot find.
      const input = parentID ? { storyID: story.id, parentID, body } : { storyID: story.id, body };
      const { comment } = (await api(Q.CREATE, { siteID: story.site.id, input })).createComment;
      dispatch({ type: 'receive', comment, viewerID: viewer.id });
      focusOn(comment.id);
      announce(postedNotice(t, comment));
      emit('comment-posted', { id: comment.id, status: comment.status, parentID });
    },
    // A guest's comment is always held, and shows to no one (the guest included) until a
    // moderator approves it: the guest is told so.
    async postAsGuest(name, email, body) {
      const input = { storyID: story.id, name, body, ...(email ? { email } : {}) };
      await api(Q.GUEST_CREATE, { siteID: story.site.id, input });
      announce(t('guestPosted'));
      emit('comment-posted', { status: 'PENDING', parentID: null, guest: true });
    },
    async edit(id, body, version) {
      // The version the author saw: an edit made elsewhere or a moderator's decision since
      // answers CONFLICT instead of being overwritten.
      const { comment } = (await api(Q.EDIT, { siteID: story.site.id, input: { commentID: id, body, version } })).editComment;
      dispatch({ type: 'update', comment, viewerID: viewer.id });
      focusOn(comment.id);
    },
    async remove(id) {
      const { comment } = (await api(Q.DELETE, { siteID: story.site.id, input: { commentID: id } })).deleteComment;
      dispatch({ type: 'update', comment, viewerID: viewer.id });
      announce(t('deleted'));
    },
    async react(comment, kind) {
      const on = comment.reactions.find((r) => r.kind === kind)?.viewerReacted;
      dispatch({ type: 'react', id: comment.id, kind });
      try {
        const d = await api(on ? Q.REMOVE_REACTION : Q.ADD_REACTION, { siteID: story.site.id, input: { commentID: comment.id, kind } });
        dispatch({ type: 'update', comment: (d.addReaction || d.removeReaction).comment, viewerID: viewer.id });
      } catch (err) {
        dispatch({ type: 'react', id: comment.id, kind });
        throw err;
      }
    },
    preview: async (body) => (await api(Q.PREVIEW, { siteID: story.site.id, body })).previewComment,
    report: (id, reason, details) => api(Q.REPORT, { input: details ? { commentID: id, reason, details } : { commentID: id, reason } }),
    async mute(user) {
      await api(Q.MUTE, { input: { userID: user.id } });
      setViewer((v) => ({ ...v, mutedUsers: [user, ...(v.mutedUsers || []).filter((u) => u.id !== user.id)] }));
    },
    async unmute(user) {
      await api(Q.UNMUTE, { input: { userID: user.id } });
      setViewer((v) => ({ ...v, mutedUsers: (v.mutedUsers || []).filter((u) => u.id !== user.id) }));
    },
  };

  // First load: the story with its site and, alongside, the viewer when there is a token
  // (the story is the same for every reader and so cached; the viewer is not), then its first
  // page of comments (the authors' roles need the site's ID).
  useEffect(() => {
    (async () => {
      const [d, v] = await Promise.all([
        api(Q.STORY, opts.storyID ? { id: opts.storyID } : { url: opts.storyURL }),
        tokens.get() ? api(Q.VIEWER_QUERY).then((r) => r.viewer) : null,
      ]);
      if (!d.story) throw new APIError('NOT_FOUND');
      const first = await page('NEWEST', null, { storyID: d.story.id, siteID: d.story.site.id });
      setViewer(v);
      setStory(d.story);
      dispatch({ type: 'reset', order: 'NEWEST', count: d.story.commentCount, page: first });
      emit('ready', { storyID: d.story.id, count: d.story.commentCount });
    })().catch(setFailed);
  }, []);

  // Single sign-on: the token given at start, and any the host hands over later.
  const ssoRef = useRef();
  ssoRef.current = (jwt) => (jwt ? act.sso(jwt) : act.signOut()).catch(setSSOError);
  useEffect(() => {
    if (!story) return undefined;
    if (opts.ssoToken) ssoRef.current(opts.ssoToken);
    bridge.sso = (jwt) => ssoRef.current(jwt);
    return () => { bridge.sso = null; };
  }, [story?.id]);

  // Live updates, on a connection authenticated as the current reader: a new sign-in or
  // sign-out restarts it.
  useEffect(() => {
    if (!story) return undefined;
    const client = createLive(opts.serverURL, token);
    const vars = { storyID: story.id, siteID: story.site.id };
    const viewerID = () => latest.current.viewerID;
    client.on('connected', () => {
      if (wasConnected.current) {
        page(latest.current.order).then((p) => dispatch({ type: 'sync', page: p, viewerID: viewerID() }), () => {});
      }
      wasConnected.current = true;
    });
    const subs = [
      subscribe(client, Q.CREATED, vars, (d) => dispatch({ type: 'receive', comment: d.commentCreated, viewerID: viewerID() })),
      subscribe(client, Q.UPDATED, vars, (d) => dispatch({ type: 'update', comment: d.commentUpdated, viewerID: viewerID() })),
    ];
    if (token) {
      subs.push(subscribe(client, Q.ADDED, {}, () => setInboxTick((n) => n + 1)));
      subs.push(subscribe(client, Q.NOTIFICATIONS, { siteID: story.site.id }, ({ notifications: { kind, comment } }) => {
        if (comment.story?.id !== story.id) return;
        if (kind === 'REPLY') {
          dispatch({ type: 'receive', comment, viewerID: viewerID() });
          announce(t('replyFrom', { name: comment.author?.username || '' }));
        } else {
          dispatch({ type: 'update', comment, viewerID: viewerID() });
          if (comment.status === 'PUBLISHED') announce(t('nowPublished'));
          if (comment.status === 'REJECTED') announce(rejectionNotice(t, comment.rejectionReason));
        }
      }));
    }
    return () => {
      subs.forEach((unsubscribe) => unsubscribe());
      client.dispose();
    };
  }, [story?.id, token]);

  // Tell the host page when the count changes, and the reader when comments wait.
  useEffect(() => { if (story) emit('count', { count: state.count }); }, [state.count]);
  const waiting = state.queued[ROOT]?.length || 0;
  useEffect(() => { if (waiting) announce(t('announceNew', { n: waiting })); }, [waiting]);

  return { story, viewer, state, failed, notice, inboxTick, focus, authOpen, ssoError, signedInHere, act };
}
