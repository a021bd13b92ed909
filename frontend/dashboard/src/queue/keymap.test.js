import { describe, it, expect } from 'vitest';
import { actionFor, isTyping, SHORTCUTS } from './keymap.js';

function keydown(key, target = document.body, init = {}) {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  Object.defineProperty(event, 'target', { value: target });
  return event;
}

function element(html) {
  const box = document.createElement('div');
  box.innerHTML = html;
  return box.firstElementChild;
}

describe('actionFor', () => {
  it('maps each listed key to its action', () => {
    for (const { key, action } of SHORTCUTS) expect(actionFor(keydown(key))).toBe(action);
  });

  it('ignores unmapped keys and other letter cases', () => {
    expect(actionFor(keydown('q'))).toBeNull();
    expect(actionFor(keydown('J'))).toBeNull();
  });

  it('ignores keys with a modifier held', () => {
    expect(actionFor(keydown('j', document.body, { ctrlKey: true }))).toBeNull();
    expect(actionFor(keydown('a', document.body, { metaKey: true }))).toBeNull();
    expect(actionFor(keydown('r', document.body, { altKey: true }))).toBeNull();
  });

  it('ignores keys typed into fields but not on buttons or checkboxes', () => {
    expect(actionFor(keydown('a', element('<input type="text">')))).toBeNull();
    expect(actionFor(keydown('a', element('<textarea></textarea>')))).toBeNull();
    expect(actionFor(keydown('a', element('<select></select>')))).toBeNull();
    expect(actionFor(keydown('j', element('<button>Approve</button>')))).toBe('next');
    expect(actionFor(keydown('x', element('<input type="checkbox">')))).toBe('toggle');
  });

  it('ignores keys while a dialog is open or once handled', () => {
    expect(actionFor(keydown('a'), { dialogOpen: true })).toBeNull();
    const handled = keydown('a');
    handled.preventDefault();
    expect(actionFor(handled)).toBeNull();
  });
});

describe('isTyping', () => {
  it('treats contenteditable as typing', () => {
    const div = element('<div contenteditable="true"></div>');
    document.body.append(div);
    expect(isTyping(div)).toBe(true);
    div.remove();
  });
});
