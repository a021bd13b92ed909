import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/preact';
import { APIError } from './api.js';
import { usePreview } from './preview.js';

// A server that answers each preview when the test says, recording what was asked.
function server() {
  const asked = [];
  const render = vi.fn((text) => new Promise((resolve, reject) => asked.push({ text, resolve, reject })));
  return { asked, render };
}

const settle = () => act(async () => { await vi.runAllTimersAsync(); });

describe('usePreview', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks nothing until the preview is opened, then at once', async () => {
    const s = server();
    const { result, rerender } = renderHook(({ text, open }) => usePreview(text, open, s.render, 400), { initialProps: { text: 'a', open: false } });
    rerender({ text: 'a *b*', open: false });
    await settle();
    expect(s.render).not.toHaveBeenCalled();

    rerender({ text: 'a *b*', open: true });
    expect(result.current).toEqual({ loading: true });
    await act(async () => { await vi.advanceTimersByTimeAsync(0); });
    expect(s.asked.map((a) => a.text)).toEqual(['a *b*']);
    await act(async () => s.asked[0].resolve('<p>a <em>b</em></p>\n'));
    expect(result.current).toEqual({ text: 'a *b*', html: '<p>a <em>b</em></p>\n' });
  });

  it('once opened, refreshes only when typing pauses, and never asks twice for one text', async () => {
    const s = server();
    const { result, rerender } = renderHook(({ text, open }) => usePreview(text, open, s.render, 400), { initialProps: { text: 'one', open: true } });
    await settle();
    await act(async () => s.asked[0].resolve('<p>one</p>'));
    rerender({ text: 'one', open: false });
    for (const text of ['one t', 'one tw', 'one two']) {
      rerender({ text, open: false });
      await act(async () => { await vi.advanceTimersByTimeAsync(100); });
    }
    expect(s.asked.map((a) => a.text)).toEqual(['one']);
    await act(async () => { await vi.advanceTimersByTimeAsync(400); });
    expect(s.asked.map((a) => a.text)).toEqual(['one', 'one two']);
    await act(async () => s.asked[1].resolve('<p>one two</p>'));
    rerender({ text: 'one two', open: true });
    await settle();
    expect(s.asked).toHaveLength(2);
    expect(result.current.html).toBe('<p>one two</p>');
  });

  it('drops an answer for text that changed meanwhile', async () => {
    const s = server();
    const { result, rerender } = renderHook(({ text }) => usePreview(text, true, s.render, 400), { initialProps: { text: 'old' } });
    await settle();
    rerender({ text: 'new' });
    await settle();
    await act(async () => s.asked[0].resolve('<p>old</p>'));
    expect(result.current).toEqual({ loading: true });
    await act(async () => s.asked[1].resolve('<p>new</p>'));
    expect(result.current.html).toBe('<p>new</p>');
  });

  it('keeps the server’s refusal to show, and needs no request for blank text', async () => {
    const s = server();
    const { result, rerender } = renderHook(({ text }) => usePreview(text, true, s.render, 400), { initialProps: { text: 'x'.repeat(6000) } });
    await settle();
    const refusal = new APIError('INVALID', 'Comment is 6000 characters; the limit is 5000.', 'body');
    await act(async () => s.asked[0].reject(refusal));
    expect(result.current.error).toBe(refusal);
    rerender({ text: ' \n ' });
    await settle();
    expect(result.current).toEqual({ html: '' });
    expect(s.asked).toHaveLength(1);
  });
});
