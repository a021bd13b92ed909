// A comment's earlier versions, oldest first, as the server renders them (sanitised HTML).
import { useContext, useEffect, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { REVISIONS } from '../extraQueries.js';
import { fullDate } from '../format.js';

export function Revisions({ id, panel }) {
  const { t, act } = useContext(Ctx);
  const [revs, setRevs] = useState(null);
  useEffect(() => { act.request(REVISIONS, { id }).then((d) => setRevs(d.comment?.revisions || []), () => setRevs([])); }, [id]);
  if (!revs) return null;
  return (
    <div id={panel} class="revisions" data-revisions>
      {revs.length ? revs.map((r) => (
        <div key={r.id} class="revision">
          <p class="hint">{t('revisionOf', { date: fullDate(r.createdAt, t.lang) })}</p>
          <div class="body" dangerouslySetInnerHTML={{ __html: r.body }} />
        </div>
      )) : <p class="hint">{t('noRevisions')}</p>}
    </div>
  );
}
