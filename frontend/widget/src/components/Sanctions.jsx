// What the site's moderators imposed on the reader, with their words: a ban, a suspension
// (until when), review of every comment, a warning or a message. A warning holds the
// reader's comments until they acknowledge it with "I understand"; a message is dismissed
// the same way. Nothing shows when there is nothing to tell.
import { useContext, useEffect, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { ACKNOWLEDGE, SANCTIONS } from '../extraQueries.js';
import { fullDate } from '../format.js';
import { errorText } from '../errors.js';

/** The sanctions the reader still has to see: acknowledged warnings and messages are done. */
export function shownSanctions(list) {
  return list.filter((s) => !((s.kind === 'WARN' || s.kind === 'MESSAGE') && s.acknowledgedAt));
}

export function Sanctions() {
  const { t, viewer, act, story } = useContext(Ctx);
  const [list, setList] = useState([]);
  const [error, setError] = useState(null);

  useEffect(() => {
    let live = true;
    act.request(SANCTIONS, { siteID: story.site.id }).then((d) => live && setList(d.viewer?.sanctions || []), () => {});
    return () => { live = false; };
  }, [viewer.id]);

  const acknowledge = (id) => {
    setError(null);
    act.request(ACKNOWLEDGE, { input: { sanctionID: id } }).then(({ acknowledgeSanction: s }) => setList((l) => l.map((x) => (x.id === id ? s : x))), (err) => setError(errorText(err, t)));
  };
  const shown = shownSanctions(list);
  if (!shown.length) return null;
  return (
    <div class="sanctions">
      {shown.map((s) => (
        <section key={s.id} class={`notice sanction ${s.kind.toLowerCase()}`} aria-label={t(`sanction.${s.kind}`)} data-sanction={s.kind}>
          <p><strong>{t(`sanction.${s.kind}`)}</strong>{s.expiresAt && <> {t('sanctionUntil', { date: fullDate(s.expiresAt, t.lang) })}</>}</p>
          {s.message && <p class="sanction-message">{s.message}</p>}
          {(s.kind === 'WARN' || s.kind === 'MESSAGE') && (
            <button type="button" class="btn" onClick={() => acknowledge(s.id)}>{t('understand')}</button>
          )}
        </section>
      ))}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
