// One comment with its actions, and below it (outside its <article>, so that a comment's
// region holds only its own controls) its replies.
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { Composer } from './Composer.jsx';
import { Reactions } from './Reactions.jsx';
import { Lazy } from './Lazy.jsx';
import { display } from '../store.js';
import { rejectionNotice } from '../notices.js';
import { editMinutesLeft, fullDate, relativeTime } from '../format.js';
import { errorText } from '../errors.js';
import { draftStore } from '../session.js';

// Reply levels shown nested below a view's top level before "Continue this thread": deeper
// indentation leaves no room for text on a phone.
const NESTED_LEVELS = 3;

const staffRoles = ['MODERATOR', 'ADMIN'];

/**
 * The "edited" mark, which opens the comment's earlier versions (components/Revisions.jsx,
 * loaded on demand); the server answers none when the site does not show them to this reader.
 */
function History({ id }) {
  const { t } = useContext(Ctx);
  const [open, setOpen] = useState(false);
  const panel = useId();
  return (
    <>
      <button type="button" class="link hint" aria-expanded={open ? 'true' : 'false'} aria-controls={panel} onClick={() => setOpen(!open)}>({t('edited')})</button>
      {open && <Lazy name="Revisions" id={id} panel={panel} />}
    </>
  );
}

function Time({ iso }) {
  const { t, now } = useContext(Ctx);
  return <time datetime={iso} title={fullDate(iso, t.lang)}>{relativeTime(iso, now, t.lang)}</time>;
}

function Replies({ comment: c, level }) {
  const { t, state, act } = useContext(Ctx);
  const [open, setOpen] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = useId();
  if (level >= NESTED_LEVELS) {
    return c.replyCount > 0 && (
      <button type="button" class="link continue" onClick={() => act.focusRoot(c.id)}>{t('continueThread')}</button>
    );
  }
  const ids = state.lists[c.id]?.ids || [];
  const more = state.lists[c.id] ? state.lists[c.id].more : c.replyCount > 0;
  const waiting = state.queued[c.id]?.length || 0;
  if (!ids.length && !more && !waiting) return null;
  const load = () => {
    if (busy) return;
    setBusy(true);
    act.loadReplies(c.id).then(act.focus, (err) => setError(errorText(err, t))).finally(() => setBusy(false));
  };
  return (
    <div class="replies">
      {ids.length > 0 && (
        <button type="button" class="link" aria-expanded={open ? 'true' : 'false'} aria-controls={id} onClick={() => setOpen(!open)}>
          {open ? t('collapse') : t('expand', { n: Math.max(c.replyCount, ids.length) })}
        </button>
      )}
      <div id={id} hidden={!open}>
        {ids.length > 0 && <ol class="thread">{ids.map((r) => <Comment key={r} id={r} level={level + 1} />)}</ol>}
        {waiting > 0 && <button type="button" class="link" onClick={() => act.reveal(c.id)}>{t('newReplies', { n: waiting })}</button>}
        {more && <button type="button" class="link" aria-disabled={busy ? 'true' : undefined} onClick={load}>{t('moreReplies')}</button>}
        {error && <p class="error" role="alert">{error}</p>}
      </div>
    </div>
  );
}

function Actions({ comment: c, own, setMode, mode, reported, reportButton, run }) {
  const { t, act, viewer, settings, now, closed } = useContext(Ctx);
  const cancel = useRef();
  const remove = useRef();
  const name = c.author?.username;
  // The server refuses to edit a rejected comment: its author may only delete it.
  const minutes = own && c.status !== 'REJECTED' ? editMinutesLeft(c.createdAt, settings.editWindowSeconds, now) : 0;
  useEffect(() => { if (mode === 'delete') cancel.current.focus(); }, [mode]);

  if (mode === 'delete') {
    return (
      <div class="actions" role="group" aria-label={t('confirmDelete')}>
        <span>{t('confirmDelete')}</span>
        <button type="button" class="btn danger" onClick={() => run(act.remove(c.id))}>{t('yesDelete')}</button>
        <button type="button" class="btn" ref={cancel} onClick={() => { setMode(null); requestAnimationFrame(() => remove.current?.focus()); }}>{t('cancel')}</button>
      </div>
    );
  }
  return (
    <div class="actions">
      {c.status === 'PUBLISHED' && !closed && mode !== 'reply' && (
        <button type="button" class="link" onClick={() => (viewer ? setMode('reply') : act.requestLogin())}>{t('reply')}</button>
      )}
      {own && minutes > 0 && mode !== 'edit' && (
        <>
          <button type="button" class="link" onClick={() => setMode('edit')}>{t('edit')}</button>
          <span class="hint">{t('editLeft', { n: minutes })}</span>
        </>
      )}
      {own && <button type="button" class="link" ref={remove} onClick={() => setMode('delete')}>{t('delete')}</button>}
      {viewer && !own && (reported
        ? <span class="hint">{t('reported')}</span>
        : <button type="button" class="link" ref={reportButton} onClick={() => setMode('report')}>{t('report')}</button>)}
      {viewer && !own && name && (
        <button type="button" class="link" onClick={() => run(act.mute(c.author))}>{t('mute', { name })}</button>
      )}
    </div>
  );
}

