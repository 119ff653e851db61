/**
 * The console checked as a person would, in a real browser (Debian's Chromium, driven by
 * playwright-core) against the real API serving the built SPA, on a database of its own seeded with
 * the Acme Bank demo data: each role signs in through the form and visits every main page, with no
 * console error and no serious or critical axe-core violation on any of them.
 * Then the things that block real work: finding a record with the global search, setting a client
 * secret from the client's page (shown once, and the one the API now checks), "Rotate now" disabled
 * with its reason when no hook is set, and firing a kill switch with the keyboard alone.
 * Screenshots of every page go to test-results/admin-ui/<role>/ on each run.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { hash, verify } from '@node-rs/argon2';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';

import { loadConfig } from '@crossgate/config';
import { type AdminRole, adminObjects } from '@crossgate/domain';
import { CrudRepository } from '@crossgate/store';
import { createAdmin, createFreshDatabase, type FreshDatabase, type TestAdmin, unique } from '@crossgate/testing';

import { ConnectionCredentialService } from '../src/connections/index.ts';
import { CrudService } from '../src/crud/index.ts';
import { seedDemoData } from '../src/seed/index.ts';
import { builtAdminUi, launchChromium, screenshot as screenshotInto, seriousViolations } from './support/admin-browser.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const screenshotRoot = fileURLToPath(new URL('../../../test-results/admin-ui', import.meta.url));
const password = 'correct horse battery staple';
const roles: readonly AdminRole[] = ['it-admin', 'incident-responder', 'compliance-reviewer', 'auditor'];

/** The admin objects the console has no page for (served to the CLI and the worker only). */
const withoutPage: readonly string[] = ['signing-keys', 'ssf-streams', 'tool-call-approvals'];
/** Every list and computed page of the menu, by its route. */
const listPages = [...adminObjects.filter((object) => !withoutPage.includes(object)), 'effective-access', 'what-if', 'vault', 'my-reviews'];

/** The kinds whose record page is visited. */
const showPages = ['clients', 'users', 'resources', 'connections', 'policies', 'groups', 'trusted-idps', 'audit'];

let database: FreshDatabase;
let api: TestApi;
let browser: Browser;
const admins = {} as Record<AdminRole, TestAdmin>;
/** A record of each kind with a show page worth reading: route → id. */
const shown = new Map<string, string>();
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  database = await createFreshDatabase();
  api = await startTestApi({ DATABASE_URL: database.url, ADMIN_UI_DIR: builtAdminUi, REDIS_PREFIX: `${loadConfig().redis.prefix}:${unique('ui-sweep')}` });
  await seedDemoData(api.app.get(CrudService), api.app.get(CrudRepository), api.config.http.publicUrl, { credentials: api.app.get(ConnectionCredentialService) });
  const passwordHash = await hash(password);
  for (const role of roles) {
    admins[role] = await createAdmin(api.prisma, role, passwordHash);
  }
  const [client, user, resource, connection, policy, group, idp, event] = await Promise.all([
    api.prisma.client.findUniqueOrThrow({ where: { clientId: 'cursor' } }),
    api.prisma.user.findFirstOrThrow({ where: { email: { startsWith: 'alice@' } } }),
    api.prisma.resource.findUniqueOrThrow({ where: { slug: 'jira' } }),
    api.prisma.connection.findFirstOrThrow({ where: { pattern: 'vaulted_key' }, orderBy: { name: 'asc' } }),
    api.prisma.policy.findFirstOrThrow({ where: { status: 'active' }, orderBy: { name: 'asc' } }),
    api.prisma.group.findFirstOrThrow({ where: { name: 'engineering' } }),
    api.prisma.trustedIdp.findFirstOrThrow(),
    api.prisma.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } }),
  ]);
  for (const [route, id] of [
    ['clients', client.id],
    ['users', user.id],
    ['resources', resource.id],
    ['connections', connection.id],
    ['policies', policy.id],
    ['groups', group.id],
    ['trusted-idps', idp.id],
    ['audit', event.seq.toString()],
  ] as const) {
    shown.set(route, id);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await api?.close();
  await database?.drop();
});

