import { describe, it, expect } from 'vitest';
import { CombinedError } from '@urql/core';
import { gutterLines, issuesFromError, markerRange, markersFor, offsetAt, parseIssueMessage, segments } from './expression.js';

describe('parseIssueMessage', () => {
  it('reads the position the server puts in INVALID', () => {
    expect(parseIssueMessage("Line 2, column 5: undeclared reference to 'x'")).toEqual({ line: 2, column: 5, message: "undeclared reference to 'x'" });
    expect(parseIssueMessage('A FLAG effect needs a code.')).toBeNull();
  });
});

describe('issuesFromError', () => {
  it("keeps the expression's errors, with or without a position", () => {
    const error = new CombinedError({ graphQLErrors: [
      { message: 'Line 1, column 9: found no matching overload', extensions: { code: 'INVALID', field: 'expression' } },
      { message: 'Name it.', extensions: { code: 'INVALID', field: 'name' } },
      { message: 'Too long.', extensions: { code: 'INVALID', field: 'input.expression' } },
    ] });
    expect(issuesFromError(error)).toEqual([
      { line: 1, column: 9, message: 'found no matching overload' },
      { line: 1, column: 1, message: 'Too long.' },
    ]);
    expect(issuesFromError(null)).toEqual([]);
  });
});

describe('offsetAt', () => {
  const text = 'a && b\n  comment.length > 3\nz';
  it('maps lines and columns to offsets', () => {
    expect(offsetAt(text, 1, 1)).toBe(0);
    expect(offsetAt(text, 2, 3)).toBe(9);
    expect(text.slice(offsetAt(text, 2, 3), offsetAt(text, 2, 3) + 7)).toBe('comment');
    expect(offsetAt(text, 3, 1)).toBe(text.length - 1);
  });

  it('clamps past the end of a line or of the text', () => {
    expect(offsetAt(text, 1, 99)).toBe(6);
    expect(offsetAt(text, 9, 1)).toBe(text.length);
  });

  it('counts columns in characters, not UTF-16 units', () => {
    const emoji = "'😀' + x";
    // The server's column 6 is the '+' after a quote, an emoji (two units) and a quote.
    expect(emoji[offsetAt(emoji, 1, 5)]).toBe('+');
  });
});

describe('markerRange', () => {
  it('marks the whole name at the position, dots included', () => {
    const text = 'comment.lenght > 3';
    expect(markerRange(text, 0)).toEqual({ start: 0, end: 14 });
    expect(markerRange(text, 7)).toEqual({ start: 7, end: 14 });
  });

  it('marks a quoted string to its closing quote on the line', () => {
    expect(markerRange('a > "lo\\"ng" && b', 4)).toEqual({ start: 4, end: 12 });
    expect(markerRange("'open\nx", 0)).toEqual({ start: 0, end: 1 });
  });

  it('marks one character for an operator, and nothing at a line end', () => {
    expect(markerRange('a > "x"', 2)).toEqual({ start: 2, end: 3 });
    expect(markerRange('a >\nb', 3)).toEqual({ start: 3, end: 3 });
    expect(markerRange('a >', 3)).toEqual({ start: 3, end: 3 });
  });
});

describe('segments', () => {
  it('cuts the text around its markers', () => {
    const text = 'comment.lenght > "3"';
    const markers = markersFor(text, [{ line: 1, column: 18, message: 'b' }, { line: 1, column: 1, message: 'a' }]);
    expect(segments(text, markers)).toEqual([
      { text: 'comment.lenght', issue: 1 },
      { text: ' > ', issue: null },
      { text: '"3"', issue: 0 },
    ]);
  });

  it('draws a caret for an issue at the end', () => {
    const text = 'a &&';
    expect(segments(text, markersFor(text, [{ line: 1, column: 5, message: 'Syntax error' }]))).toEqual([
      { text: 'a &&', issue: null },
      { text: '', issue: 0, caret: true },
    ]);
  });

  it('keeps an empty text one piece', () => {
    expect(segments('', [])).toEqual([{ text: '', issue: null }]);
  });
});

describe('gutterLines', () => {
  it('numbers the lines and marks those with issues', () => {
    expect(gutterLines('a\nb\nc', [{ line: 2 }, { line: 7 }])).toEqual([
      { number: 1, issue: false }, { number: 2, issue: true }, { number: 3, issue: true },
    ]);
  });
});
