// What saving a story's sharing must do: the peers to add and the peers to drop, from the
// peers it is shared with and those now chosen.

/** Splits a choice of peer IDs into what to share and what to unshare, in the given order. */
export function sharingChanges(current, chosen) {
  const now = new Set(current);
  const next = new Set(chosen);
  return {
    share: chosen.filter((id) => !now.has(id)),
    unshare: current.filter((id) => !next.has(id)),
  };
}
