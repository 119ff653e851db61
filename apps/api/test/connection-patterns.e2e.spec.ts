/**
 * Managed connections at the token endpoint over real HTTP: the agent's one request path (RFC 8693
 * token exchange with the user's ID token) answers with what the pair's connection pattern gives,
 * after the same kill switches and policy as XAA, and every retrieval is audited without the value.
 * Setup goes through the admin API only (libs/testing connection-pair.ts); the database is read to
 * check what was stored.
 */
import { connectionTokenTypes } from '@crossgate/domain';
import { AdminHttp, type ConnectionPair, createAdmin, setUpConnectionPair, type TokenAnswer, unique } from '@crossgate/testing';
import { maxSecretBytes } from '@crossgate/vault';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the local third-party provider is test support, imported by path like oidc-provider.ts
import { driveLogin, startOAuthProvider } from '../../../libs/testing/src/oauth-provider.ts';
import { killSwitchMaxAgeMs } from '../src/kill-switches/index.ts';
import { freePort, startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let admin: AdminHttp;

beforeAll(async () => {
  // The API must know its own address: the STS consent URI and callback are built from PUBLIC_URL.
  const port = await freePort();
  api = await startTestApi({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
});

afterAll(async () => {
  await api.close();
});

async function pair(): Promise<ConnectionPair> {
  // A second it-admin approves the pair's policy (the two-person rule).
  const approver = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  return setUpConnectionPair(admin, unique('conn').toLowerCase().replace(/[^a-z0-9-]/g, '-'), approver);
}

async function setCredential(connectionId: string, value: string, expiresAt?: string) {
  return admin.put<{ keyVersion: number }>(`/api/connections/${connectionId}/credential`, { value, ...(expiresAt === undefined ? {} : { expiresAt }) });
}

/** JSON of stored rows (audit sequence numbers are bigints), for scanning. */
function stored(value: unknown): string {
  return JSON.stringify(value, (_, member: unknown) => (typeof member === 'bigint' ? String(member) : member));
}

async function auditOf(answer: { headers: Headers }) {
  const requestId = answer.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  return api.prisma.auditEvent.findMany({ where: { requestId: requestId as string } });
}

async function expectRefusal(answer: TokenAnswer, error: string, description: RegExp, action = 'secret_retrieval') {
  expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status: 400, error });
  expect(answer.body['error_description']).toMatch(description);
  const events = await auditOf(answer);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ action, decision: 'deny' });
  expect(events[0]!.reason).toContain(error);
  return events[0]!;
}

