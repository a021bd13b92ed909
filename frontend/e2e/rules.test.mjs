// Community rules in the dashboard against a real server: an administrator sets the quorum,
// writes a rule whose expression does not type-check, sees the server's error at its line and
// column in the editor, fixes it and proposes it; runs its back-test; votes, changes the vote;
// sees a second moderator's vote arrive live, and enacts the approved proposal once the site's
// delay ends; then proposes a change and a retirement.
// Each step is checked in the page and in the API. PARLEY_E2E_SCREENSHOTS=<dir> keeps
// screenshots of the editor's error and of the proposal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, launchBrowser, browserAvailable, axeViolations } from './harness.mjs';
import { signInDashboard } from './steps.mjs';

const skip = !browserAvailable() && 'Chromium is not installed (scripts/chromium.sh)';
let stack;
let browser;
let page;
let second;

const shots = process.env.PARLEY_E2E_SCREENSHOTS;

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
  // A second moderator, so that the quorum of two needs someone else's vote.
  second = await stack.signUp('rowan');
  await stack.must(`mutation($i: SetSiteRoleInput!) { setSiteRole(input: $i) { id } }`,
    { i: { siteID: stack.site.id, userID: second.user.id, role: 'MODERATOR' } }, stack.admin.token);
  // Two published comments for the back-test: one with three links, which a moderator
  // rejected as spam, and one with none.
  const reader = await stack.signUp('linden');
  const ids = [];
  for (const body of ['See https://a.example, https://b.example and https://c.example.', 'A plain opinion.']) {
    const { createComment } = await stack.must(`mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
      { i: { storyURL: `${stack.hostURL}/news/rules`, body } }, reader.token);
    ids.push(createComment.comment.id);
  }
  await stack.must(`mutation($i: ModerateInput!) { rejectComment(input: $i) { comment { status } } }`,
    { i: { commentID: ids[0], reason: 'SPAM' } }, stack.admin.token);
  // The page bypasses CSP only so that the test can inject axe-core; the app never needs it.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function proposals() {
  const { ruleProposals } = await stack.must(`query($s: ID!) { ruleProposals(siteID: $s) { id state name expression } }`, { s: stack.site.id }, stack.admin.token);
  return ruleProposals;
}

test('the quorum is set; a rule with a type error shows the error in place; fixed, it is proposed', { skip }, async () => {
  await page.goto(`${stack.parleyURL}/admin/rules?site=${stack.site.id}`);
  await signInDashboard(page, 'admin', stack.admin.password);
  await page.getByRole('heading', { name: 'Rules', exact: true }).waitFor();
  await page.getByText('No community rules yet.').waitFor();

  // The administrator sets the quorum to two moderators and a delay of one second.
  await page.getByText('How the site decides', { exact: true }).press('Enter');
  await page.getByLabel('Moderators who must approve').fill('2');
  await page.getByLabel('Wait before enactment (seconds)').fill('-1');
  await page.getByRole('button', { name: 'Save how the site decides' }).click();
  await page.getByText('The delay is 0 to 2592000 seconds.').waitFor();
  await page.getByLabel('Wait before enactment (seconds)').fill('1');
  await page.getByRole('button', { name: 'Save how the site decides' }).click();
  await page.getByText('Saved.', { exact: true }).waitFor();
  await page.getByText('Enacting a proposal takes the approval of 2 moderators, then a wait of 1 second.', { exact: false }).waitFor();
  const { ruleGovernance } = await stack.must(`query($s: ID!) { ruleGovernance(siteID: $s) { moderatorQuorum enactDelaySeconds } }`, { s: stack.site.id }, stack.admin.token);
  assert.deepEqual(ruleGovernance, { moderatorQuorum: 2, enactDelaySeconds: 1 });

  await page.getByLabel('Name', { exact: true }).fill('Link floods');
  const expression = page.getByLabel('Expression (CEL)');
  await expression.fill('comment.length > 0 &&\n  comment.links > "two"');
  await page.getByLabel('Effect when the expression is true').selectOption('HOLD');
  await page.getByLabel(/^Shadow mode/).uncheck();
  await page.getByLabel('Rationale').fill('Spam waves post many links at once.');
  await page.getByRole('button', { name: 'Propose the rule' }).click();

  // The server refuses it, naming line 2; the editor marks the line, lists the problem and
  // puts the caret there.
  await page.getByRole('alert').getByText(/^Not proposed: the expression has a problem at line 2, column \d+\.$/).waitFor();
  assert.equal(await expression.getAttribute('aria-invalid'), 'true');
  assert.ok(await expression.evaluate((el) => el === document.activeElement), 'the editor has focus');
  const issue = page.locator('.code-issues li');
  assert.match(await issue.innerText(), /^Line 2, column \d+\s+found no matching overload/);
  assert.equal(await page.locator('.code-gutter .bad').innerText(), '2');
  assert.ok(['>', '"two"'].includes(await page.locator('.code-mark').first().innerText()), 'the mark is on the comparison');
  const caret = await expression.evaluate((el) => el.value.slice(el.selectionStart, el.selectionEnd));
  assert.ok(['>', '"two"'].includes(caret), `the caret selects the problem, not ${JSON.stringify(caret)}`);
  // From the keyboard: the problem's button (next in tab order) puts the caret back on it.
  await expression.evaluate((el) => el.setSelectionRange(0, 0));
  await expression.press('Tab');
  await page.getByRole('button', { name: /^Line 2, column \d+$/ }).press('Enter');
  assert.ok(await expression.evaluate((el) => el === document.activeElement && el.selectionStart > 0), 'the caret is back at the problem');
  if (shots) await page.getByRole('region', { name: 'Propose a rule' }).screenshot({ path: join(shots, 'rule-error.png') });
  assert.deepEqual(await proposals(), [], 'nothing was proposed');
  assert.deepEqual(await axeViolations(page), [], 'axe-core on the editor with an error');

  // Fixed, the check as one types clears the error; the proposal opens on its own page.
  await expression.fill('comment.length > 0 &&\n  comment.links > 2');
  await page.getByText(/^The expression checks out/).waitFor();
  assert.equal(await expression.getAttribute('aria-invalid'), null);
  await page.getByRole('button', { name: 'Propose the rule' }).click();
  await page.getByRole('heading', { name: 'Add “Link floods”' }).waitFor();
  const [stored] = await proposals();
  assert.equal(stored.state, 'OPEN');
  assert.equal(stored.expression, 'comment.length > 0 &&\n  comment.links > 2');
  assert.match(page.url(), new RegExp(`/admin/proposals/${stored.id}\\?site=`));
});

test('the back-test reports the comment the rule would hold, and its agreement with the moderator', { skip }, async () => {
  await page.getByText('Not back-tested yet.').waitFor();
  await page.getByRole('button', { name: 'Run the back-test' }).click();
  const report = page.locator('.report');
  await report.getByText(/^Replayed 2 of the 1000 latest comments in \d+/).waitFor();
  assert.match(await report.innerText(), /1 comment and 0 users' levels would change/);
  const agreement = report.getByRole('table').first();
  assert.match(await agreement.getByRole('row', { name: /^HOLD/ }).innerText(), /^HOLD\s+1\s+1\s+1\s+0\s+0\s+100%\s+100%$/);
  const changed = report.getByRole('table').nth(1);
  assert.match(await changed.innerText(), /published\s+held/);
  assert.equal(await changed.getByRole('link').getAttribute('href'), `${stack.hostURL}/news/rules`);
});

test('a vote is cast and changed; a second vote arrives live and the proposal is enacted', { skip }, async () => {
  const votes = page.getByRole('region', { name: 'Votes' });
  await page.getByRole('button', { name: 'Vote against' }).click();
  await votes.getByText('You voted against.', { exact: false }).waitFor();
  await page.getByRole('button', { name: 'Vote for' }).click();
  await votes.getByText('You voted for.', { exact: false }).waitFor();
  await votes.getByText('1 of 2 moderators for, 0 against; quorum not reached.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Vote for' }).getAttribute('aria-pressed'), 'true');
  await page.getByText('Live', { exact: true }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'axe-core on the proposal');

  // rowan votes through the API; the page hears it through the subscription.
  const [stored] = await proposals();
  await stack.must(`mutation($i: VoteOnProposalInput!) { voteOnProposal(input: $i) { state } }`,
    { i: { proposalID: stored.id, approve: true } }, second.token);
  await votes.getByText('2 of 2 moderators for, 0 against; quorum reached.').waitFor();
  await page.locator('.view-head .status').getByText('Approved').waitFor();
  await votes.getByRole('row', { name: /rowan For moderator/ }).waitFor();

  // The site's delay is one second; then Enact is offered.
  await page.getByRole('button', { name: 'Enact' }).click();
  await page.getByRole('status').getByText('Enacted.', { exact: true }).waitFor();
  await page.locator('.view-head .status').getByText('Enacted').waitFor();
  if (shots) await page.screenshot({ path: join(shots, 'proposal.png'), fullPage: true });

  const { rules } = await stack.must(`query($s: ID!) { rules(siteID: $s) { name version shadow effect { kind } } }`, { s: stack.site.id }, stack.admin.token);
  assert.deepEqual(rules, [{ name: 'Link floods', version: 1, shadow: false, effect: { kind: 'HOLD' } }]);

  await page.getByRole('link', { name: 'Rules', exact: true }).click();
  const rule = page.getByRole('listitem', { name: 'Link floods' });
  await rule.getByText('version 1').waitFor();
  await rule.getByText(/^Back-test precision 100%, recall 100%, against moderators' decisions on 1 of the 2 comments it replayed\./).waitFor();
  if (shots) await page.screenshot({ path: join(shots, 'rules.png'), fullPage: true });
});

test("a change starts from the rule in force and proposes against its version", { skip }, async () => {
  const rule = page.getByRole('listitem', { name: 'Link floods' });
  await rule.getByRole('button', { name: 'Propose a change to Link floods' }).click();
  const heading = page.getByRole('heading', { name: 'Propose a change to “Link floods”' });
  await heading.waitFor();
  assert.ok(await heading.evaluate((el) => el === document.activeElement), 'the editor heading has focus');
  const expression = page.getByLabel('Expression (CEL)');
  assert.equal(await expression.inputValue(), 'comment.length > 0 &&\n  comment.links > 2');
  await expression.fill('comment.links > 4');
  await page.getByLabel('Effect when the expression is true').selectOption('FLAG');
  const code = page.getByLabel('Reason code');
  await code.fill('many links');
  await page.getByLabel('Rationale').fill('Three links is too strict; flag five and more.');
  await page.getByRole('button', { name: 'Propose the change' }).click();
  // A code with a space is refused next to its field, which gets focus.
  await page.getByText('A reason code is 1 to 40 capital letters, digits or underscores.').waitFor();
  assert.equal(await code.getAttribute('aria-invalid'), 'true');
  assert.ok(await code.evaluate((el) => el === document.activeElement), 'the code to fix has focus');
  await code.fill('many_links');
  await page.getByRole('button', { name: 'Propose the change' }).click();
  // The code is capitalised as the server wants it.
  await page.getByRole('heading', { name: 'Change “Link floods”' }).waitFor();
  // Voters compare it with the rule in force.
  await page.getByRole('heading', { name: 'In force now (version 1)' }).waitFor();
  await page.getByRole('heading', { name: 'Proposed expression' }).waitFor();
  const { ruleProposals } = await stack.must(`query($s: ID!) { ruleProposals(siteID: $s, state: OPEN) { kind baseVersion effect { kind code } } }`,
    { s: stack.site.id }, stack.admin.token);
  assert.deepEqual(ruleProposals, [{ kind: 'CHANGE_RULE', baseVersion: 1, effect: { kind: 'FLAG', code: 'MANY_LINKS' } }]);

  // The proposals list, filtered to open ones, has it; its author may withdraw it.
  await page.getByRole('link', { name: '← All proposals' }).click();
  await page.getByRole('navigation', { name: 'Proposals by state' }).getByRole('link', { name: 'Open' }).click();
  await page.waitForURL(/state=open/);
  await page.getByRole('link', { name: 'Change “Link floods”' }).click();
  await page.getByRole('button', { name: 'Withdraw' }).click();
  await page.locator('.view-head .status').getByText('Withdrawn').waitFor();
});

test('retiring a rule is proposed from a dialog that asks only why', { skip }, async () => {
  await page.getByRole('link', { name: 'Rules', exact: true }).click();
  const rule = page.getByRole('listitem', { name: 'Link floods' });
  await page.getByText(/^In production, the trust_rules stage/).waitFor();
  await rule.getByRole('button', { name: 'Propose retiring it (Link floods)' }).click();
  const dialog = page.getByRole('dialog', { name: 'Propose retiring “Link floods”' });
  await dialog.getByRole('button', { name: 'Propose' }).click();
  await dialog.getByText('Say why: voters read it first.').waitFor();
  await dialog.getByLabel('Rationale').fill('The spam wave is over.');
  await dialog.getByRole('button', { name: 'Propose' }).click();
  await page.getByRole('heading', { name: 'Retire “Link floods”' }).waitFor();
  assert.equal(await dialog.count(), 0);
  const { ruleProposals } = await stack.must(`query($s: ID!) { ruleProposals(siteID: $s, state: OPEN) { kind rationale } }`, { s: stack.site.id }, stack.admin.token);
  assert.deepEqual(ruleProposals, [{ kind: 'RETIRE_RULE', rationale: 'The spam wave is over.' }]);
});

test('a draft waits in My drafts until its author opens it for votes', { skip }, async () => {
  await page.getByRole('link', { name: 'Rules', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill('Slow newcomers');
  await page.getByLabel('Expression (CEL)').fill('author.accountAgeDays < 2');
  await page.getByLabel('Effect when the expression is true').selectOption('RATE');
  await page.getByLabel('Comments per minute').fill('2');
  await page.getByLabel('Rationale').fill('New accounts post in bursts.');
  await page.getByLabel(/^Keep it a draft/).check();
  await page.getByRole('button', { name: 'Propose the rule' }).click();
  await page.getByRole('heading', { name: 'Add “Slow newcomers”' }).waitFor();
  await page.locator('.view-head .status').getByText('Draft').waitFor();
  assert.equal(await page.getByRole('group', { name: 'Your vote' }).count(), 0, 'a draft takes no votes');

  await page.getByRole('link', { name: '← All proposals' }).click();
  await page.getByRole('navigation', { name: 'Proposals by state' }).getByRole('link', { name: 'My drafts' }).click();
  await page.getByRole('link', { name: 'Add “Slow newcomers”' }).click();
  await page.getByRole('button', { name: 'Open for votes' }).click();
  await page.locator('.view-head .status').getByText('Open').waitFor();
  await page.getByRole('group', { name: 'Your vote' }).waitFor();
  const { ruleProposals } = await stack.must(`query($s: ID!) { ruleProposals(siteID: $s, state: OPEN) { name effect { kind perMinute } } }`, { s: stack.site.id }, stack.admin.token);
  assert.deepEqual(ruleProposals.find((p) => p.name === 'Slow newcomers').effect, { kind: 'RATE', perMinute: 2 });
});

test('a proposal that is not there says so', { skip }, async () => {
  await page.goto(`${stack.parleyURL}/admin/proposals/01000000-0000-7000-8000-000000000000?site=${stack.site.id}`);
  await page.getByRole('heading', { name: 'Proposal not found' }).waitFor();
  await page.getByRole('link', { name: '← All proposals' }).click();
  await page.getByRole('heading', { name: 'Proposals', exact: true }).waitFor();
  assert.ok(await page.getByRole('heading', { name: 'Proposals', exact: true }).evaluate((el) => el === document.activeElement), 'the list starts at its heading');
});
