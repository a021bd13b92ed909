// A story's sharing with peers (the site's moderators): which peers its comments go to, and a
// form to choose them. A peer still PENDING is offered, but nothing reaches it until its
// admins add this instance too, which the label says.
import { useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { t } from '../i18n/index.js';
import { SHARE_STORY, UNSHARE_STORY } from './documents.js';
import { sharingChanges } from './sharing.js';

/** The names a story is shared with, or that it is not. */
export function SharedWith({ story }) {
  const peers = story.sharedWith ?? []; // not read yet while the list reloads with sharing
  if (!peers.length) return <span class="muted">{t('stories.notShared')}</span>;
  return <span>{peers.map((p) => p.name).join(', ')}</span>;
}

/** The form that changes a story's sharing; onSaved gets the story's new sharedWith. */
export function ShareForm({ story, name, peers, onSaved, onCancel }) {
  const client = useClient();
  const current = (story.sharedWith ?? []).map((p) => p.id);
  const [chosen, setChosen] = useState(current);
  const [state, setState] = useState({ busy: false, error: '' });

  function toggle(id, on) {
    setChosen((c) => (on ? [...c, id] : c.filter((x) => x !== id)));
  }

  async function save(event) {
    event.preventDefault();
    const { share, unshare } = sharingChanges(current, peers.map((p) => p.id).filter((id) => chosen.includes(id)));
    if (!share.length && !unshare.length) {
      onCancel();
      return;
    }
    setState({ busy: true, error: '' });
    let sharedWith = story.sharedWith ?? [];
    for (const [doc, ids, field] of [[SHARE_STORY, share, 'shareStory'], [UNSHARE_STORY, unshare, 'unshareStory']]) {
      if (!ids.length) continue;
      const result = await client.mutation(doc, { input: { storyID: story.id, peerIDs: ids } }).toPromise();
      if (result.error) {
        setState({ busy: false, error: errorMessage(result.error) });
        return;
      }
      sharedWith = result.data[field].sharedWith;
    }
    onSaved(sharedWith);
  }

  return (
    <form class="share-form" onSubmit={save}>
      <fieldset>
        <legend>{t('stories.shareWith', { name })}</legend>
        {peers.map((p) => (
          <label key={p.id} class="check">
            <input type="checkbox" checked={chosen.includes(p.id)} onChange={(e) => toggle(p.id, e.currentTarget.checked)} disabled={state.busy} />
            {' '}{p.state === 'ACTIVE' ? p.name : t('stories.peerNotLinked', { peer: p.name })}
          </label>
        ))}
      </fieldset>
      <p class="hint">{t('stories.shareAbout')}</p>
      <div class="row">
        <button type="submit" disabled={state.busy}>{t('stories.saveSharing')}</button>
        <button type="button" onClick={onCancel} disabled={state.busy}>{t('common.cancel')}</button>
      </div>
      <p class="error" role="alert">{state.error}</p>
    </form>
  );
}
