// The signed-in moderator's token, kept in localStorage so a reload keeps the session. It is
// only ever sent as a bearer header; the dashboard sets no cookies.

const TOKEN_KEY = 'parley.dashboard.token';
const SITE_KEY = 'parley.dashboard.site';

export function loadToken() {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveToken(token) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** The site the moderator worked on last, to open it again. */
export function loadLastSite() {
  return localStorage.getItem(SITE_KEY);
}

export function saveLastSite(siteID) {
  localStorage.setItem(SITE_KEY, siteID);
}