/** A page signed in as `role`, collecting what the browser reports as errors. */
interface RolePage {
  page: Page;
  errors: string[];
  /** Requests in flight, to know when a page has settled. */
  pending: Set<unknown>;
}

async function signIn(role: AdminRole): Promise<RolePage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  const pending = new Set<unknown>();
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      errors.push(`console: ${message.text()}`);
    }
  });
  page.on('request', (request) => pending.add(request));
  page.on('requestfinished', (request) => pending.delete(request));
  page.on('requestfailed', (request) => pending.delete(request));
  await page.goto(`${api.baseUrl}/`);
  await page.getByRole('textbox', { name: 'Email' }).fill(admins[role].email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('menuitem', { name: 'Dashboard' }).waitFor();
  // Before signing in, the console asks whether a session exists, and the API's 401 is logged.
  errors.length = 0;
  return { page, errors, pending };
}

/** Waits until no request has been in flight for a moment and react-admin's loading bar is gone. */
async function settled({ page, pending }: RolePage): Promise<void> {
  const deadline = Date.now() + 10_000;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await page.waitForTimeout(100);
    if (pending.size > 0) {
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= 400) {
      break;
    }
  }
  await page.locator('.RaLoadingIndicator-loader, [role="progressbar"].MuiLinearProgress-root:not([aria-valuenow])').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
}

function screenshot(page: Page, role: AdminRole, name: string): Promise<void> {
  return screenshotInto(page, path.join(screenshotRoot, role), name);
}

