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
import { RUNTIME_VERSION } from '../runtime.js';
import { addStyle } from '../styles.js';

// Only what the extras use, so that embed.js keeps no code for them alone; the extras' build
// (vite.extras.config.js) fails to find anything else, rather than bundling a second Preact.
globalThis.ParleyRuntime = {
  version: RUNTIME_VERSION,
  hooks: { useContext, useEffect, useId, useRef, useState },
  jsx: { Fragment, jsx, jsxs },
  context: { Ctx },
  errors: { errorText },
  format: { fullDate },
  i18n: { addEnglish },
  styles: { addStyle },
};

let base = '';
let loading = null;

/** Sets the Parley server the extras come from (the widget's own). */
export function setExtrasBase(serverURL) {
  base = serverURL;
}

/**
 * Loads embed-extras.js once, with a classic script tag like embed.js itself. It fails with
 * NETWORK when the script cannot be fetched and STALE when it comes from another release
 * (runtime-check.js); either failure may be retried.
 */
export function loadExtras() {
  if (globalThis.ParleyExtras) return Promise.resolve(globalThis.ParleyExtras);
  loading ||= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    const fail = (code) => { loading = null; s.remove(); reject(Object.assign(new Error(code), { code })); };
    s.src = `${base}/embed-extras.js`;
    s.async = true;
    s.onload = () => (globalThis.ParleyExtras ? resolve(globalThis.ParleyExtras) : fail('STALE'));
    s.onerror = () => fail('NETWORK');
    document.head.appendChild(s);
  });
  return loading;
}

/**
 * Renders the extra part name with props once it has loaded; nothing until then, and a
 * message with a retry (or a reload, for another release) if it cannot load, so that a button the reader pressed never seems
 * to do nothing.
 */
export function Lazy({ name, ...props }) {
  const { t } = useContext(Ctx);
  const [part, setPart] = useState(() => globalThis.ParleyExtras?.[name]);
  const [failed, setFailed] = useState(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    if (!part) loadExtras().then((x) => live && setPart(() => x[name]), (err) => live && setFailed(err));
    return () => { live = false; };
  }, [name, attempt]);
  if (failed) {
    return (
      <p class="error" role="alert">
        {errorText(failed, t)}{' '}
        {failed.code === 'STALE'
          ? <button type="button" class="btn" onClick={() => location.reload()}>{t('reload')}</button>
          : <button type="button" class="btn" onClick={() => { setFailed(null); setAttempt(attempt + 1); }}>{t('retry')}</button>}
      </p>
    );
  }
  const Part = part;
  return Part ? <Part {...props} /> : null;
}
