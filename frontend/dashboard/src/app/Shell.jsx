// The signed-in frame: the site switcher, the navigation between views, and the view the URL
// names. The site lives in the URL (?site=), so a link opens the same site for anyone.
import { useEffect, useRef } from 'preact/hooks';
import { Link, navigate, useRoute } from './navigation.jsx';
import { loadLastSite, saveLastSite } from './session.js';
import { SignOutButton } from './SignOutButton.jsx';
import { QueueView } from '../queue/QueueView.jsx';
import { StoriesView } from '../stories/StoriesView.jsx';
import { SettingsView } from '../settings/SettingsView.jsx';

const views = [
  { view: 'queue', label: 'Queues' },
  { view: 'stories', label: 'Stories' },
  { view: 'settings', label: 'Settings' },
];

export function Shell({ viewer, sites, live, onSignOut }) {
  const route = useRoute();
  const site = sites.find((s) => s.id === route.siteID) ?? sites.find((s) => s.id === loadLastSite()) ?? sites[0];

  useEffect(() => {
    if (!site) return;
    saveLastSite(site.id);
    if (route.siteID !== site.id) navigate({ ...route, siteID: site.id }, { replace: true });
  }, [site?.id, route.siteID]);

  // After moving to another view, start reading at its heading, as a page load would.
  const main = useRef();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector('h1')?.focus();
  }, [route.view]);

  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand">Parley</span>
        {sites.length > 0 && (
          <label class="site-picker">
            <span>Site</span>
            <select value={site?.id} onChange={(e) => navigate({ ...route, siteID: e.currentTarget.value, storyID: null })}>
              {sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </label>
        )}
        <nav aria-label="Dashboard">
          <ul>
            {views.map(({ view, label }) => (
              <li key={view}>
                <Link to={{ view, queue: route.queue, siteID: site?.id }} aria-current={route.view === view ? 'page' : undefined}>{label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">Signed in as <strong>{viewer.username}</strong></span>
        <SignOutButton onSignedOut={onSignOut} />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {!site ? <NoSites /> : <View route={route} site={site} live={live} />}
      </main>
    </>
  );
}

function View({ route, site, live }) {
  switch (route.view) {
    case 'queue':
      return <QueueView key={site.id} site={site} queue={route.queue} storyID={route.storyID} live={live} />;
    case 'stories':
      return <StoriesView key={site.id} site={site} />;
    case 'settings':
      return <SettingsView key={site.id} site={site} />;
    default:
      return (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p><Link to={{ view: 'queue', queue: 'PENDING', siteID: site.id }}>Open the pending queue</Link></p>
        </>
      );
  }
}

function NoSites() {
  return (
    <>
      <h1 tabIndex={-1}>No sites yet</h1>
      <p>This instance has no sites. An administrator creates them with the createSite mutation.</p>
    </>
  );
}
