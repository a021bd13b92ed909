// Where the widget keeps what must outlive a page: the reader's bearer token (localStorage,
// namespaced by the Parley server's origin so that two Parley servers on one page never mix
// sessions) and unsent drafts (sessionStorage, per story and parent). No cookies, so nothing
// here depends on third-party cookies. Storage a browser refuses degrades to memory.

function keep(storage) {
  const memory = new Map();
  return {
    get(key) {
      try { return storage().getItem(key); } catch { return memory.get(key) ?? null; }
    },
    set(key, value) {
      try {
        if (value) storage().setItem(key, value);
        else storage().removeItem(key);
      } catch {
        if (value) memory.set(key, value);
        else memory.delete(key);
      }
    },
  };
}

const local = keep(() => localStorage);
const session = keep(() => sessionStorage);

/** The bearer token for the Parley server at origin: get() and set(token or null). */
export function tokenStore(origin) {
  const key = `parley:${origin}:token`;
  return { get: () => local.get(key), set: (token) => local.set(key, token) };
}

/** The draft of a comment on storyID replying to parentID (null: top level). */
export function draftStore(storyID, parentID) {
  const key = `parley:draft:${storyID}:${parentID || 'top'}`;
  return { get: () => session.get(key) || '', set: (text) => session.set(key, text.trim() ? text : null) };
}
