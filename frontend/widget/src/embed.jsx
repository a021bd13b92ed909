// embed.js: the one script a host page adds. It renders the discussion where its tag is (or
// in data-container), and offers window.Parley.render for pages that start it themselves.
// Nothing costly happens until the widget's place comes near the viewport.
//
// The tag's attributes: data-story-url or data-story-id (default: the page's canonical URL),
// data-comment-id (one comment instead of the discussion), data-container (a selector),
// data-theme (light, dark or auto), data-lang, data-eager="true" (no lazy start), and
// data-manual (render nothing: the page calls Parley.render itself).
import { render } from 'preact';
import css from './widget.css?inline';
import { dropStyle, styleElement } from './styles.js';
import { Widget } from './components/Widget.jsx';
import { loadCatalog, pickLang } from './i18n/index.js';

// Captured now: document.currentScript is only set while this script first runs.
const script = document.currentScript;
const scriptOrigin = script?.src ? new URL(script.src).origin : location.origin;

// How far below (or above) the viewport the widget starts loading.
const LAZY_MARGIN = '800px';

/** The page's own address: its canonical link, else its URL without the fragment. */
function pageURL() {
  const canonical = document.querySelector('link[rel="canonical"]')?.href;
  return canonical || location.href.split('#')[0];
}

function resolveContainer(container) {
  const el = typeof container === 'string' ? document.querySelector(container) : container;
  if (!el) throw new Error(`Parley: no container ${container}`);
  return el;
}

/**
 * Renders Parley into options.container (an element or a selector) and returns a handle
 * {destroy(), setSSOToken(token)}. Options: storyURL | storyID | commentID, serverURL,
 * ssoToken, onLoginRequest, onLogout, theme ('light' | 'dark' | 'auto'), lang, eager.
 */
function renderParley(options) {
  const container = resolveContainer(options.container);
  const opts = {
    serverURL: (options.serverURL || scriptOrigin).replace(/\/+$/, ''),
    storyID: options.storyID || null,
    storyURL: options.storyURL || pageURL(),
    commentID: options.commentID || null,
    ssoToken: options.ssoToken || null,
    onLoginRequest: options.onLoginRequest,
    onLogout: options.onLogout,
    theme: ['dark', 'auto'].includes(options.theme) ? options.theme : 'light',
    lang: pickLang(options.lang, document.documentElement.lang),
  };
  const shadow = container.shadowRoot || container.attachShadow({ mode: 'open' });
  const mountPoint = document.createElement('div');
  const bridge = {};
  const emit = (name, detail) => container.dispatchEvent(new CustomEvent(`parley:${name}`, { bubbles: true, composed: true, detail }));
  let observer;
  let state = 'waiting';
  let style;

  const start = () => {
    if (state !== 'waiting') return;
    state = 'started';
    observer?.disconnect();
    // A reader of another language than English waits for its catalog (a small cached file)
    // before the first render, so the widget never shows in English first.
    loadCatalog(opts.serverURL, opts.lang).then((messages) => {
      if (state !== 'started') return;
      opts.messages = messages;
      style = styleElement(css);
      shadow.replaceChildren(style, mountPoint);
      render(<Widget opts={opts} emit={emit} bridge={bridge} />, mountPoint);
    });
  };

  if (options.eager || typeof IntersectionObserver !== 'function') {
    start();
  } else {
    observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && start(), { rootMargin: LAZY_MARGIN });
    observer.observe(container);
  }

  return {
    destroy() {
      observer?.disconnect();
      if (state === 'started') render(null, mountPoint);
      state = 'destroyed';
      if (style) dropStyle(style);
      shadow.replaceChildren();
    },
    setSSOToken(token) {
      opts.ssoToken = token || null;
      bridge.sso?.(token);
    },
  };
}

window.Parley = { render: renderParley };

// The script tag's own discussion, unless the page said it starts Parley itself (data-manual).
if (script && !('manual' in script.dataset)) {
  const d = script.dataset;
  let container = d.container;
  if (!container) {
    container = document.createElement('div');
    script.after(container);
  }
  renderParley({
    container,
    storyURL: d.storyUrl,
    storyID: d.storyId,
    commentID: d.commentId,
    theme: d.theme,
    lang: d.lang,
    eager: d.eager === 'true',
  });
  // In the /embed frame page, tell the framing page (the story's own origin, the only one
  // the frame's CSP lets embed it) how tall the discussion is, so it can size the frame.
  if ('frame' in d && window.parent !== window) {
    try {
      const target = new URL(d.storyUrl).origin;
      new ResizeObserver(() => window.parent.postMessage({ type: 'parley:height', height: document.documentElement.scrollHeight }, target))
        .observe(document.body);
    } catch { /* no story URL: nobody to tell */ }
  }
}
