// OpenID Connect sign-in through a popup: Parley's /oidc/start sends the reader to the
// provider, and the callback page posts the session back with postMessage aimed at this
// page's origin. Only a message from the popup itself, coming from the Parley server's
// origin, is believed; no cookie is involved, so this works with third-party cookies blocked.
import { APIError } from './api.js';

/** The URL the popup opens for provider on site, answering to the page at origin. */
export function oidcStartURL(serverURL, provider, site, origin) {
  const q = new URLSearchParams({ provider, site, origin });
  return `${serverURL}/oidc/start?${q}`;
}

/**
 * Opens the sign-in popup (call it from a click, or browsers block it) and resolves with
 * { token, expiresAt, user: { id, username } }; rejects with an APIError carrying the server's
 * code, or CANCELLED when the reader closes the popup.
 */
export function signInWithPopup(serverURL, provider, site, win = window) {
  const popup = win.open(oidcStartURL(serverURL, provider, site, win.location.origin), 'parley-oidc', 'popup,width=480,height=640');
  if (!popup) return Promise.reject(new APIError('POPUP_BLOCKED'));
  const serverOrigin = new URL(serverURL).origin;
  return new Promise((resolve, reject) => {
    const done = () => {
      win.removeEventListener('message', onMessage);
      win.clearInterval(watch);
    };
    const onMessage = (e) => {
      if (e.origin !== serverOrigin || e.source !== popup || typeof e.data?.type !== 'string') return;
      const m = e.data;
      if (m.type === 'parley:oidc:session') {
        done();
        resolve({ token: m.token, expiresAt: m.expiresAt, user: { id: m.userId, username: m.username } });
      } else if (m.type === 'parley:oidc:error') {
        done();
        reject(new APIError((m.code || 'internal').toUpperCase(), m.message));
      }
      // parley:oidc:link: the popup asks the reader to consent; keep waiting.
    };
    const watch = win.setInterval(() => {
      if (popup.closed) {
        done();
        reject(new APIError('CANCELLED'));
      }
    }, 500);
    win.addEventListener('message', onMessage);
  });
}
