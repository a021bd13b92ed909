// Earlier comments under the reader's verified address (an imported history, or comments
// left as a guest), in the account dialog: how many, and a button that moves them to the
// account. The server tells nothing before the address is verified, so nothing shows then.
import { useContext, useEffect, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { CLAIMABLE, CLAIM } from '../extraQueries.js';
import { errorText } from '../errors.js';

export function Claim() {
  const { t, act } = useContext(Ctx);
  const [claimable, setClaimable] = useState(null);
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  const fail = (err) => setError(errorText(err, t));
  useEffect(() => {
    act.request(CLAIMABLE).then((d) => setClaimable(d.viewer?.claimableComments ?? null), fail);
  }, []);
  const claim = () => {
    setError(null);
    act.request(CLAIM).then((d) => {
      setDone(d.claimComments.claimed.total);
      setClaimable(null);
    }, fail);
  };
  if (done !== null) return <p class="ok" role="status" data-claimed>{t('claimed', { n: done })}</p>;
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!claimable || claimable.total === 0) return null;
  return (
    <div class="claim" data-claim>
      <p>{t('claimable', { n: claimable.total })}</p>
      <button type="button" class="btn" onClick={claim}>{t('claimThem')}</button>
    </div>
  );
}
