// The signed-in user, for the few controls only administrators get (new sites, bans on every
// site, site roles), without threading it through every view.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const ViewerContext = createContext(null);

/** The viewer {id, username, admin} of the dashboard's session. */
export function useViewer() {
  return useContext(ViewerContext);
}
