import { describe, expect, it } from 'vitest';
import { addStyle, dropStyle, styleElement } from './styles.js';

describe('style sheets', () => {
  it('adds the extras\' styles to every widget, those started later included, but not to ended ones', () => {
    const first = styleElement('.base{}');
    const ended = styleElement('.base{}');
    dropStyle(ended);
    addStyle('.extra{}');
    const later = styleElement('.base{}');
    expect(first.textContent).toBe('.base{}.extra{}');
    expect(later.textContent).toBe('.base{}.extra{}');
    expect(ended.textContent).toBe('.base{}');
  });
});
