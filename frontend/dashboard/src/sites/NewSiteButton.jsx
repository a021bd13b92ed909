// The administrators' way to add a site from anywhere in the dashboard: a button in the top
// bar opening the new-site form in a modal dialog.
import { useState } from 'preact/hooks';
import { Dialog } from '../ui/Dialog.jsx';
import { NewSiteForm } from './NewSiteForm.jsx';
import { t } from '../i18n/index.js';

/** onCreated(site) runs after the dialog has closed on the new site. */
export function NewSiteButton({ onCreated }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>{t('site.new')}</button>
      <Dialog open={open} onClose={() => setOpen(false)} labelledBy="new-site-title" class="modal">
        <h2 id="new-site-title">{t('site.new')}</h2>
        <NewSiteForm
          idPrefix="new-site-"
          onCancel={() => setOpen(false)}
          // Closed in the same render as the caller's navigation, so focus can move past the dialog.
          onCreated={(site) => { setOpen(false); onCreated(site); }}
        />
      </Dialog>
    </>
  );
}
