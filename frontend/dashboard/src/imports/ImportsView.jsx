// Import into a site (admins only): choose an export of Disqus, WordPress, Coral or remark42,
// upload it, watch the server import it pass by pass, and read what it imported and what it
// skipped, and why. The upload is the same import as `parley import`: running it again on the
// same file adds nothing.
import { useState } from 'preact/hooks';
import { loadToken } from '../app/session.js';
import { FORMATS, progressText, readLines, reportText } from './imports.js';

export function ImportsView({ site }) {
  const [format, setFormat] = useState('disqus');
  const [file, setFile] = useState(null);
  const [state, setState] = useState({ running: false, progress: null, report: null, error: '' });

  async function start(event) {
    event.preventDefault();
    if (!file) {
      setState({ running: false, progress: null, report: null, error: 'Choose the export file first.' });
      return;
    }
    setState({ running: true, progress: { pct: 0, text: 'Uploading…' }, report: null, error: '' });
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
          last = { running: false, progress: null, report: line.report ? reportText(line.report) : null, error: line.error?.message ?? '' };
        }
      });
    } catch {
      last = { ...last, error: 'The upload was interrupted; run it again: what was imported stays, and nothing is imported twice.' };
    }
    setState(last);
  }

  return (
    <section aria-labelledby="imports-title">
      <div class="view-head"><h1 id="imports-title" tabIndex={-1}>Import</h1></div>
      <p class="hint">Bring the discussions of another comment system into {site.name}: threads become stories by their URL, authors become accounts their owners can claim by verifying their address. Importing the same file again adds nothing.</p>
      <form class="settings-section" onSubmit={start}>
        <div class="field">
          <label for="import-format">Format</label>
          <select id="import-format" value={format} onChange={(e) => setFormat(e.currentTarget.value)} disabled={state.running}>
            {FORMATS.map((f) => <option key={f.value} value={f.value}>{f.label}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="import-file">Export file</label>
          <input id="import-file" type="file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} disabled={state.running} />
        </div>
        <div class="row">
          <button type="submit" disabled={state.running}>{state.running ? 'Importing…' : 'Import'}</button>
        </div>
        {state.progress && (
          <div role="status">
            <progress max="100" value={state.progress.pct} aria-label="Import progress" />
            <p class="hint">{state.progress.text}</p>
          </div>
        )}
        <p class="error" role="alert">{state.error}</p>
      </form>
      {state.report && (
        <section class="settings-section" aria-label="Import report">
          <h2>Done</h2>
          <p class="ok" data-testid="import-summary">{state.report.summary}</p>
          {state.report.reasons.length > 0 && (
            <ul>
              {state.report.reasons.map((r) => (
                <li key={r.reason}>Skipped {r.n}: {r.reason}{r.examples && <span class="hint"> (e.g. {r.examples})</span>}</li>
              ))}
            </ul>
          )}
        </section>
      )}
    </section>
  );
}