describe('vaulted keys at the token endpoint', () => {
  it('should hand the agent the current key with its version, audit the retrieval once without the value, and mark the connection used', async () => {
    const p = await pair();
    const connectionId = await p.connect('vaulted_key');
    const key = `sk_live_${unique('key')}`;
    expect((await setCredential(connectionId, key)).status).toBe(200);

    const answer = await p.exchange({ scope: 'ledger.read' });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({ issued_token_type: connectionTokenTypes.vaulted_key, access_token: key, token_type: 'N_A', key_version: 1 });
    const [event, ...others] = await auditOf(answer);
    expect(others).toEqual([]);
    expect(event).toMatchObject({ action: 'secret_retrieval', decision: 'allow', actorType: 'client', actorId: p.agent.id });
    expect(event!.context).toMatchObject({ connectionId, pattern: 'vaulted_key', keyVersion: 1, userId: expect.any(String), resourceId: p.resource.id, policyIds: [p.policyId] });
    expect(stored(event)).not.toContain(key);
    // Written after the answer, off the request's path.
    for (let attempt = 0; attempt < 40 && (await api.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } })).lastUsedAt === null; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await api.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } })).lastUsedAt).not.toBeNull();
  });

  it('should answer the new version after a credential write, retire the old one at once, and list versions without values', async () => {
    const p = await pair();
    const connectionId = await p.connect('vaulted_key');
    const first = `first-${unique('key')}`;
    const second = `second-${unique('key')}`;
    expect((await setCredential(connectionId, first)).body).toMatchObject({ keyVersion: 1 });
    // Retrieved once first, so the instance holds version 1 when version 2 is written.
    expect((await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key })).body).toMatchObject({ access_token: first, key_version: 1 });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const written = await setCredential(connectionId, second, expiresAt);
    expect(written.status).toBe(200);
    expect(written.body).toMatchObject({ connectionId, keyVersion: 2, expiresAt });
    expect(JSON.stringify(written.body)).not.toContain(second);

    const answer = await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key });

    expect(answer.body).toMatchObject({ access_token: second, key_version: 2 });
    expect(answer.body['expires_in']).toBeGreaterThan(3_500);
    expect(answer.body['expires_in']).toBeLessThanOrEqual(3_600);
    const versions = await admin.get<Record<string, unknown>[]>(`/api/connections/${connectionId}/versions`);
    expect(versions.status).toBe(200);
    expect(versions.body.map((version) => [version['version'], version['state']])).toEqual([
      [2, 'active'],
      [1, 'retired'],
    ]);
    expect(Object.keys(versions.body[0]!).sort()).toEqual(['activatedAt', 'createdAt', 'expiresAt', 'kekId', 'retireAt', 'retiredAt', 'state', 'version']);
    expect(JSON.stringify(versions.body)).not.toMatch(new RegExp(`${first}|${second}`));
    const audit = await api.prisma.auditEvent.findMany({ where: { action: 'connection_credential_set', targetId: connectionId }, orderBy: { seq: 'asc' } });
    expect(audit.map((event) => event.context)).toEqual([
      expect.objectContaining({ connectionId, pattern: 'vaulted_key', keyVersion: 1 }),
      expect.objectContaining({ connectionId, pattern: 'vaulted_key', keyVersion: 2, expiresAt }),
    ]);
    expect(stored(audit)).not.toMatch(new RegExp(`${first}|${second}`));
  });

  it('should refuse a connection without a credential, and a key whose version has expired', async () => {
    const p = await pair();
    const connectionId = await p.connect('vaulted_key');
    await expectRefusal(await p.exchange(), 'invalid_grant', /no credential set/);

    await setCredential(connectionId, `expiring-${unique('key')}`, new Date(Date.now() + 60_000).toISOString());
    await api.prisma.secretVersion.updateMany({ where: { secret: { credentialOfConnection: { id: connectionId } } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const refused = await expectRefusal(await p.exchange(), 'invalid_grant', /expired/);
    expect(refused.context).toMatchObject({ connectionId, keyVersion: 1 });
  });

  it('should refuse a disabled connection and say so, audited', async () => {
    const p = await pair();
    const connectionId = await p.connect('vaulted_key', { status: 'disabled' });
    await setCredential(connectionId, `disabled-${unique('key')}`);

    await expectRefusal(await p.exchange(), 'invalid_grant', /disabled/, 'token_exchange');
    const named = await expectRefusal(await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key }), 'invalid_grant', /disabled/);
    expect(named.context).toMatchObject({ connectionId, pattern: 'vaulted_key' });
  });

  it('should not hand out the key when a kill switch covers the agent', async () => {
    const p = await pair();
    const connectionId = await p.connect('vaulted_key');
    const key = `killed-${unique('key')}`;
    await setCredential(connectionId, key);
    const killSwitch = await api.prisma.killSwitch.create({ data: { scope: 'client', clientId: p.agent.id, reason: 'agent misbehaving', createdBy: 'tests' } });
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 50));
    try {
      const answer = await p.exchange();
      const event = await expectRefusal(answer, 'invalid_grant', /kill switch/);
      expect(event.context).toMatchObject({ connectionId, pattern: 'vaulted_key' });
      expect(answer.text).not.toContain(key);
    } finally {
      await api.prisma.killSwitch.update({ where: { id: killSwitch.id }, data: { liftedAt: new Date() } });
    }
  });

  it('should not hand out the key to a user no policy allows, and audit the denial', async () => {
    const p = await pair();
    const connectionId = await p.connect('vaulted_key');
    const key = `denied-${unique('key')}`;
    await setCredential(connectionId, key);

    const answer = await p.exchange({ subject_token: await p.idToken(unique('outsider'), { groups: ['someone-else'] }) });

    const event = await expectRefusal(answer, 'invalid_grant', /No policy/);
    expect(event.context).toMatchObject({ connectionId, pattern: 'vaulted_key', policyDecision: 'no_policy', keyVersion: null });
    expect(answer.text).not.toContain(key);
  });
});

