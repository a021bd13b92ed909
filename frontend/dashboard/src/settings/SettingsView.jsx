// A site's settings: one form saved with updateSiteSettings, with the server's field errors
// shown next to their fields, and the word lists, saved on their own.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorMessage, fieldErrors } from '../api/errors.js';
import { SETTINGS, UPDATE_SETTINGS } from './documents.js';
import { formToInput, siteToForm } from './settingsForm.js';
import { Check, Field, focusFirstInvalid } from '../ui/fields.jsx';
import { ReactionKinds } from './ReactionKinds.jsx';
import { PipelineEditor } from './PipelineEditor.jsx';
import { WordLists } from './WordLists.jsx';

export function SettingsView({ site }) {
  const [{ data, error }] = useQuery({ query: SETTINGS, variables: { siteID: site.id }, requestPolicy: 'network-only' });
  return (
    <section aria-labelledby="settings-title">
      <div class="view-head"><h1 id="settings-title" tabIndex={-1}>Settings</h1></div>
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!data && !error && <p role="status">Loading…</p>}
      {data?.site && (
        <>
          <SettingsForm site={data.site} known={data.moderationStages} defaults={data.defaultModerationPipeline} stats={data.stageStats} />
          <WordLists siteID={site.id} lists={data.site.wordLists ?? []} />
        </>
      )}
    </section>
  );
}

function SettingsForm({ site: loaded, known, defaults, stats }) {
  const [site, setSite] = useState(loaded);
  const [form, setForm] = useState(() => siteToForm(loaded));
  const [errors, setErrors] = useState({});
  const [outcome, setOutcome] = useState({ error: '', done: '' });
  const [{ fetching }, update] = useMutation(UPDATE_SETTINGS);
  const set = (change) => setForm((f) => ({ ...f, ...change }));
  const binding = { form, errors, set };

  // After a failed save, take the moderator to the first field to fix.
  const formRef = useRef();
  const [focusError, setFocusError] = useState(0);
  useEffect(() => {
    if (focusError) focusFirstInvalid(formRef.current);
  }, [focusError]);

  async function submit(event) {
    event.preventDefault();
    const { input, errors: local } = formToInput(site.id, form);
    if (Object.keys(local).length) {
      failed(local, 'Some settings need fixing; see the messages next to them.');
      return;
    }
    const result = await update({ input });
    if (result.error) {
      failed(fieldErrors(result.error), `Not saved: ${errorMessage(result.error)}`);
      return;
    }
    const saved = result.data.updateSiteSettings;
    setSite(saved);
    setForm(siteToForm(saved));
    setErrors({});
    setOutcome({ error: '', done: 'Settings saved.' });
  }

  function failed(fields, message) {
    setErrors(fields);
    setOutcome({ error: message, done: '' });
    setFocusError((n) => n + 1);
  }

  return (
    <form ref={formRef} class="settings stack" onSubmit={submit} noValidate>
      <fieldset>
        <legend>Site</legend>
        <Field name="name" label="Name" binding={binding} />
        <Field name="allowedOrigins" label="Allowed origins" multiline rows={3} binding={binding}
          hint="One a line, as scheme://host[:port]: the pages that may embed this site's discussions." />
      </fieldset>

      <fieldset>
        <legend>Pre-moderation</legend>
        <Check name="premodAll" label="Hold every comment for review" binding={binding} />
        <Check name="premodLinks" label="Hold comments that contain links" binding={binding} />
        <Check name="holdSuspectWords" label="Hold comments with a suspect term (otherwise only flag them)" binding={binding} />
        <div class="field-grid">
          <Field name="premodNewCommenters" label="Hold new commenters' comments until they have this many published" type="number" binding={binding} hint="0 turns it off." />
          <Field name="holdRejectionRate" label="Hold when this share of an author's recent comments was rejected (%)" type="number" step="any" binding={binding} hint="0 turns it off." />
          <Field name="reportHoldThreshold" label="Hold a published comment after this many reports" type="number" binding={binding} hint="0 turns it off." />
        </div>
      </fieldset>

      <fieldset>
        <legend>Comments</legend>
        <div class="field-grid">
          <Field name="minCommentLength" label="Shortest comment (characters)" type="number" binding={binding} />
          <Field name="maxCommentLength" label="Longest comment (characters)" type="number" binding={binding} />
          <Field name="editWindowSeconds" label="Edit window (seconds)" type="number" binding={binding} hint="How long authors may edit a comment." />
          <Field name="maxDepth" label="Deepest reply level" type="number" binding={binding} hint="Replies beyond it attach at this level." />
        </div>
        <Check name="commentingDisabled" label="Close every story of the site to new comments" binding={binding} />
        <Field name="closedMessage" label="Message while commenting is closed" multiline rows={2} binding={binding} />
        <Field name="autoCloseAfterDays" label="Close each story this many days after it opens" type="number" binding={binding}
          hint="0 keeps stories open. Reopening a story from the stories list gives it as many days again." />
        <Check name="showRevisions" label="Show every reader the earlier versions of edited comments" binding={binding} />
      </fieldset>

      <ReactionKinds kinds={form.reactionKinds} error={errors.reactionKinds} onChange={(reactionKinds) => set({ reactionKinds })} />

      <PipelineEditor stages={form.stages} known={known} defaults={defaults} stats={stats} error={errors.stages} onChange={(stages) => set({ stages })} />

      <fieldset>
        <legend>Single sign-on</legend>
        <p>{site.ssoConfigured ? 'A single sign-on secret is set.' : 'No single sign-on secret is set.'}</p>
        <Field name="ssoSecret" label={site.ssoConfigured ? 'Replace the secret' : 'Set a secret'} type="password" autocomplete="new-password" binding={binding}
          hint="At least 32 bytes, shared with the host site that signs its users' tokens. It is never shown again." />
        {site.ssoConfigured && <Check name="removeSSOSecret" label="Remove the secret (turns single sign-on off)" binding={binding} />}
      </fieldset>

      <div class="save-bar">
        <button type="submit" class="primary" disabled={fetching}>{fetching ? 'Saving…' : 'Save settings'}</button>
        <p class="error" role="alert">{outcome.error}</p>
        <p class="ok" role="status">{outcome.done}</p>
      </div>
    </form>
  );
}
