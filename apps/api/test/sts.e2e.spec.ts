/**
 * The STS pattern over real HTTP: a real `oidc-provider` plays the third-party OAuth provider
 * (PKCE required, refresh tokens rotated, RFC 7009 revocation, userinfo), users consent headlessly
 * through its development interactions, and the broker is called directly as the token-exchange
 * grant will call it. What the provider says about a token (userinfo, a refresh attempt) is the
 * proof that revocation happened there.
 */
import { AuditLogRepository, SecretStore } from '@crossgate/store';
import { AdminHttp, createAdmin, listQuery, unique } from '@crossgate/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the stand-in IdP is test support of the token library
import { createLocalIdp, type LocalIdp } from '../../../libs/token/src/test-support/local-idp.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the local third-party provider is test support, imported by path like oidc-provider.ts
import { driveLogin, type LocalOAuthProvider, startOAuthProvider } from '../../../libs/testing/src/oauth-provider.ts';
import { OAuthError } from '../src/http/index.ts';
import { StsBroker } from '../src/sts/index.ts';
import { freePort, startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let admin: AdminHttp;
let provider: LocalOAuthProvider;
let broker: StsBroker;
let secrets: SecretStore;
let idp: LocalIdp;
let idpId: string;
let idpClientId: string;
let connectionId: string;
let providerId: string;
let callbackUri: string;

interface TestUser {
  id: string;
  subject: string;
}

async function newUser(): Promise<TestUser> {
  const subject = unique('alice');
  const row = await api.prisma.user.create({ data: { idpId, subject, email: `${subject}@example.test` } });
  return { id: row.id, subject };
}

/** The OAuthError the broker throws for a user without a usable consent, with its consent URI. */
async function consentRequired(user: TestUser): Promise<{ error: OAuthError; consentUri: string }> {
  const error = await broker.accessTokenFor({ connectionId, userId: user.id }).then(
    () => {
      throw new Error('expected the broker to ask for consent');
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OAuthError);
  const oauthError = error as OAuthError;
  expect(oauthError.code).toBe('invalid_grant');
  const consentUri = oauthError.members['consent_uri'];
  expect(consentUri).toMatch(new RegExp(`^${api.baseUrl}/sts/consent/[\\w-]{43}$`));
  return { error: oauthError, consentUri: consentUri as string };
}

/** Signs the user in at the provider and consents, up to (not including) Crossgate's callback. */
async function callbackAfterConsent(user: TestUser): Promise<URL> {
  const { consentUri } = await consentRequired(user);
  return driveLogin(new URL(consentUri), callbackUri, user.subject);
}

async function consent(user: TestUser): Promise<void> {
  const response = await fetch(await callbackAfterConsent(user));
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('Consent recorded');
}

async function consentRow(user: TestUser) {
  return api.prisma.stsConsent.findUnique({ where: { connectionId_userId: { connectionId, userId: user.id } } });
}

async function auditOf(action: string, targetId: string | null) {
  return api.prisma.auditEvent.findMany({ where: { action, ...(targetId === null ? {} : { targetId }) }, orderBy: { seq: 'asc' } });
}

/** Every upstream token a test saw, for the last test's scan of the audit log. */
const seenTokens: string[] = [];

function json(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => (typeof member === 'bigint' ? member.toString() : member));
}

function idToken(user: TestUser, audience = idpClientId): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return idp.idToken({ aud: audience, sub: user.subject, iat: now, exp: now + 300, auth_time: now - 60 });
}

beforeAll(async () => {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  api = await startTestApi({ PORT: String(port), PUBLIC_URL: baseUrl });
  callbackUri = `${baseUrl}/sts/callback`;
  provider = await startOAuthProvider({ redirectUri: callbackUri });
  admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  broker = api.app.get(StsBroker);
  secrets = api.app.get(SecretStore);

  idp = await createLocalIdp(`https://${unique('idp')}.example.test`);
  idpId = (await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: idp.issuer, jwks: idp.jwks as object, audiences: [] } })).id;
  idpClientId = unique('agent-at-idp');
  const client = await api.prisma.client.create({ data: { clientId: unique('agent'), name: 'agent', owner: 'tests@example.test', authMethod: 'none', idpClientId } });
  const slug = unique('github').toLowerCase();
  const resource = await api.prisma.resource.create({ data: { slug, name: slug, authorizationServer: `https://${slug}.example.test`, resourceIndicators: [`https://${slug}.example.test/api`], owner: 'tests@example.test' } });
  await api.directoryChanged();

  const created = await admin.post<Record<string, unknown>>('/api/oauth-providers', {
    name: unique('GitHub'),
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    scopes: provider.scopes,
  });
  expect(created.status).toBe(201);
  providerId = created.body['id'] as string;
  const connection = await admin.post<{ id: string }>('/api/connections', { name: unique('github'), clientId: client.id, resourceId: resource.id, pattern: 'sts', owner: 'tests@example.test', oauthProviderId: providerId });
  expect(connection.status).toBe(201);
  connectionId = connection.body.id;
});

