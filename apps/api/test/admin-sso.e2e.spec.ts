/**
 * Admins sign in to the console through the company IdP, a real `oidc-provider` on loopback:
 * authorization code with PKCE and a nonce, the state bound to the browser and usable once, the role
 * from the IdP's groups through group mappings (again at every sign-in), a second factor for the
 * roles that need one, and local passwords that a deployment can switch off. A browser signs in
 * through the console's sign-in page in headless Chromium, and makes the IdP's SCIM token on its page.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { type Browser, chromium } from 'playwright-core';

import { AdminHttp, createAdmin, freePort, unique } from '@crossgate/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the oidc-provider helper is test support, kept out of the @crossgate/testing index so other suites do not load it
import { driveLogin, type LocalOidcProvider, type OidcProviderUser, startOidcProvider } from '../../../libs/testing/src/oidc-provider.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const builtAdminUi = fileURLToPath(new URL('../../admin/dist', import.meta.url));
const chromiumPath = '/usr/bin/chromium';

let api: TestApi;
let passwordless: TestApi | undefined;
let idp: LocalOidcProvider;
let idpId: string;
let redirectUri: string;
let browser: Browser | undefined;
const client = { clientId: 'crossgate-console', clientSecret: `secret-${unique('console')}` };

function person(groups: string[], amr: string[] = ['pwd', 'otp']): OidcProviderUser {
  const name = unique('sso');
  const user = { sub: name, email: `${name}@bank.example.test`, name: `Dana ${name}`, groups, amr };
  idp.addUser(user);
  return user;
}

/** A browser's cookie jar for one flow, as `name=value` pairs. */
class Jar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const index = pair.indexOf('=');
      const value = pair.slice(index + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) {
        this.cookies.delete(pair.slice(0, index));
      } else {
        this.cookies.set(pair.slice(0, index), value);
      }
    }
  }

  get header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

/** Starts a sign-in as `user` up to the IdP's redirect back: the callback URL and the browser's cookies. */
async function signInAtIdp(user: OidcProviderUser): Promise<{ callback: URL; jar: Jar; authorization: URL }> {
  const jar = new Jar();
  const start = await fetch(`${api.baseUrl}/api/auth/sso/${idpId}/start`, { redirect: 'manual' });
  jar.take(start);
  expect(start.status).toBe(302);
  const authorization = new URL(start.headers.get('location')!);
  const callback = await driveLogin(authorization, redirectUri, user.sub);
  return { callback, jar, authorization };
}

async function finish(callback: URL, jar: Jar): Promise<{ location: string; jar: Jar }> {
  const response = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header } });
  jar.take(response);
  expect(response.status).toBe(302);
  return { location: response.headers.get('location')!, jar };
}

const refusalOf = (location: string) => new URL(location, api.baseUrl).searchParams.get('sso_code');

