// Download a whole site as one file (instance admins only), to move it to another Parley
// instance with its import (`parley site import`). The file holds members' emails and
// password hashes, so the page says to keep it safe.
import { useState } from 'preact/hooks';
import { loadToken } from '../app/session.js';
import { t } from '../i18n/index.js';
import { exportFileName, formatSize } from './imports.js';

export function ExportSection({ site }) {
  const [state, setState] = useState({ busy: false, done: '', error: '' });

  async function download() {
    setState({ busy: true, done: '', error: '' });
    try {
      const res = await fetch(`/admin/export/${encodeURIComponent(site.id)}`, {
        credentials: 'omit',
        cache: 'no-store',
        headers: { authorization: `Bearer ${loadToken()}` },
      });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        setState({ busy: false, done: '', error: t('imports.exportFailed', { error: body?.errors?.[0]?.message ?? res.statusText }) });
        return;
      }
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = exportFileName(site, new Date());
      document.body.append(link);
      link.click();
      link.remove();
      // The download has its own copy once it started; the page's can go a little later.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ busy: false, done: t('imports.exported', { size: formatSize(blob.size) }), error: '' });
    } catch {
      setState({ busy: false, done: '', error: t('imports.exportInterrupted') });
    }
  }

  return (
    <section class="settings-section" aria-labelledby="export-title">
      <h2 id="export-title">{t('imports.exportTitle')}</h2>
      <p class="hint">{t('imports.exportAbout', { site: site.name })}</p>
      <div class="row">
        <button type="button" onClick={download} disabled={state.busy}>{t(state.busy ? 'imports.exporting' : 'imports.export')}</button>
      </div>
      <p class="ok" role="status">{state.done}</p>
      <p class="error" role="alert">{state.error}</p>
    </section>
  );
}
