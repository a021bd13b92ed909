// The queue's single-key shortcuts. Plain keys suit a moderator who works through hundreds of
// comments, but they must never fire while the moderator types or a dialog is open.

/** Every shortcut, in the order the help dialog lists them; keys.<action> describes each. */
export const SHORTCUTS = [
  { key: 'j', action: 'next' },
  { key: 'k', action: 'previous' },
  { key: 'a', action: 'approve' },
  { key: 'r', action: 'reject' },
  { key: 'f', action: 'feature' },
  { key: 'u', action: 'user' },
  { key: 'z', action: 'undo' },
  { key: 'x', action: 'toggle' },
  { key: '?', action: 'help' },
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
