// The expression editor in happy-dom: the server's problems are marked where they are, the
// textarea says it is invalid and is described by them, and a problem's button puts the caret
// on the marked text.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { ExpressionEditor } from './ExpressionEditor.jsx';

afterEach(cleanup);

const text = 'comment.length > 0 &&\n  comment.links > "two"';
const issue = { line: 2, column: 17, message: "found no matching overload for '_>_'" };

function show(issues) {
  return render(<ExpressionEditor id="x" hintID="x-hint" value={text} issues={issues} status="" onInput={() => {}} />);
}

describe('ExpressionEditor', () => {
  it('marks the problem, its line, and describes the textarea with it', () => {
    const { container } = show([issue]);
    const input = screen.getByRole('textbox');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe('x-issues x-hint');
    expect([...container.querySelectorAll('.code-mark')].map((m) => m.textContent)).toEqual(['>']);
    expect([...container.querySelectorAll('.code-gutter .bad')].map((l) => l.textContent)).toEqual(['2']);
    expect(container.querySelector('#x-issues').textContent).toContain("Line 2, column 17found no matching overload for '_>_'");
  });

  it('puts the caret on the problem from its button', () => {
    show([issue]);
    fireEvent.click(screen.getByRole('button', { name: 'Line 2, column 17' }));
    const input = screen.getByRole('textbox');
    expect(document.activeElement).toBe(input);
    expect(text.slice(input.selectionStart, input.selectionEnd)).toBe('>');
  });

  it('is plain without problems', () => {
    const { container } = show([]);
    const input = screen.getByRole('textbox');
    expect(input.getAttribute('aria-invalid')).toBeNull();
    expect(input.getAttribute('aria-describedby')).toBe('x-hint');
    expect(container.querySelector('.code-mark')).toBeNull();
    expect(container.querySelector('.code-backdrop').textContent).toBe(`${text}\n`);
  });
});
