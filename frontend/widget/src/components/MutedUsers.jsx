// The reader's muted users, behind a disclosure button, each with Unmute.
import { useContext, useId, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { errorText } from '../errors.js';

export function MutedUsers() {
  const { t, viewer, act } = useContext(Ctx);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState(null);
  const id = useId();
  const users = viewer.mutedUsers || [];
  if (!users.length && !open) return null;
  return (
    <div class="muted-users">
      <button type="button" class="link" aria-expanded={open ? 'true' : 'false'} aria-controls={id} onClick={() => setOpen(!open)}>
        {t('mutedUsers')} ({users.length})
      </button>
      {open && (
        <div id={id} class="panel">
          {users.length ? (
            <ul>
              {users.map((u) => (
                <li key={u.id}>
                  <span>{u.username}</span>{' '}
                  <button type="button" class="btn" onClick={() => act.unmute(u).catch((err) => setError(errorText(err, t)))}>
                    {t('unmute', { name: u.username })}
                  </button>
                </li>
              ))}
            </ul>
          ) : <p>{t('noMuted')}</p>}
          <p class="error" role="alert">{error}</p>
        </div>
      )}
    </div>
  );
}
