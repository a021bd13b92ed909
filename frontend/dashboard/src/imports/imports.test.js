import { describe, expect, it } from 'vitest';
import { exportFileName, formatSize, progressText, readLines, reportText, splitLines } from './imports.js';

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

describe('reportText', () => {
  it('tells an import that read nothing from one that did', () => {
    expect(reportText({ imported: 0, threads: 0, reactions: 0, duplicates: 0 }).empty).toBe(true);
    expect(reportText({ imported: 0, threads: 0, reactions: 0, duplicates: 0, skipped: { 'no body': 1 } }).empty).toBe(false);
    expect(reportText({ imported: 2, threads: 1, reactions: 0, duplicates: 0 }).empty).toBe(false);
  });
});

describe('export', () => {
  it('names the file after the site and the day', () => {
    const now = new Date('2026-12-07T22:30:00Z');
    expect(exportFileName({ id: 's1', name: 'Die Zeitung — Lokales' }, now)).toBe('parley-die-zeitung-lokales-2026-12-07.json');
    expect(exportFileName({ id: 's1', name: '★★★' }, now)).toBe('parley-s1-2026-12-07.json');
  });
  it('says sizes in readable units', () => {
    expect(formatSize(812)).toBe('812 B');
    expect(formatSize(3_400_000)).toBe('3.4 MB');
    expect(formatSize(16_600_000)).toBe('17 MB');
  });
});
