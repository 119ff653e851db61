/**
 * Crossgate's resource-side authorization server over real HTTP: real ID-JAGs minted by Crossgate's
 * IdP role (token exchange with a stand-in upstream IdP's ID token) redeemed with the JWT-bearer
 * grant at `<public URL>/ras/<slug>`, access tokens verified against the published JWKS,
 * introspection and revocation, two API instances racing for one ID-JAG, and every validation of
 * SPEC.md §3.2 refused with the right error (hostile inputs).
 */
import { randomUUID } from 'node:crypto';

import { discoverAuthorizationServerMetadata, exchangeJwtAuthGrant } from '@modelcontextprotocol/client';
import { CompactSign, createRemoteJWKSet, type CryptoKey, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';

import { Coordination } from '@crossgate/coordination';
import { SigningKeyRepository } from '@crossgate/store';
import { AdminHttp, createActivePolicy, createAdmin, unique } from '@crossgate/testing';
import { generateSigningKey, grantTypes, type SigningKey, tokenTypes } from '@crossgate/token';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the stand-in IdP is test support of the token library
import { createLocalIdp, type LocalIdp, signJwt } from '../../../libs/token/src/test-support/local-idp.ts';
import { hashPassword } from '../src/auth/index.ts';
import { killSwitchMaxAgeMs } from '../src/kill-switches/index.ts';
import { revokedKeyOf, revokedSetReadyKey } from '../src/ras/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const secret = 'correct horse battery staple, 32+ chars';
const idJagProfile = 'urn:ietf:params:oauth:grant-profile:id-jag';

let api: TestApi;
let second: TestApi;
let admin: AdminHttp;
/** A second it-admin, who approves the policies `admin` writes (the two-person rule). */
let approver: AdminHttp;
let idp: LocalIdp;
let foreignIdp: LocalIdp;
let groupName: string;
/** The stand-in IdP's users' group; policies name it rather than `everyone`, which other suites' effective-access answers would see. */
let groupId: string;
let agent: TestClient;
let otherAgent: TestClient;
let keyAgent: TestClient;
let publicAgent: TestClient;
let resourceServer: TestClient;
let clientKey: SigningKey;
let mcp: ProtectedResource;
let other: ProtectedResource;
let idpKey: { privateKey: CryptoKey; kid: string };

interface TestClient {
  id: string;
  clientId: string;
  idpClientId: string;
}

interface ProtectedResource {
  id: string;
  slug: string;
  issuer: string;
  indicator: string;
}

async function newClient(authMethod = 'client_secret_basic'): Promise<TestClient> {
  const clientId = unique('agent');
  const row = await api.prisma.client.create({
    data: {
      clientId,
      name: clientId,
      kind: 'ai_agent',
      owner: 'tests@example.test',
      authMethod: authMethod as never,
      scopeCeiling: [],
      idpClientId: `${clientId}-at-idp`,
      secretHash: authMethod.startsWith('client_secret') ? await hashPassword(secret) : null,
      ...(authMethod === 'private_key_jwt' ? { jwks: { keys: [clientKey.publicJwk] } as object } : {}),
    },
  });
  return { id: row.id, clientId, idpClientId: `${clientId}-at-idp` };
}

async function newProtectedResource(extra: Record<string, unknown> = {}): Promise<ProtectedResource> {
  const slug = unique('mcp').toLowerCase();
  const indicator = `https://${slug}.example.test/mcp`;
  const created = await admin.post<{ id: string; authorizationServer: string }>('/api/resources', {
    slug,
    name: slug,
    kind: 'mcp_server',
    resourceIndicators: [indicator],
    scopes: [{ name: 'notes.read' }, { name: 'notes.write' }, { name: 'notes.delete' }],
    owner: 'tests@example.test',
    rasEnabled: true,
    introspectionClientIds: [resourceServer.id],
    ...extra,
  });
  if (created.status !== 201) {
    throw new Error(`POST /api/resources answered ${created.status}: ${JSON.stringify(created.body)}`);
  }
  await createActivePolicy(admin, approver, { name: unique('policy'), clientId: agent.id, resourceId: created.body.id, subjectGroupIds: [groupId], scopes: ['notes.read', 'notes.write'] });
  await createActivePolicy(admin, approver, { name: unique('policy'), clientId: keyAgent.id, resourceId: created.body.id, subjectGroupIds: [groupId], scopes: ['notes.read'] });
  return { id: created.body.id, slug, issuer: created.body.authorizationServer, indicator };
}

beforeAll(async () => {
  api = await startTestApi();
  second = await startTestApi();
  admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  approver = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  idp = await createLocalIdp(`https://${unique('idp')}.example.test`);
  foreignIdp = await createLocalIdp(`https://${unique('okta')}.example.test`);
  clientKey = await generateSigningKey();
  await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: idp.issuer, jwks: idp.jwks as object, audiences: [] } });
  groupName = unique('support');
  groupId = (await api.prisma.group.create({ data: { name: groupName } })).id;
  agent = await newClient();
  otherAgent = await newClient();
  keyAgent = await newClient('private_key_jwt');
  publicAgent = await newClient('none');
  resourceServer = await newClient();
  mcp = await newProtectedResource();
  other = await newProtectedResource();
  await api.directoryChanged();
  const key = await api.app.get(SigningKeyRepository).activeKey('idp');
  idpKey = { privateKey: key.privateKey, kid: key.kid };
});

