// The reader's trust level on the site, behind a disclosure button: what the level allows,
// why it last changed and what wins back a lost level (or earns the next one).
import { useContext, useEffect, useId, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { TRUST } from '../extraQueries.js';
import { fullDate } from '../format.js';
import { lastChangeText, missingText } from '../trust.js';

export function TrustPanel() {
  const { t, viewer, act, story } = useContext(Ctx);
  const [standing, setStanding] = useState(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(false);
  const id = useId();

  useEffect(() => {
    let live = true;
    setStanding(null);
    act.request(TRUST, { siteID: story.site.id }).then(({ trustStanding: st }) => live && setStanding(st), () => live && setFailed(true));
    return () => { live = false; };
  }, [viewer.id]);

  if (failed) return <p class="hint">{t('trustError')}</p>;
  if (!standing) return null;
  const name = t(`levelName.${standing.level}`);
  const { why, restore } = lastChangeText(t, standing);
  const next = !restore && !standing.pinned && standing.nextLevel != null ? standing.nextLevel : null;
  return (
    <div class="trust">
      <button type="button" class="link" aria-expanded={open ? 'true' : 'false'} aria-controls={id} onClick={() => setOpen(!open)}>
        {t('trustButton', { level: standing.level, name })}
      </button>
      {open && (
        <section id={id} class="panel" aria-labelledby={`${id}-title`}>
          <h3 id={`${id}-title`}>{t('trustTitle')}</h3>
          <p>{t('trustIntro', { level: standing.level, name })}{standing.pinned && <> {t('trustPinned')}</>}</p>
          <h4>{t('trustAllows')}</h4>
          <ul class="privileges">
            {standing.privileges.map((p) => (
              <li key={p.name} class={p.allowed ? 'allowed' : 'locked'}>
                <span class="mark" aria-hidden="true">{p.allowed ? '✓' : '·'}</span>
                <span>{t.has(`privilege.${p.name}`) ? t(`privilege.${p.name}`) : p.description}</span>
                <span class="level">{p.allowed ? t('trustAllowed') : t('trustFrom', { n: p.level })}</span>
              </li>
            ))}
          </ul>
          {why && (
            <>
              <h4>{t('trustLastChange', { date: fullDate(standing.lastChange.createdAt, t.lang) })}</h4>
              <p>{why}</p>
            </>
          )}
          {restore && (
            <>
              <h4>{t('trustRestore', { n: restore.level })}</h4>
              <ul>{restore.items.map((item) => <li key={item}>{item}</li>)}</ul>
            </>
          )}
          {next != null && (
            standing.missing.length ? (
              <>
                <h4>{t('trustNext', { n: next })}</h4>
                <ul>{standing.missing.map((r) => <li key={r.signal}>{missingText(t, r)}</li>)}</ul>
              </>
            ) : <p>{t('trustNextDone', { n: next })}</p>
          )}
        </section>
      )}
    </div>
  );
}