describe('service accounts at the token endpoint', () => {
  it('should hand out the password with the account name, version and sunset date, flagged legacy', async () => {
    const p = await pair();
    const sunsetAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const connectionId = await p.connect('service_account', { accountName: 'svc-payroll', sunsetAt });
    const password = `pw-${unique('secret')}`;
    await setCredential(connectionId, password);

    const answer = await p.exchange({ requested_token_type: connectionTokenTypes.service_account });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ issued_token_type: connectionTokenTypes.service_account, access_token: password, token_type: 'N_A', username: 'svc-payroll', key_version: 1, sunset_at: sunsetAt, legacy: true });
    const [event] = await auditOf(answer);
    expect(event).toMatchObject({ action: 'secret_retrieval', decision: 'allow' });
    expect(event!.context).toMatchObject({ connectionId, pattern: 'service_account', keyVersion: 1 });
  });

  it('should refuse a service account past its sunset date', async () => {
    const p = await pair();
    const connectionId = await p.connect('service_account');
    await setCredential(connectionId, `pw-${unique('secret')}`);
    // The admin API refuses a sunset date in the past, so time passes in the database.
    await api.prisma.connection.update({ where: { id: connectionId }, data: { sunsetAt: new Date(Date.now() - 1000) } });
    await api.directoryChanged();

    await expectRefusal(await p.exchange(), 'invalid_grant', /sunset/);
  });

  it('should require the account name of a service account', async () => {
    const p = await pair();
    const created = await admin.post<{ fieldErrors?: Record<string, string> }>('/api/connections', {
      name: 'no account',
      clientId: p.agent.id,
      resourceId: p.resource.id,
      pattern: 'service_account',
      owner: 'it@example.test',
      justification: 'The legacy system accepts only a user name and a password.',
      sunsetAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(created.status).toBe(422);
    expect(JSON.stringify(created.body)).toContain('accountName');
  });
});

describe('choosing among a pair’s connections', () => {
  it('should serve the strongest active pattern unless requested_token_type names another', async () => {
    const p = await pair();
    await p.connect('xaa');
    const keyConnection = await p.connect('vaulted_key');
    const key = `ladder-${unique('key')}`;
    await setCredential(keyConnection, key);

    const strongest = await p.exchange();
    expect(strongest.status).toBe(200);
    expect(strongest.body['issued_token_type']).toBe(connectionTokenTypes.xaa);
    expect((await auditOf(strongest))[0]).toMatchObject({ action: 'token_exchange', decision: 'allow' });

    const named = await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key });
    expect(named.body).toMatchObject({ issued_token_type: connectionTokenTypes.vaulted_key, access_token: key });
  });

  it('should refuse a requested_token_type for a pattern the pair has no connection for, and an unknown token type', async () => {
    const p = await pair();
    await setCredential(await p.connect('vaulted_key'), `wrong-${unique('key')}`);

    await expectRefusal(await p.exchange({ requested_token_type: connectionTokenTypes.service_account }), 'invalid_request', /Wrong pattern/, 'token_exchange');
    await expectRefusal(await p.exchange({ requested_token_type: connectionTokenTypes.xaa }), 'invalid_request', /Wrong pattern/, 'token_exchange');
    await expectRefusal(await p.exchange({ requested_token_type: 'urn:example:nonsense' }), 'invalid_request', /requested_token_type must be/, 'token_exchange');
  });

  it('should keep XAA exactly as before for a pair without connections', async () => {
    const p = await pair();

    const missing = await p.exchange();
    await expectRefusal(missing, 'invalid_request', /requested_token_type must be urn:ietf:params:oauth:token-type:id-jag/, 'token_exchange');
    const named = await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key });
    await expectRefusal(named, 'invalid_request', /requested_token_type must be urn:ietf:params:oauth:token-type:id-jag/, 'token_exchange');
    const xaa = await p.exchange({ requested_token_type: connectionTokenTypes.xaa });
    expect(xaa.body).toMatchObject({ issued_token_type: connectionTokenTypes.xaa, token_type: 'N_A', scope: 'ledger.read' });
  });

  it('should broker STS: ask the user to consent first, then hand the agent the upstream access token, audited without it', async () => {
    const provider = await startOAuthProvider({ redirectUri: `${api.baseUrl}/sts/callback` });
    try {
      const created = await admin.post<{ id: string }>('/api/oauth-providers', { name: unique('Upstream'), issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, scopes: provider.scopes });
      expect(created.status).toBe(201);
      const p = await pair();
      await p.connect('sts', { oauthProviderId: created.body.id });
      const subject = unique('alice');
      const subjectToken = await p.idToken(subject);

      const first = await p.exchange({ subject_token: subjectToken });
      await expectRefusal(first, 'invalid_grant', /not consented/, 'token_exchange');
      const consentUri = first.body['consent_uri'] as string;
      expect(consentUri).toMatch(new RegExp(`^${api.baseUrl}/sts/consent/[\\w-]{43}$`));
      const callback = await fetch(await driveLogin(new URL(consentUri), `${api.baseUrl}/sts/callback`, subject));
      expect(callback.status).toBe(200);

      const answer = await p.exchange({ subject_token: subjectToken });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ issued_token_type: connectionTokenTypes.sts, token_type: 'Bearer' });
      const accessToken = answer.body['access_token'] as string;
      expect(await provider.userinfo(accessToken)).toEqual({ status: 200, sub: subject });
      const [event] = await auditOf(answer);
      expect(event).toMatchObject({ action: 'token_exchange', decision: 'allow' });
      expect(stored(event)).not.toContain(accessToken);
    } finally {
      await provider.close();
    }
  });
});