/** The comment id as the viewer may see it; level is how deep it sits in the current view. */
export function Comment({ id, level }) {
  const { t, state, viewer, act, focus, readOnly, mutedIDs, story } = useContext(Ctx);
  const c = state.byId[id];
  const [mode, setModeOnly] = useState(null);
  const [unmuted, setUnmuted] = useState(false);
  const [reported, setReported] = useState(false);
  // The comment's one error: the last action's refusal, in the server's words where it has
  // them, cleared by the next action so that an old refusal never outlives it.
  const [error, setError] = useState(null);
  const run = (promise) => {
    setError(null);
    return promise.catch((err) => setError(errorText(err, t)));
  };
  const setMode = (m) => {
    setError(null);
    setModeOnly(m);
  };
  const article = useRef();
  const reportButton = useRef();
  useEffect(() => { if (focus?.id === id) article.current?.focus(); }, [focus]);

  const kind = display(c, viewer?.id);
  if (!kind) return null;
  const name = c.author?.username || t('formerMember');
  const own = !!viewer && c.author?.id === viewer.id;
  const gone = kind === 'deleted' || kind === 'unavailable';

  if (c.author && mutedIDs.has(c.author.id) && !unmuted) {
    return (
      <li class="item">
        <p class="muted-note">
          {t('mutedNotice', { name })}{' '}
          <button type="button" class="link" onClick={() => setUnmuted(true)}>{t('show')}</button>
        </p>
        {!readOnly && <Replies comment={c} level={level} />}
      </li>
    );
  }
  return (
    <li class="item">
      {/* A placeholder is named for what it is: its author is not known to every reader. */}
      <article ref={article} tabIndex={-1} aria-label={gone ? t(kind) : t('commentBy', { name })} class={`comment ${kind}`}>
        {!gone && (
          <header class="meta">
            <span class="author">{name}</span>
            {staffRoles.includes(c.author?.role) && <span class="badge staff">{t('staff')}</span>}
            {c.author?.guest && <span class="badge guest">{t('guest')}</span>}
            {c.featured && <span class="badge featured">{t('featured')}</span>}
            {kind === 'pending' && <span class="badge pending">{t('pendingBadge')}</span>}
            <Time iso={c.createdAt} />
            {c.editedAt && <History id={c.id} />}
          </header>
        )}
        {kind === 'pending' && <p class="notice">{t('pending')}</p>}
        {kind === 'rejected' && <p class="notice bad">{rejectionNotice(t, c.rejectionReason)}</p>}
        {gone && <p class="gone">{t(kind)}</p>}
        {!gone && mode === 'edit' && (
          <Composer label={t('editComment')} submitLabel={t('save')} initial={c.bodySource} autoFocus
            onSubmit={(body) => act.edit(id, body, c.version).then(() => setMode(null))} onCancel={() => setMode(null)} />
        )}
        {/* body is the server's sanitised HTML, the one string rendered as markup. */}
        {!gone && mode !== 'edit' && <div class="body" data-comment-body dangerouslySetInnerHTML={{ __html: c.body }} />}
        {kind === 'comment' && <Reactions comment={c} run={run} />}
        {error && <p class="error" role="alert">{error}</p>}
        {!readOnly && !gone && <Actions comment={c} own={own} mode={mode} setMode={setMode} reported={reported} reportButton={reportButton} run={run} />}
        {mode === 'reply' && (
          <Composer label={t('writeReply')} submitLabel={t('postReply')} draft={draftStore(story.id, id)} autoFocus
            onSubmit={(body) => act.post(id, body).then(() => setMode(null))} onCancel={() => setMode(null)} />
        )}
        {mode === 'report' && (
          <Lazy name="ReportDialog" commentID={id} onClose={(sent) => {
            setMode(null);
            setReported(sent);
            // Back to where the reader was: the Report button, or the comment once it is gone.
            requestAnimationFrame(() => (reportButton.current || article.current)?.focus());
          }} />
        )}
      </article>
      {!readOnly && <Replies comment={c} level={level} />}
    </li>
  );
}
