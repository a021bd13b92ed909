import { Dialog } from '../ui/Dialog.jsx';
import { SHORTCUTS } from './keymap.js';

/** The queue's keyboard shortcuts, opened with ?. */
export function KeysDialog({ open, onClose }) {
  return (
    <Dialog open={open} onClose={onClose} labelledBy="keys-title" class="modal">
      <h2 id="keys-title">Keyboard shortcuts</h2>
      <table class="keys">
        <caption class="visually-hidden">Keys that work in the queue when no field has focus</caption>
        <thead><tr><th scope="col">Key</th><th scope="col">Action</th></tr></thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.key}><td><kbd>{s.key}</kbd></td><td>{s.description}</td></tr>
          ))}
          <tr><td><kbd>Esc</kbd></td><td>Close a dialog or the user panel</td></tr>
        </tbody>
      </table>
      <p class="muted">Shortcuts are off while you type in a field.</p>
      <form method="dialog"><button type="submit" autoFocus>Close</button></form>
    </Dialog>
  );
}
