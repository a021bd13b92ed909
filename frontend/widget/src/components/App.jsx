// A story's discussion: heading and account bar, the composer (or why there is none), the
// sort order, the thread, and a polite live region for what happens meanwhile.
import { useContext, useEffect, useId, useMemo, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { Composer } from './Composer.jsx';
import { Lazy, setExtrasBase } from './Lazy.jsx';
import { Bell } from './Bell.jsx';
import { Thread } from './Thread.jsx';
import { useDiscussion } from '../discussion.js';
import { errorText } from '../errors.js';
import { draftStore } from '../session.js';

const orders = ['NEWEST', 'OLDEST', 'MOST_REPLIES', 'MOST_REACTIONS'];

/** The current time, advancing every 30 seconds: relative times and edit windows move with it. */
export function useNow() {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** The "Account" button; its dialog comes with the parts loaded on demand. */
function AccountButton() {
  const { t } = useContext(Ctx);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class="btn" aria-haspopup="dialog" onClick={() => setOpen(true)}>{t('account')}</button>
      {open && <Lazy name="AccountDialog" onClose={() => setOpen(false)} />}
    </>
  );
}

function Account() {
  const { t, viewer, act, authOpen } = useContext(Ctx);
  if (!viewer) {
    return !authOpen && <button type="button" class="btn primary" onClick={act.requestLogin}>{t('signIn')}</button>;
  }
  return (
    <div class="account">
      <span>{t('signedInAs', { name: viewer.username })}</span>
      <Bell />
      <AccountButton />
      <button type="button" class="btn" onClick={act.signOut}>{t('signOut')}</button>
    </div>
  );
}

function SortOrder() {
  const { t, state, act } = useContext(Ctx);
  const id = useId();
  return (
    <div class="sort">
      <label for={id}>{t('sort')}</label>
      <select id={id} value={state.order} onChange={(e) => act.setOrder(e.currentTarget.value)}>
        {orders.map((o) => <option key={o} value={o}>{t(o)}</option>)}
      </select>
    </div>
  );
}

export function App({ opts, emit, bridge, t }) {
  setExtrasBase(opts.serverURL);
  const d = useDiscussion(opts, emit, bridge, t);
  const now = useNow();
  const [rootID, setRootID] = useState(null);
  const { story, viewer, state } = d;
  const mutedIDs = useMemo(() => new Set(viewer?.mutedUsers?.map((u) => u.id)), [viewer]);

  if (!story) {
    return (
      <section class="parley" aria-label={t('region')}>
        <p role="status">{d.failed ? errorText(d.failed, t) : t('loading')}</p>
      </section>
    );
  }
  const { settings } = story.site;
  const closed = story.closed || settings.commentingDisabled;
  const focusRoot = (id) => {
    // Leaving a thread returns the reader to the comment it continued from.
    if (!id) d.act.focus(rootID);
    setRootID(id);
  };
  const ctx = {
    ...d, t, now, settings, closed, mutedIDs, rootID, readOnly: false, act: { ...d.act, focusRoot },
  };

  return (
    <Ctx.Provider value={ctx}>
      <section class="parley" aria-label={t('region')}>
        <header class="head">
          <h2>{t('comments', { n: state.count })}</h2>
          <Account />
        </header>
        {d.ssoError && <p class="error" role="alert">{errorText(d.ssoError, t, { UNAUTHENTICATED: 'err.SSO', INVALID: 'err.SSO', FORBIDDEN: 'err.SSO' })}</p>}
        {d.authOpen && !viewer && <Lazy name="Auth" />}
        {viewer && <Lazy name="MutedUsers" />}
        {viewer && <Lazy name="TrustPanel" />}
        {viewer && <Lazy name="Sanctions" />}
        {closed && <p class="notice">{settings.closedMessage || t('closed')}</p>}
        {!closed && viewer && (
          <Composer label={t('writeComment')} submitLabel={t('post')} draft={draftStore(story.id, null)} autoFocus={d.signedInHere}
            onSubmit={(body) => d.act.post(null, body)} />
        )}
        {!closed && !viewer && !d.authOpen && <p class="hint">{t('signInToJoin')}</p>}
        {!closed && !viewer && !d.authOpen && settings.guestComments && <Lazy name="GuestForm" />}
        <SortOrder />
        <Thread />
        <footer class="foot">
          <a href={`${opts.serverURL}/log/${encodeURIComponent(story.site.id)}`} target="_blank" rel="noopener">{t('moderationLog')}</a>
        </footer>
        <div class="sr-only" role="status" aria-live="polite">{d.notice}</div>
      </section>
    </Ctx.Provider>
  );
}