beforeAll(async () => {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  redirectUri = `${baseUrl}/api/auth/sso/callback`;
  idp = await startOidcProvider([{ ...client, redirectUri }]);
  api = await startTestApi({ PORT: String(port), PUBLIC_URL: baseUrl, ADMIN_MFA_ROLES: 'it-admin,incident-responder', ...(existsSync(builtAdminUi) ? { ADMIN_UI_DIR: builtAdminUi } : {}) });
  const admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  const provider = await admin.post<{ id: string }>('/api/oauth-providers', { name: 'Bank SSO console', issuer: idp.issuer, clientId: client.clientId, clientSecret: client.clientSecret, scopes: ['openid', 'email', 'profile', 'groups'] });
  expect(provider.status).toBe(201);
  const trusted = await admin.post<{ id: string }>('/api/trusted-idps', { name: `Bank SSO ${unique('idp')}`, issuer: idp.issuer, audiences: [client.clientId], adminSignInProviderId: provider.body.id });
  expect(trusted.status).toBe(201);
  idpId = trusted.body.id;
  for (const [externalGroup, adminRole] of [['crossgate-admins', 'it-admin'], ['crossgate-auditors', 'auditor']]) {
    expect((await admin.post('/api/group-mappings', { idpId, externalGroup, adminRole })).status).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await passwordless?.close();
  await api?.close();
  await idp?.close();
});

describe('admin sign-in through the company IdP', () => {
  it('should offer the IdP, redirect with PKCE S256, a state and a nonce, and sign an admin of a mapped group in with that role', async () => {
    const options = await fetch(`${api.baseUrl}/api/auth/sso`).then((response) => response.json() as Promise<{ password: boolean; idps: { id: string; name: string }[] }>);
    expect(options.password).toBe(true);
    expect(options.idps.map((entry) => entry.id)).toContain(idpId);

    const user = person(['crossgate-admins', 'everyone']);
    const { callback, jar, authorization } = await signInAtIdp(user);
    expect(authorization.origin).toBe(idp.issuer);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({ client_id: client.clientId, redirect_uri: redirectUri, response_type: 'code', code_challenge_method: 'S256' });
    expect(authorization.searchParams.get('state')).toMatch(/^\S{20,}$/);
    expect(authorization.searchParams.get('nonce')).toMatch(/^\S{20,}$/);
    expect(authorization.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'groups']));

    const { location } = await finish(callback, jar);
    expect(location).toBe('/#/');
    const me = await fetch(`${api.baseUrl}/api/auth/me`, { headers: { cookie: jar.header } }).then((response) => response.json() as Promise<{ email: string; role: string; displayName: string }>);
    expect(me).toMatchObject({ email: user.email, role: 'it-admin', displayName: user.name });
    const admin = await api.prisma.adminUser.findUniqueOrThrow({ where: { email: user.email } });
    expect(admin.passwordHash).toBeNull();
    const audit = await api.prisma.auditEvent.findFirstOrThrow({ where: { action: 'admin.sign_in', actorId: admin.id, decision: 'allow' } });
    expect(audit.context).toMatchObject({ via: 'sso', idp: idp.issuer, subject: user.sub, amr: ['pwd', 'otp'], role: 'it-admin' });

    // The state is good once: the same response again, even from the same browser, is refused.
    const again = await finish(callback, jar);
    expect(refusalOf(again.location)).toBe('invalid_state');
  });

  it('should refuse a response that started in another browser (login CSRF), and one with no state at all', async () => {
    const { callback } = await signInAtIdp(person(['crossgate-admins']));

    const elsewhere = await finish(callback, new Jar());
    const noState = await fetch(`${api.baseUrl}/api/auth/sso/callback?code=forged`, { redirect: 'manual' });

    expect(refusalOf(elsewhere.location)).toBe('invalid_state');
    expect(elsewhere.jar.get('cg_session')).toBeUndefined();
    expect(noState.status).toBe(302);
    expect(refusalOf(noState.headers.get('location')!)).toBe('invalid_state');
  });

  it('should refuse someone in no mapped group, and an it-admin whose IdP reports no second factor, creating no admin', async () => {
    const outsider = person(['everyone']);
    const singleFactor = person(['crossgate-admins'], ['pwd']);
    const auditor = person(['crossgate-auditors'], ['pwd']);

    const refusedOutsider = await signInAtIdp(outsider).then(({ callback, jar }) => finish(callback, jar));
    const refusedAdmin = await signInAtIdp(singleFactor).then(({ callback, jar }) => finish(callback, jar));
    const signedInAuditor = await signInAtIdp(auditor).then(({ callback, jar }) => finish(callback, jar));

    expect(refusalOf(refusedOutsider.location)).toBe('no_admin_role');
    expect(new URL(refusedAdmin.location, api.baseUrl).searchParams.get('sso_error')).toContain('second factor');
    expect(refusalOf(refusedAdmin.location)).toBe('mfa_required');
    expect(await api.prisma.adminUser.count({ where: { email: { in: [outsider.email, singleFactor.email] } } })).toBe(0);
    // The auditor role needs no second factor here.
    expect(signedInAuditor.location).toBe('/#/');
    expect(await api.prisma.auditEvent.count({ where: { action: 'admin.sign_in', decision: 'deny', actorLabel: singleFactor.email } })).toBe(1);
  });

  it('should take the role from the IdP at every sign-in, and keep a disabled admin out', async () => {
    const user = person(['crossgate-admins']);
    await signInAtIdp(user).then(({ callback, jar }) => finish(callback, jar));

    idp.addUser({ ...user, groups: ['crossgate-auditors'] });
    const { jar } = await signInAtIdp(user).then(({ callback, jar: cookies }) => finish(callback, cookies));
    const me = await fetch(`${api.baseUrl}/api/auth/me`, { headers: { cookie: jar.header } }).then((response) => response.json() as Promise<{ role: string }>);
    await api.prisma.adminUser.update({ where: { email: user.email }, data: { status: 'disabled' } });
    const disabled = await signInAtIdp(user).then(({ callback, jar: cookies }) => finish(callback, cookies));

    expect(me.role).toBe('auditor');
    expect(refusalOf(disabled.location)).toBe('account_disabled');
  });

  it('should turn local passwords off where ADMIN_PASSWORD_SIGN_IN=false, and refuse an IdP admins do not sign in through', async () => {
    passwordless = await startTestApi({ ADMIN_PASSWORD_SIGN_IN: 'false' });
    const options = await fetch(`${passwordless.baseUrl}/api/auth/sso`).then((response) => response.json() as Promise<{ password: boolean }>);
    const password = await AdminHttp.anonymous(passwordless.baseUrl).post<{ message: string }>('/api/auth/sign-in', { email: 'admin@crossgate.local', password: 'correct horse battery staple' });
    const unknown = await fetch(`${api.baseUrl}/api/auth/sso/${crypto.randomUUID()}/start`, { redirect: 'manual' });

    expect(options.password).toBe(false);
    expect(password.status).toBe(403);
    expect(password.body.message).toContain('ADMIN_PASSWORD_SIGN_IN');
    expect(unknown.status).toBe(302);
    expect(refusalOf(unknown.headers.get('location')!)).toBe('unknown_idp');
  });

  it('should sign an admin in from the console sign-in page in a real browser', async () => {
    if (!existsSync(`${builtAdminUi}/index.html`)) {
      throw new Error(`The admin UI is not built (no ${builtAdminUi}/index.html): run \`npm run build:admin\` first.`);
    }
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const user = person(['crossgate-admins']);
    const page = await (await browser.newContext()).newPage();

    await page.goto(`${api.baseUrl}/`);
    await page.getByRole('link', { name: /Sign in with Bank SSO/ }).click();
    // The provider's development login: any password for the account named by its sub, then consent.
    await page.locator('input[name="login"]').fill(user.sub);
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.getByRole('menuitem', { name: 'Dashboard' }).waitFor();

    // The IdP's SCIM token, made on its page and shown once, provisions at /scim/v2.
    await page.goto(`${api.baseUrl}/#/trusted-idps/${idpId}/show`);
    await page.getByRole('button', { name: 'Set SCIM token' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Set token' }).click();
    const token = await page.getByRole('textbox', { name: 'SCIM token' }).inputValue();
    expect(token).toMatch(/^cgscim_/);
    const scim = await fetch(`${api.baseUrl}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(scim.status).toBe(200);

    const refusedPage = await (await browser.newContext()).newPage();
    await refusedPage.goto(`${api.baseUrl}/`);
    idp.addUser({ ...person(['everyone']), sub: 'outsider-in-browser', email: 'outsider@bank.example.test' });
    await refusedPage.getByRole('link', { name: /Sign in with Bank SSO/ }).click();
    await refusedPage.locator('input[name="login"]').fill('outsider-in-browser');
    await refusedPage.locator('input[name="password"]').fill('any password');
    await refusedPage.locator('button[type="submit"]').click();
    await refusedPage.locator('button[type="submit"]').click();
    await expect(refusedPage.getByRole('alert').filter({ hasText: 'mapped to a Crossgate admin role' }).textContent()).resolves.toContain('ask an it-admin');
  }, 90_000);
});
