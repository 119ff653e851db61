/**
 * The admin UI in a real browser (Debian's Chromium, driven by playwright-core) against the real API
 * serving the built SPA: sign in through the form, create a client through the UI, find it in the
 * list, and find its `client.create` event in the audit log; create connections through the wizard and
 * read the migration ladder on the dashboard; create an OAuth provider and an STS connection through
 * the UI, consent at a real local provider, and revoke the consent from the consents page; rotate a
 * vaulted key from its connection page, with the real worker in a process of its own and a real
 * local legacy API as the rotation target. The API serves a copy of the build from under a hidden
 * directory, as an install in ~/.cache or .worktrees/ would. Screenshots go to test-output/admin-ui/.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { hash } from '@node-rs/argon2';
import { type Browser, chromium, type Page } from 'playwright-core';

import { SecretStore } from '@crossgate/store';
import {
  AdminHttp,
  createAdmin,
  createRotatableConnection,
  LegacyApi,
  startWorkerProcess,
  stopWorkerProcess,
  unique,
  type WorkerProcess,
} from '@crossgate/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the local third-party provider is test support, imported by path like oidc-provider.ts
import { driveLogin, type LocalOAuthProvider, startOAuthProvider } from '../../../libs/testing/src/oauth-provider.ts';
import { OAuthError } from '../src/http/index.ts';
import { StsBroker } from '../src/sts/index.ts';
import { createPolicy, createPolicyFixture, createUser } from './support/policy-fixtures.ts';
import { freePort, startTestApi, type TestApi } from './support/test-api.ts';

const builtAdminUi = fileURLToPath(new URL('../../admin/dist', import.meta.url));
/** A dotfile planted in the served copy of the UI, which must never be served. */
const plantedDotfile = { name: '.env', content: `SECRET=${unique('planted-ui-dotfile')}` };
const screenshotDir = fileURLToPath(new URL('../../../test-output/admin-ui', import.meta.url));
const chromiumPath = '/usr/bin/chromium';
const password = 'correct horse battery staple';
/**
 * For the API (which sets a rotate-now job's backoff) and the worker: a failed rotation's first retry
 * waits a minute, so the failure the page shows stays put until the test ends.
 */
const rotationEnvironment = { ROTATION_RETRY_DELAY_MS: '60000', ROTATION_HOOK_TIMEOUT_MS: '5000' };

let installRoot: string;
let api: TestApi;
let provider: LocalOAuthProvider;
let legacyApi: LegacyApi | undefined;
let worker: WorkerProcess | undefined;
let browser: Browser;
let page: Page;
let adminEmail: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(builtAdminUi, 'index.html'))) {
    throw new Error(`The admin UI is not built (no ${builtAdminUi}/index.html): run \`npm run build:admin\` first.`);
  }
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: run \`apt-get install -y chromium fonts-liberation\` (CI does).`);
  }
  installRoot = mkdtempSync(path.join(tmpdir(), 'crossgate-ui-'));
  const adminUiDir = path.join(installRoot, '.hidden', 'admin');
  cpSync(builtAdminUi, adminUiDir, { recursive: true });
  for (const folder of [adminUiDir, path.join(adminUiDir, 'assets')]) {
    writeFileSync(path.join(folder, plantedDotfile.name), plantedDotfile.content);
  }
  // The STS consent comes back to Crossgate's own callback, so the API must know its address.
  const port = await freePort();
  api = await startTestApi({ ADMIN_UI_DIR: adminUiDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...rotationEnvironment });
  provider = await startOAuthProvider({ redirectUri: `${api.baseUrl}/sts/callback` });
  adminEmail = (await createAdmin(api.prisma, 'it-admin', await hash(password))).email;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // Fail fast with a locator's own message rather than at jest's 30 s limit.
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  mkdirSync(screenshotDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stopWorkerProcess(worker);
  await api?.close();
  await provider?.close();
  await legacyApi?.stop();
  if (installRoot) {
    rmSync(installRoot, { recursive: true, force: true });
  }
});