describe('PUT /api/connections/:id/credential', () => {
  it('should refuse unknown connections, connections of other patterns, oversized and empty values, with nothing written', async () => {
    const p = await pair();
    const xaa = await p.connect('xaa');
    const vaulted = await p.connect('vaulted_key');

    expect((await setCredential('00000000-0000-4000-8000-000000000000', 'x')).status).toBe(404);
    expect((await setCredential('not-a-uuid', 'x')).status).toBe(404);
    expect((await admin.get('/api/connections/00000000-0000-4000-8000-000000000000/versions')).status).toBe(404);
    const wrongPattern = await setCredential(xaa, 'x');
    expect(wrongPattern.status).toBe(400);
    expect(JSON.stringify(wrongPattern.body)).toMatch(/only vaulted_key and service_account/);
    const oversized = await setCredential(vaulted, 'k'.repeat(maxSecretBytes + 1));
    expect(oversized.status).toBe(400);
    expect(JSON.stringify(oversized.body)).toContain(`at most ${maxSecretBytes} bytes`);
    expect(JSON.stringify(oversized.body)).not.toContain('kkkkkkkk');
    expect((await setCredential(vaulted, '')).status).toBe(422);
    expect((await admin.put(`/api/connections/${vaulted}/credential`, { value: 'x', extra: true })).status).toBe(422);
    expect((await setCredential(vaulted, 'x', '2001-01-01T00:00:00Z')).status).toBe(422);

    const row = await api.prisma.connection.findUniqueOrThrow({ where: { id: vaulted } });
    expect(row.credentialSecretId).toBeNull();
    expect((await admin.get<unknown[]>(`/api/connections/${vaulted}/versions`)).body).toEqual([]);
  });

  it('should let only admins who may write connections set a credential', async () => {
    const p = await pair();
    const connectionId = await p.connect('vaulted_key');
    const auditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);

    expect((await auditor.put(`/api/connections/${connectionId}/credential`, { value: 'x' })).status).toBe(403);
    expect((await auditor.get(`/api/connections/${connectionId}/versions`)).status).toBe(200);
    expect((await AdminHttp.anonymous(api.baseUrl).put(`/api/connections/${connectionId}/credential`, { value: 'x' })).status).toBe(401);
  });

  it('should show the secret id and rotation fields on the record but never take them through CRUD', async () => {
    const p = await pair();
    const connectionId = await p.connect('vaulted_key');
    await setCredential(connectionId, `record-${unique('key')}`);

    const record = await admin.get<Record<string, unknown>>(`/api/connections/${connectionId}`);
    expect(record.body).toMatchObject({ credentialSecretId: expect.any(String), rotationStatus: 'idle', lastRotatedAt: null, nextRotationAt: null });
    // react-admin sends the whole record back: the maintained fields are ignored, not refused and not written.
    const updated = await admin.put<Record<string, unknown>>(`/api/connections/${connectionId}`, { ...record.body, credentialSecretId: null, description: 'edited' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ description: 'edited', credentialSecretId: record.body['credentialSecretId'] });
    const repatterned = await admin.put(`/api/connections/${connectionId}`, { pattern: 'xaa' });
    expect(repatterned.status).toBe(422);
  });
});
