import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { Ctx } from './context.js';
import { Lazy } from './Lazy.jsx';
import { createI18n } from '../i18n/index.js';
import { RUNTIME_VERSION } from '../runtime.js';

// What embed.js offers embed-extras.js at each runtime version: changing ParleyRuntime
// without raising RUNTIME_VERSION (and adding its shape here) fails this test.
const shapes = {
  1: 'context:Ctx errors:errorText format:fullDate hooks:useContext,useEffect,useId,useRef,useState i18n:addEnglish jsx:Fragment,jsx,jsxs version',
  2: 'context:Ctx errors:errorText format:fullDate hooks:useContext,useEffect,useId,useRef,useState i18n:addEnglish jsx:Fragment,jsx,jsxs styles:addStyle version',
};

const shape = (rt) => Object.keys(rt).sort()
  .map((k) => (typeof rt[k] === 'object' ? `${k}:${Object.keys(rt[k]).sort().join(',')}` : k)).join(' ');

/** Captures the script tags Lazy adds instead of letting the test DOM fetch them. */
function captureScripts() {
  const scripts = [];
  const real = document.head.appendChild.bind(document.head);
  vi.spyOn(document.head, 'appendChild').mockImplementation((el) => (el.tagName === 'SCRIPT' ? (scripts.push(el), el) : real(el)));
  return scripts;
}

function show() {
  render(<Ctx.Provider value={{ t: createI18n('en') }}><Lazy name="Part" /></Ctx.Provider>);
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  delete globalThis.ParleyExtras;
});

describe('Lazy', () => {
  it('offers the runtime whose shape its version names', () => {
    expect(globalThis.ParleyRuntime.version).toBe(RUNTIME_VERSION);
    expect(shape(globalThis.ParleyRuntime)).toBe(shapes[RUNTIME_VERSION]);
  });

  // Before the test that loads the part: once loaded, it stays loaded for the page.
  it('says the server could not be reached when the script fails to load', async () => {
    const scripts = captureScripts();
    show();
    await waitFor(() => expect(scripts).toHaveLength(1));
    scripts[0].onerror();
    expect((await screen.findByRole('alert')).textContent).toMatch(/Could not reach the comment server/);
  });

  it('asks for a reload when embed-extras.js comes from another release', async () => {
    const scripts = captureScripts();
    show();
    await waitFor(() => expect(scripts).toHaveLength(1));
    scripts[0].onload(); // runtime-check.js refused: ParleyExtras stays unset
    expect((await screen.findByRole('alert')).textContent).toMatch(/reload the page/);
    expect(screen.getByRole('button', { name: 'Reload page' })).toBeTruthy();
  });

  it('loads the part when the reader tries again after a failure', async () => {
    const scripts = captureScripts();
    show();
    await waitFor(() => expect(scripts).toHaveLength(1));
    scripts[0].onerror();
    fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(scripts).toHaveLength(2));
    globalThis.ParleyExtras = { Part: () => <p>the part</p> };
    scripts[1].onload();
    expect(await screen.findByText('the part')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
