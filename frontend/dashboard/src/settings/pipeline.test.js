import { describe, it, expect } from 'vitest';
import { moveStage, removeStage, addStage, changeStage, availableStages, customFrom } from './pipeline.js';

const stages = customFrom([{ stage: 'staff' }, { stage: 'word_list' }, { stage: 'spam' }]);
const names = (list) => list.map((s) => s.stage);

describe('pipeline edits', () => {
  it('moves a stage up and down within the list', () => {
    expect(names(moveStage(stages, 2, -1))).toEqual(['staff', 'spam', 'word_list']);
    expect(names(moveStage(stages, 0, 1))).toEqual(['word_list', 'staff', 'spam']);
    expect(moveStage(stages, 0, -1)).toBe(stages);
    expect(moveStage(stages, 2, 1)).toBe(stages);
  });

  it('adds with default policies, removes and changes', () => {
    const added = addStage(removeStage(stages, 1), 'links');
    expect(names(added)).toEqual(['staff', 'spam', 'links']);
    expect(added[2]).toEqual({ stage: 'links', shadow: false, failClosed: false, budgetMs: '0' });
    expect(changeStage(added, 1, { shadow: true })[1]).toMatchObject({ stage: 'spam', shadow: true });
  });

  it('starts a custom pipeline from the built-in one, policies included', () => {
    const custom = customFrom([{ stage: 'staff', shadow: false, failClosed: false, budgetMs: 0 }, { stage: 'spam', shadow: true, failClosed: true, budgetMs: 250 }]);
    expect(custom).toEqual([
      { stage: 'staff', shadow: false, failClosed: false, budgetMs: '0' },
      { stage: 'spam', shadow: true, failClosed: true, budgetMs: '250' },
    ]);
  });

  it('offers only stages not in the pipeline', () => {
    expect(availableStages(['staff', 'word_list', 'spam', 'plugin:acme'], stages.slice(1))).toEqual(['staff', 'plugin:acme']);
  });
});
