import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Time } from '../ui/Time.jsx';
import { REVOKE } from './documents.js';
import { isActive, sanctionName } from './sanctions.js';
import { t, tx } from '../i18n/index.js';

/** A user's sanctions, active ones first, each active one with Revoke. */
export function Sanctions({ sanctions, onChanged }) {
  const [{ fetching }, revoke] = useMutation(REVOKE);
  const [error, setError] = useState('');
  const active = sanctions.filter((s) => isActive(s));
  const past = sanctions.filter((s) => !isActive(s));

  async function onRevoke(sanction) {
    setError('');
    const result = await revoke({ input: { sanctionID: sanction.id } });
    if (result.error) setError(errorMessage(result.error));
    else onChanged();
  }

  return (
    <section aria-labelledby="sanctions-title">
      <h3 id="sanctions-title">{t('sanction.title')}</h3>
      {sanctions.length === 0 && <p class="muted">{t('common.none')}</p>}
      <ul class="sanctions">
        {[...active, ...past].map((s) => (
          <li key={s.id} class={isActive(s) ? 'active' : 'past'}>
            <div>
              <strong>{sanctionName(s.kind)}</strong>
              <span class="muted">
                {' '}{tx('sanction.by', { name: s.moderator?.username ?? t('common.aModerator'), time: <Time iso={s.createdAt} /> })}
                {s.site ? '' : t('user.everySite')}
                {s.expiresAt && tx(isActive(s) ? 'sanction.ends' : 'sanction.ended', { time: <Time iso={s.expiresAt} /> })}
                {s.revokedAt && tx('sanction.revoked', { time: <Time iso={s.revokedAt} /> })}
                {s.acknowledgedAt && t('sanction.acknowledged')}
              </span>
            </div>
            {s.message && <p class="message">{s.message}</p>}
            {isActive(s) && (
              <button type="button" disabled={fetching} onClick={() => onRevoke(s)}>
                {t('sanction.revoke')}<span class="visually-hidden"> {t(`sanction.the.${s.kind}`)}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
      <p class="error" role="alert">{error}</p>
    </section>
  );
}
