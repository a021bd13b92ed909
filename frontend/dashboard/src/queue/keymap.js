// The queue's single-key shortcuts. Plain keys suit a moderator who works through hundreds of
// comments, but they must never fire while the moderator types or a dialog is open.

/** Every shortcut, in the order the help dialog lists them. */
export const SHORTCUTS = [
  { key: 'j', action: 'next', description: 'Select the next comment' },
  { key: 'k', action: 'previous', description: 'Select the previous comment' },
  { key: 'a', action: 'approve', description: 'Approve the selected comment' },
  { key: 'r', action: 'reject', description: 'Reject the selected comment (choose a reason, Enter confirms)' },
  { key: 'f', action: 'feature', description: 'Feature or unfeature the selected comment' },
  { key: 'u', action: 'user', description: "Open the author's history and sanctions" },
  { key: 'z', action: 'undo', description: 'Undo the last approval or rejection while its notice shows' },
  { key: 'x', action: 'toggle', description: 'Add the selected comment to the bulk selection, or take it out' },
  { key: '?', action: 'help', description: 'Show these shortcuts' },
];

const actions = new Map(SHORTCUTS.map((s) => [s.key, s.action]));

/** Whether target takes text input, where letters must reach the field. */
export function isTyping(target) {
  if (!target || target.nodeType !== 1) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

/**
 * The action a keydown asks for, or null. Shortcuts stay off with a modifier held (the
 * browser's and the screen reader's own keys), while typing, and while a dialog is open.
 */
export function actionFor(event, { dialogOpen = false } = {}) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return null;
  if (dialogOpen || isTyping(event.target)) return null;
  return actions.get(event.key) ?? null;
}
