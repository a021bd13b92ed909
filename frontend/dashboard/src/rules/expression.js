// Where the server says an expression is wrong, as places in the editor's text. The server
// reports 1-based lines and columns counted in characters (code points), in checkRule's issues
// and in proposeRule's INVALID message ("Line 2, column 5: …"); the editor works in the
// UTF-16 offsets of a textarea, so the two are mapped here, purely, to be tested alone.

const POSITION = /^Line (\d+), column (\d+): ([\s\S]*)$/;

/** Reads "Line L, column C: message" into {line, column, message}, or null for another text. */
export function parseIssueMessage(text) {
  const m = POSITION.exec(text ?? '');
  return m ? { line: Number(m[1]), column: Number(m[2]), message: m[3] } : null;
}

/**
 * The issues an API error reports about the expression input (extensions.field "expression",
 * however nested), each at its position; a message without one is placed at line 1, column 1.
 */
export function issuesFromError(error) {
  const issues = [];
  for (const e of error?.graphQLErrors ?? []) {
    const field = e.extensions?.field ?? '';
    if (field !== 'expression' && !field.endsWith('.expression')) continue;
    issues.push(parseIssueMessage(e.message) ?? { line: 1, column: 1, message: e.message });
  }
  return issues;
}

/**
 * The UTF-16 offset in text of a 1-based line and column (in code points). A position past
 * the end of its line is the line's end; past the last line, the text's end.
 */
export function offsetAt(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  for (let c = 1; c < column && offset < text.length && text[offset] !== '\n'; c++) {
    offset += text.codePointAt(offset) > 0xffff ? 2 : 1;
  }
  return offset;
}

const WORD = /[\p{L}\p{N}_.]/u;

/**
 * The stretch of text an issue at offset marks: the name (letters, digits, _ and .) or the
 * quoted string on its line that starts there, else the one character there, else nothing
 * (start === end) at a line's or the text's end, where the editor draws a caret instead.
 */
export function markerRange(text, offset) {
  const at = text.codePointAt(offset);
  if (at === undefined || text[offset] === '\n') return { start: offset, end: offset };
  const width = (i) => (text.codePointAt(i) > 0xffff ? 2 : 1);
  let end = offset + width(offset);
  const quote = text[offset];
  if (quote === '"' || quote === "'") {
    const lineEnd = text.indexOf('\n', offset) === -1 ? text.length : text.indexOf('\n', offset);
    for (let i = end; i < lineEnd; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === quote) return { start: offset, end: i + 1 };
    }
    return { start: offset, end };
  }
  if (WORD.test(String.fromCodePoint(at))) {
    while (end < text.length && WORD.test(String.fromCodePoint(text.codePointAt(end)))) end += width(end);
  }
  return { start: offset, end };
}

/** The markers of issues in text: {start, end, line, column, message, index}, in text order. */
export function markersFor(text, issues) {
  return issues
    .map((issue, index) => ({ ...issue, index, ...markerRange(text, offsetAt(text, issue.line, issue.column)) }))
    .sort((a, b) => a.start - b.start || a.index - b.index);
}

/**
 * Cuts text into the pieces the editor's backdrop draws: plain text, marked stretches (with
 * their issue's index) and empty carets. Overlapping markers are clipped to the earlier one.
 */
export function segments(text, markers) {
  const out = [];
  let at = 0;
  for (const m of markers) {
    const start = Math.max(m.start, at);
    if (start > at) out.push({ text: text.slice(at, start), issue: null });
    if (m.end > start) out.push({ text: text.slice(start, m.end), issue: m.index });
    else if (m.start === m.end && m.start >= at) out.push({ text: '', issue: m.index, caret: true });
    at = Math.max(at, m.end);
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), issue: null });
  return out;
}

/** The 1-based numbers of the lines of text, for the gutter, with those holding an issue. */
export function gutterLines(text, issues) {
  const count = text.split('\n').length;
  const bad = new Set(issues.map((i) => Math.min(Math.max(i.line, 1), count)));
  return Array.from({ length: count }, (_, i) => ({ number: i + 1, issue: bad.has(i + 1) }));
}
