// Writes dist/persisted-queries.json: every operation the widget sends (queries.js and
// extraQueries.js), by the SHA-256 hash of its text, as the server's APQ protocol names it.
// The binary embeds it, so that every replica knows the widget's queries from the start and
// PARLEY_PERSISTED_QUERIES_ONLY can refuse any other. Mutations (POST) and subscriptions
// (WebSocket), which travel with their text, are listed too: in that mode an operation runs
// only if its hash is registered.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as main from '../src/queries.js';
import * as extras from '../src/extraQueries.js';

const manifest = {};
for (const text of [...Object.values(main), ...Object.values(extras)]) {
  if (typeof text !== 'string' || !/^\s*(query|mutation|subscription)\b|^\s*\{/.test(text)) continue;
  manifest[createHash('sha256').update(text).digest('hex')] = text;
}
writeFileSync(new URL('../../dist/persisted-queries.json', import.meta.url), JSON.stringify(manifest, null, 1));
console.log(`persisted-queries.json: ${Object.keys(manifest).length} queries`);
