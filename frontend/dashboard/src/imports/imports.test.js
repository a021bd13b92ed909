import { describe, expect, it } from 'vitest';
import { progressText, readLines, reportText, splitLines } from './imports.js';

describe('splitLines', () => {
  it('keeps a line cut in the middle for the next chunk', () => {
    expect(splitLines('{"a":1}\n{"b"')).toEqual({ lines: [{ a: 1 }], rest: '{"b"' });
    expect(splitLines('\n\n')).toEqual({ lines: [], rest: '' });
  });
});

describe('readLines', () => {
  it('reads lines split across chunks, and a last line without a newline', async () => {
    const chunks = ['{"progress":{"pass":1', '}}\n{"rep', 'ort":{"imported":2}}'];
    const body = new ReadableStream({
      start(c) {
        chunks.forEach((s) => c.enqueue(new TextEncoder().encode(s)));
        c.close();
      },
    });
    const got = [];
    await readLines(body, (l) => got.push(l));
    expect(got).toEqual([{ progress: { pass: 1 } }, { report: { imported: 2 } }]);
  });
});

describe('texts', () => {
  it('says progress as a share of the file', () => {
    expect(progressText({ pass: 2, bytesRead: 50, comments: 3, imported: 2, skipped: 1 }, 200)).toEqual({
      pct: 25, text: 'Pass 2: 25% read, 3 comments read, 2 imported, 1 skipped',
    });
  });
  it('says the report with its reasons, most frequent first', () => {
    const r = reportText({ imported: 8, threads: 2, reactions: 2, duplicates: 0, skipped: { a: 1, b: 2 }, examples: { b: ['x', 'y'] } });
    expect(r.summary).toBe('Imported 8 comments (2 threads, 2 reactions); 0 were imported before; 3 skipped.');
    expect(r.reasons).toEqual([{ reason: 'b', n: 2, examples: 'x, y' }, { reason: 'a', n: 1, examples: '' }]);
  });
});