/** Opens the connection wizard, picks the app pair, ticks what the resource supports and moves to the pattern step. */
async function startConnectionWizard(pair: { client: string; resource: string }, supports: RegExp[]): Promise<void> {
  await page.getByRole('menuitem', { name: 'Connections' }).click();
  await page.getByRole('link', { name: 'Create' }).click();
  for (const [field, name] of [
    ['Client', pair.client],
    ['Resource', pair.resource],
  ] as const) {
    await page.getByRole('combobox', { name: field }).pressSequentially(name);
    await page.getByRole('option', { name }).click();
  }
  for (const support of supports) {
    await page.getByRole('checkbox', { name: support }).check();
  }
  await page.getByRole('button', { name: 'Next' }).click();
}

/** The user consents at the provider as the agent's consent link would have them, up to the stored consent. */
async function consentAtProvider(connectionId: string, userId: string): Promise<void> {
  const asked = await api.app
    .get(StsBroker)
    .accessTokenFor({ connectionId, userId })
    .then(
      () => null,
      (error: unknown) => error,
    );
  expect(asked).toBeInstanceOf(OAuthError);
  const consentUri = (asked as OAuthError).members['consent_uri'] as string;
  const { subject } = await api.prisma.user.findUniqueOrThrow({ where: { id: userId } });
  const callback = await driveLogin(new URL(consentUri), `${api.baseUrl}/sts/callback`, subject);
  const response = await fetch(callback);
  expect(response.status).toBe(200);
}

async function screenshot(name: string): Promise<void> {
  // `animations: 'disabled'` finishes MUI's fades, so a dialog is captured fully drawn.
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true, animations: 'disabled' });
}

