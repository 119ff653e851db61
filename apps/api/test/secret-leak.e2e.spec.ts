/**
 * Secret values never leak: the built API runs as `npm start` runs it (its own process, debug
 * logging), planted values go in through the admin API, and a full run over HTTP sets, rotates and
 * retrieves them, lists versions, connections and the audit log, and sends bad requests carrying
 * them. Every line the API prints and every response it gives (status, headers, body) is scanned
 * (libs/testing secret-leak-scan.ts); a planted value may appear only in the one response that
 * legitimately retrieved it. The database's audit rows are scanned too.
 */
import { fileURLToPath } from 'node:url';

import { connectionTokenTypes } from '@crossgate/domain';
import { AdminHttp, type ApiProcess, buildServer, createAdmin, createScratchDatabase, LegacyApi, type ScratchDatabase, SecretLeakScan, setUpConnectionPair, startBuiltApi, startBuiltWorker, waitFor } from '@crossgate/testing';
import { maxSecretBytes } from '@crossgate/vault';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the local third-party provider is test support, imported by path like oidc-provider.ts
import { driveLogin, startOAuthProvider } from '../../../libs/testing/src/oauth-provider.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const adminEmail = 'leak-scan@crossgate.local';
const scan = new SecretLeakScan();
const adminPassword = scan.plant('bootstrap admin password', 'leak-scan admin password 8c1f0e7a');

let database: ScratchDatabase;
let api: ApiProcess;
let worker: ReturnType<typeof startBuiltWorker> | undefined;

beforeAll(async () => {
  await buildServer(repositoryRoot);
  database = await createScratchDatabase('leakscan');
  // Both processes as `npm start` runs them, logging everything they would log.
  const shared = {
    DATABASE_URL: database.run.databaseUrl,
    REDIS_URL: database.run.redisUrl,
    REDIS_PREFIX: database.run.redisPrefix,
    NODE_ENV: 'development',
    LOG_LEVEL: 'debug',
  };
  api = await startBuiltApi({ repositoryRoot, quiet: true, env: { ...shared, BOOTSTRAP_ADMIN_EMAIL: adminEmail, BOOTSTRAP_ADMIN_PASSWORD: adminPassword } });
  scan.watch(api.child);
  // The worker rotates credentials and re-wraps keys: its output is scanned too.
  worker = startBuiltWorker({ repositoryRoot, quiet: true, env: { ...shared, ROTATION_RETRY_DELAY_MS: '200' } });
  scan.watch(worker.child, 'worker');
  scan.start();
}, 240_000);

afterAll(async () => {
  scan.stop();
  await database?.cleanUp([api?.child, worker?.child]);
});

