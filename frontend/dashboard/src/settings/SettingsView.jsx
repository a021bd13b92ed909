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
import { t } from '../i18n/index.js';

export function SettingsView({ site }) {
  const [{ data, error }] = useQuery({ query: SETTINGS, variables: { siteID: site.id }, requestPolicy: 'network-only' });
  return (
    <section aria-labelledby="settings-title">
      <div class="view-head"><h1 id="settings-title" tabIndex={-1}>{t('nav.settings')}</h1></div>
      {error && <p class="error" role="alert">{errorMessage(error)}</p>}
      {!data && !error && <p role="status">{t('common.loading')}</p>}
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
      failed(local, t('settings.fix'));
      return;
    }
    const result = await update({ input });
    if (result.error) {
      failed(fieldErrors(result.error), t('common.notSaved', { error: errorMessage(result.error) }));
      return;
    }
    const saved = result.data.updateSiteSettings;
    setSite(saved);
    setForm(siteToForm(saved));
    setErrors({});
    setOutcome({ error: '', done: t('settings.saved') });
  }

  function failed(fields, message) {
    setErrors(fields);
    setOutcome({ error: message, done: '' });
    setFocusError((n) => n + 1);
  }

  return (
    <form ref={formRef} class="settings stack" onSubmit={submit} noValidate>
      <fieldset>
        <legend>{t('app.site')}</legend>
        <Field name="name" label={t('common.name')} binding={binding} />
        <Field name="allowedOrigins" label={t('common.allowedOrigins')} multiline rows={3} binding={binding}
          hint={t('common.originsHint')} />
      </fieldset>

      <fieldset>
        <legend>{t('stories.premod')}</legend>
        <Check name="premodAll" label={t('settings.premodAll')} binding={binding} />
        <Check name="premodLinks" label={t('settings.premodLinks')} binding={binding} />
        <Check name="holdSuspectWords" label={t('settings.holdSuspectWords')} binding={binding} />
        <div class="field-grid">
          <Field name="premodNewCommenters" label={t('settings.premodNewCommenters')} type="number" binding={binding} hint={t('settings.zeroOff')} />
          <Field name="holdRejectionRate" label={t('settings.holdRejectionRate')} type="number" step="any" binding={binding} hint={t('settings.zeroOff')} />
          <Field name="reportHoldThreshold" label={t('settings.reportHoldThreshold')} type="number" binding={binding} hint={t('settings.zeroOff')} />
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('stories.comments')}</legend>
        <div class="field-grid">
          <Field name="minCommentLength" label={t('settings.minCommentLength')} type="number" binding={binding} />
          <Field name="maxCommentLength" label={t('settings.maxCommentLength')} type="number" binding={binding} />
          <Field name="editWindowSeconds" label={t('settings.editWindowSeconds')} type="number" binding={binding} hint={t('settings.editWindowHint')} />
          <Field name="maxDepth" label={t('settings.maxDepth')} type="number" binding={binding} hint={t('settings.maxDepthHint')} />
        </div>
        <Check name="commentingDisabled" label={t('settings.commentingDisabled')} binding={binding} />
        <Field name="closedMessage" label={t('settings.closedMessage')} multiline rows={2} binding={binding} />
        <Field name="autoCloseAfterDays" label={t('settings.autoCloseAfterDays')} type="number" binding={binding}
          hint={t('settings.autoCloseHint')} />
        <Check name="showRevisions" label={t('settings.showRevisions')} binding={binding} />
      </fieldset>

      <ReactionKinds kinds={form.reactionKinds} error={errors.reactionKinds} onChange={(reactionKinds) => set({ reactionKinds })} />

      <PipelineEditor stages={form.stages} known={known} defaults={defaults} stats={stats} error={errors.stages} onChange={(stages) => set({ stages })} />

      <fieldset>
        <legend>{t('settings.sso')}</legend>
        <p>{site.ssoConfigured ? t('settings.ssoSet') : t('settings.ssoUnset')}</p>
        <Field name="ssoSecret" label={site.ssoConfigured ? t('settings.ssoReplace') : t('settings.ssoNew')} type="password" autocomplete="new-password" binding={binding}
          hint={t('settings.ssoHint')} />
        {site.ssoConfigured && <Check name="removeSSOSecret" label={t('settings.ssoRemove')} binding={binding} />}
      </fieldset>

      <div class="save-bar">
        <button type="submit" class="primary" disabled={fetching}>{fetching ? t('common.saving') : t('settings.save')}</button>
        <p class="error" role="alert">{outcome.error}</p>
        <p class="ok" role="status">{outcome.done}</p>
      </div>
    </form>
  );
}
