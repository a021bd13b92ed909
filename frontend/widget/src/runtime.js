// The version of the interface embed.js offers the parts loaded on demand (globalThis.
// ParleyRuntime, see components/Lazy.jsx). Both bundles carry their own copy, so an
// embed.js still cached from an older release that loads a newer embed-extras.js (or the
// reverse) is found out and the reader is asked to reload, instead of a dialog that breaks.
// Raise it whenever ParleyRuntime gains, loses or changes a member; runtime.test.js keeps
// the shape and the number together.
export const RUNTIME_VERSION = 2;
