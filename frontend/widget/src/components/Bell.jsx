// The reader's bell: the count of unread notifications, and behind it the latest ones and
// the per-kind settings (Inbox.jsx, loaded on demand with the other rarely needed parts), so
// a page view costs one small query and embed.js stays small; the count follows the live
// notices.
import { useContext, useEffect, useId, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { Lazy } from './Lazy.jsx';
import * as Q from '../queries.js';

export function Bell() {
  const { t, act, viewer, notice, inboxTick } = useContext(Ctx);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const panel = useId();
  // Count again when a notification is stored (any kind, live) or a reply or decision is
  // announced.
  useEffect(() => {
    act.request(Q.UNREAD).then((d) => setUnread(d.unreadNotificationCount), () => {});
  }, [viewer?.id, notice, inboxTick]);
  return (
    <div class="bell">
      <button type="button" class="btn" aria-expanded={open} aria-controls={panel} aria-label={t('bell', { n: unread })}
        onClick={() => setOpen(!open)}>
        <span aria-hidden="true">🔔</span>{unread > 0 && <span class="badge" aria-hidden="true">{unread}</span>}
      </button>
      {open && <Lazy name="Inbox" id={panel} onRead={() => setUnread(0)} />}
    </div>
  );
}
