// The signed-in frame: the site switcher, the navigation between views, and the view the URL
// names. The site lives in the URL (?site=), so a link opens the same site for anyone.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link, currentRoute, navigate, useRoute } from './navigation.jsx';
import { loadLastSite, saveLastSite } from './session.js';
import { SignOutButton } from './SignOutButton.jsx';
import { ViewerContext } from './viewer.js';
import { NewSiteButton } from '../sites/NewSiteButton.jsx';
import { NewSiteForm } from '../sites/NewSiteForm.jsx';
import { QueueView } from '../queue/QueueView.jsx';
import { StoriesView } from '../stories/StoriesView.jsx';
import { SettingsView } from '../settings/SettingsView.jsx';
import { WebhooksView } from '../webhooks/WebhooksView.jsx';
import { OIDCView } from '../oidc/OIDCView.jsx';
import { ImportsView } from '../imports/ImportsView.jsx';
import { PeersView } from '../peers/PeersView.jsx';
import { RulesView } from '../rules/RulesView.jsx';
import { ProposalsView } from '../proposals/ProposalsView.jsx';
import { LogView } from '../log/LogView.jsx';
import { LanguagePicker } from './LanguagePicker.jsx';
import { t } from '../i18n/index.js';

const views = [
  { view: 'queue' },
  { view: 'stories' },
  { view: 'rules' },
  { view: 'proposals' },
  { view: 'log' },
  { view: 'settings' },
  { view: 'webhooks', admin: true },
  { view: 'oidc', admin: true },
  { view: 'imports', admin: true },
  { view: 'peers', admin: true },
];

export function Shell({ viewer, sites, live, onSignOut }) {
  const route = useRoute();
  const site = sites.find((s) => s.id === route.siteID) ?? sites.find((s) => s.id === loadLastSite()) ?? sites[0];

  // A URL naming no site of the list is corrected to the site shown. The URL is read afresh:
  // this effect can run after a later navigation (to a site just created, say) than its render.
  useEffect(() => {
    if (!site) return;
    saveLastSite(site.id);
    const now = currentRoute();
    if (!sites.some((s) => s.id === now.siteID)) navigate({ ...now, siteID: site.id }, { replace: true });
  }, [site?.id, route.siteID]);

  // After moving to another view (or proposal), start reading at its heading, as a page load
  // would. A heading that is not there yet (a view still loading) is focused when it comes.
  const main = useRef();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return undefined;
    }
    const heading = main.current?.querySelector('h1');
    if (heading) {
      heading.focus();
      return undefined;
    }
    const observer = new MutationObserver(() => {
      const h1 = main.current?.querySelector('h1');
      if (!h1) return;
      observer.disconnect();
      h1.focus();
    });
    observer.observe(main.current, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [route.view, route.proposalID]);

  // A new site opens on its settings, the first thing to look at.
  const [notice, setNotice] = useState('');
  function openNewSite(created) {
    setNotice(t('app.siteCreated', { name: created.name }));
    navigate({ view: 'settings', siteID: created.id });
  }

  return (
    <ViewerContext.Provider value={viewer}>
      <a class="skip-link" href="#main">{t('app.skip')}</a>
      <header class="topbar">
        <span class="brand">Parley</span>
        {sites.length > 0 && (
          // Labelled with for, not by wrapping: a wrapping label adds the chosen site to the name.
          <div class="site-picker">
            <label for="site-picker">{t('app.site')}</label>
            <select id="site-picker" value={site?.id} onChange={(e) => navigate({ ...route, siteID: e.currentTarget.value, storyID: null, proposalID: null })}>
              {sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </div>
        )}
        {viewer.admin && <NewSiteButton onCreated={openNewSite} />}
        <nav aria-label={t('app.nav')}>
          <ul>
            {views.filter((v) => !v.admin || viewer.admin).map(({ view }) => (
              <li key={view}>
                <Link to={{ view, queue: route.queue, siteID: site?.id }} aria-current={route.view === view ? (route.proposalID ? 'true' : 'page') : undefined}>{t(`nav.${view}`)}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">{t('app.signedInAs')} <strong>{viewer.username}</strong></span>
        <LanguagePicker />
        <SignOutButton onSignedOut={onSignOut} />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {!site ? <NoSites onCreated={openNewSite} /> : <View route={route} site={site} live={live} />}
      </main>
      <p class="visually-hidden" role="status">{notice}</p>
    </ViewerContext.Provider>
  );
}

function View({ route, site, live }) {
  switch (route.view) {
    case 'queue':
      return <QueueView key={site.id} site={site} queue={route.queue} storyID={route.storyID} live={live} />;
    case 'stories':
      return <StoriesView key={site.id} site={site} search={route.search} show={route.show} />;
    case 'settings':
      return <SettingsView key={site.id} site={site} />;
    case 'webhooks':
      return <WebhooksView key={site.id} site={site} />;
    case 'oidc':
      return <OIDCView key={site.id} site={site} />;
    case 'imports':
      return <ImportsView key={site.id} site={site} />;
    case 'peers':
      return <PeersView />;
    case 'rules':
      return <RulesView key={site.id} site={site} />;
    case 'proposals':
      return <ProposalsView key={site.id} site={site} proposalID={route.proposalID} state={route.state} live={live} />;
    case 'log':
      return <LogView key={site.id} site={site} />;
    default:
      return (
        <>
          <h1 tabIndex={-1}>{t('app.notFound')}</h1>
          <p><Link to={{ view: 'queue', queue: 'PENDING', siteID: site.id }}>{t('app.openPending')}</Link></p>
        </>
      );
  }
}

// Only administrators get here: the gate turns away anyone else without a site.
function NoSites({ onCreated }) {
  return (
    <section aria-labelledby="no-sites-title">
      <h1 id="no-sites-title" tabIndex={-1}>{t('app.noSites')}</h1>
      <p>{t('app.firstSite')}</p>
      <div class="settings-section">
        <NewSiteForm idPrefix="first-site-" onCreated={onCreated} />
      </div>
    </section>
  );
}