afterAll(async () => {
  await second?.close();
  await api?.close();
});

function basic(clientId: string, password = secret): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(password)}`).toString('base64')}`;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** `private_key_jwt` for keyAgent, addressed to `audience`. */
async function clientAssertionParameters(audience: string): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ iss: keyAgent.clientId, sub: keyAgent.clientId, aud: audience, iat: now, exp: now + 60, jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: clientKey.kid })
    .sign(clientKey.privateKey);
  return { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
}

async function postForm(url: string, parameters: Record<string, string | undefined>, authorization: string | null, extra: Record<string, string> = {}, raw?: string): Promise<Answer> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...parameters, ...extra })) {
    if (value !== undefined) {
      form.append(name, value);
    }
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization === null ? {} : { authorization }) },
    body: raw ?? form.toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** A real ID-JAG: an upstream ID token exchanged at Crossgate's IdP role for `resource`. */
async function idJag(resource: ProtectedResource = mcp, client: TestClient = agent, scope = 'notes.read notes.write', subject = unique('alice')): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const idToken = await idp.idToken({ aud: client.idpClientId, sub: subject, iat: now, exp: now + 300, groups: [groupName] });
  const answer = await postForm(
    `${api.baseUrl}/oauth2/token`,
    { grant_type: grantTypes.tokenExchange, requested_token_type: tokenTypes.idJag, subject_token_type: tokenTypes.idToken, subject_token: idToken, audience: resource.issuer, scope },
    client === keyAgent ? null : basic(client.clientId),
    client === keyAgent ? await clientAssertionParameters(api.config.http.publicUrl) : {},
  );
  if (answer.status !== 200) {
    throw new Error(`The exchange answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body['access_token'] as string;
}

function redeem(assertion: string | undefined, extra: Record<string, string | undefined> = {}, authorization: string | null = basic(agent.clientId), base = api.baseUrl, resource = mcp): Promise<Answer> {
  return postForm(`${base}/ras/${resource.slug}/token`, { grant_type: grantTypes.jwtBearer, assertion, ...extra }, authorization);
}

function introspect(token: string, authorization: string | null = basic(resourceServer.clientId), base = api.baseUrl, resource = mcp): Promise<Answer> {
  return postForm(`${base}/ras/${resource.slug}/introspect`, { token }, authorization);
}

function revoke(token: string, authorization: string | null = basic(agent.clientId), resource = mcp): Promise<Answer> {
  return postForm(`${api.baseUrl}/ras/${resource.slug}/revoke`, { token }, authorization);
}

async function auditEventsOf(answer: Answer) {
  const requestId = answer.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  return api.prisma.auditEvent.findMany({ where: { requestId: requestId as string } });
}

/** Signs an ID-JAG-shaped token with Crossgate's IdP key (or another), from the claims of a real one plus `claims`. */
async function forge(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, privateKey: CryptoKey = idpKey.privateKey): Promise<string> {
  const base = decodeJwt(await idJag());
  return signJwt({ ...base, jti: randomUUID(), ...claims }, { alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: idpKey.kid, ...header }, privateKey);
}

async function expectRefusal(answer: Answer, status: number, error: string, reason?: string): Promise<void> {
  expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status, error });
  expect(answer.headers.get('cache-control')).toBe('no-store');
  const events = await auditEventsOf(answer);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ decision: 'deny' });
  expect(events[0]!.reason).toContain(error);
  if (reason !== undefined) {
    expect(events[0]!.reason).toContain(reason);
  }
}

describe('protected resources in the admin API', () => {
  it("should set the authorization server to the resource's Crossgate issuer when protection is switched on", async () => {
    expect(mcp.issuer).toBe(`${api.config.http.publicUrl}/ras/${mcp.slug}`);
    const row = await api.prisma.resource.findUniqueOrThrow({ where: { id: mcp.id } });
    expect(row).toMatchObject({ rasEnabled: true, accessTokenLifetimeSeconds: 300, rasTrustsCrossgateIdp: true });
  });

  it('should refuse another authorization server for a protected resource, and a lifetime over an hour', async () => {
    const slug = unique('bad').toLowerCase();
    const body = { slug, name: slug, resourceIndicators: [`https://${slug}.example.test`], owner: 'tests@example.test', rasEnabled: true };
    const mismatch = await admin.post<{ error: string; message: string }>('/api/resources', { ...body, authorizationServer: 'https://as.example.test' });
    expect(mismatch.status).toBe(422);
    expect(JSON.stringify(mismatch.body)).toContain(`/ras/${slug}`);
    expect((await admin.post('/api/resources', { ...body, accessTokenLifetimeSeconds: 3601 })).status).toBe(422);
  });

  it("should refuse a Crossgate issuer as another trusted ID-JAG issuer, and one without keys", async () => {
    expect((await admin.post('/api/ras-trusted-issuers', { resourceId: mcp.id, issuer: api.config.http.publicUrl, jwks: idp.jwks })).status).toBe(422);
    expect((await admin.post('/api/ras-trusted-issuers', { resourceId: mcp.id, issuer: other.issuer, jwks: idp.jwks })).status).toBe(422);
    expect((await admin.post('/api/ras-trusted-issuers', { resourceId: mcp.id, issuer: foreignIdp.issuer })).status).toBe(422);
  });
});

