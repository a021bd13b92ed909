// Moving between the dashboard's views with the history API: links change the URL without a
// reload, and the back button works.
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, formatRoute } from './route.js';

const listeners = new Set();

/** The route of the URL as it is now, which may be ahead of a render's route. */
export function currentRoute() {
  return parseRoute(window.location.pathname, window.location.search);
}

/** Goes to a route (or a URL); replace keeps the history entry, for corrections. */
export function navigate(to, { replace = false } = {}) {
  const url = typeof to === 'string' ? to : formatRoute(to);
  if (url === window.location.pathname + window.location.search) return;
  window.history[replace ? 'replaceState' : 'pushState'](null, '', url);
  for (const listener of listeners) listener();
}

/** The current route, updated on navigation and on back and forward. */
export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A link to a route that navigates in place, unless the moderator asks for a new tab. */
export function Link({ to, children, ...props }) {
  const href = formatRoute(to);
  function onClick(event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  }
  return <a href={href} onClick={onClick} {...props}>{children}</a>;
}
