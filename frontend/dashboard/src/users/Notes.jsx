import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Time } from '../ui/Time.jsx';
import { ADD_NOTE } from './documents.js';
import { t } from '../i18n/index.js';

/** Moderators' notes on a user, for the site's moderators only, and a form to add one. */
export function Notes({ notes, user, siteID, onAdded }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState('');
  const [{ fetching }, add] = useMutation(ADD_NOTE);

  async function submit(event) {
    event.preventDefault();
    setError('');
    const result = await add({ input: { userID: user.id, siteID, body: body.trim() } });
    if (result.error) {
      setError(errorMessage(result.error));
      return;
    }
    setBody('');
    onAdded();
  }

  return (
    <section aria-labelledby="notes-title">
      <h3 id="notes-title">{t('user.notes')}</h3>
      {notes.length === 0 && <p class="muted">{t('user.noNotes')}</p>}
      <ul class="notes">
        {notes.map((n) => (
          <li key={n.id}>
            <p class="message">{n.body}</p>
            <span class="muted">{n.moderator?.username ?? t('common.aModerator')}, <Time iso={n.createdAt} /></span>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} class="stack">
        <label class="field">
          <span>{t('user.newNote')}</span>
          <textarea rows={2} required value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </label>
        <p class="error" role="alert">{error}</p>
        <div class="row"><button type="submit" disabled={fetching || !body.trim()}>{t('user.addNote')}</button></div>
      </form>
    </section>
  );
}