describe('GET /.well-known/oauth-authorization-server/ras/:slug', () => {
  it('should publish RFC 8414 metadata that advertises the ID-JAG profile and no trusted issuer', async () => {
    const response = await fetch(`${api.baseUrl}/.well-known/oauth-authorization-server/ras/${mcp.slug}`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: mcp.issuer,
      token_endpoint: `${mcp.issuer}/token`,
      jwks_uri: `${mcp.issuer}/jwks`,
      introspection_endpoint: `${mcp.issuer}/introspect`,
      revocation_endpoint: `${mcp.issuer}/revoke`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      authorization_grant_profiles_supported: [idJagProfile],
      response_types_supported: [],
      scopes_supported: ['notes.read', 'notes.write', 'notes.delete'],
    });
    expect(metadata['token_endpoint_auth_methods_supported']).toEqual(expect.arrayContaining(['client_secret_basic', 'private_key_jwt']));
    expect(JSON.stringify(metadata)).not.toContain(idp.issuer);
    expect(JSON.stringify(metadata)).not.toContain(`"${api.config.http.publicUrl}"`);
  });

  it("should be accepted by the MCP SDK's discovery, and redeem through its exchangeJwtAuthGrant", async () => {
    // The issuer names PUBLIC_URL; the test API listens elsewhere, so the SDK's requests are sent there.
    const fetchFn = (url: string | URL, init?: RequestInit) => fetch(String(url).replace(api.config.http.publicUrl, api.baseUrl), init);
    const metadata = await discoverAuthorizationServerMetadata(mcp.issuer, { fetchFn });
    expect(metadata).toMatchObject({ issuer: mcp.issuer, token_endpoint: `${mcp.issuer}/token`, authorization_grant_profiles_supported: [idJagProfile] });
    const refused = await fetch(`${api.baseUrl}/ras/${mcp.slug}/authorize?response_type=code`);
    expect({ status: refused.status, body: await refused.json() }).toMatchObject({ status: 400, body: { error: 'unsupported_response_type' } });

    // The SDK sends client_secret_basic credentials without RFC 6749 §2.3.1 form-encoding, so a
    // secret with '+' or '%' would not survive it; Crossgate's generated secrets are base64url.
    const sdkAgent = await newClient();
    await createActivePolicy(admin, approver, { name: unique('policy'), clientId: sdkAgent.id, resourceId: mcp.id, subjectGroupIds: [groupId], scopes: ['notes.read'] });
    await api.directoryChanged();
    const assertion = await idJag(mcp, sdkAgent, 'notes.read');
    const plainSecret = 'Zk9sYW1hbmRlci1wbGFpbi1zZWNyZXQtMzJjaGFycw';
    await api.prisma.client.update({ where: { id: sdkAgent.id }, data: { secretHash: await hashPassword(plainSecret) } });
    await api.directoryChanged();
    const tokens = await exchangeJwtAuthGrant({ tokenEndpoint: metadata!.token_endpoint, jwtAuthGrant: assertion, clientId: sdkAgent.clientId, clientSecret: plainSecret, fetchFn });
    expect(tokens).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), expires_in: 300 });
    expect(tokens).not.toHaveProperty('refresh_token');
  });

  it('should answer 404 for an unknown slug and for a resource Crossgate does not protect', async () => {
    const plain = unique('plain').toLowerCase();
    await api.prisma.resource.create({ data: { slug: plain, name: plain, authorizationServer: `https://${plain}.example.test`, resourceIndicators: [`https://${plain}.example.test/api`], owner: 'tests@example.test' } });
    await api.directoryChanged();
    for (const slug of ['no-such-resource', plain]) {
      expect((await fetch(`${api.baseUrl}/.well-known/oauth-authorization-server/ras/${slug}`)).status).toBe(404);
      expect((await redeem(await idJag(), {}, basic(agent.clientId), api.baseUrl, { ...mcp, slug })).status).toBe(404);
      expect((await fetch(`${api.baseUrl}/ras/${slug}/jwks`)).status).toBe(404);
    }
  });
});

