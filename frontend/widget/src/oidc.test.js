import { describe, expect, it } from 'vitest';
import { oidcStartURL, signInWithPopup } from './oidc.js';

// A page's window with a popup that never navigates: messages are dispatched by the test.
function fakeWindow() {
  const target = new EventTarget();
  const popup = { closed: false };
  return {
    popup,
    opened: [],
    location: { origin: 'https://news.example.org' },
    open(url) { this.opened.push(url); return popup; },
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
    setInterval: () => 1,
    clearInterval: () => {},
    post(data, origin, source) {
      const e = new Event('message');
      Object.assign(e, { data, origin, source });
      target.dispatchEvent(e);
    },
  };
}

describe('signInWithPopup', () => {
  it('opens /oidc/start with the page origin', () => {
    expect(oidcStartURL('https://parley.example', 'p1', 's1', 'https://news.example.org'))
      .toBe('https://parley.example/oidc/start?provider=p1&site=s1&origin=https%3A%2F%2Fnews.example.org');
  });

  it('believes only the popup speaking from the server origin', async () => {
    const w = fakeWindow();
    const p = signInWithPopup('https://parley.example', 'p1', 's1', w);
    w.post({ type: 'parley:oidc:session', token: 'forged' }, 'https://evil.example', w.popup);
    w.post({ type: 'parley:oidc:session', token: 'forged' }, 'https://parley.example', {});
    w.post({ type: 'parley:oidc:session', token: 't1', userId: 'u1', username: 'ann' }, 'https://parley.example', w.popup);
    await expect(p).resolves.toEqual({ token: 't1', expiresAt: undefined, user: { id: 'u1', username: 'ann' } });
    expect(w.opened[0]).toContain('/oidc/start?provider=p1');
  });

  it('rejects with the server code on a refusal', async () => {
    const w = fakeWindow();
    const p = signInWithPopup('https://parley.example', 'p1', 's1', w);
    w.post({ type: 'parley:oidc:error', code: 'forbidden', message: 'unverified' }, 'https://parley.example', w.popup);
    await expect(p).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
