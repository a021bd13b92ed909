// What an admin's action on a listed item (a peer, an endpoint, a provider) came to: its
// error, or the word that it was done, under the item it was done to.
import { useState } from 'preact/hooks';
import { errorMessage } from '../api/errors.js';

const none = { error: '', done: '' };

/**
 * Returns [outcome, run, setOutcome]: run(promise, done) awaits a mutation's result and shows
 * its error or done, calling onChange after a success so the list reloads.
 */
export function useOutcome(onChange) {
  const [outcome, setOutcome] = useState(none);
  async function run(promise, done) {
    const result = await promise;
    if (result.error) {
      setOutcome({ error: errorMessage(result.error), done: '' });
      return;
    }
    setOutcome({ error: '', done });
    onChange?.();
  }
  return [outcome, run, setOutcome];
}

/** The outcome's two live regions: the error as an alert, the done as a status. */
export function Outcome({ outcome }) {
  return (
    <>
      <p class="error" role="alert">{outcome.error}</p>
      <p class="ok" role="status">{outcome.done}</p>
    </>
  );
}
