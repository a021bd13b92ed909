// Steps a person takes in the widget and the dashboard, by the accessible names both
// frontends promise, so the tests read as what a user does.

/** The comment article by username (the widget's and the dashboard's). */
export function comment(page, username) {
  return page.getByRole('article', { name: `Comment by ${username}` });
}

/** Signs in through the widget's own form. */
export async function signInWidget(page, login, password) {
  const widget = page.getByRole('region', { name: 'Comments' });
  await widget.getByRole('button', { name: 'Sign in', exact: true }).first().click();
  await widget.getByLabel('Email or username').fill(login);
  await widget.getByLabel('Password', { exact: true }).fill(password);
  await widget.getByLabel('Password', { exact: true }).press('Enter');
  await widget.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Signs in to the dashboard. */
export async function signInDashboard(page, login, password) {
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await page.getByLabel('Site').waitFor();
}
