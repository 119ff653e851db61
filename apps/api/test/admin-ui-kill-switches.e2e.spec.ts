/**
 * The kill switch in the admin UI, in a real browser (Debian's Chromium, driven by playwright-core)
 * against the real API serving the built SPA and the real worker in a process of its own: an
 * incident responder opens a client's page, presses the kill switch, types a reason, reads the
 * blast radius the API computes, fires, and lands on the switch's page, whose receipt fills as the
 * worker tells a real SSF receiver (RFC 8935 push) on loopback. An auditor sees the same pages
 * without a way to fire or lift. axe-core checks the dialog, the switch's page and the list for
 * serious accessibility violations. Screenshots go to test-output/admin-ui/.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { hash } from '@node-rs/argon2';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { loadConfig } from '@crossgate/config';
import { AdminHttp, createAdmin, SetReceiver, startWorkerProcess, stopWorkerProcess, type TestAdmin, unique, type WorkerProcess } from '@crossgate/testing';

import type { BlastRadiusView, KillSwitchView, ReceiptExport } from '../src/kill-switches/index.ts';
import { builtAdminUi, launchChromium, screenshot as screenshotInto, seriousViolations, signedIn as signedInAs } from './support/admin-browser.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const screenshotDir = fileURLToPath(new URL('../../../test-output/admin-ui', import.meta.url));
const password = 'correct horse battery staple';
const sessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
/** Fast retries, so a receiver other suites left behind gives up within the test. */
const workerEnvironment = { KILL_SWITCH_RETRY_DELAY_MS: '100', KILL_SWITCH_DELIVERY_ATTEMPTS: '3', KILL_SWITCH_DELIVERY_TIMEOUT_MS: '2000' };

let api: TestApi;
let worker: WorkerProcess | undefined;
let receiver: SetReceiver;
let streamId: string;
let browser: Browser;
let responder: TestAdmin;
let auditor: TestAdmin;
let asAuditor: AdminHttp;
let client: { id: string; name: string };
let idpName: string;
let itAdmin: TestAdmin;
const firedIds: string[] = [];
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  // A queue prefix of its own: the worker must not pick up fan-outs other suites queued without one.
  const environment = { ADMIN_UI_DIR: builtAdminUi, REDIS_PREFIX: `${loadConfig().redis.prefix}:${unique('ui-kill')}`, ...workerEnvironment };
  api = await startTestApi(environment);
  // The worker takes a few seconds to start under tsx: started first, it boots while the pages load.
  worker = startWorkerProcess(api.config, environment);
  const passwordHash = await hash(password);
  responder = await createAdmin(api.prisma, 'incident-responder', passwordHash);
  auditor = await createAdmin(api.prisma, 'auditor', passwordHash);
  itAdmin = await createAdmin(api.prisma, 'it-admin', passwordHash);
  asAuditor = AdminHttp.withToken(api.baseUrl, auditor.token);

  // An agent with live tokens for one user at one resource, and one SSF receiver that hears every client switch.
  const name = unique('ks-ui');
  const idp = await api.prisma.trustedIdp.create({ data: { name, issuer: `https://${name}.idp.example`, audiences: [] } });
  idpName = idp.name;
  const user = await api.prisma.user.create({ data: { idpId: idp.id, subject: `${name}-alice`, email: `${name}@bank.example` } });
  const row = await api.prisma.client.create({ data: { clientId: name, name: unique('Support agent'), kind: 'ai_agent', owner: 'dana@example.test' } });
  client = { id: row.id, name: row.name };
  const resource = await api.prisma.resource.create({ data: { slug: name, name, authorizationServer: `https://as.example/${name}`, resourceIndicators: [`https://${name}.mcp.example/`], owner: 'dana@example.test' } });
  const issuedAt = new Date(Date.now() - 1_000);
  const expiresAt = new Date(Date.now() + 600_000);
  await api.prisma.issuedToken.createMany({
    data: ['id_jag', 'access_token'].map((kind) => ({ jti: randomUUID(), kind, clientId: client.id, resourceId: resource.id, userId: user.id, scopes: ['notes.read'], policyIds: [], issuedAt, expiresAt })),
  });
  receiver = await SetReceiver.start();
  streamId = (
    await api.prisma.ssfStream.create({ data: { audience: [`https://${unique('receiver')}.example.test`], endpointUrl: receiver.url, eventsRequested: [sessionRevoked], createdBy: 'tests' } })
  ).id;
}, 60_000);

afterAll(async () => {
  // Leave neither a switch in force nor a receiver other suites' switches would push to.
  await api?.prisma.killSwitch.updateMany({ where: { id: { in: firedIds }, state: 'active' }, data: { state: 'lifted', liftedAt: new Date() } });
  await api?.prisma.ssfStream.updateMany({ where: { id: streamId }, data: { status: 'disabled', deletedAt: new Date() } });
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await stopWorkerProcess(worker);
  await receiver?.close();
  await api?.close();
});