afterAll(async () => {
  await api.close();
  await provider.close();
});

describe('OAuth providers (admin API)', () => {
  it('should vault the client secret and never return it', async () => {
    const fetched = await admin.get<Record<string, unknown>>(`/api/oauth-providers/${providerId}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ issuer: provider.issuer, clientId: provider.clientId, hasClientSecret: true, scopes: provider.scopes });
    expect(fetched.body).not.toHaveProperty('clientSecret');
    expect(fetched.body).not.toHaveProperty('clientSecretId');
    const listed = await admin.get<unknown[]>('/api/oauth-providers');
    expect(JSON.stringify(listed.body)).not.toContain(provider.clientSecret);
    const row = await api.prisma.oauthProvider.findUniqueOrThrow({ where: { id: providerId } });
    const secret = await api.prisma.secret.findUniqueOrThrow({ where: { id: row.clientSecretId as string } });
    expect(secret.purpose).toBe('oauth_client_secret');
    const events = await api.prisma.auditEvent.findMany({ where: { targetId: providerId } });
    expect(json(events)).not.toContain(provider.clientSecret);
  });

  it('should replace the client secret with a new vaulted one, retiring the old, and keep the provider in use undeletable', async () => {
    const other = await admin.post<Record<string, unknown>>('/api/oauth-providers', { name: unique('Other'), issuer: provider.issuer, clientId: 'other', clientSecret: 'first-secret-value' });
    expect(other.status).toBe(201);
    const id = other.body['id'] as string;
    const before = (await api.prisma.oauthProvider.findUniqueOrThrow({ where: { id } })).clientSecretId as string;
    const updated = await admin.put<Record<string, unknown>>(`/api/oauth-providers/${id}`, { ...other.body, clientSecret: 'second-secret-value' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ hasClientSecret: true });
    const after = (await api.prisma.oauthProvider.findUniqueOrThrow({ where: { id } })).clientSecretId as string;
    expect(after).not.toBe(before);
    expect((await secrets.versions(before)).map((version) => version.state)).toEqual(['retired']);
    expect((await secrets.current(after)).value.toString()).toBe('second-secret-value');
    expect((await admin.delete(`/api/oauth-providers/${providerId}`)).status).toBe(409);
  });

  it('should refuse an STS connection without a provider', async () => {
    const response = await admin.post<{ fieldErrors?: Record<string, string> }>('/api/connections', { name: unique('bare'), clientId: (await api.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } })).clientId, resourceId: (await api.prisma.resource.create({ data: { slug: unique('r').toLowerCase(), name: 'r', authorizationServer: `https://${unique('r')}.example.test`, resourceIndicators: [], owner: 'tests@example.test' } })).id, pattern: 'sts', owner: 'tests@example.test' });
    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body)).toContain('an STS connection needs an OAuth provider');
  });
});

