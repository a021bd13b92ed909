import { Dialog } from '../ui/Dialog.jsx';
import { SHORTCUTS } from './keymap.js';
import { t } from '../i18n/index.js';

/** The queue's keyboard shortcuts, opened with ?. */
export function KeysDialog({ open, onClose }) {
  return (
    <Dialog open={open} onClose={onClose} labelledBy="keys-title" class="modal">
      <h2 id="keys-title">{t('keys.title')}</h2>
      <table class="keys">
        <caption class="visually-hidden">{t('keys.caption')}</caption>
        <thead><tr><th scope="col">{t('keys.key')}</th><th scope="col">{t('keys.action')}</th></tr></thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.key}><td><kbd>{s.key}</kbd></td><td>{t(`keys.${s.action}`)}</td></tr>
          ))}
          <tr><td><kbd>Esc</kbd></td><td>{t('keys.escape')}</td></tr>
        </tbody>
      </table>
      <p class="muted">{t('keys.typing')}</p>
      <form method="dialog"><button type="submit" autoFocus>{t('common.close')}</button></form>
    </Dialog>
  );
}