describe('admin UI in a browser', () => {
  it('should serve the sign-in page from an install path with a dot segment, and no dotfile inside the UI folder', async () => {
    // A page of its own, signed out whatever ran before.
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    try {
      const fresh = await context.newPage();
      fresh.on('pageerror', (error) => pageErrors.push(error.message));
      expect((await fresh.goto(`${api.baseUrl}/`))?.status()).toBe(200);
      await fresh.getByRole('textbox', { name: 'Email' }).waitFor();
      await fresh.getByRole('button', { name: 'Sign in' }).waitFor();
    } finally {
      await context.close();
    }

    for (const dotfile of [`/${plantedDotfile.name}`, `/assets/${plantedDotfile.name}`]) {
      // A browser navigating there gets the UI, as for any client-side route; anything else gets the API's 404.
      const navigated = await fetch(`${api.baseUrl}${dotfile}`, { headers: { accept: 'text/html' } });
      expect(await navigated.text()).not.toContain(plantedDotfile.content);
      const plain = await fetch(`${api.baseUrl}${dotfile}`, { headers: { accept: 'text/plain' } });
      expect(plain.status).toBe(404);
      expect(await plain.text()).not.toContain(plantedDotfile.content);
    }
    expect(pageErrors).toEqual([]);
  });

  it('should sign in, create a client through the form, list it and show its client.create audit event', async () => {
    const name = unique('UI agent');
    const clientId = unique('ui-agent');

    await page.goto(`${api.baseUrl}/`);
    await page.getByRole('textbox', { name: 'Email' }).fill(adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('menuitem', { name: 'Agents and apps' }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(clientId);
    // private_key_jwt (the default) needs somewhere to find the client's keys.
    await page.getByRole('textbox', { name: 'JWKS URI' }).fill('https://agent.example.test/jwks.json');
    await page.getByRole('textbox', { name: 'Owner' }).fill('dana@example.test');
    await page.getByRole('button', { name: 'Save' }).click();

    await page.waitForURL(/#\/clients\/[0-9a-f-]{36}\/show$/);
    const id = /clients\/([0-9a-f-]{36})\/show/.exec(page.url())?.[1];
    const stored = await api.prisma.client.findUnique({ where: { clientId } });
    expect(stored).toMatchObject({ id, name, authMethod: 'private_key_jwt', owner: 'dana@example.test' });

    await page.getByRole('menuitem', { name: 'Agents and apps' }).click();
    await page.getByPlaceholder('Search').fill(name);
    await page.getByRole('row', { name }).waitFor();
    await screenshot('clients');

    await page.getByRole('menuitem', { name: 'Audit log' }).click();
    // From the click on, through the page's first load and the filter's debounce: more than one step's 10 s.
    const filtered = page.waitForResponse((response) => decodeURIComponent(response.url()).includes('"action":"client.create"'), { timeout: 30_000 });
    await page.getByRole('textbox', { name: 'Action' }).fill('client.create');
    await filtered;
    const event = page.getByRole('row').filter({ hasText: 'client.create' }).filter({ hasText: name });
    await event.waitFor();
    expect(await event.getByRole('link', { name }).getAttribute('href')).toBe(`#/clients/${id}/show`);

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByRole('dialog').getByText(/^Intact:/).waitFor();
    await screenshot('audit');

    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('should show what a draft policy would decide and whom it affects, and the effective access of a client', async () => {
    const http = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
    const fixture = await createPolicyFixture(http);
    const policyId = await createPolicy(http, fixture, { subjectGroupIds: [fixture.groupId], scopes: ['issues.read'], status: 'draft' });
    const client = await api.prisma.client.findUniqueOrThrow({ where: { id: fixture.clientId } });
    const resource = await api.prisma.resource.findUniqueOrThrow({ where: { id: fixture.resourceId } });

    const alice = await api.prisma.user.findUniqueOrThrow({ where: { id: fixture.alice } });

    await page.goto(`${api.baseUrl}/#/policies/${policyId}/show`);
    await page.getByRole('combobox', { name: 'User' }).pressSequentially(alice.email!);
    await page.getByRole('option', { name: alice.email! }).click();
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByText(`Allowed: ${client.name} may reach ${resource.name} for ${alice.displayName} with issues.read. Under the live policies today: refused (no_policy).`).waitFor();
    await page.getByText('Would gain access: 1').waitFor();
    await screenshot('what-if');

    // On its own page, under the live policies (the policy is still a draft): refused, in words that name everyone.
    await page.getByRole('menuitem', { name: 'What if?' }).click();
    for (const [field, name] of [
      ['Client', client.name],
      ['Resource', resource.name],
      ['User', alice.email!],
    ] as const) {
      await page.getByRole('combobox', { name: field }).pressSequentially(name);
      await page.getByRole('option', { name }).click();
    }
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByText(`Denied: no active policy lets ${client.name} reach ${resource.name} for ${alice.displayName}.`).waitFor();

    // Asked for by one it-admin, approved in the inbox by the signed-in one (the two-person rule), in plain words.
    expect((await http.post(`/api/policies/${policyId}/approval-requests`, { note: 'Support reads tickets' })).status).toBe(201);
    // A high-risk tool call held at the MCP gateway waits in the same inbox (the row as the gateway's request writes it).
    const toolCall = await api.prisma.toolCallApproval.create({
      data: {
        resourceId: resource.id,
        userId: alice.id,
        subject: alice.subject,
        agentClientId: client.clientId,
        tokenJti: unique('jti'),
        tool: 'tickets_purge',
        argumentsSha256: 'a'.repeat(64),
        summary: 'Purge the spam tickets',
        expiresAt: new Date(Date.now() + 600_000),
      },
    });
    await page.getByRole('menuitem', { name: 'Approvals' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Support reads tickets' });
    await row.getByText(/^1 user gains access \(.+\); nobody loses access\.$/).waitFor();
    await screenshot('policy-approval');
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByText('No policy waits for approval.').waitFor();
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: policyId } })).status).toBe('active');
    const toolRow = page.getByRole('row').filter({ hasText: 'Purge the spam tickets' });
    await toolRow.getByText('tickets_purge').waitFor();
    await toolRow.getByText(alice.displayName!).waitFor();
    await screenshot('tool-call-approval');
    await toolRow.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByText('No tool call waits for approval.').waitFor();
    expect(await api.prisma.toolCallApproval.findUniqueOrThrow({ where: { id: toolCall.id } })).toMatchObject({ status: 'approved', decidedBy: adminEmail });
    await page.getByRole('menuitem', { name: 'Effective access' }).click();
    await page.getByRole('combobox', { name: 'Which' }).click();
    await page.getByRole('combobox', { name: 'Which' }).pressSequentially(client.name);
    await page.getByRole('option', { name: client.name }).click();
    await page.getByRole('row').filter({ hasText: resource.name }).filter({ hasText: 'issues.read' }).waitFor();
    await screenshot('effective-access');

    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('should recommend XAA in the wizard, hold a service account to the API justification rule, badge both and chart the ladder', async () => {
    const http = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
    const fixture = await createPolicyFixture(http);
    const client = await api.prisma.client.findUniqueOrThrow({ where: { id: fixture.clientId } });
    const resource = await api.prisma.resource.findUniqueOrThrow({ where: { id: fixture.resourceId } });
    const xaaName = unique('Jira via XAA');
    const legacyName = unique('Mainframe login');
    const password = unique('planted-mainframe-password');

    const startWizard = (supports: RegExp[]) => startConnectionWizard({ client: client.name, resource: resource.name }, supports);

    // Everything supported: XAA is recommended and picked.
    await startWizard([/validates ID-JAGs/, /OAuth with user consent/, /API key/, /username and password/]);
    await page.getByText('Recommended: XAA.').waitFor();
    expect(await page.getByRole('radio', { name: /^XAA/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(xaaName);
    await page.getByRole('textbox', { name: 'Owner' }).fill('dana@example.test');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.waitForURL(/#\/connections\/[0-9a-f-]{36}\/show$/);
    expect(await api.prisma.connection.findFirst({ where: { name: xaaName } })).toMatchObject({ pattern: 'xaa', owner: 'dana@example.test' });

    // A key or a password only: the vaulted key is recommended, and picking the service account says why it is worse.
    await startWizard([/API key/, /username and password/]);
    await page.getByText('Recommended: Vaulted key.').waitFor();
    expect(await page.getByRole('radio', { name: /^XAA/ }).isDisabled()).toBe(true);
    await page.getByRole('radio', { name: /Service account/ }).check();
    await page.getByText('Vaulted key is possible here; Service account (weakest — legacy) is weaker:').waitFor();
    await screenshot('connection-wizard');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(legacyName);
    await page.getByRole('textbox', { name: 'Owner' }).fill('dana@example.test');
    await page.getByRole('textbox', { name: 'Account name' }).fill('svc-mainframe');
    await page.getByRole('textbox', { name: 'Justification' }).fill('Too short.');
    await page.getByRole('textbox', { name: 'Sunset date' }).fill('2099-06-30');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('input[name="credential"]').fill(password);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create connection' }).click();
    // The API's rule and its words, back on the details step.
    await page.getByText('a service account needs a written justification (20 characters or more)').first().waitFor();
    expect(await api.prisma.connection.count({ where: { name: legacyName } })).toBe(0);
    await page.getByRole('textbox', { name: 'Justification' }).fill('The mainframe accepts nothing but a password until 2027.');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.waitForURL(/#\/connections\/[0-9a-f-]{36}\/show$/);
    expect(await api.prisma.connection.findFirst({ where: { name: legacyName } })).toMatchObject({
      pattern: 'service_account',
      accountName: 'svc-mainframe',
    });
    await page.getByText('Service account (weakest — legacy)').first().waitFor();
    // The password typed in the wizard is the credential's first version: its metadata shows, never its value.
    await page.getByRole('table', { name: 'Credential versions' }).getByRole('row').filter({ hasText: 'Active' }).waitFor();
    expect(await page.content()).not.toContain(password);

    await page.getByRole('menuitem', { name: 'Connections' }).click();
    await page.getByPlaceholder('Search').fill(legacyName);
    await page.getByRole('row', { name: legacyName }).getByText('Service account (weakest — legacy)').waitFor();
    await page.getByPlaceholder('Search').fill(xaaName);
    await page.getByRole('row', { name: xaaName }).getByText('XAA', { exact: true }).waitFor();

    const ladder = (await http.get<{ patterns: { pattern: string; count: number; active: number }[]; total: number }>('/api/connections-ladder')).body;
    const labels: Record<string, string> = { xaa: 'XAA', sts: 'STS', vaulted_key: 'Vaulted key', service_account: 'Service account (weakest — legacy)' };
    await page.getByRole('menuitem', { name: 'Dashboard' }).click();
    for (const rung of ladder.patterns) {
      await page.getByRole('listitem', { name: `${labels[rung.pattern]}: ${rung.count} (${rung.active} active)`, exact: true }).waitFor();
    }
    await page.getByLabel('Connections in total').getByText(String(ladder.total), { exact: true }).waitFor();
    await screenshot('dashboard');

    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('should create an OAuth provider without ever showing its secret, pick it in the STS wizard, and revoke a consent from the consents page, and keep or remove the secret only when asked', async () => {
    const http = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
    const fixture = await createPolicyFixture(http);
    const client = await api.prisma.client.findUniqueOrThrow({ where: { id: fixture.clientId } });
    const resource = await api.prisma.resource.findUniqueOrThrow({ where: { id: fixture.resourceId } });
    const providerName = unique('GitHub');
    const connectionName = unique('GitHub via STS');

    // The provider, through its form: the secret goes to the vault and never comes back to a page.
    await page.getByRole('menuitem', { name: 'OAuth providers' }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(providerName);
    await page.getByRole('textbox', { name: 'Issuer' }).fill(provider.issuer);
    await page.getByRole('textbox', { name: "Crossgate's client ID at the provider" }).fill(provider.clientId);
    await page.locator('input[name="clientSecret"]').fill(provider.clientSecret);
    for (const scope of provider.scopes) {
      await page.getByRole('combobox', { name: 'Scopes users consent to' }).fill(scope);
      await page.keyboard.press('Enter');
    }
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/oauth-providers\/[0-9a-f-]{36}\/show$/);
    const providerId = /oauth-providers\/([0-9a-f-]{36})\/show/.exec(page.url())?.[1];
    const stored = await api.prisma.oauthProvider.findFirstOrThrow({ where: { name: providerName } });
    expect(stored).toMatchObject({ id: providerId, issuer: provider.issuer, clientId: provider.clientId, scopes: provider.scopes });
    expect(stored.clientSecretId).toEqual(expect.any(String));
    await page.getByText('Yes: vaulted, never shown').waitFor();
    await page.getByText("Discovered from the issuer's metadata").first().waitFor();
    expect(await page.content()).not.toContain(provider.clientSecret);
    await screenshot('oauth-provider');
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByText('A secret is stored. Leave empty to keep it').waitFor();
    expect(await page.locator('input[name="clientSecret"]').inputValue()).toBe('');
    expect(await page.content()).not.toContain(provider.clientSecret);

    // The wizard: STS is recommended, and it will not go on without a provider.
    await startConnectionWizard({ client: client.name, resource: resource.name }, [/OAuth with user consent/, /API key/]);
    await page.getByText('Recommended: STS.').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(connectionName);
    await page.getByRole('textbox', { name: 'Owner' }).fill('dana@example.test');
    expect(await page.getByRole('link', { name: /Create an OAuth provider/ }).getAttribute('href')).toBe('#/oauth-providers/create');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Required').first().waitFor();
    await page.getByRole('combobox', { name: 'OAuth provider' }).pressSequentially(providerName);
    await page.getByRole('option', { name: providerName }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('definition').filter({ hasText: providerName }).waitFor();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.waitForURL(/#\/connections\/[0-9a-f-]{36}\/show$/);
    const connection = await api.prisma.connection.findFirstOrThrow({ where: { name: connectionName } });
    expect(connection).toMatchObject({ pattern: 'sts', oauthProviderId: providerId });
    const connectionPage = page.url();
    // The provider's page lists the connections using it, and only those.
    await page.getByRole('link', { name: providerName }).click();
    await page.getByRole('row').filter({ hasText: connectionName }).waitFor();
    expect(await page.getByRole('row').count()).toBe(2);

    // A user consents at the real provider; the connection's page lists the consent.
    const userId = await createUser(http, fixture.idpId);
    const user = await api.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    await consentAtProvider(connection.id, userId);
    const consent = await api.prisma.stsConsent.findFirstOrThrow({ where: { connectionId: connection.id, userId } });
    const refreshToken = (await api.app.get(SecretStore).current(consent.refreshTokenSecretId as string)).value.toString('utf8');
    await page.goto(connectionPage);
    await page.getByRole('row').filter({ hasText: user.email as string }).getByText('Held (vaulted)').waitFor();
    await screenshot('sts-connection');

    // Revoked from the consents page: the provider revokes the refresh token, and the dialog says so.
    await page.getByRole('menuitem', { name: 'Consents' }).click();
    const row = page.getByRole('row').filter({ hasText: connectionName }).filter({ hasText: user.email as string });
    await row.getByText('Active').waitFor();
    await screenshot('sts-consents');
    await row.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this consent?' });
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByText('Revoked at the provider: the refresh token no longer works there either.').waitFor();
    await screenshot('sts-consent-revoked');
    expect(await provider.tryRefresh(refreshToken)).toBe('invalid_grant');
    expect(await api.prisma.stsConsent.findUniqueOrThrow({ where: { id: consent.id } })).toMatchObject({ status: 'revoked', upstreamRevocation: 'revoked' });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await row.getByText('Revoked').waitFor();
    expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);

    // A consent without a refresh token (written straight to the database): nothing to revoke upstream, and the page says so.
    const otherId = await createUser(http, fixture.idpId);
    const bare = await api.prisma.stsConsent.create({ data: { connectionId: connection.id, userId: otherId, scopes: ['repo.read'], grantedAt: new Date() } });
    await page.goto(`${api.baseUrl}/#/sts-consents/${bare.id}/show`);
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByText('No refresh token was held, so there was nothing to revoke at the provider: revoked here.').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    // The ended consent keeps the outcome on its page.
    await page.getByText('No refresh token was held').waitFor();
    expect(await api.prisma.stsConsent.findUniqueOrThrow({ where: { id: bare.id } })).toMatchObject({ status: 'revoked', upstreamRevocation: 'none' });
    await screenshot('sts-consent');

    // Saving a change with the password input left empty keeps the secret; removing it is its own choice.
    await page.goto(`${api.baseUrl}/#/oauth-providers/${providerId}`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`${providerName} (renamed)`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/oauth-providers\/[0-9a-f-]{36}\/show$/);
    await page.getByText('Yes: vaulted, never shown').waitFor();
    expect((await api.prisma.oauthProvider.findUniqueOrThrow({ where: { id: stored.id } })).clientSecretId).toBe(stored.clientSecretId);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Remove the stored client secret').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('No: a public client (PKCE only)').waitFor();
    expect((await api.prisma.oauthProvider.findUniqueOrThrow({ where: { id: stored.id } })).clientSecretId).toBeNull();

    expect(await page.content()).not.toContain(provider.clientSecret);
    expect(await page.content()).not.toContain(refreshToken);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('should rotate a vaulted key from its page through the real worker, follow the progress, show the new versions, and show a failed rotation while the key stays active', async () => {
    const hookCredential = unique('hook-credential');
    legacyApi = await new LegacyApi({ hookCredential }).start();
    const target = legacyApi;
    // The worker takes a few seconds to start under tsx: started first, it boots while the page loads.
    worker = startWorkerProcess(api.config, rotationEnvironment);
    const secrets = api.app.get(SecretStore);
    const { connectionId, credentialSecretId, initialKey } = await createRotatableConnection(api.prisma, secrets, { target, hookCredential });
    const versions = page.getByRole('table', { name: 'Credential versions' });
    const version = (number: number) => versions.getByRole('row').filter({ has: page.getByRole('cell', { name: String(number), exact: true }) });
    const progress = page.getByRole('status', { name: 'Rotation progress' });
    // A show field: its label's text, in the label, in the field's own box.
    const field = (label: string) => page.getByText(label, { exact: true }).locator('xpath=../..');
    const lastRotated = field('Last rotated');

    await page.goto(`${api.baseUrl}/#/connections/${connectionId}/show`);
    await version(1).getByText('Active').waitFor();
    expect(await versions.getByRole('row').count()).toBe(2);
    await lastRotated.getByText('Never').waitFor();
    expect(await page.content()).not.toContain(initialKey);

    // The legacy API holds the push, so the page shows the rotation mid-way, at the worker's own step.
    let release = () => {};
    target.hold = new Promise((resolve) => (release = resolve));
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await progress.getByText('queued (0%)').waitFor();
    await progress.getByText('push (25%)').waitFor({ timeout: 30_000 });
    expect(await progress.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    expect(await page.getByRole('button', { name: 'Rotate now' }).isDisabled()).toBe(true);
    await screenshot('rotation-progress');
    target.hold = null;
    release();
    await progress.getByText('Done').waitFor();
    expect(await progress.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');

    // The page refreshed: version 2 active, version 1 retiring through the overlap, and the date filled.
    await version(2).getByText('Active').waitFor();
    await version(1).getByText('Retiring').waitFor();
    const rotated = await api.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    // A relative time ("now", "5 seconds ago") carrying the instant itself.
    await lastRotated.locator(`time[datetime="${rotated.lastRotatedAt!.toISOString()}"]`).waitFor();
    const newKey = (await secrets.current(credentialSecretId)).value.toString('utf8');
    expect(newKey).not.toBe(initialKey);
    expect(target.accepts(newKey)).toBe(true);
    expect(await page.content()).not.toContain(newKey);
    expect(await page.content()).not.toContain(initialKey);
    await screenshot('rotation-done');

    // The hook answers garbage: the rotation fails at the push, the page says why, version 2 stays active.
    target.fault = 'garbage';
    try {
      await page.getByRole('button', { name: 'Rotate now' }).click();
      await progress.getByText('Failed: The rotation hook did not answer with JSON').waitFor({ timeout: 30_000 });
      const alert = page.getByRole('alert').filter({ hasText: 'Rotation failed' });
      await alert.getByText('The rotation hook did not answer with JSON').waitFor();
      // The status badge; the panel below is labelled "Rotation" too.
      await field('Rotation').first().getByText('Failed', { exact: true }).waitFor();
      await version(2).getByText('Active').waitFor();
      expect((await secrets.current(credentialSecretId)).version).toBe(2);
      expect(target.accepts(newKey)).toBe(true);
      expect(await page.getByRole('button', { name: 'Rotate now' }).isEnabled()).toBe(true);
      await screenshot('rotation-failed');
    } finally {
      target.fault = 'none';
    }

    expect(await page.content()).not.toContain(newKey);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
