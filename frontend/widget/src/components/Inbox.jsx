// The bell's panel: the latest notifications, marking them read, and the per-kind delivery
// settings. It comes with the parts loaded on demand (Lazy.jsx) when the reader opens the bell.
import { useContext, useEffect, useId, useState } from 'preact/hooks';
import { Ctx } from './context.js';
import { errorText } from '../errors.js';
import { INBOX, MARK_READ, NOTIFY_SETTINGS, SET_DELIVERY } from '../extraQueries.js';

const deliveries = ['NONE', 'WIDGET', 'EMAIL', 'DIGEST_DAILY', 'DIGEST_WEEKLY'];

export function Inbox({ id, onRead }) {
  const { t, act } = useContext(Ctx);
  const [items, setItems] = useState(null);
  const [settings, setSettings] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    act.request(INBOX).then((d) => setItems(d.notifications.edges.map((e) => e.node)), (err) => setError(errorText(err, t)));
  }, []);
  const markRead = () => act.request(MARK_READ).then(() => {
    onRead();
    setItems((list) => list.map((n) => ({ ...n, readAt: n.readAt || new Date().toISOString() })));
  }, (err) => setError(errorText(err, t)));
  return (
    <div id={id} class="inbox" role="region" aria-label={t('bellTitle')}>
      {error && <p class="error" role="alert">{error}</p>}
      {items && items.length === 0 && <p>{t('bellEmpty')}</p>}
      {items && items.length > 0 && (
        <ul>
          {items.map((n) => (
            <li key={n.id} class={n.readAt ? 'read' : 'unread'}>{t(`bellItem.${n.kind}`, { name: n.actor?.username || '' })}</li>
          ))}
        </ul>
      )}
      <button type="button" class="btn" onClick={markRead}>{t('bellMarkRead')}</button>
      <button type="button" class="btn" aria-expanded={settings} onClick={() => setSettings(!settings)}>{t('bellSettings')}</button>
      {settings && <Settings />}
    </div>
  );
}

/** The per-kind delivery, loaded when the reader asks for it. */
function Settings() {
  const { t, act } = useContext(Ctx);
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const id = useId();
  useEffect(() => {
    act.request(NOTIFY_SETTINGS).then((d) => setRows(d.notificationSettings), (err) => setError(errorText(err, t)));
  }, []);
  const change = (kind, delivery) => {
    setError(null);
    act.request(SET_DELIVERY, { input: { kind, delivery, language: t.lang } })
      .then((d) => setRows(d.setNotificationDelivery), (err) => setError(errorText(err, t)));
  };
  return (
    <div class="bell-settings">
      {error && <p class="error" role="alert">{error}</p>}
      {rows && rows.map((r) => (
        <p key={r.kind}>
          <label for={`${id}-${r.kind}`}>{t(`bellItem.${r.kind}`, { name: '…' })}</label>{' '}
          <select id={`${id}-${r.kind}`} value={r.delivery} onChange={(e) => change(r.kind, e.currentTarget.value)}>
            {deliveries.map((d) => <option key={d} value={d}>{t(`bellDelivery.${d}`)}</option>)}
          </select>
        </p>
      ))}
    </div>
  );
}
