// Runs first in embed-extras.js (extras.js imports it before anything else): it refuses to
// start against an embed.js whose runtime interface differs, leaving ParleyExtras unset,
// which Lazy.jsx reports as STALE.
import { RUNTIME_VERSION } from './runtime.js';

if (globalThis.ParleyRuntime?.version !== RUNTIME_VERSION) {
  throw new Error(`embed-extras.js needs runtime ${RUNTIME_VERSION}, embed.js offers ${globalThis.ParleyRuntime?.version}`);
}
