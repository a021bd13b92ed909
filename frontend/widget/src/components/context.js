// What every part of the discussion reads: translations, the viewer, the site's settings,
// the thread state and the actions (see App.jsx for its fields).
import { createContext } from 'preact';

export const Ctx = createContext(null);
