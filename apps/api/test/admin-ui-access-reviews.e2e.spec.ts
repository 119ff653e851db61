/**
 * Access reviews in the admin UI, in a real browser (Debian's Chromium, driven by playwright-core)
 * against the real API serving the built SPA: a compliance reviewer launches a draft campaign from
 * its page (after a confirmation), opens "My reviews", reads each item's evidence, certifies one,
 * revokes another with a justification, is told in the API's words why the item granting their own
 * access cannot be decided, and watches the campaign's progress move in the queue and on the
 * campaign's page. An auditor then follows a token exchange's audit event to its policy, the
 * policy's approver and the certification just made. Last, a campaign created from the form has two
 * items certified at once, ticked, with one justification. axe-core checks every new page for serious
 * accessibility violations. Screenshots go to test-output/admin-ui/.
 */
import { fileURLToPath } from 'node:url';

import { hash } from '@node-rs/argon2';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

import { loadConfig } from '@crossgate/config';
import type { AccessReviewCampaignRecord, AccessReviewCertification, AccessReviewProgress } from '@crossgate/store';
import { AdminHttp, type ConnectionPair, createActivePolicy, createAdmin, setUpConnectionPair, type TestAdmin, unique } from '@crossgate/testing';
import { tokenTypes } from '@crossgate/token';

import { builtAdminUi, launchChromium, screenshot as screenshotInto, seriousViolations, signedIn as signedInAs } from './support/admin-browser.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const screenshotDir = fileURLToPath(new URL('../../../test-output/admin-ui', import.meta.url));
const password = 'correct horse battery staple';

let api: TestApi;
let browser: Browser;
let reviewer: TestAdmin;
let fallback: TestAdmin;
let auditor: TestAdmin;
let asReviewer: AdminHttp;
let pair: ConnectionPair;
let users: { alice: string; bob: string; reviewerSelf: string };
let campaign: AccessReviewCampaignRecord;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  api = await startTestApi({ ADMIN_UI_DIR: builtAdminUi, REDIS_PREFIX: `${loadConfig().redis.prefix}:${unique('ui-reviews')}` });
  const passwordHash = await hash(password);
  reviewer = await createAdmin(api.prisma, 'compliance-reviewer', passwordHash);
  fallback = await createAdmin(api.prisma, 'compliance-reviewer', passwordHash);
  auditor = await createAdmin(api.prisma, 'auditor', passwordHash);
  asReviewer = AdminHttp.withToken(api.baseUrl, reviewer.token);
  const asItAdmin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  const asApprover = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);

  // An agent whose policy allows a group; Alice gets into it (and a token) by exchanging her ID token.
  pair = await setUpConnectionPair(asItAdmin, unique('reviews').toLowerCase().replace(/[^a-z0-9-]/g, '-'), asApprover);
  const aliceSubject = unique('alice');
  const exchanged = await pair.exchange({ subject_token: await pair.idToken(aliceSubject), requested_token_type: tokenTypes.idJag });
  expect({ status: exchanged.status, body: exchanged.status === 200 ? null : exchanged.body }).toEqual({ status: 200, body: null });
  const alice = await api.prisma.user.findFirstOrThrow({ where: { subject: aliceSubject } });
  // A second policy names Bob, and the reviewer, who is also an end user (the same e-mail).
  const newUser = async (email: string) => (await api.prisma.user.create({ data: { idpId: alice.idpId, subject: unique('user'), email } })).id;
  users = { alice: alice.id, bob: await newUser(`${unique('bob')}@example.test`), reviewerSelf: await newUser(reviewer.email) };
  await createActivePolicy(asItAdmin, asApprover, { name: unique('Bob and the reviewer read the ledger'), clientId: pair.agent.id, resourceId: pair.resource.id, subjectUserIds: [users.bob, users.reviewerSelf], scopes: ['ledger.read'] });
  await api.directoryChanged();

  const created = await asReviewer.post<AccessReviewCampaignRecord>('/api/access-reviews/campaigns', {
    name: unique('Ledger agent review'),
    scope: { kind: 'client', clientId: pair.agent.id },
    dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    reviewerRule: 'named',
    reviewers: [reviewer.email],
    fallbackReviewer: fallback.email,
  });
  expect(created.status).toBe(201);
  campaign = created.body;
}, 60_000);

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await api?.close();
});

