import { describe, expect, it } from 'vitest';
import { previewBlocks } from './markdown.js';

describe('previewBlocks', () => {
  it('splits paragraphs on blank lines and marks bold, italic and code', () => {
    expect(previewBlocks('Hello **big** *small* `x<y`\n\nsecond _one_ __two__')).toEqual([
      [{ tag: null, text: 'Hello ' }, { tag: 'strong', text: 'big' }, { tag: null, text: ' ' }, { tag: 'em', text: 'small' },
        { tag: null, text: ' ' }, { tag: 'code', text: 'x<y' }],
      [{ tag: null, text: 'second ' }, { tag: 'em', text: 'one' }, { tag: null, text: ' ' }, { tag: 'strong', text: 'two' }],
    ]);
  });

  it('keeps markup, links and unpaired marks as plain text', () => {
    expect(previewBlocks('<b>hi</b> [a](javascript:x) 2 * 3')).toEqual([[{ tag: null, text: '<b>hi</b> [a](javascript:x) 2 * 3' }]]);
  });

  it('has no paragraphs for blank text', () => {
    expect(previewBlocks(' \n\n ')).toEqual([]);
  });
});
