// The end-to-end harness: a real `parley serve` on a fresh database, a host-page server on a
// second origin (127.0.0.1 against Parley's localhost), and Debian's Chromium driven by
// playwright-core. Nothing of Parley's is mocked.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, createHash } from 'node:crypto';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const adminDatabaseURL = process.env.PARLEY_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const axeSource = readFileSync(join(repo, 'frontend/node_modules/axe-core/axe.min.js'), 'utf8');

// Flags for a closed network: without the background-networking ones Chromium keeps trying
// to reach Google and fills the log with refused connections.
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** Launches headless Chromium. */
export function launchBrowser(options = {}) {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, ...options });
}

/**
 * Launches Chromium with third-party cookies blocked (the profile setting, plus the flag that
 * turns on Chrome's third-party-cookie phase-out), as a persistent context in a fresh profile.
 */
export async function launchWithoutThirdPartyCookies() {
  const profile = mkdtempSync(join(tmpdir(), 'parley-e2e-profile-'));
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { block_third_party_cookies: true, cookie_controls_mode: 1 } }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: [...chromiumArgs, '--test-third-party-cookie-phaseout'],
  });
  const close = context.close.bind(context);
  context.close = async () => { await close(); rmSync(profile, { recursive: true, force: true }); };
  return context;
}

/**
 * Runs axe-core in page against WCAG 2 A and AA and returns its violations. It is injected as
 * an inline script, so a page under a strict CSP (the dashboard) needs a context made with
 * bypassCSP: true.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ content: axeSource });
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function psql(sql) {
  execFileSync('psql', [adminDatabaseURL, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}

let builtBinary;
/** The parley binary: PARLEY_BIN (what `make test` builds) or one built now from this checkout. */
function parleyBinary() {
  if (process.env.PARLEY_BIN) return process.env.PARLEY_BIN;
  if (!builtBinary) {
    builtBinary = join(mkdtempSync(join(tmpdir(), 'parley-e2e-bin-')), 'parley');
    execFileSync('go', ['build', '-o', builtBinary, './cmd/parley'], { cwd: repo, stdio: 'inherit' });
  }
  return builtBinary;
}

/** Sends one GraphQL operation to url and returns {data, errors}. */
export async function graphql(url, query, variables = {}, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return res.json();
}

/** Like graphql, but throws on errors and returns data. */
export async function mustGraphql(url, query, variables, token) {
  const { data, errors } = await graphql(url, query, variables, token);
  if (errors?.length) throw new Error(`GraphQL: ${JSON.stringify(errors)}`);
  return data;
}

