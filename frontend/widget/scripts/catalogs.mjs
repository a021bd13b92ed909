// Writes each catalog but English (built into embed.js) as dist/i18n/<lang>.json, which the
// widget fetches for readers of that language.
import { mkdirSync, writeFileSync } from 'node:fs';
import { languages } from '../src/i18n/index.js';

const out = new URL('../../dist/i18n/', import.meta.url);
mkdirSync(out, { recursive: true });
for (const lang of languages.filter((l) => l !== 'en')) {
  const { default: messages } = await import(`../src/i18n/${lang}.js`);
  writeFileSync(new URL(`${lang}.json`, out), JSON.stringify(messages));
}
