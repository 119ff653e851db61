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
import { AdminHttp, type ApiProcess, buildServer, createScratchDatabase, type ScratchDatabase, SecretLeakScan, setUpConnectionPair, startBuiltApi } from '@crossgate/testing';
import { maxSecretBytes } from '@crossgate/vault';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const adminEmail = 'leak-scan@crossgate.local';
const scan = new SecretLeakScan();
const adminPassword = scan.plant('bootstrap admin password', 'leak-scan admin password 8c1f0e7a');

let database: ScratchDatabase;
let api: ApiProcess;

beforeAll(async () => {
  await buildServer(repositoryRoot);
  database = await createScratchDatabase('leakscan');
  api = await startBuiltApi({
    repositoryRoot,
    quiet: true,
    env: {
      DATABASE_URL: database.run.databaseUrl,
      REDIS_URL: database.run.redisUrl,
      REDIS_PREFIX: database.run.redisPrefix,
      NODE_ENV: 'development',
      LOG_LEVEL: 'debug',
      BOOTSTRAP_ADMIN_EMAIL: adminEmail,
      BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
    },
  });
  scan.watch(api.child);
  scan.start();
}, 240_000);

afterAll(async () => {
  scan.stop();
  await database?.cleanUp([api?.child]);
});

describe('secret values in a full run', () => {
  it('should appear only in the response that retrieved them: never in logs, other responses, errors or the audit log', async () => {
    const admin = await AdminHttp.signIn(api.baseUrl, adminEmail, adminPassword);
    const p = await setUpConnectionPair(admin, 'leakscan');
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
});
