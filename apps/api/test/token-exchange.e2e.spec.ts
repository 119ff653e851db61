/**
 * The token endpoint's token-exchange grant over real HTTP: a stand-in upstream IdP (real keys,
 * pinned on its TrustedIdp row) signs ID tokens, clients authenticate with a secret or a signed
 * assertion, and the returned ID-JAG is verified against Crossgate's published JWKS.
 */
import { randomUUID } from 'node:crypto';

import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';

import { AuditLogRepository } from '@crossgate/store';
import { AdminHttp, createActivePolicy, createAdmin, unique } from '@crossgate/testing';
import { generateSigningKey, grantTypes, pairwiseSubject, type SigningKey, tokenTypes } from '@crossgate/token';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the stand-in IdP is test support of the token library
import { createLocalIdp, type LocalIdp } from '../../../libs/token/src/test-support/local-idp.ts';
import { hashPassword } from '../src/auth/index.ts';
import { killSwitchMaxAgeMs } from '../src/kill-switches/index.ts';
import { PolicyEngineService } from '../src/policies/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const secret = 'correct horse battery staple, 32+ chars';

let api: TestApi;
let admin: AdminHttp;
/** A second it-admin, who approves the policies `admin` writes (the two-person rule). */
let approver: AdminHttp;
let idp: LocalIdp;
let idpId: string;
let clientKey: SigningKey;
let basicClient: TestClient;
let jwtClient: TestClient;
let publicClient: TestClient;
let resource: { id: string; audience: string; indicator: string };
let lonelyResource: { id: string; audience: string; indicator: string };
let groupName: string;
/** The group of the stand-in IdP's users; policies name it rather than `everyone`, which other suites' effective-access answers would see. */
let groupId: string;
let supportPolicy: string;

interface TestClient {
  id: string;
  clientId: string;
  idpClientId: string;
}

async function newClient(authMethod: string, scopeCeiling: string[] = []): Promise<TestClient> {
  const clientId = unique('client');
  const idpClientId = `${clientId}-at-idp`;
  const row = await api.prisma.client.create({
    data: {
      clientId,
      name: clientId,
      owner: 'tests@example.test',
      authMethod: authMethod as never,
      scopeCeiling,
      idpClientId,
      secretHash: authMethod.startsWith('client_secret') ? await hashPassword(secret) : null,
      ...(authMethod === 'private_key_jwt' ? { jwks: { keys: [clientKey.publicJwk] } as object } : {}),
    },
  });
  return { id: row.id, clientId, idpClientId };
}

async function newResource(): Promise<{ id: string; audience: string; indicator: string }> {
  const slug = unique('jira').toLowerCase();
  const audience = `https://${slug}.example.test`;
  const indicator = `${audience}/api`;
  const row = await api.prisma.resource.create({
    data: {
      slug,
      name: slug,
      authorizationServer: audience,
      resourceIndicators: [indicator],
      scopes: ['issues.read', 'issues.write', 'issues.delete', 'comments.write'].map((name) => ({ name })),
      owner: 'tests@example.test',
    },
  });
  return { id: row.id, audience, indicator };
}

async function newPolicy(body: Record<string, unknown>): Promise<string> {
  return createActivePolicy(admin, approver, { name: unique('policy'), ...body });
}

beforeAll(async () => {
  api = await startTestApi();
  admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  approver = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  idp = await createLocalIdp(`https://${unique('idp')}.example.test`);
  clientKey = await generateSigningKey();
  idpId = (await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: idp.issuer, jwks: idp.jwks as object, audiences: [] } })).id;
  basicClient = await newClient('client_secret_basic', ['issues.read', 'comments.write', 'issues.delete']);
  jwtClient = await newClient('private_key_jwt');
  publicClient = await newClient('none');
  resource = await newResource();
  lonelyResource = await newResource();
  groupName = unique('support');
  groupId = (await api.prisma.group.create({ data: { name: groupName } })).id;
  supportPolicy = await newPolicy({ clientId: basicClient.id, resourceId: resource.id, subjectGroupIds: [groupId], scopes: ['issues.read', 'comments.write'] });
  await newPolicy({ clientId: basicClient.id, resourceId: resource.id, subjectGroupIds: [groupId], scopes: ['issues.delete'], conditions: { requiredAcr: ['phr'] } });
  await newPolicy({ clientId: jwtClient.id, resourceId: resource.id, subjectGroupIds: [groupId], scopes: ['issues.read'], conditions: { maxLifetimeSeconds: 60 } });
  await api.app.get(PolicyEngineService).refresh();
});