describe('secret values in a full run', () => {
  it('should appear only in the response that retrieved them: never in logs, other responses, errors or the audit log', async () => {
    const admin = await AdminHttp.signIn(api.baseUrl, adminEmail, adminPassword);
    const p = await setUpConnectionPair(admin, 'leakscan', AdminHttp.withToken(api.baseUrl, (await createAdmin(database.prisma, 'it-admin')).token));
    scan.plant('agent client secret', p.agent.secret);
    // Shown once, in the response that generated it.
    scan.allowResponse(/^POST \/api\/clients\/[^/]+\/secret → 201$/, 'agent client secret');
    const firstKey = scan.plant('vaulted key, version 1', 'sk_live_leakscan_first_5d0b1c2e9f');
    const currentKey = scan.plant('vaulted key, version 2', 'sk_live_leakscan_second_77a3c9e1');
    const password = scan.plant('service account password', 'pw-leakscan-Tr0ub4dor&3-c41f');
    const refusedValue = scan.plant('value refused for an xaa connection', 'refused-leakscan-value-aa91c3');
    const malformedValue = scan.plant('value in malformed JSON', 'malformed-leakscan-value-0b7d');
    const unknownFieldValue = scan.plant('value beside an unknown field', 'unknown-field-leakscan-3e8f');
    const oversizedPrefix = scan.plant('oversized value', 'oversized-leakscan-prefix-41c7');

    const keyConnection = await p.connect('vaulted_key');
    const accountConnection = await p.connect('service_account');
    const xaaConnection = await p.connect('xaa');
    // Set, then rotate by writing again: version 1 is never retrieved, so it must appear nowhere.
    expect((await admin.put(`/api/connections/${keyConnection}/credential`, { value: firstKey })).status).toBe(200);
    expect((await admin.put(`/api/connections/${keyConnection}/credential`, { value: currentKey, expiresAt: new Date(Date.now() + 86_400_000).toISOString() })).status).toBe(200);
    expect((await admin.put(`/api/connections/${accountConnection}/credential`, { value: password })).status).toBe(200);

    // Bad writes that carry values.
    expect((await admin.put(`/api/connections/${xaaConnection}/credential`, { value: refusedValue })).status).toBe(400);
    expect((await admin.request('PUT', `/api/connections/${keyConnection}/credential`, `{"value": "${malformedValue}",`)).status).toBe(400);
    expect((await admin.put(`/api/connections/${keyConnection}/credential`, { value: unknownFieldValue, note: unknownFieldValue })).status).toBe(422);
    expect((await admin.put(`/api/connections/${keyConnection}/credential`, { value: oversizedPrefix + 'x'.repeat(maxSecretBytes) })).status).toBe(400);
    expect((await admin.put(`/api/connections/00000000-0000-4000-8000-000000000000/credential`, { value: refusedValue })).status).toBe(404);

    // The agent retrieves each current value once, legitimately.
    const key = await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key });
    expect(key.body['access_token']).toBe(currentKey);
    scan.allow(key.headers.get('x-request-id'), 'vaulted key, version 2');
    const account = await p.exchange({ requested_token_type: connectionTokenTypes.service_account });
    expect(account.body['access_token']).toBe(password);
    scan.allow(account.headers.get('x-request-id'), 'service account password');

    // Refused retrievals.
    expect((await p.exchange({ requested_token_type: 'urn:example:nonsense' })).status).toBe(400);
    expect((await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key, subject_token: 'not.a.token' })).status).toBe(400);
    expect((await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key, subject_token: await p.idToken('outsider', { groups: [] }) })).status).toBe(400);

    // Everything an admin can read about them.
    for (const path of [
      `/api/connections/${keyConnection}/versions`,
      `/api/connections/${accountConnection}/versions`,
      `/api/connections/${keyConnection}`,
      `/api/connections/${accountConnection}`,
      '/api/connections',
      '/api/audit?range=[0,199]',
      '/api/audit/export',
    ]) {
      expect((await admin.get(path)).status).toBe(200);
    }
    const rows = await database.prisma.auditEvent.findMany();
    scan.observe('database audit_events', JSON.stringify(rows, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value)));
    // Let the last log lines arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(scan.legitimateHits()).toEqual({ 'agent client secret': 1, 'vaulted key, version 2': 1, 'service account password': 1 });
    expect(scan.observed.responses).toBeGreaterThan(25);
    expect(scan.observed.outputChunks).toBeGreaterThan(0);
    expect(rows.some((row) => row.action === 'secret_retrieval')).toBe(true);
    expect(scan.leaks()).toEqual([]);
  }, 120_000);

  it('should keep STS and rotation values out of logs, other responses and the audit log too', async () => {
    const admin = await AdminHttp.signIn(api.baseUrl, adminEmail, adminPassword);
    const p = await setUpConnectionPair(admin, 'leakscan-more', AdminHttp.withToken(api.baseUrl, (await createAdmin(database.prisma, 'it-admin')).token));

    // Rotation: the worker generates the new key, pushes it to the target with the hook credential.
    const hookCredential = scan.plant('rotation hook credential', 'hook-leakscan-credential-6b2e91d0');
    const firstKey = scan.plant('key before rotation', 'sk_live_leakscan_before_rotation_19c4');
    const target = await new LegacyApi({ hookCredential }).start();
    try {
      const connectionId = await p.connect('vaulted_key');
      expect((await admin.put(`/api/connections/${connectionId}/credential`, { value: firstKey })).status).toBe(200);
      target.enroll(connectionId, firstKey);
      expect((await admin.put(`/api/connections/${connectionId}`, { rotationHookUrl: target.rotateUrl, rotationVerifyUrl: target.pingUrl })).status).toBe(200);
      expect((await admin.put(`/api/connections/${connectionId}/rotation-hook-credential`, { value: hookCredential })).status).toBe(200);
      expect((await admin.post(`/api/connections/${connectionId}/rotate`, {})).status).toBe(202);
      await waitFor('the rotation', 60_000, async () => {
        const rotation = await admin.get<{ status: string; lastRotatedAt: string | null }>(`/api/connections/${connectionId}/rotation`);
        return rotation.body.status === 'idle' && rotation.body.lastRotatedAt !== null ? true : undefined;
      });
      const rotatedKey = scan.plant('key after rotation', target.currentKeyOf(connectionId) ?? 'missing');
      expect(rotatedKey).not.toBe(firstKey);
      const retrieved = await p.exchange({ requested_token_type: connectionTokenTypes.vaulted_key });
      expect(retrieved.body['access_token']).toBe(rotatedKey);
      scan.allow(retrieved.headers.get('x-request-id'), 'key after rotation');
      expect((await admin.get(`/api/connections/${connectionId}/versions`)).status).toBe(200);
    } finally {
      await target.stop();
    }

    // STS: the provider's client secret goes in once; the user's upstream access token comes out once.
    const provider = await startOAuthProvider({ redirectUri: `${api.baseUrl}/sts/callback` });
    try {
      const providerSecret = scan.plant('STS provider client secret', provider.clientSecret);
      const created = await admin.post<{ id: string }>('/api/oauth-providers', { name: 'Leak-scan provider', issuer: provider.issuer, clientId: provider.clientId, clientSecret: providerSecret, scopes: provider.scopes });
      expect(created.status).toBe(201);
      const connectionId = await p.connect('sts', { oauthProviderId: created.body.id });
      const subject = 'leakscan-sts-user';
      const subjectToken = await p.idToken(subject);
      const asked = await p.exchange({ subject_token: subjectToken, requested_token_type: connectionTokenTypes.sts });
      expect(asked.status).toBe(400);
      const consented = await fetch(await driveLogin(new URL(asked.body['consent_uri'] as string), `${api.baseUrl}/sts/callback`, subject));
      expect(consented.status).toBe(200);
      const brokered = await p.exchange({ subject_token: subjectToken, requested_token_type: connectionTokenTypes.sts });
      expect(brokered.status).toBe(200);
      scan.plant('STS upstream access token', brokered.body['access_token'] as string);
      scan.allow(brokered.headers.get('x-request-id'), 'STS upstream access token');
      expect((await admin.get(`/api/oauth-providers/${created.body.id}`)).status).toBe(200);
      expect((await admin.get(`/api/sts-consents?filter=${encodeURIComponent(JSON.stringify({ connectionId }))}`)).status).toBe(200);
      const withdrawn = await fetch(`${api.baseUrl}/sts/consents/${connectionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${subjectToken}` } });
      expect(withdrawn.status).toBe(200);
    } finally {
      await provider.close();
    }

    expect((await admin.get('/api/audit?range=[0,499]')).status).toBe(200);
    const rows = await database.prisma.auditEvent.findMany();
    scan.observe('database audit_events (after STS and rotation)', JSON.stringify(rows, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value)));
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(scan.legitimateHits()).toMatchObject({ 'key after rotation': 1, 'STS upstream access token': 1 });
    expect(rows.some((row) => row.action === 'connection_rotated')).toBe(true);
    expect(rows.some((row) => row.action === 'sts_consent_granted' && row.decision === 'allow')).toBe(true);
    expect(scan.leaks()).toEqual([]);
  }, 120_000);

  it('should show a SCIM token only in the response that made it, whether used, refused or rotated', async () => {
    const admin = await AdminHttp.signIn(api.baseUrl, adminEmail, adminPassword);
    const idp = await admin.post<{ id: string }>('/api/trusted-idps', { name: 'Leak-scan SCIM IdP', issuer: 'https://leakscan-scim-idp.example.test', audiences: ['leakscan-scim'], jwksUri: 'https://leakscan-scim-idp.example.test/jwks' });
    expect(idp.status).toBe(201);
    const made = await admin.post<{ token: string }>(`/api/trusted-idps/${idp.body.id}/scim-token`);
    expect(made.status).toBe(201);
    scan.plant('SCIM token', made.body.token);
    scan.allow(made.headers.get('x-request-id'), 'SCIM token');
    const scim = AdminHttp.withToken(api.baseUrl, made.body.token);
    const user = await scim.post<{ id: string }>('/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'leakscan@example.test', externalId: 'leakscan-sub' });
    expect(user.status).toBe(201);
    expect((await scim.request('PATCH', `/scim/v2/Users/${user.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] })).status).toBe(200);
    expect((await scim.get('/scim/v2/Users?filter=nonsense')).status).toBe(400);
    expect((await scim.request('POST', '/scim/v2/Users', '{"userName": ')).status).toBe(400);

    const rotated = await admin.post<{ token: string }>(`/api/trusted-idps/${idp.body.id}/scim-token`);
    expect(rotated.status).toBe(201);
    scan.plant('rotated SCIM token', rotated.body.token);
    scan.allow(rotated.headers.get('x-request-id'), 'rotated SCIM token');
    expect((await scim.get('/scim/v2/Users')).status).toBe(401);
    expect((await AdminHttp.withToken(api.baseUrl, rotated.body.token).get('/scim/v2/Users')).status).toBe(200);
    expect((await admin.get(`/api/trusted-idps/${idp.body.id}`)).status).toBe(200);
    expect((await admin.get('/api/audit?range=[0,499]')).status).toBe(200);

    const rows = await database.prisma.auditEvent.findMany();
    scan.observe('database audit_events (after SCIM)', JSON.stringify(rows, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value)));
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(scan.legitimateHits()).toMatchObject({ 'SCIM token': 1, 'rotated SCIM token': 1 });
    expect(rows.some((row) => row.action === 'trusted_idp.scim_token_rotate')).toBe(true);
    expect(scan.leaks()).toEqual([]);
  }, 120_000);
});