describe('POST /ras/:slug/token (JWT bearer grant)', () => {
  it('should redeem a real ID-JAG for an RFC 9068 access token bound to the resource, record it and audit once', async () => {
    const subject = unique('alice');
    const assertion = await idJag(mcp, agent, 'notes.read notes.write', subject);

    const answer = await redeem(assertion);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 300, scope: 'notes.read notes.write' });
    const accessToken = answer.body['access_token'] as string;
    const header = decodeProtectedHeader(accessToken);
    expect(header.typ).toBe('at+jwt');
    const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${api.baseUrl}/ras/${mcp.slug}/jwks`)), { issuer: mcp.issuer, audience: mcp.indicator, typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: mcp.issuer, aud: mcp.indicator, sub: subject, client_id: agent.clientId, scope: 'notes.read notes.write' });
    expect(payload.exp! - payload.iat!).toBe(300);
    // Its own key: none of the IdP role's keys, none of another protected resource's.
    const idpKids = ((await (await fetch(`${api.baseUrl}/oauth2/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    const otherKids = ((await (await fetch(`${api.baseUrl}/ras/${other.slug}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    expect([...idpKids, ...otherKids]).not.toContain(header.kid);

    const user = await api.prisma.user.findFirstOrThrow({ where: { subject } });
    expect(await api.prisma.issuedToken.findUniqueOrThrow({ where: { jti: payload.jti! } })).toMatchObject({ kind: 'access_token', clientId: agent.id, resourceId: mcp.id, userId: user.id, scopes: ['notes.read', 'notes.write'] });
    const events = await auditEventsOf(answer);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'jwt_bearer_redemption', decision: 'allow', actorType: 'client', actorId: agent.id, targetId: mcp.id });
    expect(events[0]!.context).toMatchObject({ clientId: agent.clientId, userId: user.id, jti: payload.jti, idJagJti: decodeJwt(assertion).jti, idJagIssuer: api.config.http.publicUrl });
    const stored = JSON.stringify({ ...events[0], seq: undefined });
    expect(stored).not.toContain(assertion.split('.')[2]);
    expect(stored).not.toContain(accessToken.split('.')[2]);
  });

  it('should narrow to the requested scope and issue for the per-resource lifetime', async () => {
    const longLived = await newProtectedResource({ accessTokenLifetimeSeconds: 3600 });
    await api.directoryChanged();
    const answer = await redeem(await idJag(longLived), { scope: 'notes.read', resource: longLived.indicator }, basic(agent.clientId), api.baseUrl, longLived);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'notes.read' });
  });

  it('should authenticate a private_key_jwt client whose assertion is addressed to this issuer only', async () => {
    const assertion = await idJag(mcp, keyAgent, 'notes.read');
    await expectRefusal(await redeem(assertion, await clientAssertionParameters(api.config.http.publicUrl), null), 401, 'invalid_client');
    const answer = await redeem(assertion, await clientAssertionParameters(mcp.issuer), null);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', scope: 'notes.read' });
  });

  it('should redeem an ID-JAG only once, even when two API instances race for it', async () => {
    const assertion = await idJag();
    const answers = await Promise.all([api, second, api, second, api, second].map((instance) => redeem(assertion, {}, basic(agent.clientId), instance.baseUrl)));

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(refused.map((answer) => answer.body['error'])).toEqual(Array(5).fill('invalid_grant'));
    for (const answer of refused) {
      expect((await auditEventsOf(answer))[0]!.reason).toContain('jti replay');
    }
    expect(await api.prisma.redeemedAssertion.count({ where: { jti: decodeJwt(assertion).jti! } })).toBe(1);
    // And later, too: the record is in PostgreSQL.
    await expectRefusal(await redeem(assertion, {}, basic(agent.clientId), second.baseUrl), 400, 'invalid_grant', 'jti replay');
  });

  it('should redeem an ID-JAG again until it expires where the resource allows reuse (DESIGN decision 1), each time for a fresh access token', async () => {
    const reusable = await newProtectedResource({ idJagReusable: true });
    await api.directoryChanged();
    await second.directoryChanged();
    const assertion = await idJag(reusable);

    const answers = [];
    for (const instance of [api, second]) {
      answers.push(await redeem(assertion, {}, basic(agent.clientId), instance.baseUrl, reusable));
    }

    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const tokens = answers.map((answer) => decodeJwt(String(answer.body['access_token'])));
    expect(tokens[0]!.jti).not.toBe(tokens[1]!.jti);
    const events = await Promise.all(answers.map(auditEventsOf));
    expect(events.map((list) => (list[0]!.context as Record<string, unknown>)['reused'])).toEqual([false, true]);
    expect(await api.prisma.redeemedAssertion.count({ where: { jti: decodeJwt(assertion).jti! } })).toBe(1);
  });

  it('should redeem an ID-JAG of another issuer configured for the resource, with its pinned keys, for a known user', async () => {
    const trusted = await admin.post('/api/ras-trusted-issuers', { resourceId: mcp.id, issuer: foreignIdp.issuer, jwks: foreignIdp.jwks });
    expect(trusted.status).toBe(201);
    const idpRow = await api.prisma.trustedIdp.create({ data: { name: unique('Okta'), issuer: foreignIdp.issuer, jwks: foreignIdp.jwks as object, audiences: [] } });
    const user = await api.prisma.user.create({ data: { idpId: idpRow.id, subject: unique('bob') } });
    await api.directoryChanged();
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: foreignIdp.issuer, aud: mcp.issuer, client_id: agent.clientId, scope: 'notes.read', iat: now, exp: now + 300 };
    const sign = (extra: Record<string, unknown>) => signJwt({ ...claims, jti: randomUUID(), ...extra }, { alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: foreignIdp.key.kid }, foreignIdp.key.privateKey);

    const answer = await redeem(await sign({ sub: user.subject }));
    expect(answer.body).toMatchObject({ token_type: 'Bearer', scope: 'notes.read' });
    expect((await auditEventsOf(answer))[0]!.context).toMatchObject({ userId: user.id, idJagIssuer: foreignIdp.issuer });

    await expectRefusal(await redeem(await sign({ sub: unique('nobody') })), 400, 'invalid_grant', 'not a known user');
    await expectRefusal(await redeem(await sign({ sub: user.subject }), {}, basic(agent.clientId), api.baseUrl, other), 400, 'invalid_grant');
  });

  it("should refuse ID-JAGs of Crossgate's IdP role where the resource does not trust it", async () => {
    const distrustful = await newProtectedResource({ rasTrustsCrossgateIdp: false });
    await api.directoryChanged();
    await expectRefusal(await redeem(await idJag(distrustful), {}, basic(agent.clientId), api.baseUrl, distrustful), 400, 'invalid_grant', 'does not accept');
  });

  it("should sign with a rotated key within seconds, and keep the earlier tokens verifiable and active", async () => {
    const before = (await redeem(await idJag())).body['access_token'] as string;
    const rotated = await admin.post<{ activated: { kid: string } }>('/api/signing-keys/rotate', { role: `ras:${mcp.slug}` });
    expect(rotated.status).toBe(200);
    // Every instance reads the active key again within a few seconds; this one is asked directly.
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    const after = (await redeem(await idJag())).body['access_token'] as string;
    expect(decodeProtectedHeader(after).kid).toBe(rotated.body.activated.kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(rotated.body.activated.kid);
    for (const token of [before, after]) {
      expect((await introspect(token)).body).toMatchObject({ active: true });
    }
    expect((await admin.post('/api/signing-keys/rotate', { role: 'ras:../idp' })).status).toBe(422);
  });

  it('should refuse every redemption while a kill switch covers the user', async () => {
    const subject = unique('mallory');
    const assertion = await idJag(mcp, agent, 'notes.read', subject);
    const user = await api.prisma.user.findFirstOrThrow({ where: { subject } });
    const killSwitch = await api.prisma.killSwitch.create({ data: { scope: 'user', userId: user.id, reason: 'test', createdBy: 'tests' } });
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 50));
    try {
      await expectRefusal(await redeem(assertion), 400, 'invalid_grant', 'kill switch');
    } finally {
      await api.prisma.killSwitch.update({ where: { id: killSwitch.id }, data: { liftedAt: new Date() } });
    }
  });
});

describe('hostile redemptions (SPEC.md §3.2, §7)', () => {
  it('should refuse a request without client authentication, with a wrong secret, or from a public client', async () => {
    const assertion = await idJag();
    await expectRefusal(await redeem(assertion, {}, null), 401, 'invalid_client');
    await expectRefusal(await redeem(assertion, {}, basic(agent.clientId, 'wrong secret, wrong secret, wrong')), 401, 'invalid_client');
    await expectRefusal(await redeem(assertion, { client_id: publicAgent.clientId }, null), 400, 'unauthorized_client');
    // Nothing was consumed: the rightful client still redeems it.
    expect((await redeem(assertion)).status).toBe(200);
  });

  it('should refuse a missing assertion, another grant type, and a repeated parameter with invalid_request', async () => {
    await expectRefusal(await redeem(undefined), 400, 'invalid_request');
    await expectRefusal(await postForm(`${api.baseUrl}/ras/${mcp.slug}/token`, { grant_type: grantTypes.tokenExchange }, basic(agent.clientId)), 400, 'unsupported_grant_type');
    await expectRefusal(await postForm(`${api.baseUrl}/ras/${mcp.slug}/token`, {}, basic(agent.clientId), {}, `grant_type=${encodeURIComponent(grantTypes.jwtBearer)}&assertion=a&assertion=b`), 400, 'invalid_request');
  });

  it('should refuse an ID-JAG issued to another client', async () => {
    await expectRefusal(await redeem(await idJag(), {}, basic(otherAgent.clientId)), 400, 'invalid_grant', 'another client');
  });

  it('should refuse an ID-JAG for another resource', async () => {
    await expectRefusal(await redeem(await idJag(other)), 400, 'invalid_grant', 'another audience');
  });

  it.each([
    ['typ missing', {}, { typ: undefined }, 'typ'],
    ['typ JWT', {}, { typ: 'JWT' }, 'typ'],
    ['typ with the application/ prefix', {}, { typ: 'application/oauth-id-jag+jwt' }, 'typ'],
    ['typ in upper case', {}, { typ: 'OAUTH-ID-JAG+JWT' }, 'typ'],
    ['typ of an access token', {}, { typ: 'at+jwt' }, 'typ'],
    ['aud of the IdP role', { aud: 'IDP' }, {}, 'audience'],
    ['aud with a second member', { aud: ['SELF', 'https://elsewhere.example.test'] }, {}, 'audience'],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 400 }, {}, 'expired'],
    ['issued in the future', { iat: Math.floor(Date.now() / 1000) + 600, exp: Math.floor(Date.now() / 1000) + 700 }, {}, 'future'],
    ['not valid before a future nbf', { nbf: Math.floor(Date.now() / 1000) + 600 }, {}, 'not valid yet'],
    ['living longer than 600 s', { iat: Math.floor(Date.now() / 1000) - 10, exp: Math.floor(Date.now() / 1000) + 900 }, {}, 'longer than 600'],
    ['without jti', { jti: undefined }, {}, '"jti"'],
    ['without sub', { sub: undefined }, {}, '"sub"'],
    ['without client_id', { client_id: undefined }, {}, '"client_id"'],
    ['with a key-carrying jku header', {}, { jku: 'https://attacker.example.test/jwks' }, 'jku'],
    ['with an unknown kid', {}, { kid: 'no-such-key' }, 'No key'],
    ['from an untrusted issuer', { iss: 'https://untrusted.example.test' }, {}, 'does not accept'],
    ['issued under the issuer of this authorization server', { iss: 'SELF' }, {}, 'never redeemed under the issuer that minted it'],
    ['for a resource the authorization server does not serve', { resource: 'https://elsewhere.example.test/mcp' }, {}, 'another resource'],
    ['with a scope outside the resource catalogue', { scope: 'notes.read admin.everything' }, {}, 'does not define'],
    ['bound to a key (cnf) without DPoP', { cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }, {}, 'DPoP'],
  ])('should refuse an ID-JAG %s with invalid_grant', async (_name, claims: Record<string, unknown>, header: Record<string, unknown>, reason: string) => {
    const resolved = Object.fromEntries(
      Object.entries(claims).map(([name, value]) => [name, value === 'SELF' ? mcp.issuer : value === 'IDP' ? api.config.http.publicUrl : Array.isArray(value) ? value.map((member) => (member === 'SELF' ? mcp.issuer : member)) : value]),
    );
    await expectRefusal(await redeem(await forge(resolved, header)), 400, 'invalid_grant', reason);
  });

  it('should refuse a token re-signed with a foreign key, alg none, HS256 and a JWE', async () => {
    const foreignKey = await generateSigningKey();
    await expectRefusal(await redeem(await forge({}, {}, foreignKey.privateKey)), 400, 'invalid_grant', 'signature does not verify');
    const [header, payload] = (await forge()).split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'oauth-id-jag+jwt' })).toString('base64url');
    await expectRefusal(await redeem(`${noneHeader}.${payload}.`), 400, 'invalid_grant', 'alg "none" is not allowed');
    const hs256 = await new SignJWT(decodeJwt(await forge())).setProtectedHeader({ alg: 'HS256', typ: 'oauth-id-jag+jwt' }).sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
    await expectRefusal(await redeem(hs256), 400, 'invalid_grant', 'alg "HS256" is not allowed');
    await expectRefusal(await redeem(`${header}.${payload}.c2ln.aXY.dGFn`), 400, 'invalid_grant', 'not a compact JWS');
  });

  it('should refuse a requested resource outside the ID-JAG with invalid_target, and a wider scope with invalid_scope', async () => {
    await expectRefusal(await redeem(await idJag(), { resource: 'https://elsewhere.example.test/mcp' }), 400, 'invalid_target');
    await expectRefusal(await redeem(await idJag(mcp, agent, 'notes.read'), { scope: 'notes.read notes.write' }), 400, 'invalid_scope');
  });

  it('should refuse an ID token, an access token, a client assertion and a SET offered as the assertion', async () => {
    const now = Math.floor(Date.now() / 1000);
    const idToken = await idp.idToken({ aud: agent.idpClientId, iat: now, exp: now + 300 });
    const accessToken = (await redeem(await idJag())).body['access_token'] as string;
    const clientAssertion = await new SignJWT({ iss: agent.clientId, sub: agent.clientId, aud: mcp.issuer, iat: now, exp: now + 60, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: idpKey.kid })
      .sign(idpKey.privateKey);
    const securityEvent = await signJwt(
      { iss: api.config.http.publicUrl, aud: mcp.issuer, iat: now, jti: randomUUID(), events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {} } },
      { alg: 'ES256', typ: 'secevent+jwt', kid: idpKey.kid },
      idpKey.privateKey,
    );
    for (const token of [idToken, accessToken, clientAssertion, securityEvent]) {
      await expectRefusal(await redeem(token), 400, 'invalid_grant', 'is not accepted here');
    }
  });

  it('should refuse a huge token with invalid_request and a deeply nested one with invalid_grant', async () => {
    await expectRefusal(await redeem(await forge({ padding: 'x'.repeat(20_000) })), 400, 'invalid_request', 'too long');
    const claims = JSON.stringify({ ...decodeJwt(await idJag()), jti: randomUUID() });
    const nested = `${claims.slice(0, -1)},"nested":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`;
    const deep = await new CompactSign(new TextEncoder().encode(nested)).setProtectedHeader({ alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: idpKey.kid }).sign(idpKey.privateKey);
    await expectRefusal(await redeem(deep), 400, 'invalid_grant', 'nests deeper');
    const garbage = await redeem('not.a.jwt');
    await expectRefusal(garbage, 400, 'invalid_grant');
  });
});

describe('POST /ras/:slug/introspect and /revoke', () => {
  let accessToken: string;

  beforeAll(async () => {
    accessToken = (await redeem(await idJag())).body['access_token'] as string;
  });

  it("should tell the resource's resource server what a live token is, on every instance, and audit it", async () => {
    for (const instance of [api, second]) {
      const answer = await introspect(accessToken, basic(resourceServer.clientId), instance.baseUrl);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.body).toMatchObject({ active: true, iss: mcp.issuer, aud: mcp.indicator, client_id: agent.clientId, scope: 'notes.read notes.write', token_type: 'Bearer', jti: decodeJwt(accessToken).jti });
    }
    const answer = await introspect(accessToken);
    const events = await auditEventsOf(answer);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'token_introspection', decision: 'allow', actorId: resourceServer.id });
    // The agent the token was issued to is attributable (a context key naming a token would be redacted).
    expect(events[0]!.context).toMatchObject({ issuedToClientId: agent.clientId, jti: decodeJwt(accessToken).jti, outcome: 'active' });
    expect(JSON.stringify({ ...events[0], seq: undefined })).not.toContain(accessToken.split('.')[2]);
  });

  it('should refuse callers that are not its resource servers, and unauthenticated ones', async () => {
    await expectRefusal(await introspect(accessToken, basic(agent.clientId)), 400, 'unauthorized_client');
    await expectRefusal(await introspect(accessToken, null), 401, 'invalid_client');
  });

  it('should answer only active:false for garbage, an ID-JAG, and a token of another resource', async () => {
    const otherToken = (await redeem(await idJag(other), {}, basic(agent.clientId), api.baseUrl, other)).body['access_token'] as string;
    for (const token of ['garbage', await idJag(), otherToken]) {
      expect((await introspect(token)).body).toEqual({ active: false });
    }
    expect((await introspect(otherToken, basic(resourceServer.clientId), api.baseUrl, other)).body).toMatchObject({ active: true });
  });

  it("should let a client revoke only its own tokens, answer 200 for unknown ones, and make the revocation visible at once on every instance", async () => {
    const token = (await redeem(await idJag())).body['access_token'] as string;
    await expectRefusal(await revoke(token, basic(otherAgent.clientId)), 400, 'unauthorized_client');
    expect((await introspect(token)).body).toMatchObject({ active: true });

    expect((await revoke('no-such-token')).status).toBe(200);
    const answer = await revoke(token);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const [event] = await auditEventsOf(answer);
    expect(event).toMatchObject({ action: 'token_revocation', decision: 'allow', actorId: agent.id });
    expect(event!.context).toMatchObject({ issuedToClientId: agent.clientId, outcome: 'revoked' });
    expect(await api.prisma.issuedToken.findUniqueOrThrow({ where: { jti: decodeJwt(token).jti! } })).toMatchObject({ revokedAt: expect.any(Date) });
    for (const instance of [api, second]) {
      expect((await introspect(token, basic(resourceServer.clientId), instance.baseUrl)).body).toEqual({ active: false });
    }
  });

  it('should keep a revoked token inactive after Redis lost its data', async () => {
    const token = (await redeem(await idJag())).body['access_token'] as string;
    expect((await revoke(token)).status).toBe(200);
    // What the authorization servers keep in Redis disappears, as after a restart without persistence.
    const coordination = api.app.get(Coordination);
    const jti = decodeJwt(token).jti!;
    expect(await coordination.getMany([revokedSetReadyKey, revokedKeyOf(jti)])).toEqual([expect.any(String), '1']);
    await coordination.delete(revokedSetReadyKey, revokedKeyOf(jti));
    expect((await introspect(token, basic(resourceServer.clientId), second.baseUrl)).body).toEqual({ active: false });
  });

  it('should keep a token a kill switch covered inactive after the switch is lifted, and serve tokens issued after it', async () => {
    const killed = (await redeem(await idJag())).body['access_token'] as string;
    const killSwitch = await api.prisma.killSwitch.create({ data: { scope: 'client', clientId: agent.id, reason: 'test', createdBy: 'tests' } });
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 50));
    expect((await introspect(killed)).body).toEqual({ active: false });
    await api.prisma.killSwitch.update({ where: { id: killSwitch.id }, data: { state: 'lifted', liftedAt: new Date() } });
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 50));

    const fresh = (await redeem(await idJag())).body['access_token'] as string;
    expect((await introspect(fresh)).body).toMatchObject({ active: true });
    expect((await introspect(killed)).body).toEqual({ active: false });
  });

  it("should refuse redemptions and report tokens inactive while a kill switch covers the pair's XAA connection", async () => {
    const token = (await redeem(await idJag())).body['access_token'] as string;
    const assertion = await idJag();
    const connection = await api.prisma.connection.create({ data: { name: unique('xaa'), clientId: agent.id, resourceId: mcp.id, pattern: 'xaa', owner: 'tests@example.test' } });
    const killSwitch = await api.prisma.killSwitch.create({ data: { scope: 'connection', connectionId: connection.id, clientId: agent.id, resourceId: mcp.id, reason: 'test', createdBy: 'tests' } });
    try {
      await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 50));
      expect((await introspect(token)).body).toEqual({ active: false });
      await expectRefusal(await redeem(assertion), 400, 'invalid_grant', 'kill switch');
    } finally {
      await api.prisma.killSwitch.update({ where: { id: killSwitch.id }, data: { state: 'lifted', liftedAt: new Date() } });
      await api.prisma.connection.delete({ where: { id: connection.id } });
      await api.directoryChanged();
      await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 50));
    }
  });

  it('should report a token inactive while a kill switch covers its client', async () => {
    const token = (await redeem(await idJag())).body['access_token'] as string;
    expect((await introspect(token)).body).toMatchObject({ active: true });
    const killSwitch = await api.prisma.killSwitch.create({ data: { scope: 'app_pair', clientId: agent.id, resourceId: mcp.id, reason: 'test', createdBy: 'tests' } });
    try {
      await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 50));
      expect((await introspect(token)).body).toEqual({ active: false });
    } finally {
      await api.prisma.killSwitch.update({ where: { id: killSwitch.id }, data: { liftedAt: new Date() } });
    }
  });
});