afterAll(async () => {
  await api.close();
});

function basic(clientId: string, password: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(password)}`).toString('base64')}`;
}

/** An ID token from the stand-in IdP, issued now to `client`. */
function idToken(client: TestClient, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return idp.idToken({ aud: client.idpClientId, sub: unique('alice'), iat: now, exp: now + 300, auth_time: now - 60, groups: [groupName], ...claims }, header);
}

async function clientAssertion(client: TestClient): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: client.clientId, sub: client.clientId, aud: api.config.http.publicUrl, iat: now, exp: now + 60, jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: clientKey.kid })
    .sign(clientKey.privateKey);
}

interface Exchange {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function post(body: string, headers: Record<string, string>): Promise<Exchange> {
  const response = await fetch(`${api.baseUrl}/oauth2/token`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** A token-exchange request; `parameters` override the defaults, `undefined` removes one. */
async function exchange(parameters: Record<string, string | undefined>, authorization: string | null = basic(basicClient.clientId, secret)): Promise<Exchange> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries({
    grant_type: grantTypes.tokenExchange,
    requested_token_type: tokenTypes.idJag,
    subject_token_type: tokenTypes.idToken,
    audience: resource.audience,
    ...parameters,
  })) {
    if (value !== undefined) {
      form.append(name, value);
    }
  }
  return post(form.toString(), { 'content-type': 'application/x-www-form-urlencoded', ...(authorization === null ? {} : { authorization }) });
}

async function auditEventsOf(response: Exchange) {
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  return api.prisma.auditEvent.findMany({ where: { requestId: requestId as string } });
}

async function expectRefusal(response: Exchange, status: number, error: string): Promise<void> {
  expect({ status: response.status, error: response.body['error'] }).toEqual({ status, error });
  expect(response.headers.get('cache-control')).toBe('no-store');
  const events = await auditEventsOf(response);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ action: 'token_exchange', decision: 'deny' });
  expect(events[0]!.reason).toContain(error);
}

async function verifyIdJag(token: string, audience: string) {
  const jwks = createRemoteJWKSet(new URL(`${api.baseUrl}/oauth2/jwks`));
  return jwtVerify(token, jwks, { issuer: api.config.http.publicUrl, audience, typ: 'oauth-id-jag+jwt' });
}