function signedIn(admin: TestAdmin): Promise<Page> {
  return signedInAs(browser, { baseUrl: api.baseUrl, email: admin.email, password, contexts, pageErrors });
}

function screenshot(page: Page, name: string): Promise<void> {
  return screenshotInto(page, screenshotDir, name);
}

/** The figures beside the chart, as a live region. */
function progress(scope: Page | Locator): Locator {
  return scope.getByRole('status', { name: 'Campaign progress' });
}

/** The queue's card of the item granting `subject` (a user's e-mail or the group's name). */
function itemCard(page: Page, subject: string): Locator {
  return page.getByRole('article').filter({ has: page.getByRole('heading', { name: new RegExp(`· ${subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
}

describe('access reviews in the admin UI', () => {
  it('should launch the campaign from its page, then certify and revoke in "My reviews" while the progress moves, and refuse the own-access item with the reason', async () => {
    const page = await signedIn(reviewer);

    // The campaign list, then its page: a draft, launched after a confirmation.
    await page.getByRole('menuitem', { name: 'Access reviews' }).click();
    await page.getByRole('row').filter({ hasText: campaign.name }).getByText('Draft').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('row').filter({ hasText: campaign.name }).click();
    await page.waitForURL(new RegExp(`#/access-reviews/${campaign.id}/show$`));
    await page.getByRole('button', { name: 'Launch' }).click();
    const launch = page.getByRole('dialog', { name: 'Launch this campaign?' });
    await launch.getByText('takes a snapshot of effective access now').waitFor();
    await launch.getByRole('button', { name: 'Launch' }).click();
    await page.getByText('Active', { exact: true }).first().waitFor();
    await progress(page).getByText('0 of 3 decided').waitFor();
    expect((await asReviewer.get<AccessReviewCampaignRecord>(`/api/access-reviews/campaigns/${campaign.id}`)).body).toMatchObject({ status: 'active', itemCount: 3 });
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(`/api/access-reviews/campaigns/${campaign.id}/export?format=csv`);
    expect(await page.getByRole('link', { name: 'Export JSON' }).getAttribute('href')).toBe(`/api/access-reviews/campaigns/${campaign.id}/export?format=json`);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'campaign-launched');

    // The item granting the reviewer's own access went to the fallback reviewer, who hands it back.
    const own = await api.prisma.accessReviewItem.findFirstOrThrow({ where: { campaignId: campaign.id, subjectId: users.reviewerSelf } });
    expect(own.reviewer).toBe(fallback.email);
    const reassigned = await AdminHttp.withToken(api.baseUrl, fallback.token).post(`/api/access-reviews/items/${own.id}/reassign`, { reviewer: reviewer.email, reason: 'the reviewer knows the ledger' });
    expect(reassigned.status).toBe(200);

    // My reviews: three items with their evidence, and the campaign's progress.
    await page.getByRole('menuitem', { name: 'My reviews' }).click();
    await page.waitForURL(/#\/my-reviews$/);
    const group = itemCard(page, pair.group.name);
    const bob = itemCard(page, (await api.prisma.user.findUniqueOrThrow({ where: { id: users.bob } })).email as string);
    const mine = itemCard(page, reviewer.email);
    await group.waitFor();
    expect(await page.getByRole('article').count()).toBe(3);
    await progress(page).getByText('0 of 3 decided').waitFor();
    const evidence = group.getByRole('table', { name: /^Evidence for / });
    const evidenceRow = (label: string) => evidence.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label }) }).getByRole('cell');
    expect(await evidenceRow('Policy').getByRole('link', { name: /agent reads the ledger$/ }).getAttribute('href')).toBe(`#/policies/${pair.policyId}/show`);
    expect(await evidenceRow('Policy').textContent()).toContain('approved by');
    expect(await evidenceRow('Last certification').textContent()).toBe('Never');
    expect(await evidenceRow('Tokens issued in the period').textContent()).toBe('1');
    await evidence.getByText('ledger.read (used)').waitFor();
    await bob.getByText('Unused for 30 days').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'my-reviews');

    // Certify the group's item: the justification is asked for, then the item leaves the queue.
    await group.getByRole('button', { name: /^Certify/ }).click();
    const certify = page.getByRole('dialog', { name: 'Certify this access?' });
    expect(await certify.getByRole('button', { name: 'Certify' }).isDisabled()).toBe(true);
    await certify.getByRole('textbox', { name: 'Justification' }).fill('Finance reads the ledger every day');
    expect(await seriousViolations(page)).toEqual([]);
    await certify.getByRole('button', { name: 'Certify' }).click();
    await group.waitFor({ state: 'detached' });
    await progress(page).getByText('1 of 3 decided').waitFor();
    await progress(page).getByText('Certified: 1').waitFor();

    // Revoke Bob's, with a justification.
    await bob.getByRole('button', { name: /^Revoke/ }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke this access?' });
    await revoke.getByRole('textbox', { name: 'Justification' }).fill('Bob moved to sales');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await bob.waitFor({ state: 'detached' });
    await progress(page).getByText('2 of 3 decided').waitFor();
    await progress(page).getByText('Revoked: 1').waitFor();

    // The reviewer's own access: the API refuses, and the item says why in its words.
    await mine.getByRole('button', { name: /^Certify/ }).click();
    await page.getByRole('dialog', { name: 'Certify this access?' }).getByRole('textbox', { name: 'Justification' }).fill('I still need it');
    await page.getByRole('dialog', { name: 'Certify this access?' }).getByRole('button', { name: 'Certify' }).click();
    await mine.getByRole('alert').getByText('Separation of duties: this item grants your own access').waitFor();
    expect(await mine.getByRole('button', { name: /^Certify/ }).count()).toBe(0);
    await progress(page).getByText('2 of 3 decided').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'my-reviews-decided');

    const stored = await api.prisma.accessReviewItem.findMany({ where: { campaignId: campaign.id }, select: { subjectId: true, decision: true, justification: true, decidedBy: true } });
    expect(stored.find((item) => item.subjectId === pair.group.id)).toEqual({ subjectId: pair.group.id, decision: 'certify', justification: 'Finance reads the ledger every day', decidedBy: reviewer.email });
    expect(stored.find((item) => item.subjectId === users.bob)).toMatchObject({ decision: 'revoke', justification: 'Bob moved to sales' });
    expect(stored.find((item) => item.subjectId === users.reviewerSelf)).toMatchObject({ decision: null });
    expect((await asReviewer.get<AccessReviewProgress>(`/api/access-reviews/campaigns/${campaign.id}/progress`)).body).toEqual({ total: 3, decided: 2, undecided: 1, byDecision: { certify: 1, revoke: 1, narrow: 0 } });

    // The campaign's page shows the same figures.
    await page.goto(`${api.baseUrl}/#/access-reviews/${campaign.id}/show`);
    await progress(page).getByText('2 of 3 decided').waitFor();
    await progress(page).getByText('Certified: 1').waitFor();
    await progress(page).getByText('Revoked: 1').waitFor();
    await progress(page).getByText('Undecided: 1').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'campaign-progress');

    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("should lead an auditor from a token exchange's audit event to its policy, the policy's approver and the last certification", async () => {
    const certification = (await AdminHttp.withToken(api.baseUrl, auditor.token).get<{ certification: AccessReviewCertification | null }>(`/api/access-reviews/certifications/latest?policyId=${pair.policyId}&userId=${users.alice}`)).body.certification;
    expect(certification).toMatchObject({ campaignId: campaign.id, decision: 'certify', decidedBy: reviewer.email });
    const event = await api.prisma.auditEvent.findFirstOrThrow({ where: { action: 'token_exchange', actorId: pair.agent.id, decision: 'allow' }, orderBy: { seq: 'desc' } });
    const policy = await api.prisma.policy.findUniqueOrThrow({ where: { id: pair.policyId } });
    expect(policy.approvedBy).not.toBeNull();
    const page = await signedIn(auditor);

    await page.goto(`${api.baseUrl}/#/audit/${event.seq.toString()}/show`);
    const trail = page.getByRole('table', { name: 'Why this token was issued' });
    const row = trail.getByRole('row').filter({ has: page.getByRole('link', { name: policy.name }) });
    expect(await row.getByRole('link', { name: policy.name }).getAttribute('href')).toBe(`#/policies/${pair.policyId}/show`);
    await row.getByText(policy.approvedBy as string).waitFor();
    await row.getByText(`Certified by ${reviewer.email}`).waitFor();
    await row.getByText('Finance reads the ledger every day').waitFor();
    expect(await row.getByRole('link', { name: campaign.name }).getAttribute('href')).toBe(`#/access-reviews/${campaign.id}/show`);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'audit-token-trail');

    // The auditor reads campaigns but reviews nothing: no "My reviews" in the menu, no Launch or Close.
    expect(await page.getByRole('menuitem', { name: 'My reviews' }).count()).toBe(0);
    await page.goto(`${api.baseUrl}/#/access-reviews/${campaign.id}/show`);
    await progress(page).getByText('2 of 3 decided').waitFor();
    expect(await page.getByRole('button', { name: 'Close', exact: true }).count()).toBe(0);

    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('should create a campaign from the form, and certify two ticked items at once with one justification', async () => {
    const page = await signedIn(reviewer);
    const name = unique('Second ledger review');
    const agentName = (await api.prisma.client.findUniqueOrThrow({ where: { id: pair.agent.id } })).name;

    await page.goto(`${api.baseUrl}/#/access-reviews`);
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page.getByRole('combobox', { name: 'Scope' }).click();
    await page.getByRole('option', { name: 'Agent or app' }).click();
    await page.getByRole('combobox', { name: 'Agent or app' }).pressSequentially(agentName);
    await page.getByRole('option', { name: agentName }).click();
    await page.getByLabel('Due').fill('2099-01-31T12:00');
    await page.getByRole('combobox', { name: 'Who reviews' }).click();
    await page.getByRole('option', { name: 'Named reviewers' }).click();
    await page.getByRole('combobox', { name: 'Named reviewers' }).pressSequentially(reviewer.email);
    await page.getByRole('option', { name: new RegExp(reviewer.email) }).click();
    await page.getByRole('combobox', { name: 'Fallback reviewer' }).pressSequentially(fallback.email);
    await page.getByRole('option', { name: new RegExp(fallback.email) }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'campaign-create');
    await page.getByRole('button', { name: 'Save' }).click();

    await page.waitForURL(/#\/access-reviews\/[0-9a-f-]{36}\/show$/);
    const id = /access-reviews\/([0-9a-f-]{36})\/show/.exec(page.url())?.[1] as string;
    const created = (await asReviewer.get<AccessReviewCampaignRecord>(`/api/access-reviews/campaigns/${id}`)).body;
    expect(created).toMatchObject({ name, status: 'draft', scopeKind: 'client', scopeValue: pair.agent.id, reviewerRule: 'named', reviewers: [reviewer.email], fallbackReviewer: fallback.email, undecidedOutcome: 'keep', remediateImmediately: false });
    expect(new Date(created.dueAt).getUTCFullYear()).toBe(2099);
    expect((await asReviewer.post(`/api/access-reviews/campaigns/${id}/launch`, {})).status).toBe(200);

    await page.getByRole('menuitem', { name: 'My reviews' }).click();
    const section = page.getByRole('region').filter({ has: page.getByRole('link', { name }) });
    await progress(section).getByText('0 of 3 decided').waitFor();
    const ticks = section.getByRole('checkbox', { name: /^Select / });
    await ticks.first().waitFor();
    expect(await ticks.count()).toBe(2);
    await ticks.nth(0).check();
    await ticks.nth(1).check();
    await page.getByRole('status').getByText('2 items selected').waitFor();
    await page.getByRole('button', { name: 'Certify selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Certify this access?' });
    await dialog.getByText('2 items keeps its access', { exact: false }).waitFor();
    await dialog.getByRole('textbox', { name: 'Justification' }).fill('Quarterly: still needed');
    await dialog.getByRole('button', { name: 'Certify' }).click();
    await progress(section).getByText('2 of 3 decided').waitFor();
    await progress(section).getByText('Certified: 2').waitFor();
    await section.getByText('You have decided every item of yours in this campaign.').waitFor();
    expect(await section.getByRole('article').count()).toBe(0);

    const decided = await api.prisma.accessReviewItem.findMany({ where: { campaignId: id, decision: 'certify' }, select: { justification: true, decidedBy: true } });
    expect(decided).toEqual([
      { justification: 'Quarterly: still needed', decidedBy: reviewer.email },
      { justification: 'Quarterly: still needed', decidedBy: reviewer.email },
    ]);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