describe.each(roles)('every main page as %s', (role) => {
  let session: RolePage;

  beforeAll(async () => {
    session = await signIn(role);
  }, 30_000);

  // Record pages differ by role only in their buttons: the IT admin, who has them all, reads each kind.
  const recordPages = role === 'it-admin' ? showPages.map((route) => ({ name: `${route}-show`, route, show: true })) : [];
  const pages = [{ name: 'dashboard', route: '/' }, ...listPages.map((route) => ({ name: route, route: `/${route}` })), ...recordPages];

  it.each(pages)('should draw $name without console errors or serious accessibility violations', async ({ name, route, show }: { name: string; route: string; show?: boolean }) => {
    const { page, errors } = session;
    errors.length = 0;
    const hashRoute = show ? `/${route}/${shown.get(route)}/show` : route;

    await page.goto(`${api.baseUrl}/#${hashRoute}`);
    await page.locator('#main-content').waitFor();
    await settled(session);
    await screenshot(page, role, name);

    expect(await page.getByText(/^(Not found|Access denied)$/i).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

/** Presses Tab until the focused element is `name` (a button or link), at most `limit` times. */
async function tabTo(page: Page, name: string, limit = 120): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const active = (globalThis as unknown as { document: { activeElement: { textContent: string | null; getAttribute(name: string): string | null } | null } }).document.activeElement;
      return active ? (active.getAttribute('aria-label') ?? active.textContent ?? '').trim() : '';
    });
    if (focused === name) {
      return;
    }
  }
  throw new Error(`"${name}" was not reached with ${limit} presses of Tab`);
}

describe('the things that block real work', () => {
  it('should find an agent by part of its name with the global search and open its page', async () => {
    const session = await signIn('compliance-reviewer');
    const { page } = session;
    const cursor = await api.prisma.client.findUniqueOrThrow({ where: { clientId: 'cursor' } });

    await page.getByRole('combobox', { name: 'Search everything' }).pressSequentially(cursor.name.slice(0, 4));
    await page.getByRole('option', { name: `${cursor.name} ${cursor.clientId}`, exact: true }).click();

    await page.waitForURL(`**/#/clients/${cursor.id}/show`);
    await page.getByRole('heading', { name: new RegExp(cursor.name) }).first().waitFor();
    expect(session.errors).toEqual([]);
  });

  it("should set a client secret from the client's page, show it once, and store what the token endpoint then checks", async () => {
    const session = await signIn('it-admin');
    const { page } = session;
    const client = await api.prisma.client.findUniqueOrThrow({ where: { clientId: 'slack' } });

    await page.goto(`${api.baseUrl}/#/clients/${client.id}/show`);
    const verb = client.secretHash === null ? 'Set' : 'Reset';
    await page.getByRole('button', { name: `${verb} client secret` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: `${verb} secret` }).click();
    const field = dialog.getByRole('textbox', { name: 'Client secret' });
    await field.waitFor();
    const secret = await field.inputValue();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'it-admin', 'client-secret-shown-once');
    await dialog.getByRole('button', { name: 'I have stored it' }).click();

    const stored = await api.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await verify(stored.secretHash!, secret)).toBe(true);
    // Shown once: gone from the page, which now offers a reset.
    await page.getByRole('button', { name: 'Reset client secret' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(session.errors).toEqual([]);
  });

  it('should offer Rotate now disabled, with the reason, for a vaulted key without a rotation hook', async () => {
    const session = await signIn('it-admin');
    const { page } = session;
    const connection = await api.prisma.connection.findFirstOrThrow({ where: { pattern: 'vaulted_key', rotationHookUrl: null, credentialSecretId: { not: null } } });

    await page.goto(`${api.baseUrl}/#/connections/${connection.id}/show`);

    const button = page.getByRole('button', { name: 'Rotate now' });
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
    await page.getByText(/^No rotation hook is set: edit the connection to add the rotation hook URL/).waitFor();
    expect(await button.getAttribute('aria-describedby')).toBe('rotation-blocked');
    expect(session.errors).toEqual([]);
  });

  it('should list every vaulted credential in the vault, and only those, without their values', async () => {
    const session = await signIn('auditor');
    const { page } = session;
    const [vaulted, xaa] = await Promise.all([
      api.prisma.connection.findMany({ where: { pattern: { in: ['vaulted_key', 'service_account'] }, deletedAt: null } }),
      api.prisma.connection.findFirstOrThrow({ where: { pattern: 'xaa' } }),
    ]);

    await page.goto(`${api.baseUrl}/#/vault`);
    await page.getByRole('cell', { name: vaulted[0]!.name, exact: true }).waitFor();

    expect(vaulted.length).toBeGreaterThan(0);
    for (const connection of vaulted) {
      expect(await page.getByRole('cell', { name: connection.name, exact: true }).count()).toBe(1);
    }
    expect(await page.getByRole('cell', { name: xaa.name, exact: true }).count()).toBe(0);
    expect(session.errors).toEqual([]);
  });

  it("should fire a user's kill switch with the keyboard alone", async () => {
    const session = await signIn('incident-responder');
    const { page } = session;
    const user = await api.prisma.user.findFirstOrThrow({ where: { email: { startsWith: 'bob@' } } });
    const reason = unique('Phished session');

    await page.goto(`${api.baseUrl}/#/users/${user.id}/show`);
    await page.getByRole('button', { name: 'Kill switch' }).waitFor();
    await settled(session);
    await tabTo(page, 'Kill switch');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Fire a kill switch' });
    await dialog.waitFor();
    // The reason has the focus.
    await page.keyboard.type(reason);
    await dialog.getByRole('button', { name: 'Fire', exact: true }).and(page.locator(':enabled')).waitFor();
    await tabTo(page, 'Fire');
    await page.keyboard.press('Enter');

    await page.waitForURL(/#\/kill-switches\/[0-9a-f-]{36}\/show$/);
    const stored = await api.prisma.killSwitch.findFirstOrThrow({ where: { reason } });
    expect(stored).toMatchObject({ scope: 'user', userId: user.id, state: 'active', createdBy: admins['incident-responder'].email });
    await screenshot(page, 'incident-responder', 'kill-switch-fired-by-keyboard');
    expect(session.errors).toEqual([]);
  });
});
