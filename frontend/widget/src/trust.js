// Words for a reader's trust standing: what the level allows, why it last changed and what
// is still missing, from the API's trustStanding. Pure functions, so they are unit-tested.

/** "commentsPublished>=10" (or "<", ">") as { signal, op, n }; null when it is not of that shape. */
export function parseThreshold(s) {
  const m = /^([A-Za-z]+)(>=|<=|<|>)(\d+)$/.exec(s || '');
  return m ? { signal: m[1], op: m[2], n: Number(m[3]) } : null;
}

/** One threshold in words, such as "at least 10 published comments". */
export function thresholdText(t, { signal, op, n }) {
  const what = t(`signal.${signal}`, { n });
  switch (op) {
    case '>=': return t('trust.atLeast', { n, what });
    case '<=': return t('trust.atMost', { n, what });
    case '<': return t('trust.fewerThan', { n, what });
    default: return t('trust.moreThan', { n, what });
  }
}

/** A missing requirement of the next level in words, with where the reader stands. */
export function missingText(t, r) {
  const what = t(`signal.${r.signal}`, { n: r.need });
  return r.max ? t('trust.needAtMost', { n: r.need, have: r.have, what }) : t('trust.needAtLeast', { n: r.need, have: r.have, what });
}

/**
 * What the standing's last change says: { why, restore } where why explains the change and
 * restore (for a lost level that activity can win back) lists what is missing, or null.
 */
export function lastChangeText(t, st) {
  const ch = st.lastChange;
  if (!ch) return { why: null, restore: null };
  const crossed = (ch.crossed || []).map(parseThreshold).filter(Boolean).map((c) => thresholdText(t, c));
  let why;
  if (ch.byModerator && (ch.crossed || []).includes('unpinned')) {
    why = ch.reason ? t('trust.unpinnedBecause', { to: ch.to, reason: ch.reason }) : t('trust.unpinned', { to: ch.to });
  } else if (ch.byModerator) {
    why = ch.reason ? t('trust.pinnedBecause', { to: ch.to, reason: ch.reason }) : t('trust.pinned', { to: ch.to });
  } else if (ch.to > ch.from) {
    why = t('trust.promoted', { to: ch.to, list: crossed.join(', ') });
  } else {
    why = t('trust.demoted', { from: ch.from, to: ch.to, list: crossed.join(', ') });
  }
  let restore = null;
  if (ch.to < ch.from && !st.pinned && st.nextLevel === ch.from) {
    restore = { level: ch.from, items: (st.missing || []).map((r) => missingText(t, r)) };
  }
  return { why, restore };
}