describe('POST /oauth2/token (token exchange)', () => {
  it('should issue an ID-JAG to a client_secret_basic client, record it and audit the exchange once', async () => {
    const subject = unique('alice');
    const token = await idToken(basicClient, { sub: subject, acr: 'pwd', amr: ['pwd'], email: `${subject}@example.test` });

    const response = await exchange({ subject_token: token, resource: resource.indicator, scope: 'issues.read comments.write' });

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({ issued_token_type: tokenTypes.idJag, access_token: expect.any(String), token_type: 'N_A', expires_in: 300, scope: 'issues.read comments.write' });
    const idJag = response.body['access_token'] as string;
    expect(decodeProtectedHeader(idJag).typ).toBe('oauth-id-jag+jwt');
    const { payload } = await verifyIdJag(idJag, resource.audience);
    expect(payload).toMatchObject({ iss: api.config.http.publicUrl, sub: subject, aud: resource.audience, client_id: basicClient.clientId, resource: resource.indicator, scope: 'issues.read comments.write', acr: 'pwd', amr: ['pwd'] });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(typeof payload.jti).toBe('string');
    expect(typeof payload['auth_time']).toBe('number');
    expect(payload['email']).toBeUndefined();

    const user = await api.prisma.user.findFirstOrThrow({ where: { idpId, subject }, include: { memberships: { include: { group: true } } } });
    expect(user.memberships.map((membership) => [membership.group.name, membership.source])).toEqual([[groupName, 'id_token']]);
    const issued = await api.prisma.issuedToken.findUniqueOrThrow({ where: { jti: payload.jti! } });
    expect(issued).toMatchObject({ kind: 'id_jag', clientId: basicClient.id, resourceId: resource.id, userId: user.id, scopes: ['issues.read', 'comments.write'] });
    const events = await auditEventsOf(response);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'token_exchange', decision: 'allow', actorType: 'client', actorId: basicClient.id, actorLabel: basicClient.clientId });
    expect(events[0]!.context).toMatchObject({ clientId: basicClient.clientId, userId: user.id, resourceId: resource.id, jti: payload.jti, policyIds: [supportPolicy] });
    const stored = JSON.stringify({ ...events[0], seq: undefined });
    expect(stored).not.toContain(idJag.split('.')[2]);
    expect(stored).not.toContain(token.split('.')[2]);
  });

  it('should give a pairwise sub, the client id registered at the resource AS, and the email to a resource configured so', async () => {
    const slug = unique('crm').toLowerCase();
    const audience = `https://${slug}.example.test`;
    const created = await admin.post<{ id: string }>('/api/resources', {
      slug,
      name: slug,
      authorizationServer: audience,
      resourceIndicators: [`${audience}/mcp`],
      scopes: [{ name: 'issues.read', risk: 'low' }],
      owner: 'tests@example.test',
      subjectType: 'pairwise',
      releaseEmail: true,
    });
    expect(created.status).toBe(201);
    expect((await admin.post('/api/client-registrations', { clientId: basicClient.id, resourceId: created.body.id, remoteClientId: 'crm-app-4711' })).status).toBe(201);
    await newPolicy({ clientId: basicClient.id, resourceId: created.body.id, subjectGroupIds: [groupId], scopes: ['issues.read'] });
    const subject = unique('paula');

    const response = await exchange({ subject_token: await idToken(basicClient, { sub: subject, email: 'paula@example.test' }), audience });

    expect(response.status).toBe(200);
    const { payload } = await verifyIdJag(response.body['access_token'] as string, audience);
    expect(payload).toMatchObject({ sub: pairwiseSubject(api.config.subjects.pairwiseSecret, audience, idp.issuer, subject), client_id: 'crm-app-4711', email: 'paula@example.test' });
    expect(payload.sub).not.toBe(subject);
    // The same user at the other resource keeps the IdP's subject and gets no email.
    const plain = await exchange({ subject_token: await idToken(basicClient, { sub: subject, email: 'paula@example.test' }), resource: resource.indicator });
    expect(plain.body).toMatchObject({ token_type: "N_A" });
    expect(decodeJwt(plain.body["access_token"] as string)).toMatchObject({ sub: subject, client_id: basicClient.clientId });
    expect(decodeJwt(plain.body['access_token'] as string)['email']).toBeUndefined();
  });

  it('should issue an ID-JAG to a private_key_jwt client, implying the resource, within the policy lifetime', async () => {
    const response = await exchange(
      { subject_token: await idToken(jwtClient), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await clientAssertion(jwtClient) },
      null,
    );

    expect(response.body).toMatchObject({ token_type: 'N_A', expires_in: 60, scope: 'issues.read' });
    const { payload } = await verifyIdJag(response.body['access_token'] as string, resource.audience);
    expect(payload).toMatchObject({ client_id: jwtClient.clientId, resource: resource.indicator, scope: 'issues.read' });
    expect((await auditEventsOf(response)).map((event) => event.decision)).toEqual(['allow']);
  });

  it('should narrow requested scopes to the granted ones and say so in scope', async () => {
    const response = await exchange({ subject_token: await idToken(basicClient), scope: 'issues.read issues.write' });

    expect(response.status).toBe(200);
    expect(response.body['scope']).toBe('issues.read');
  });

  it('should refuse with invalid_grant when no policy covers the pair', async () => {
    await expectRefusal(await exchange({ subject_token: await idToken(basicClient), audience: lonelyResource.audience }), 400, 'invalid_grant');
  });

  it('should refuse an unknown audience or an unregistered resource with invalid_target', async () => {
    await expectRefusal(await exchange({ subject_token: await idToken(basicClient), audience: 'https://unknown.example.test' }), 400, 'invalid_target');
    await expectRefusal(await exchange({ subject_token: await idToken(basicClient), resource: lonelyResource.indicator }), 400, 'invalid_target');
  });

  it('should refuse an expired, misaddressed, unsigned, HS256 or foreign ID token with invalid_grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    const [, payload] = (await idToken(basicClient)).split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const hs256 = await new SignJWT({ iss: idp.issuer, sub: 'alice', aud: basicClient.idpClientId, iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a shared secret that is long enough!!'));
    const stranger = await createLocalIdp(`https://${unique('stranger')}.example.test`);
    const foreign = await stranger.idToken({ aud: basicClient.idpClientId, iat: now, exp: now + 300 });

    for (const subjectToken of [
      await idToken(basicClient, { iat: now - 900, exp: now - 600 }),
      await idToken(basicClient, { aud: 'someone-else' }),
      unsigned,
      hs256,
      foreign,
      'not-a-jwt',
    ]) {
      await expectRefusal(await exchange({ subject_token: subjectToken }), 400, 'invalid_grant');
    }
  });

  it('should refuse an ID-JAG Crossgate issued offered as the subject token with invalid_grant', async () => {
    const issued = await exchange({ subject_token: await idToken(basicClient) });
    expect(issued.status).toBe(200);

    await expectRefusal(await exchange({ subject_token: issued.body['access_token'] as string }), 400, 'invalid_grant');
  });

  it('should ask for step-up with insufficient_user_authentication when only a stronger acr grants the scope', async () => {
    const response = await exchange({ subject_token: await idToken(basicClient, { acr: 'pwd' }), scope: 'issues.delete' });

    await expectRefusal(response, 401, 'insufficient_user_authentication');
    expect(response.body['error_description']).toContain('phr');
  });

  it('should refuse a user under a kill switch with invalid_grant, naming the switch', async () => {
    const subject = unique('mallory');
    expect((await exchange({ subject_token: await idToken(basicClient, { sub: subject }) })).status).toBe(200);
    const user = await api.prisma.user.findFirstOrThrow({ where: { idpId, subject } });
    const killSwitch = await api.prisma.killSwitch.create({ data: { scope: 'user', userId: user.id, reason: 'test', createdBy: 'tests' } });
    // Written straight to the database, so no instance was told: it must take effect within the bound anyway.
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 1));

    const response = await exchange({ subject_token: await idToken(basicClient, { sub: subject }) });

    await expectRefusal(response, 400, 'invalid_grant');
    expect((await auditEventsOf(response))[0]!.reason).toContain(killSwitch.id);

    await api.prisma.killSwitch.update({ where: { id: killSwitch.id }, data: { liftedAt: new Date() } });
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 1));
    expect((await exchange({ subject_token: await idToken(basicClient, { sub: subject }) })).status).toBe(200);
  });

  it('should refuse every exchange of a client or app pair under a kill switch, and only those', async () => {
    const client = await newClient('client_secret_basic', ['issues.read']);
    await newPolicy({ clientId: client.id, resourceId: lonelyResource.id, subjectGroupIds: [groupId], scopes: ['issues.read'] });
    await newPolicy({ clientId: basicClient.id, resourceId: lonelyResource.id, subjectGroupIds: [groupId], scopes: ['issues.read'] });
    const request = async (who: TestClient) => exchange({ subject_token: await idToken(who), audience: lonelyResource.audience }, basic(who.clientId, secret));
    const pairSwitch = await api.prisma.killSwitch.create({ data: { scope: 'app_pair', clientId: client.id, resourceId: lonelyResource.id, reason: 'test', createdBy: 'tests' } });
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 1));

    await expectRefusal(await request(client), 400, 'invalid_grant');
    expect((await request(basicClient)).status).toBe(200);

    await api.prisma.killSwitch.update({ where: { id: pairSwitch.id }, data: { liftedAt: new Date() } });
    await api.prisma.killSwitch.create({ data: { scope: 'client', clientId: client.id, reason: 'test', createdBy: 'tests' } });
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 1));
    await expectRefusal(await exchange({ subject_token: await idToken(client), audience: 'https://not-registered.example.test' }, basic(client.clientId, secret)), 400, 'invalid_grant');
  });

  it('should refuse a suspended user with invalid_grant', async () => {
    const subject = unique('sam');
    await api.prisma.user.create({ data: { idpId, subject, status: 'suspended' } });

    await expectRefusal(await exchange({ subject_token: await idToken(basicClient, { sub: subject }) }), 400, 'invalid_grant');
  });

  it('should refuse a user an admin suspends at their next exchange, though the same ID token claims were just accepted', async () => {
    const subject = unique('sue');
    expect((await exchange({ subject_token: await idToken(basicClient, { sub: subject }) })).status).toBe(200);
    const user = await api.prisma.user.findFirstOrThrow({ where: { idpId, subject } });

    expect((await admin.put(`/api/users/${user.id}`, { status: 'suspended' })).status).toBe(200);

    await expectRefusal(await exchange({ subject_token: await idToken(basicClient, { sub: subject }) }), 400, 'invalid_grant');
  });

  it('should follow group changes an admin makes between two exchanges of the same user', async () => {
    const subject = unique('gina');
    const otherGroup = unique('contractors');
    const first = await exchange({ subject_token: await idToken(basicClient, { sub: subject, groups: [otherGroup] }) });
    await expectRefusal(first, 400, 'invalid_grant');
    const user = await api.prisma.user.findFirstOrThrow({ where: { idpId, subject } });
    const support = await api.prisma.group.findFirstOrThrow({ where: { name: groupName } });

    expect((await admin.post('/api/memberships', { userId: user.id, groupId: support.id })).status).toBe(201);

    expect((await exchange({ subject_token: await idToken(basicClient, { sub: subject, groups: [otherGroup] }) })).status).toBe(200);
  });

  it('should refuse a client an admin disables at its next request', async () => {
    const client = await newClient('client_secret_basic');
    await newPolicy({ clientId: client.id, resourceId: lonelyResource.id, subjectGroupIds: [groupId], scopes: ['issues.read'] });
    const request = async () => exchange({ subject_token: await idToken(client), audience: lonelyResource.audience }, basic(client.clientId, secret));
    expect((await request()).status).toBe(200);

    expect((await admin.put(`/api/clients/${client.id}`, { status: 'disabled' })).status).toBe(200);

    await expectRefusal(await request(), 401, 'invalid_client');
  });

  it('should commit one audit event and one IssuedToken per exchange when many arrive at once, keeping the chain intact', async () => {
    const before = await api.prisma.auditEvent.aggregate({ _max: { seq: true } });
    // Admin writes append to the same chain through the other path (AuditLogRepository) meanwhile.
    const [responses, adminWrites] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, async () => exchange({ subject_token: await idToken(basicClient) }))),
      Promise.all(Array.from({ length: 5 }, () => admin.post('/api/groups', { name: unique('during-load') }))),
    ]);
    expect(adminWrites.map((write) => write.status)).toEqual([201, 201, 201, 201, 201]);

    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    const jtis = responses.map((response) => decodeJwt(response.body['access_token'] as string).jti as string);
    expect(await api.prisma.issuedToken.count({ where: { jti: { in: jtis } } })).toBe(40);
    const events = await api.prisma.auditEvent.findMany({ where: { seq: { gt: before._max.seq ?? 0n }, action: 'token_exchange' } });
    expect(events.map((event) => (event.context as { jti: string }).jti).sort()).toEqual([...jtis].sort());
    expect(await api.app.get(AuditLogRepository).verifyChain()).toMatchObject({ intact: true });
  });

  it('should withhold the ID-JAG with temporarily_unavailable when its record cannot be written, and audit the refusal', async () => {
    // A real fault in the database: the table the IssuedToken rows go to is gone for a moment.
    await api.prisma.$executeRawUnsafe('ALTER TABLE issued_tokens RENAME TO issued_tokens_elsewhere');
    let response: Exchange;
    try {
      response = await exchange({ subject_token: await idToken(basicClient) });
    } finally {
      await api.prisma.$executeRawUnsafe('ALTER TABLE issued_tokens_elsewhere RENAME TO issued_tokens');
    }

    expect(response.body['access_token']).toBeUndefined();
    await expectRefusal(response, 503, 'temporarily_unavailable');
  });

  it('should refuse a repeated parameter, an actor token, a wrong token type or a JSON body with invalid_request', async () => {
    const token = await idToken(basicClient);
    const form = new URLSearchParams({ grant_type: grantTypes.tokenExchange, requested_token_type: tokenTypes.idJag, subject_token_type: tokenTypes.idToken, subject_token: token, audience: resource.audience });
    form.append('audience', lonelyResource.audience);
    await expectRefusal(await post(form.toString(), { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(basicClient.clientId, secret) }), 400, 'invalid_request');
    await expectRefusal(await exchange({ subject_token: token, actor_token: token, actor_token_type: tokenTypes.idToken }), 400, 'invalid_request');
    await expectRefusal(await exchange({ subject_token: token, subject_token_type: tokenTypes.saml2 }), 400, 'invalid_request');
    await expectRefusal(await exchange({ subject_token: token, requested_token_type: tokenTypes.refreshToken }), 400, 'invalid_request');
    await expectRefusal(await exchange({ subject_token: token, scope: 'x'.repeat(3000) }), 400, 'invalid_request');
    await expectRefusal(await post(JSON.stringify({ grant_type: grantTypes.tokenExchange }), { 'content-type': 'application/json', authorization: basic(basicClient.clientId, secret) }), 400, 'invalid_request');
  });

  it('should read the form itself: an oversized body, too many parameters or an empty one are invalid_request, audited; the request id, a query string and a trailing slash are kept', async () => {
    const authorization = basic(basicClient.clientId, secret);
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', authorization };
    const oversized = await post(`grant_type=${encodeURIComponent(grantTypes.tokenExchange)}&padding=${'x'.repeat(api.config.http.bodyLimitBytes)}`, formHeaders);
    await expectRefusal(oversized, 400, 'invalid_request');
    expect(oversized.body['error_description']).toMatch(/larger than/);
    const many = new URLSearchParams({ grant_type: grantTypes.tokenExchange });
    for (let index = 0; index < 120; index++) {
      many.append(`p${index}`, 'x');
    }
    await expectRefusal(await post(many.toString(), formHeaders), 400, 'invalid_request');
    await expectRefusal(await post('', formHeaders), 400, 'invalid_request');

    const form = new URLSearchParams({ grant_type: grantTypes.tokenExchange, requested_token_type: tokenTypes.idJag, subject_token_type: tokenTypes.idToken, subject_token: await idToken(basicClient), audience: resource.audience });
    const response = await fetch(`${api.baseUrl}/oauth2/token/?ignored=1`, { method: 'POST', headers: { ...formHeaders, 'x-request-id': 'caller-chosen-id-0001' }, body: form.toString() });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('caller-chosen-id-0001');
    expect(await api.prisma.auditEvent.count({ where: { requestId: 'caller-chosen-id-0001', action: 'token_exchange', decision: 'allow' } })).toBe(1);
    // Other methods are not the token endpoint's: they go on to the admin application.
    expect((await fetch(`${api.baseUrl}/oauth2/token`)).status).toBe(404);
  });

  it('should refuse an unknown grant type with unsupported_grant_type', async () => {
    await expectRefusal(await exchange({ grant_type: 'password', subject_token: 'x' }), 400, 'unsupported_grant_type');
  });

  it('should refuse a wrong client secret with invalid_client 401 and audit it as anonymous', async () => {
    const response = await exchange({ subject_token: await idToken(basicClient) }, basic(basicClient.clientId, 'wrong secret'));

    await expectRefusal(response, 401, 'invalid_client');
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await auditEventsOf(response))[0]).toMatchObject({ actorType: 'anonymous' });
  });

  it('should refuse a public client with unauthorized_client', async () => {
    await expectRefusal(await exchange({ subject_token: await idToken(publicClient), client_id: publicClient.clientId }, null), 400, 'unauthorized_client');
  });
});
