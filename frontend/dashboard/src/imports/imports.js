// The import upload's answer, as pure functions: the server streams newline-delimited JSON
// ({"progress":…} lines, then one {"report":…} line, with "error" beside it when the import
// stopped), which may arrive cut anywhere.
import { currentLang, t } from '../i18n/index.js';

/** The formats the server imports; imports.formats.<format> says what each is. */
export const FORMATS = ['disqus', 'wxr', 'coral', 'remark42'];

/** Splits text into whole JSON lines, returning them and the unfinished rest. */
export function splitLines(buffer) {
  const parts = buffer.split('\n');
  const rest = parts.pop();
  return { lines: parts.filter((l) => l.trim() !== '').map((l) => JSON.parse(l)), rest };
}

/** Reads a streamed answer, calling onLine with each JSON line as it arrives. */
export async function readLines(body, onLine) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value ?? new Uint8Array(), { stream: !done });
    const { lines, rest } = splitLines(done ? `${buffer}\n` : buffer);
    buffer = rest;
    lines.forEach(onLine);
    if (done) return;
  }
}

/** Says where an import stands: the share of the file read in this pass, and the counts. */
export function progressText(p, size) {
  const pct = size > 0 ? Math.min(100, Math.round((p.bytesRead / size) * 100)) : 0;
  return { pct, text: t('imports.progress', { pass: p.pass, pct, comments: p.comments, imported: p.imported, skipped: p.skipped }) };
}

/** Says what an import did, and each reason for skipping, most frequent first; empty when it
 * read nothing at all (an import refused at once). */
export function reportText(r) {
  const skipped = Object.values(r.skipped ?? {}).reduce((a, b) => a + b, 0);
  const empty = !(r.imported || r.threads || r.reactions || r.duplicates || skipped);
  const reasons = Object.entries(r.skipped ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => ({ reason, n, examples: (r.examples?.[reason] ?? []).join(', ') }));
  return {
    summary: t('imports.summary', { imported: r.imported, threads: r.threads, reactions: r.reactions, duplicates: r.duplicates, skipped }),
    reasons,
    empty,
  };
}

/** The name a site's export is saved under: the site's name made safe for a file, and the day. */
export function exportFileName(site, now) {
  const slug = site.name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || site.id;
  return `parley-${slug}-${now.toISOString().slice(0, 10)}.json`;
}

/** A file's size in the units people read: "812 B", "3.4 MB". */
export function formatSize(bytes) {
  const units = ['B', 'kB', 'MB', 'GB'];
  let n = bytes;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u += 1;
  }
  const digits = u === 0 || n >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(currentLang(), { maximumFractionDigits: digits }).format(n)} ${units[u]}`;
}
