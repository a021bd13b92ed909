// The text box for a comment, a reply or an edit, with Write and Preview tabs. A failed
// send keeps the text; drafts of new comments are mirrored to sessionStorage so that a
// reload loses nothing either.
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { errorText } from '../errors.js';
import { usePreview } from '../preview.js';

/** What the server will publish for text, in the same markup and styles as a posted body. */
function Preview({ preview }) {
  const { t } = useContext(Ctx);
  if (preview.loading) return <p class="hint" role="status">{t('previewLoading')}</p>;
  if (preview.error) return <p class="error">{errorText(preview.error, t)}</p>;
  if (!preview.html) return <p class="hint">{t('nothingToPreview')}</p>;
  // The server's sanitised HTML, the one string rendered as markup, as for a posted body.
  return <div class="body" data-preview-body dangerouslySetInnerHTML={{ __html: preview.html }} />;
}

/**
 * label names the text box and submitLabel its button; onSubmit(text) returns a promise that
 * rejects with an APIError to show. draft, when given, keeps the text across reloads.
 */
export function Composer({ label, submitLabel, initial = '', draft, onSubmit, onCancel, autoFocus }) {
  const { t, act } = useContext(Ctx);
  const [text, setText] = useState(() => initial || draft?.get() || '');
  const [tab, setTab] = useState('write');
  const preview = usePreview(text, tab === 'preview', act.preview);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const box = useRef();
  const id = useId();

  useEffect(() => { if (autoFocus) box.current?.focus(); }, []);

  const change = (value) => {
    setText(value);
    draft?.set(value);
  };
  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(text);
      draft?.set('');
      setText('');
      setTab('write');
    } catch (err) {
      setError(err);
      setTab('write');
    } finally {
      setBusy(false);
    }
  };
  const keys = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
  };
  const tabKeys = (e) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      const next = tab === 'write' ? 'preview' : 'write';
      setTab(next);
      e.currentTarget.parentNode.querySelector(`[data-tab=${next}]`).focus();
    }
  };
  const tabProps = (name) => ({
    role: 'tab', type: 'button', 'data-tab': name, id: `${id}-${name}`, 'aria-selected': tab === name,
    'aria-controls': `${id}-panel`, tabIndex: tab === name ? 0 : -1, onClick: () => setTab(name), onKeyDown: tabKeys,
  });
  const invalid = error?.code === 'INVALID';

  return (
    <div class="composer">
      <div class="tabs" role="tablist">
        <button {...tabProps('write')}>{t('write')}</button>
        <button {...tabProps('preview')}>{t('preview')}</button>
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-${tab}`}>
        {tab === 'write' ? (
          <>
            <label class="sr-only" for={`${id}-text`}>{label}</label>
            <textarea
              id={`${id}-text`} ref={box} rows={3} value={text} placeholder={label} readOnly={busy}
              aria-invalid={invalid ? 'true' : undefined} aria-describedby={`${id}-hint ${id}-error`}
              onInput={(e) => change(e.currentTarget.value)} onKeyDown={keys}
            />
            <p class="hint" id={`${id}-hint`}>{t('formatHint')}</p>
          </>
        ) : (
          <div class="preview" aria-busy={preview.loading ? 'true' : undefined}>
            <p class="hint">{t('previewNote')}</p>
            <Preview preview={preview} />
          </div>
        )}
      </div>
      <p class="error" id={`${id}-error`} role="alert">{error && errorText(error, t)}</p>
      <div class="row">
        <button type="button" class="btn primary" onClick={submit} aria-disabled={busy ? 'true' : undefined}>{submitLabel}</button>
        {onCancel && <button type="button" class="btn" onClick={onCancel}>{t('cancel')}</button>}
      </div>
    </div>
  );
}