describe('STS consent and brokering', () => {
  it('should vault the refresh token once the user consents, and broker an access token the provider accepts', async () => {
    const user = await newUser();
    await consent(user);
    const row = await consentRow(user);
    expect(row).toMatchObject({ status: 'active', scopes: expect.arrayContaining(['repo.read']) as unknown });
    const secretId = row?.refreshTokenSecretId as string;
    expect((await api.prisma.secret.findUniqueOrThrow({ where: { id: secretId } })).purpose).toBe('sts_refresh_token');
    expect((await auditOf('sts_consent_granted', row?.id ?? null)).map((event) => event.decision)).toEqual(['allow']);

    const token = await broker.accessTokenFor({ connectionId, userId: user.id, scopes: ['repo.read'] });
    seenTokens.push(token.accessToken, (await secrets.open(secretId, 1)).value.toString(), (await secrets.current(secretId)).value.toString());
    expect(token.expiresAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(token.scope.split(' ')).toContain('repo.read');
    expect(await provider.userinfo(token.accessToken)).toEqual({ status: 200, sub: user.subject });

    // The provider rotated the refresh token: the new one is the active version, the used one retired.
    expect((await secrets.versions(secretId)).map((version) => [version.version, version.state])).toEqual([[2, 'active'], [1, 'retired']]);
    const refreshes = await auditOf('sts_token_refresh', row?.id ?? null);
    expect(refreshes.map((event) => [event.decision, (event.context as { rotated: boolean; keyVersion: number }).rotated, (event.context as { keyVersion: number }).keyVersion])).toEqual([['allow', true, 2]]);

    // Cached until shortly before it expires: no second refresh.
    const before = provider.refreshes;
    expect((await broker.accessTokenFor({ connectionId, userId: user.id })).accessToken).toBe(token.accessToken);
    expect(provider.refreshes).toBe(before);
    await expect(broker.accessTokenFor({ connectionId, userId: user.id, scopes: ['admin'] })).rejects.toMatchObject({ code: 'invalid_scope' });
  });

  it('should refresh once for many concurrent callers, so the rotating provider keeps the grant', async () => {
    const user = await newUser();
    await consent(user);
    const before = provider.refreshes;
    const tokens = await Promise.all(Array.from({ length: 12 }, () => broker.accessTokenFor({ connectionId, userId: user.id })));
    expect(provider.refreshes - before).toBe(1);
    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    expect((await provider.userinfo(tokens[0]!.accessToken)).status).toBe(200);
    const secretId = (await consentRow(user))?.refreshTokenSecretId as string;
    expect((await secrets.versions(secretId)).map((version) => version.state)).toEqual(['active', 'retired']);
  });

  it('should let the user withdraw with their ID token, revoking the refresh token at the provider', async () => {
    const user = await newUser();
    await consent(user);
    await broker.accessTokenFor({ connectionId, userId: user.id });
    const row = await consentRow(user);
    const refreshToken = (await secrets.current(row?.refreshTokenSecretId as string)).value.toString();
    seenTokens.push(refreshToken);

    const anonymous = await fetch(`${api.baseUrl}/sts/consents/${connectionId}`, { method: 'DELETE' });
    expect(anonymous.status).toBe(400);
    const stranger = await fetch(`${api.baseUrl}/sts/consents/${connectionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${await idToken(user, 'someone-else')}` } });
    expect(stranger.status).toBe(401);
    expect(await stranger.json()).toMatchObject({ error: 'invalid_token' });

    const withdrawn = await fetch(`${api.baseUrl}/sts/consents/${connectionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${await idToken(user)}` } });
    expect(withdrawn.status).toBe(200);
    expect(await withdrawn.json()).toEqual({ id: row?.id, status: 'withdrawn', upstreamRevocation: 'revoked' });
    expect(await provider.tryRefresh(refreshToken)).toBe('invalid_grant');
    expect(await consentRow(user)).toMatchObject({ status: 'withdrawn', upstreamRevocation: 'revoked' });
    expect((await secrets.versions(row?.refreshTokenSecretId as string)).every((version) => version.state === 'retired')).toBe(true);
    expect(await auditOf('sts_consent_withdrawn', row?.id ?? null)).toHaveLength(1);

    const again = await consentRequired(user);
    expect(again.error.description).toMatch(/withdrawn/);
    const twice = await fetch(`${api.baseUrl}/sts/consents/${connectionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${await idToken(user)}` } });
    expect(twice.status).toBe(404);
  });

  it('should let an admin list and revoke a consent, revoking it at the provider', async () => {
    const user = await newUser();
    await consent(user);
    const row = await consentRow(user);
    const refreshToken = (await secrets.current(row?.refreshTokenSecretId as string)).value.toString();
    const listed = await admin.get<Record<string, unknown>[]>(`/api/sts-consents${listQuery({ filter: { userId: user.id } })}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: row?.id, status: 'active', hasRefreshToken: true })]);
    expect(listed.body[0]).not.toHaveProperty('refreshTokenSecretId');

    const revoked = await admin.post<Record<string, unknown>>(`/api/sts-consents/${row?.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ id: row?.id, status: 'revoked', upstreamRevocation: 'revoked' });
    expect(await provider.tryRefresh(refreshToken)).toBe('invalid_grant');
    expect(await consentRow(user)).toMatchObject({ status: 'revoked', revokedBy: expect.stringContaining('@') as unknown });
    expect((await admin.post(`/api/sts-consents/${row?.id}/revoke`)).status).toBe(409);
    expect((await admin.post(`/api/sts-consents/${unique('x')}/revoke`)).status).toBe(404);
    const [event] = await auditOf('sts_consent_revoked', row?.id ?? null);
    expect(event).toMatchObject({ actorType: 'api_token', decision: 'allow' });
    await consentRequired(user);
  });

  it('should revoke locally and record the failure when the provider is down', async () => {
    const user = await newUser();
    await consent(user);
    const row = await consentRow(user);
    provider.setDown(true);
    try {
      const revoked = await admin.post<Record<string, unknown>>(`/api/sts-consents/${row?.id}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', upstreamRevocation: 'failed' });
    } finally {
      provider.setDown(false);
    }
    expect(await consentRow(user)).toMatchObject({ status: 'revoked', upstreamRevocation: 'failed' });
    const [event] = await auditOf('sts_consent_revoked', row?.id ?? null);
    expect(event?.context).toMatchObject({ upstreamRevocation: 'failed' });
    await consentRequired(user);
  });

  it('should end the consent and ask again when the provider refuses the refresh token', async () => {
    const user = await newUser();
    await consent(user);
    const row = await consentRow(user);
    // Someone else redeems the vaulted refresh token: the rotating provider now refuses Crossgate's copy.
    expect(await provider.tryRefresh((await secrets.current(row?.refreshTokenSecretId as string)).value.toString())).toBe('200');
    const { error } = await consentRequired(user);
    expect(error.description).toMatch(/no longer honours/);
    expect(await consentRow(user)).toMatchObject({ status: 'revoked', revokedBy: 'provider' });
    expect((await auditOf('sts_token_refresh', row?.id ?? null)).map((event) => event.decision)).toEqual(['deny']);
    // A new consent works again.
    await consent(user);
    expect((await provider.userinfo((await broker.accessTokenFor({ connectionId, userId: user.id })).accessToken)).status).toBe(200);
  });
});

describe('STS consent refusals', () => {
  it('should refuse an unknown, expired or reused consent URI', async () => {
    const user = await newUser();
    const { consentUri } = await consentRequired(user);
    const first = await fetch(consentUri, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const location = new URL(first.headers.get('location') as string);
    expect(location.origin).toBe(provider.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('redirect_uri')).toBe(callbackUri);
    expect(location.searchParams.get('nonce')).toMatch(/.{20,}/);
    const reused = await fetch(consentUri, { redirect: 'manual' });
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('not valid');
    const guessed = await fetch(`${api.baseUrl}/sts/consent/${'A'.repeat(43)}`, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect(guessed.status).toBe(400);
    expect(await guessed.json()).toEqual({ error: 'invalid_consent_uri', error_description: expect.any(String) as unknown });
  });

  it('should refuse a callback with an unknown state, store nothing and audit it', async () => {
    const before = (await auditOf('sts_consent_granted', null)).filter((event) => event.decision === 'deny').length;
    const response = await fetch(`${api.baseUrl}/sts/callback?state=forged&code=whatever`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_state' });
    const missing = await fetch(`${api.baseUrl}/sts/callback?code=whatever`);
    expect(missing.status).toBe(400);
    const denied = (await auditOf('sts_consent_granted', null)).filter((event) => event.decision === 'deny');
    expect(denied.length - before).toBe(2);
    expect(denied.at(-1)?.reason).toMatch(/^state: /);
  });

  it('should refuse a wrong code, then the replayed state, storing nothing', async () => {
    const user = await newUser();
    const callback = await callbackAfterConsent(user);
    const wrong = new URL(callback);
    wrong.searchParams.set('code', 'not-the-code');
    const refused = await fetch(wrong);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Nothing was stored');
    const replayed = await fetch(callback);
    expect(replayed.status).toBe(400);
    expect(await consentRow(user)).toBeNull();
    const denied = (await api.prisma.auditEvent.findMany({ where: { action: 'sts_consent_granted', decision: 'deny' } })).filter((event) => (event.context as { userId?: string }).userId === user.id);
    expect(denied.map((event) => event.reason?.split(':')[0])).toEqual(['code']);
  });

  it('should refuse a state used once already', async () => {
    const user = await newUser();
    const callback = await callbackAfterConsent(user);
    expect((await fetch(callback)).status).toBe(200);
    expect((await fetch(callback)).status).toBe(400);
    expect((await consentRow(user))?.status).toBe('active');
  });

  it('should show the provider’s refusal when the user declines', async () => {
    const user = await newUser();
    const { consentUri } = await consentRequired(user);
    const location = new URL((await fetch(consentUri, { redirect: 'manual' })).headers.get('location') as string);
    const state = location.searchParams.get('state') as string;
    const declined = await fetch(`${callbackUri}?${new URLSearchParams({ error: 'access_denied', state, iss: provider.issuer }).toString()}`);
    expect(declined.status).toBe(400);
    expect(await declined.text()).toContain('access_denied');
    expect(await consentRow(user)).toBeNull();
  });

  it('should never write a brokered token or the client secret into the audit log', async () => {
    expect(seenTokens.length).toBeGreaterThanOrEqual(4);
    let count = 0;
    for await (const event of api.app.get(AuditLogRepository).stream()) {
      count += 1;
      const text = json(event);
      for (const token of [...seenTokens, provider.clientSecret]) {
        expect(text).not.toContain(token);
      }
    }
    expect(count).toBeGreaterThan(10);
  });
});
