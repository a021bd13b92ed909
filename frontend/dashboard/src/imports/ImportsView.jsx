// Import into a site (admins only): choose an export of Disqus, WordPress, Coral or remark42,
// upload it, watch the server import it pass by pass, and read what it imported and what it
// skipped, and why. The upload is the same import as `parley import`: running it again on the
// same file adds nothing. Below, an instance admin downloads the whole site to move it.
import { useState } from 'preact/hooks';
import { loadToken } from '../app/session.js';
import { t } from '../i18n/index.js';
import { FORMATS, progressText, readLines, reportText } from './imports.js';
import { ExportSection } from './ExportSection.jsx';

export function ImportsView({ site }) {
  const [format, setFormat] = useState('disqus');
  const [file, setFile] = useState(null);
  const [state, setState] = useState({ running: false, progress: null, report: null, error: '' });

  async function start(event) {
    event.preventDefault();
    if (!file) {
      setState({ running: false, progress: null, report: null, error: t('imports.chooseFile') });
      return;
    }
    setState({ running: true, progress: { pct: 0, text: t('imports.uploading') }, report: null, error: '' });
    let last = { running: false, progress: null, report: null, error: '' };
    try {
      const res = await fetch(`/api/import?site=${encodeURIComponent(site.id)}&format=${encodeURIComponent(format)}`, {
        method: 'POST',
        credentials: 'omit',
        headers: { authorization: `Bearer ${loadToken()}`, 'content-type': 'application/octet-stream' },
        body: file,
      });
      await readLines(res.body, (line) => {
        if (line.progress) setState((s) => ({ ...s, progress: progressText(line.progress, file.size) }));
        if (line.report || line.error) {
          // A stopped import shows what it did before it stopped, if anything.
          const report = line.report ? reportText(line.report) : null;
          last = { running: false, progress: null, report: report && !(line.error && report.empty) ? report : null, error: line.error?.message ?? '', stopped: Boolean(line.error) };
        }
      });
    } catch {
      last = { ...last, error: t('imports.interrupted') };
    }
    setState(last);
  }

  return (
    <section aria-labelledby="imports-title">
      <div class="view-head"><h1 id="imports-title" tabIndex={-1}>{t('imports.title')}</h1></div>
      <p class="hint">{t('imports.about', { site: site.name })}</p>
      <form class="settings-section" onSubmit={start}>
        <div class="field">
          <label for="import-format">{t('imports.format')}</label>
          <select id="import-format" value={format} onChange={(e) => setFormat(e.currentTarget.value)} disabled={state.running}>
            {FORMATS.map((f) => <option key={f} value={f}>{t(`imports.formats.${f}`)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="import-file">{t('imports.file')}</label>
          <input id="import-file" type="file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} disabled={state.running} />
        </div>
        <div class="row">
          <button type="submit" disabled={state.running}>{t(state.running ? 'imports.importing' : 'imports.start')}</button>
        </div>
        {state.progress && (
          <div role="status">
            <progress max="100" value={state.progress.pct} aria-label={t('imports.progressLabel')} />
            <p class="hint">{state.progress.text}</p>
          </div>
        )}
        <p class="error" role="alert">{state.error}</p>
      </form>
      {state.report && (
        <section class="settings-section" aria-label={t('imports.report')}>
          <h2>{t(state.stopped ? 'imports.stopped' : 'imports.done')}</h2>
          <p class="ok" data-testid="import-summary">{state.report.summary}</p>
          {state.report.reasons.length > 0 && (
            <ul>
              {state.report.reasons.map((r) => (
                <li key={r.reason}>{t('imports.skipped', { n: r.n, reason: r.reason })}{r.examples && <span class="hint">{t('imports.examples', { examples: r.examples })}</span>}</li>
              ))}
            </ul>
          )}
        </section>
      )}
      <ExportSection site={site} />
    </section>
  );
}
