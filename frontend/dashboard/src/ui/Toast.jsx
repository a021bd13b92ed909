// The notice after an action, in live regions so screen readers hear it: a status for what
// went well (with Undo while it can still be taken back), an alert for what failed.
import { useEffect } from 'preact/hooks';
import { t } from '../i18n/index.js';

const UNDO_MS = 10000;
const STATUS_MS = 5000;
const ERROR_MS = 10000;

/** toast: {id, kind: 'status' | 'error', message, undo?}; onUndo runs when Undo is chosen. */
export function Toasts({ toast, onUndo, onDismiss }) {
  useEffect(() => {
    if (!toast) return undefined;
    const ms = toast.kind === 'error' ? ERROR_MS : toast.undo ? UNDO_MS : STATUS_MS;
    const timer = setTimeout(onDismiss, ms);
    return () => clearTimeout(timer);
  }, [toast?.id]);

  const body = toast && (
    <div class={`toast ${toast.kind}`}>
      <span>{toast.message}</span>
      {toast.undo && <button type="button" onClick={onUndo}>{t('common.undo')}</button>}
      <button type="button" class="quiet" aria-label={t('common.dismiss')} onClick={onDismiss}>×</button>
    </div>
  );
  return (
    <div class="toasts">
      <div role="status">{toast?.kind === 'status' && body}</div>
      <div role="alert">{toast?.kind === 'error' && body}</div>
    </div>
  );
}