// The operations the harness itself sends to set a stack up, which a server run with
// persistedOnly must allow.
const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { token user { id username } } }`;
const CREATE_SITE = `mutation($i: CreateSiteInput!) { createSite(input: $i) { id name } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { token user { id username } } }`;

/**
 * Starts Parley on a fresh database and a host page server on another origin. The returned
 * stack has an administrator, a site allowing the host origin, and helpers. With
 * persistedOnly the server runs PARLEY_PERSISTED_QUERIES_ONLY: only the built frontend's
 * operations run, and the harness's own (allowlisted).
 */
export async function startStack({ env = {}, persistedOnly = false } = {}) {
  const database = `parley_e2e_${process.pid}_${randomBytes(3).toString('hex')}`;
  psql(`CREATE DATABASE ${database}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-data-'));
  const [parleyPort, hostPort] = await Promise.all([freePort(), freePort()]);
  const parleyURL = `http://localhost:${parleyPort}`;
  const hostURL = `http://127.0.0.1:${hostPort}`;
  const databaseURL = new URL(adminDatabaseURL);
  databaseURL.pathname = `/${database}`;
  const adminPassword = randomBytes(12).toString('hex');
  if (persistedOnly) {
    const allowlist = join(dataDir, 'allowlist.txt');
    writeFileSync(allowlist, [SIGN_IN, CREATE_SITE, SIGN_UP].map((q) => createHash('sha256').update(q).digest('hex')).join('\n'));
    env = { PARLEY_PERSISTED_QUERIES_ONLY: 'true', PARLEY_PERSISTED_QUERIES_ALLOWLIST: allowlist, ...env };
  }

  const child = spawn(parleyBinary(), ['serve'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseURL.toString(),
      PARLEY_ADDR: `:${parleyPort}`,
      PARLEY_PUBLIC_URL: parleyURL,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_ENV: 'development',
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_ADMIN_EMAIL: 'admin@parley.test',
      PARLEY_ADMIN_USERNAME: 'admin',
      PARLEY_ADMIN_PASSWORD: adminPassword,
      // Every test signs up its readers from one IP, faster than any person would.
      PARLEY_SIGNUPS_PER_HOUR: '10000',
      PARLEY_SIGNINS_PER_MINUTE: '10000',
      PARLEY_MUTATIONS_PER_MINUTE: '10000',
      PARLEY_NEW_ACCOUNT_MUTATIONS_PER_MINUTE: '10000',
      PARLEY_CLIENT_MUTATIONS_PER_MINUTE: '100000',
      PARLEY_CLIENT_NEW_STORIES_PER_HOUR: '100000',
      PARLEY_SITE_NEW_STORIES_PER_HOUR: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));

  const pages = new Map();
  const host = createServer((req, res) => {
    const path = new URL(req.url, hostURL).pathname;
    const html = pages.get(path);
    if (!html) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise((resolve) => host.listen(hostPort, '127.0.0.1', resolve));

  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    await new Promise((resolve) => host.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
    psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  };

  try {
    await waitReady(parleyURL, exited, () => log);
    const gql = (query, variables, token) => graphql(parleyURL, query, variables, token);
    const must = (query, variables, token) => mustGraphql(parleyURL, query, variables, token);
    const { signIn: admin } = await must(SIGN_IN, { i: { login: 'admin', password: adminPassword } });
    const { createSite: site } = await must(CREATE_SITE, { i: { name: 'The Host Gazette', allowedOrigins: [hostURL] } }, admin.token);

    return {
      parleyURL, hostURL, admin: { ...admin, password: adminPassword }, site, gql, must, stop,
      log: () => log,
      /**
       * Waits for the server to log a mail with a link to path, written after the log's first
       * `after` characters, and returns the newest such link. Mail is logged (links and all)
       * when the stack runs without a mail server at PARLEY_LOG_LEVEL=info.
       */
      async mailedLink(path, after = 0) {
        const re = new RegExp(`https?://[^\\s"\\\\]+${path}\\?token=[A-Za-z0-9_-]+`, 'g');
        for (let i = 0; i < 100; i++) {
          const links = log.slice(after).match(re);
          if (links) return links.at(-1);
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`no mail with a link to ${path} in the log`);
      },
      /** Serves html at path on the host origin and returns the page's URL. */
      hostPage(path, html) {
        pages.set(path, html);
        return hostURL + path;
      },
      /** An article page on the host origin that embeds the widget with one script tag. */
      articlePage(path, { title = 'An article', theme = 'light', attrs = '', lang = 'en' } = {}) {
        const dark = theme === 'dark';
        return this.hostPage(path, `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<title>${title}</title><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0 auto;max-width:46rem;padding:1rem;font:17px/1.5 Georgia,serif;background:${dark ? '#111418' : '#fff'};color:${dark ? '#e8e8e8' : '#111'}}</style>
</head><body><main><h1>${title}</h1><p>Article text.</p>
<script src="${parleyURL}/embed.js" data-story-url="${hostURL}${path}" data-theme="${theme}" data-eager="true" ${attrs} async></script>
</main></body></html>`);
      },
      /** Signs a reader up through the API and returns {token, user}. */
      async signUp(username) {
        const { signUp } = await must(SIGN_UP, { i: { email: `${username}@readers.test`, username, password: 'correct horse battery' } });
        return signUp;
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitReady(url, exited, log) {
  let done = false;
  exited.then(() => { done = true; });
  for (let i = 0; i < 300 && !done; i++) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`parley serve did not become ready:\n${log()}`);
}

/** Whether Chromium is installed; with CI set, its absence is a failure, never a skip. */
export function browserAvailable() {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI) throw new Error(`${chromiumPath} is missing: run scripts/chromium.sh`);
  return false;
}
