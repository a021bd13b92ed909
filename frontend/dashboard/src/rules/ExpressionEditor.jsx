// A CEL expression editor: a plain textarea (so every keyboard, screen reader and browser
// feature of one still works) over a backdrop that underlines where the server found a
// problem, a gutter of line numbers that marks the lines at fault, and the list of problems,
// each a button that puts the caret at its place.
import { useRef } from 'preact/hooks';
import { gutterLines, markersFor, segments } from './expression.js';
import { t } from '../i18n/index.js';

const MIN_ROWS = 4;
const MAX_ROWS = 16;

/**
 * value and onInput(text) are the expression; issues are {line, column, message}. The
 * textarea gets id (for its label) and is described by hintID and the problems' list.
 */
export function ExpressionEditor({ id, value, onInput, issues, hintID, status }) {
  const input = useRef();
  const backdrop = useRef();
  const gutter = useRef();
  const markers = markersFor(value, issues);
  const lines = gutterLines(value, issues);
  const issuesID = `${id}-issues`;

  function syncScroll() {
    const { scrollTop, scrollLeft } = input.current;
    backdrop.current.scrollTop = scrollTop;
    backdrop.current.scrollLeft = scrollLeft;
    gutter.current.scrollTop = scrollTop;
  }

  function goTo(marker) {
    const el = input.current;
    el.focus();
    el.setSelectionRange(marker.start, marker.end);
    syncScroll();
  }

  return (
    <div class="expression">
      <div class={`code-editor${issues.length ? ' invalid' : ''}`}>
        <div class="code-gutter" ref={gutter} aria-hidden="true">
          {lines.map((l) => <span key={l.number} class={l.issue ? 'bad' : undefined}>{l.number}</span>)}
        </div>
        <div class="code-area">
          <pre class="code-backdrop" ref={backdrop} aria-hidden="true">
            {segments(value, markers).map((s, i) => (s.issue === null
              ? s.text
              : <mark key={i} class={s.caret ? 'code-mark caret' : 'code-mark'}>{s.caret ? '\u00a0' : s.text}</mark>))}
            {'\n'}
          </pre>
          <textarea
            ref={input} id={id} name="expression" class="code-input" value={value}
            rows={Math.min(Math.max(lines.length + 1, MIN_ROWS), MAX_ROWS)}
            wrap="off" spellcheck={false} autocapitalize="off" autocomplete="off"
            aria-invalid={issues.length ? 'true' : undefined}
            aria-describedby={[issues.length ? issuesID : null, hintID].filter(Boolean).join(' ')}
            onInput={(e) => onInput(e.currentTarget.value)} onScroll={syncScroll}
          />
        </div>
      </div>
      <p class="code-status muted" aria-live="polite">{status}</p>
      {issues.length > 0 && (
        <ul id={issuesID} class="code-issues">
          {markers.map((m) => (
            <li key={m.index}>
              <button type="button" class="quiet" onClick={() => goTo(m)}>{t('expression.at', { line: m.line, column: m.column })}</button>
              <span class="error">{m.message}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
