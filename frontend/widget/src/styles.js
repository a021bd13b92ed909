// The widget's style sheets: each widget on the page has one <style> in its shadow root, and
// the parts loaded on demand add theirs to every one of them (and to widgets started later),
// so that embed.js carries only the CSS a reader who only reads needs.
const sheets = new Set();
let extra = '';

/** Adds css to every widget's style sheet, now and later. */
export function addStyle(css) {
  extra += css;
  for (const s of sheets) s.textContent += css;
}

/** Returns a <style> with base and every style added, kept current until its widget ends. */
export function styleElement(base) {
  const s = document.createElement('style');
  s.textContent = base + extra;
  sheets.add(s);
  return s;
}

/** Forgets a widget's style sheet. */
export function dropStyle(s) {
  sheets.delete(s);
}
