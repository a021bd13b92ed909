// The parts of the widget a reader rarely needs (the account dialog, the trust panel, the
// report dialog, the guest form) live in embed-extras.js, fetched from the Parley server the
// first time one of them shows, so that embed.js stays small for every reader who only reads.
// The extras use this bundle's Preact, context and i18n through globalThis.ParleyRuntime.
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { Fragment, jsx, jsxs } from 'preact/jsx-runtime';
import { Ctx } from './context.js';
import { errorText } from '../errors.js';
import { fullDate } from '../format.js';
import { addEnglish } from '../i18n/index.js';

// Only what the extras use, so that embed.js keeps no code for them alone; the extras' build
// (vite.extras.config.js) fails to find anything else, rather than bundling a second Preact.
globalThis.ParleyRuntime = {
  hooks: { useContext, useEffect, useId, useRef, useState },
  jsx: { Fragment, jsx, jsxs },
  context: { Ctx },
  errors: { errorText },
  format: { fullDate },
  i18n: { addEnglish },
};

let base = '';
let loading = null;

/** Sets the Parley server the extras come from (the widget's own). */
export function setExtrasBase(serverURL) {
  base = serverURL;
}

/** Loads embed-extras.js once, with a classic script tag like embed.js itself. */
export function loadExtras() {
  if (globalThis.ParleyExtras) return Promise.resolve(globalThis.ParleyExtras);
  loading ||= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = `${base}/embed-extras.js`;
    s.async = true;
    s.onload = () => resolve(globalThis.ParleyExtras);
    s.onerror = () => { loading = null; s.remove(); reject(new Error('NETWORK')); };
    document.head.appendChild(s);
  });
  return loading;
}

/** Renders the extra part name with props once it has loaded; nothing until then. */
export function Lazy({ name, ...props }) {
  const [part, setPart] = useState(() => globalThis.ParleyExtras?.[name]);
  useEffect(() => {
    let live = true;
    if (!part) loadExtras().then((x) => live && setPart(() => x[name]), () => {});
    return () => { live = false; };
  }, [name]);
  const Part = part;
  return Part ? <Part {...props} /> : null;
}
