// The moderation queues of a site (or of one story): tabs with live counts, the comments of
// the chosen queue, bulk and single decisions, and the keyboard shortcuts that drive them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useQuery, useSubscription } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Link, navigate } from '../app/navigation.jsx';
import { Toasts } from '../ui/Toast.jsx';
import { UserDrawer } from '../users/UserDrawer.jsx';
import { COUNTS, QUEUE_EVENTS, STORY } from './documents.js';
import { actionFor } from './keymap.js';
import { checkAll, checkedState, moveSelection, select, toggleChecked } from './queueState.js';
import { useQueueList } from './useQueueList.js';
import { useDecisions } from './useDecisions.js';
import { QueueTabs, tabID } from './QueueTabs.jsx';
import { CommentCard } from './CommentCard.jsx';
import { RejectDialog } from './RejectDialog.jsx';
import { KeysDialog } from './KeysDialog.jsx';
import { t, tx } from '../i18n/index.js';

// Live events come in bursts (a spam wave, a bulk decision); one read per burst is enough.
const REFRESH_DELAY_MS = 400;

export function QueueView({ site, queue, storyID, live }) {
  const siteID = site.id;
  const list = useQueueList({ siteID, storyID, queue });
  const { state } = list;
  const [counts, reexecuteCounts] = useQuery({ query: COUNTS, variables: { siteID, storyID }, requestPolicy: 'network-only' });
  const [story] = useQuery({ query: STORY, variables: { id: storyID }, pause: !storyID });
  const [toast, setToast] = useState(null);
  const [announcement, setAnnouncement] = useState('');
  const [rejecting, setRejecting] = useState(null);
  const [lastReason, setLastReason] = useState('SPAM');
  const [helpOpen, setHelpOpen] = useState(false);
  const [drawerUser, setDrawerUser] = useState(null);
  const [focusRequest, setFocusRequest] = useState(0);

  const refreshCounts = () => reexecuteCounts({ requestPolicy: 'network-only' });
  const notify = (t) => setToast({ ...t, id: Date.now() + Math.random() });
  const focusSelected = () => setFocusRequest((n) => n + 1);
  const decisions = useDecisions({
    queue,
    update: list.update,
    notify,
    changed: () => {
      refreshCounts();
      focusSelected();
    },
    stale: () => refreshNow.current(),
  });

  // Live updates: read counts and the first page again, merging so nothing moves under the
  // moderator's selection, and say how many comments arrived.
  const refreshTimer = useRef(null);
  const refreshNow = useRef();
  refreshNow.current = async () => {
    refreshCounts();
    const added = await list.refresh();
    if (added) setAnnouncement(t('queue.arrived', { n: added, queue: t(`queue.${queue}`) }));
  };
  useSubscription({ query: QUEUE_EVENTS, variables: { siteID } }, (_, event) => {
    if (!refreshTimer.current) {
      refreshTimer.current = setTimeout(() => {
        refreshTimer.current = null;
        refreshNow.current();
      }, REFRESH_DELAY_MS);
    }
    return event;
  });
  useEffect(() => () => clearTimeout(refreshTimer.current), []);

  const selected = state.items.find((c) => c.id === state.selectedID) ?? null;
  const checked = state.items.filter((c) => state.checked.has(c.id));

  const actions = {
    select: (c) => list.update((s) => select(s, c.id)),
    toggle: (c) => list.update((s) => toggleChecked(s, c.id)),
    openUser: (c) => c.author && setDrawerUser(c.author),
    approve: (c) => decisions.approve([c]),
    reject: (c) => setRejecting([c]),
    feature: (c) => decisions.feature(c),
  };

  // The keyboard handler is bound once and reads the latest actions through a ref.
  const keys = useRef();
  keys.current = {
    next: () => { list.update((s) => moveSelection(s, 1)); focusSelected(); },
    previous: () => { list.update((s) => moveSelection(s, -1)); focusSelected(); },
    approve: () => selected && queue !== 'APPROVED' && actions.approve(selected),
    reject: () => selected && queue !== 'REJECTED' && actions.reject(selected),
    feature: () => selected && actions.feature(selected),
    user: () => selected && actions.openUser(selected),
    toggle: () => selected && actions.toggle(selected),
    undo: () => toast?.undo && undo(),
    help: () => setHelpOpen(true),
  };
  useEffect(() => {
    function onKeyDown(event) {
      const action = actionFor(event, { dialogOpen: Boolean(document.querySelector('dialog[open]')) });
      if (!action) return;
      event.preventDefault();
      keys.current[action]();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  // Focus follows the selection when asked. A modal dialog keeps the page inert, so a request
  // made while the reject dialog is open is served once it closes.
  const focusServed = useRef(0);
  useEffect(() => {
    if (focusRequest === focusServed.current || document.querySelector('dialog[open]')) return;
    focusServed.current = focusRequest;
    const card = state.selectedID && document.getElementById(`comment-${state.selectedID}`);
    if (!card) return;
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: 'nearest' });
  }, [focusRequest, rejecting]);

  async function undo() {
    const { undo: taken } = toast;
    setToast(null);
    await decisions.undo(taken);
  }

  async function confirmReject(reason, note) {
    setLastReason(reason);
    const failure = await decisions.reject(rejecting, reason, note);
    if (!failure) setRejecting(null);
    return failure;
  }

  const all = checkedState(state);
  const selectAll = useRef();
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = all === 'some';
  }, [all]);

  return (
    <section class="queue-view" aria-labelledby="queue-title">
      <div class="view-head">
        <h1 id="queue-title" tabIndex={-1}>{t('queue.title')}</h1>
        <span class={`live ${live ? 'on' : 'off'}`}>{live ? t('common.live') : t('common.connecting')}</span>
        <button type="button" class="quiet" aria-keyshortcuts="?" onClick={() => setHelpOpen(true)}>{t('keys.title')} <kbd>?</kbd></button>
      </div>
      {storyID && (
        <p class="filter">
          {tx('queue.onlyStory', {
            story: story.data?.story
              ? <a href={story.data.story.url} target="_blank" rel="noopener">{story.data.story.title || story.data.story.url}</a>
              : t('queue.oneStory'),
          })}{' '}
          <Link to={{ view: 'queue', queue, siteID }}>{t('queue.everyStory')}</Link>
        </p>
      )}
      <QueueTabs current={queue} counts={counts.data?.moderationQueueCounts} onChoose={(q) => navigate({ view: 'queue', queue: q, siteID, storyID })} />
      <div role="tabpanel" id="queue-panel" aria-labelledby={tabID(queue)} class="panel">
        <div class="toolbar">
          <label class="choice">
            <input ref={selectAll} type="checkbox" checked={all === 'all'} disabled={!state.items.length}
              onChange={(e) => list.update((s) => checkAll(s, e.currentTarget.checked))} />
            {t('queue.selectAll')}
          </label>
          <span class="muted" aria-live="polite">{checked.length ? t('queue.selected', { n: checked.length }) : ''}</span>
          <button type="button" class="approve" disabled={!checked.length || queue === 'APPROVED'} onClick={() => decisions.approve(checked)}>{t('queue.approveSelected')}</button>
          <button type="button" class="reject" disabled={!checked.length || queue === 'REJECTED'} onClick={() => setRejecting(checked)}>{t('queue.rejectSelected')}</button>
        </div>
        {list.status.error && (
          <p class="error" role="alert">
            {errorMessage(list.status.error)} <button type="button" onClick={() => list.refresh()}>{t('common.tryAgain')}</button>
          </p>
        )}
        <div class="cards">
          {state.items.map((c) => (
            <CommentCard key={c.id} comment={c} queue={queue} selected={c.id === state.selectedID} checked={state.checked.has(c.id)} actions={actions} />
          ))}
        </div>
        {!list.status.loading && !list.status.error && !state.items.length && (
          <p class="empty">{t('queue.empty', { queue: t(`queue.${queue}`) })}{live && ` ${t('queue.emptyLive')}`}</p>
        )}
        {list.status.loading && <p class="muted" role="status">{t('common.loading')}</p>}
        {state.hasNextPage && !list.status.loading && (
          <button type="button" class="load-more" onClick={list.loadMore}>{t('common.loadMore')}</button>
        )}
      </div>
      <p class="visually-hidden" role="status">{announcement}</p>
      <Toasts toast={toast} onUndo={undo} onDismiss={() => setToast(null)} />
      <RejectDialog open={Boolean(rejecting)} count={rejecting?.length ?? 0} initialReason={lastReason} onConfirm={confirmReject} onClose={() => setRejecting(null)} />
      <KeysDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <UserDrawer user={drawerUser} siteID={siteID} onClose={() => setDrawerUser(null)} />
    </section>
  );
}
