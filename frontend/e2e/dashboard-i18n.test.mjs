// The dashboard in the moderator's language: a browser that asks for German gets the sign-in
// form, the queues and the settings in German (dates and numbers too), the switch in the top
// bar changes the language and is remembered after a reload, and an English browser keeps
// English. PARLEY_E2E_SCREENSHOTS=<dir> keeps a screenshot of the German queue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
  await stack.must(`mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
    { i: { siteID: stack.site.id, premodAll: true } }, stack.admin.token);
  const reader = await stack.signUp('greta');
  await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
    { i: { storyURL: `${stack.hostURL}/news/sprache`, body: 'Ein Kommentar, der auf Prüfung wartet.' } }, reader.token);
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a German browser gets the dashboard in German, and the switch changes it for good', { skip }, async () => {
  const context = await browser.newContext({ locale: 'de-DE', bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${stack.parleyURL}/admin/`);
  // The German catalog loads before the first render; the page's language follows.
  await page.getByRole('heading', { name: 'Parley-Moderation' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
  await page.getByLabel('E-Mail oder Benutzername').fill('admin');
  await page.getByLabel('Passwort', { exact: true }).fill(stack.admin.password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByLabel('Website').selectOption({ label: stack.site.name });

  // The queue: heading, tabs, the card's buttons and its relative time in German.
  await page.getByRole('heading', { name: 'Warteschlangen', level: 1 }).waitFor();
  await page.getByRole('tab', { name: /^Ausstehend 1/ }).click();
  const held = page.getByRole('article', { name: 'Kommentar von greta' });
  await held.waitFor();
  await held.getByRole('button', { name: 'Freigeben' }).waitFor();
  await held.getByRole('button', { name: 'Ablehnen' }).waitFor();
  assert.match(await held.locator('time').first().innerText(), /^(jetzt|vor \d+ Sekunden?|vor \d+ Minuten?)$/);
  await page.getByRole('button', { name: 'Auswahl freigeben' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'axe-core found violations on the German queue');
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await page.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'dashboard-de.png') });
  }

  // A rejection in German: the dialog, its reasons and the notice.
  await held.getByRole('button', { name: 'Ablehnen' }).click();
  const dialog = page.getByRole('dialog', { name: 'Kommentar ablehnen' });
  await dialog.getByRole('radio', { name: 'Themenfremd' }).check();
  await dialog.getByRole('button', { name: 'Ablehnen' }).click();
  await page.getByRole('status').getByText('Abgelehnt.').waitFor();
  await page.getByRole('status').getByRole('button', { name: 'Rückgängig' }).click();
  await page.getByRole('status').getByText('Rückgängig gemacht.').waitFor();

  // The settings page.
  await page.getByRole('link', { name: 'Einstellungen' }).click();
  await page.getByRole('heading', { name: 'Einstellungen', level: 1 }).waitFor();
  await page.getByLabel('Jeden Kommentar zur Prüfung zurückhalten').waitFor();
  await page.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await page.getByRole('status').getByText('Einstellungen gespeichert.').waitFor();
  if (process.env.PARLEY_E2E_SCREENSHOTS) {
    await page.screenshot({ path: join(process.env.PARLEY_E2E_SCREENSHOTS, 'dashboard-de-settings.png') });
  }

  // The switch: English at once, and still English after a reload in this German browser.
  await page.getByLabel('Sprache').selectOption('en');
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.getByLabel('Language').selectOption('de');
  await page.getByRole('heading', { name: 'Einstellungen', level: 1 }).waitFor();
  await context.close();
});

test('an English browser keeps the dashboard in English', { skip }, async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${stack.parleyURL}/admin/`);
  await page.getByRole('heading', { name: 'Parley moderation' }).waitFor();
  await page.getByLabel('Email or username').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await context.close();
});