function signedIn(admin: TestAdmin): Promise<Page> {
  return signedInAs(browser, { baseUrl: api.baseUrl, email: admin.email, password, contexts, pageErrors });
}

function screenshot(page: Page, name: string): Promise<void> {
  return screenshotInto(page, screenshotDir, name);
}

describe('kill switches in the admin UI', () => {
  it("should fire a client's kill switch from its page in three steps after showing the blast radius, and fill the receipt through the worker", async () => {
    const page = await signedIn(responder);
    const reason = unique('Agent exfiltrating tickets');
    const expected = (await asAuditor.post<BlastRadiusView>('/api/kill-switches/preview', { scope: 'client', clientId: client.id })).body;
    expect(expected).toMatchObject({ scope: 'client', targetLabel: client.name, requiresApproval: false, agents: 1, users: 1, tokens: { idJag: 1, accessToken: 1, total: 2 } });
    expect(expected.receivers).toBeGreaterThanOrEqual(1);

    await page.goto(`${api.baseUrl}/#/clients/${client.id}/show`);
    await page.getByRole('button', { name: 'Kill switch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Fire a kill switch' });
    const radius = dialog.getByRole('table', { name: 'Blast radius' });
    const figure = (label: string) => radius.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) }).getByRole('cell');
    await figure('Live tokens revoked').getByText('2 (1 ID-JAGs, 1 access tokens)').waitFor();
    expect(await figure('Users').textContent()).toBe(String(expected.users));
    expect(await figure('Agents').textContent()).toBe('1');
    expect(await figure('Downstream receivers told').textContent()).toBe(String(expected.receivers));
    expect(await figure('Receipt lines').textContent()).toBe(String(expected.deliveries.total));
    await dialog.getByText(`Client (app or agent): ${client.name}`).waitFor();
    // Nothing is fired without a reason.
    expect(await dialog.getByRole('button', { name: 'Fire', exact: true }).isDisabled()).toBe(true);
    // The reason field has the focus: typing is the second step.
    await page.keyboard.type(reason);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'kill-switch-dialog');
    await dialog.getByRole('button', { name: 'Fire', exact: true }).click();

    await page.waitForURL(/#\/kill-switches\/[0-9a-f-]{36}\/show$/);
    const id = /kill-switches\/([0-9a-f-]{36})\/show/.exec(page.url())?.[1] as string;
    firedIds.push(id);
    const stored = await asAuditor.get<KillSwitchView>(`/api/kill-switches/${id}`);
    expect(stored.body).toMatchObject({ scope: 'client', clientId: client.id, state: 'active', reason, createdBy: responder.email, targetLabel: client.name });
    await page.getByText('Active', { exact: true }).first().waitFor();
    await page.getByText(reason).waitFor();
    expect(await page.getByRole('link', { name: client.name }).getAttribute('href')).toBe(`#/clients/${client.id}/show`);

    // The worker tells the receiver; the page, polling, shows the line delivered and the fan-out done.
    const receipt = page.getByRole('table', { name: 'Revocation receipt' });
    const line = receipt.getByRole('row').filter({ hasText: receiver.url });
    await line.getByText('Delivered', { exact: true }).waitFor({ timeout: 30_000 });
    expect(receiver.accepted(id)).toHaveLength(1);
    const delivery = await api.prisma.killSwitchDelivery.findFirstOrThrow({ where: { killSwitchId: id, targetId: streamId } });
    expect(delivery).toMatchObject({ kind: 'ssf_set', status: 'delivered' });
    await line.getByRole('cell', { name: 'Security event (SSF)' }).waitFor();
    const progress = page.getByRole('status', { name: 'Fan-out progress' });
    await progress.getByText(/^[1-9]\d* of \d+ delivered/).waitFor();
    expect(Number(await progress.getByRole('progressbar').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'kill-switch');

    // The export is the API's receipt, downloaded with the session.
    const exportLink = page.getByRole('link', { name: 'Export receipt' });
    expect(await exportLink.getAttribute('href')).toBe(`/api/kill-switches/${id}/receipt`);
    const exported = await page.evaluate(async (href) => (await fetch(href)).json() as Promise<ReceiptExport>, `/api/kill-switches/${id}/receipt`);
    expect(exported.killSwitch).toMatchObject({ id, reason });
    expect(exported.deliveries.some((entry) => entry.targetId === streamId && entry.status === 'delivered')).toBe(true);

    // The dashboard counts it, and links to the list of switches in force, which shows it.
    await page.getByRole('menuitem', { name: 'Dashboard' }).click();
    await page.getByRole('link', { name: 'Fire kill switch' }).waitFor();
    const active = (await asAuditor.get<KillSwitchView[]>(`/api/kill-switches?${new URLSearchParams({ filter: '{"state":"active"}', range: '[0,0]' }).toString()}`)).headers.get('content-range')?.split('/')[1];
    await page.getByRole('link', { name: `In force: ${active}` }).click();
    await page.getByRole('row').filter({ hasText: reason }).filter({ hasText: client.name }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'kill-switches');

    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('should fire an IdP-wide switch from the "Fire kill switch" page only once a second admin approves it', async () => {
    const page = await signedIn(responder);
    const reason = unique('IdP signing key leaked');

    await page.getByRole('menuitem', { name: 'Kill switches' }).click();
    await page.getByRole('link', { name: 'Fire kill switch' }).click();
    await page.getByRole('radio', { name: 'Trusted IdP (IdP-wide)' }).check();
    await page.getByRole('combobox', { name: 'Trusted IdP', exact: true }).pressSequentially(idpName);
    await page.getByRole('option', { name: idpName }).click();
    await page.getByRole('button', { name: 'Review blast radius' }).click();
    const dialog = page.getByRole('dialog', { name: 'Fire a kill switch' });
    await dialog.getByRole('table', { name: 'Blast radius' }).getByRole('row', { name: 'Users 1' }).waitFor();
    await dialog.getByText('takes effect only when a second it-admin or incident-responder approves it').waitFor();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
    await dialog.getByRole('radio', { name: '8 hours' }).check();
    await dialog.getByRole('button', { name: 'Ask for approval' }).click();

    await page.waitForURL(/#\/kill-switches\/[0-9a-f-]{36}\/show$/);
    const id = /kill-switches\/([0-9a-f-]{36})\/show/.exec(page.url())?.[1] as string;
    firedIds.push(id);
    const requested = (await asAuditor.get<KillSwitchView>(`/api/kill-switches/${id}`)).body;
    expect(requested).toMatchObject({ scope: 'idp', state: 'pending_approval', reason, createdById: responder.id });
    expect(new Date(requested.expiresAt as unknown as string).getTime() - Date.now()).toBeGreaterThan(7.9 * 3_600_000);
    await page.getByText('Pending approval', { exact: true }).waitFor();
    await page.getByText('you asked for this kill switch, so another it-admin or incident-responder must approve it').waitFor();
    // The two-person rule: the asker may withdraw, not approve.
    await page.getByRole('button', { name: 'Withdraw' }).waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // A second admin approves on the same page; the asker's page, polling, sees the switch in force.
    const second = await signedIn(itAdmin);
    await second.goto(`${api.baseUrl}/#/kill-switches/${id}/show`);
    await second.getByRole('button', { name: 'Approve' }).click();
    const approval = second.getByRole('dialog', { name: 'Approve this kill switch?' });
    await approval.getByRole('button', { name: 'Approve' }).click();
    await second.getByText('Active', { exact: true }).first().waitFor();
    await page.getByText('Active', { exact: true }).first().waitFor();
    expect((await asAuditor.get<KillSwitchView>(`/api/kill-switches/${id}`)).body).toMatchObject({ state: 'active', approvedBy: itAdmin.email });
    await screenshot(second, 'kill-switch-approved');

    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('should show an auditor the switch and its receipt but no way to fire or lift one', async () => {
    const fired = await AdminHttp.withToken(api.baseUrl, responder.token).post<KillSwitchView>('/api/kill-switches', { scope: 'client', clientId: client.id, reason: unique('Second look') });
    expect(fired.status).toBe(201);
    firedIds.push(fired.body.id);
    const page = await signedIn(auditor);

    await page.goto(`${api.baseUrl}/#/clients/${client.id}/show`);
    await page.getByText(client.name).first().waitFor();
    expect(await page.getByRole('button', { name: 'Kill switch' }).count()).toBe(0);

    await page.goto(`${api.baseUrl}/#/kill-switches/${fired.body.id}/show`);
    await page.getByRole('link', { name: 'Export receipt' }).waitFor();
    await page.getByText(fired.body.reason).waitFor();
    expect(await page.getByRole('button', { name: 'Lift' }).count()).toBe(0);

    await page.getByRole('menuitem', { name: 'Kill switches' }).click();
    await page.getByRole('row').filter({ hasText: fired.body.reason }).waitFor();
    expect(await page.getByRole('link', { name: 'Fire kill switch' }).count()).toBe(0);
    await page.getByRole('menuitem', { name: 'Dashboard' }).click();
    await page.getByRole('link', { name: /^In force: / }).waitFor();
    expect(await page.getByRole('link', { name: 'Fire kill switch' }).count()).toBe(0);

    expect(pageErrors).toEqual([]);
  });
});
