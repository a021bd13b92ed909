import { describe, it, expect } from 'vitest';
import {
  emptyQueue, pageOf, appendPage, mergeFirstPage, countNew, removeItems, restoreItems, updateItems,
  moveSelection, select, toggleChecked, checkAll, checkedState,
} from './queueState.js';

// Comments c1..cN, c1 the newest, one minute apart.
const c = (n) => ({ id: `c${n}`, createdAt: new Date(Date.UTC(2026, 0, 1, 12, 60 - n)).toISOString() });
const page = (ns, hasNextPage = false) => ({ items: ns.map(c), endCursor: `cur${ns.at(-1)}`, hasNextPage });
const ids = (state) => state.items.map((x) => x.id);
const loaded = (ns, hasNextPage = false) => appendPage(emptyQueue, page(ns, hasNextPage));

describe('pageOf and appendPage', () => {
  it('reads a connection and appends without duplicates', () => {
    const conn = { edges: [{ node: c(1) }, { node: c(2) }], pageInfo: { endCursor: 'x', hasNextPage: true } };
    const state = appendPage(appendPage(emptyQueue, pageOf(conn)), page([2, 3]));
    expect(ids(state)).toEqual(['c1', 'c2', 'c3']);
    expect(state).toMatchObject({ endCursor: 'cur3', hasNextPage: false });
  });
});

describe('mergeFirstPage', () => {
  it('puts new comments on top and keeps the selection and checks', () => {
    let state = select(toggleChecked(loaded([2, 3]), 'c3'), 'c3');
    state = mergeFirstPage(state, page([1, 2, 3]));
    expect(ids(state)).toEqual(['c1', 'c2', 'c3']);
    expect(state.selectedID).toBe('c3');
    expect([...state.checked]).toEqual(['c3']);
  });

  it('keeps loaded comments older than the fresh page and their cursor', () => {
    const state = mergeFirstPage(loaded([2, 3, 4, 5], true), page([1, 2], true));
    expect(ids(state)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(state).toMatchObject({ endCursor: 'cur5', hasNextPage: true });
  });

  it('drops comments that left the queue within the fresh span', () => {
    const state = mergeFirstPage(select(loaded([1, 2, 3]), 'c2'), page([1, 3]));
    expect(ids(state)).toEqual(['c1', 'c3']);
    expect(state.selectedID).toBe('c3');
  });

  it('drops everything missing when the fresh page is the whole queue', () => {
    const state = mergeFirstPage(loaded([1, 2, 3, 4], true), page([1]));
    expect(ids(state)).toEqual(['c1']);
    expect(state).toMatchObject({ endCursor: 'cur1', hasNextPage: false });
  });

  it('counts the comments a fresh page adds', () => {
    expect(countNew(loaded([2, 3]), page([0, 1, 2]))).toBe(2);
  });
});

describe('removeItems', () => {
  it('moves the selection to the next comment, or the previous at the end', () => {
    expect(removeItems(select(loaded([1, 2, 3]), 'c2'), ['c2']).selectedID).toBe('c3');
    expect(removeItems(select(loaded([1, 2, 3]), 'c3'), ['c3']).selectedID).toBe('c2');
    expect(removeItems(select(loaded([1, 2, 3]), 'c2'), ['c2', 'c3']).selectedID).toBe('c1');
    expect(removeItems(select(loaded([1]), 'c1'), ['c1']).selectedID).toBeNull();
  });

  it('unchecks what it removes', () => {
    const state = removeItems(checkAll(loaded([1, 2]), true), ['c1']);
    expect([...state.checked]).toEqual(['c2']);
  });
});

describe('restoreItems', () => {
  it('puts undone comments back in time order and selects the first', () => {
    const state = restoreItems(removeItems(loaded([1, 2, 3, 4]), ['c2', 'c4']), [c(4), c(2)]);
    expect(ids(state)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(state.selectedID).toBe('c4');
  });

  it('does not duplicate a comment a live update brought back first', () => {
    expect(ids(restoreItems(loaded([1, 2]), [c(2)]))).toEqual(['c1', 'c2']);
  });
});

describe('updateItems', () => {
  it('merges newer copies of loaded comments', () => {
    const state = updateItems(loaded([1, 2]), [{ id: 'c2', featured: true }, { id: 'c9', featured: true }]);
    expect(state.items[1]).toMatchObject({ id: 'c2', featured: true });
    expect(ids(state)).toEqual(['c1', 'c2']);
  });
});

describe('moveSelection', () => {
  it('selects the first comment from nothing, then walks and stops at the ends', () => {
    let state = moveSelection(loaded([1, 2]), 1);
    expect(state.selectedID).toBe('c1');
    state = moveSelection(state, 1);
    expect(state.selectedID).toBe('c2');
    expect(moveSelection(state, 1).selectedID).toBe('c2');
    expect(moveSelection(moveSelection(state, -1), -1).selectedID).toBe('c1');
    expect(moveSelection(emptyQueue, 1)).toBe(emptyQueue);
  });
});

describe('checks', () => {
  it('toggles, checks all and tells none, some or all', () => {
    let state = loaded([1, 2]);
    expect(checkedState(state)).toBe('none');
    state = toggleChecked(state, 'c1');
    expect(checkedState(state)).toBe('some');
    expect(checkedState(checkAll(state, true))).toBe('all');
    expect(checkedState(toggleChecked(state, 'c1'))).toBe('none');
    expect(checkAll(state, false).checked.size).toBe(0);
  });
});
