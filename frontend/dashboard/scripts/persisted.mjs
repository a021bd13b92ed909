// Writes dist/admin/persisted-queries.json: every operation the dashboard sends, by the
// SHA-256 hash of its text exactly as urql sends it (queries and mutations with the
// __typename fields its cache adds; subscriptions, which go by WebSocket with their text, as
// written). The binary embeds it beside the widget's, so PARLEY_PERSISTED_QUERIES_ONLY accepts
// the dashboard. Every operation lives in a documents.js module, which this script imports.
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { formatDocument, stringifyDocument } from '@urql/core';

const src = new URL('../src/', import.meta.url);
const manifest = {};
for (const file of readdirSync(src, { recursive: true })) {
  if (!file.endsWith('documents.js')) continue;
  const mod = await import(new URL(file, src));
  for (const doc of Object.values(mod)) {
    const op = doc?.kind === 'Document' && doc.definitions.find((d) => d.kind === 'OperationDefinition');
    if (!op) continue; // a fragment, used inside operations
    const text = op.operation === 'subscription' ? stringifyDocument(doc) : stringifyDocument(formatDocument(doc));
    manifest[createHash('sha256').update(text).digest('hex')] = text;
  }
}
writeFileSync(new URL('../../dist/admin/persisted-queries.json', import.meta.url), JSON.stringify(manifest, null, 1));
console.log(`admin/persisted-queries.json: ${Object.keys(manifest).length} operations`);
