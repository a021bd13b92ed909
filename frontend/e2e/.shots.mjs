// Scratch (not committed): screenshots of the rules views with the rules API stubbed.
import { startStack, launchBrowser } from './harness.mjs';
import { signInDashboard } from './steps.mjs';

const dir = process.env.SHOTS || '/tmp/trustui-shots';
const stack = await startStack();
const browser = await launchBrowser();
const now = new Date().toISOString();
const ago = (h) => new Date(Date.now() - h * 3600e3).toISOString();
const tally = { moderatorsFor: 1, moderatorsAgainst: 0, membersFor: 0, membersAgainst: 0, moderatorQuorum: 2, memberQuorum: 0, quorumReached: false };
const effect = (kind, o = {}) => ({ kind, code: null, level: null, weight: null, perMinute: null, ...o });
const proposal = (o) => ({ __typename: 'RuleProposal', siteID: stack.site.id, authorID: stack.admin.user.id, kind: 'ADD_RULE', state: 'OPEN', ruleID: null, baseVersion: 0,
  name: 'Link floods', expression: 'comment.links > 3 && author.level < 2', shadow: false, rollbackOf: 0, rationale: 'Spam waves post many links from new accounts.',
  effect: effect('HOLD'), thresholds: null, votes: [{ userID: stack.admin.user.id, approve: true, moderator: true, votedAt: ago(1) }], tally, backtest: null,
  createdAt: ago(3), openedAt: ago(3), closedAt: null, enactAfter: null, enactedAt: null, enactedVersion: 0, ...o });
const report = { requested: 1000, comments: 812, changedCount: 3, durationMs: 842, ranAt: ago(2), method: 'Replays stored bodies with each author\'s level as it stood; signals as they are now.',
  changed: [{ commentID: 'c1', storyID: 's1', storyURL: 'https://example.com/a', before: 'APPROVE', after: 'HOLD' }, { commentID: 'c2', storyID: 's1', storyURL: 'https://example.com/a', before: 'PASS', after: 'HOLD' }],
  users: [{ userID: stack.admin.user.id, from: 2, to: 1 }],
  agreement: [{ effect: 'HOLD', predicted: 3, decided: 2, truePositives: 2, falsePositives: 1, falseNegatives: 4, precision: 0.667, recall: 0.333 }] };
const rules = [
  { id: 'r1', siteID: stack.site.id, name: 'Link floods', expression: 'comment.links > 3 &&\n  author.level < 2', shadow: false, version: 2, proposalID: 'p1', enactedAt: ago(30), effect: effect('HOLD'),
    versions: [{ id: 'r1', version: 2, name: 'Link floods', expression: 'comment.links > 3 &&\n  author.level < 2', shadow: false, enactedAt: ago(30), effect: effect('HOLD') },
      { id: 'r1', version: 1, name: 'Link floods', expression: 'comment.links > 5', shadow: true, enactedAt: ago(200), effect: effect('HOLD') }] },
  { id: 'r2', siteID: stack.site.id, name: 'Shouting', expression: 'comment.text.matches("^[A-Z !]{20,}$")', shadow: true, version: 1, proposalID: 'p9', enactedAt: ago(50), effect: effect('FLAG', { code: 'SHOUTING' }), versions: [] },
  { id: 'r3', siteID: stack.site.id, name: 'Slow newcomers', expression: 'author.accountAgeDays < 2', shadow: false, version: 1, proposalID: 'p8', enactedAt: ago(90), effect: effect('RATE', { perMinute: 2 }), versions: [] },
];
const proposals = [
  proposal({ id: 'p2', backtest: report }),
  proposal({ id: 'p3', name: 'Shouting', kind: 'CHANGE_RULE', state: 'APPROVED', tally: { ...tally, moderatorsFor: 2, quorumReached: true }, enactAfter: new Date(Date.now() + 86400e3).toISOString(), createdAt: ago(20) }),
  proposal({ id: 'p1', state: 'ENACTED', enactedAt: ago(30), enactedVersion: 2, backtest: report, createdAt: ago(40) }),
];
const answers = {
  Rules: { rules, ruleGovernance: { moderatorQuorum: 2, memberVotes: true, memberQuorum: 0, enactDelaySeconds: 86400, costLimit: 1000 }, ruleProposals: proposals.filter((p) => p.state === 'ENACTED') },
  Proposals: { ruleProposals: proposals },
  CheckRule: (v) => ({ checkRule: /"/.test(v.expression) ? { valid: false, costMax: 0, issues: [{ line: 1, column: 18, message: "found no matching overload for '_>_' applied to '(int, string)'" }] } : { valid: true, costMax: 7, issues: [] } }),
  ModerationLog: { moderationLog: { edges: [
    { cursor: 'a', node: { kind: 'RULE_ENACTED', at: ago(30), rule: 'Link floods', version: 2, summary: null } },
    { cursor: 'b', node: { kind: 'DECISIONS', at: ago(30), day: '2026-12-06', action: 'REJECT', reason: 'SPAM', count: 14 } },
    { cursor: 'c', node: { kind: 'SANCTION', at: ago(40), sanction: 'SUSPEND', expiresAt: ago(-100), username: null, moderator: null } },
    { cursor: 'd', node: { kind: 'RULE_VOTES', at: ago(41), rule: 'Link floods', votesFor: 2, votesAgainst: 0 } },
  ], pageInfo: { hasNextPage: false, endCursor: 'd' } } },
};
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: process.env.DARK ? 'dark' : 'light' });
const page = await context.newPage();
if (!process.env.REAL) {
  await page.route((url) => url.pathname === '/graphql', async (route) => {
    const req = route.request();
    let body;
    if (req.method() === 'POST') body = req.postDataJSON();
    else {
      const u = new URL(req.url());
      body = { operationName: u.searchParams.get('operationName'), variables: JSON.parse(u.searchParams.get('variables') || '{}') };
    }
    const answer = answers[body.operationName];
    if (!answer) return route.continue();
    const data = typeof answer === 'function' ? answer(body.variables) : answer;
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ data }) });
  });
}
await page.goto(`${stack.parleyURL}/admin/rules?site=${stack.site.id}`);
await signInDashboard(page, 'admin', stack.admin.password);
await page.getByRole('heading', { name: 'Rules', exact: true }).waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: `${dir}/rules.png`, fullPage: true });
await page.getByLabel('Name', { exact: true }).fill('Long links');
await page.getByLabel('Expression (CEL)').fill('comment.length > "long" &&\n  comment.links > 2');
await page.getByLabel('Effect when the expression is true').selectOption('FLAG');
await page.getByLabel('Reason code').fill('LONG_LINKS');
await page.waitForTimeout(1000);
await page.locator('.settings-section').screenshot({ path: `${dir}/editor.png` });
await page.goto(`${stack.parleyURL}/admin/proposals?site=${stack.site.id}`);
await page.getByRole('heading', { name: 'Proposals' }).waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: `${dir}/proposals.png`, fullPage: true });
await page.goto(`${stack.parleyURL}/admin/proposals/p2?site=${stack.site.id}`);
await page.getByRole('heading', { name: 'Votes' }).waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: `${dir}/proposal.png`, fullPage: true });
await page.goto(`${stack.parleyURL}/admin/log?site=${stack.site.id}`);
await page.getByRole('heading', { name: 'Moderation log' }).waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: `${dir}/log.png`, fullPage: true });
await browser.close();
await stack.stop();
