// A modal dialog on the native <dialog> element: the browser keeps focus inside, closes it on
// Escape, makes the page behind inert and returns focus when it closes.
import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * Shows children in a modal dialog while open. The dialog is labelled by the element with id
 * labelledBy; onClose runs however it closes (Escape, a close button, the form's method).
 * Children mount on opening, so a dialog starts afresh each time.
 */
export function Dialog({ open, onClose, labelledBy, class: className = '', children }) {
  const ref = useRef();
  // A layout effect, so the page is no longer inert by the time other effects move focus.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (open && !dialog.open) dialog.showModal();
    else if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} class={className} aria-labelledby={labelledBy} onClose={() => open && onClose()}>
      {open && children}
    </dialog>
  );
}
