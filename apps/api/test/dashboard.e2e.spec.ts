/**
 * The console's home page: what needs someone now, exchanges per day from the audit log, the last
 * audit-chain check and the development-KEK flag. The rows are written directly: the summary is what
 * is under test, not the admin API's writes.
 */
import { AuditLogRepository } from '@crossgate/store';
import { AdminHttp, createAdmin, unique } from '@crossgate/testing';

import { type Dashboard, exchangeDays, sunsetWarningDays } from '../src/dashboard/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const dayMs = 24 * 3600 * 1000;

let api: TestApi;
let auditor: AdminHttp;

beforeAll(async () => {
  api = await startTestApi();
  auditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);
});

afterAll(async () => {
  await api.close();
});

async function appPair(): Promise<{ clientId: string; resourceId: string }> {
  const name = unique('dashboard');
  const client = await api.prisma.client.create({ data: { clientId: name, name, owner: 'dashboard-tests' } });
  const resource = await api.prisma.resource.create({ data: { slug: name, name, authorizationServer: `https://as.example/${name}`, owner: 'dashboard-tests' } });
  return { clientId: client.id, resourceId: resource.id };
}

async function connection(data: Record<string, unknown>): Promise<{ id: string; name: string }> {
  const name = unique('connection');
  return api.prisma.connection.create({ data: { name, owner: 'dashboard-tests', pattern: 'xaa', ...(await appPair()), ...data }, select: { id: true, name: true } });
}

describe('GET /api/dashboard', () => {
  it('should list failed rotations, service accounts near their sunset and long-unused connections, and leave healthy ones out', async () => {
    const now = Date.now();
    const failed = await connection({ pattern: 'vaulted_key', rotationStatus: 'failed', rotationError: 'the hook answered 500' });
    const account = { pattern: 'service_account', accountName: 'svc', justification: 'The target only supports a shared account.' } as const;
    const nearSunset = await connection({ ...account, sunsetAt: new Date(now + 5 * dayMs), lastUsedAt: new Date(now) });
    const farSunset = await connection({ ...account, sunsetAt: new Date(now + (sunsetWarningDays + 30) * dayMs), lastUsedAt: new Date(now) });
    const neverUsed = await connection({ createdAt: new Date(now - 90 * dayMs) });
    const usedToday = await connection({ createdAt: new Date(now - 90 * dayMs), lastUsedAt: new Date(now) });

    const response = await auditor.get<Dashboard>('/api/dashboard');

    expect(response.status).toBe(200);
    expect(response.body.failedRotations).toContainEqual({ ...failed, error: 'the hook answered 500' });
    expect(response.body.sunsetting.map((entry) => entry.id)).toContain(nearSunset.id);
    expect(response.body.sunsetting.map((entry) => entry.id)).not.toContain(farSunset.id);
    expect(response.body.unused.connections).toContainEqual({ ...neverUsed, lastUsedAt: null });
    expect(response.body.unused.connections.map((entry) => entry.id)).not.toContain(usedToday.id);
    expect(response.body.unused.total).toBeGreaterThanOrEqual(1);
  });

  it('should count exchanges allowed and refused per UTC day, zero-filled over the window, with the last chain check', async () => {
    const audit = api.app.get(AuditLogRepository);
    const before = (await auditor.get<Dashboard>('/api/dashboard')).body;
    const actor = { type: 'client', id: null, label: 'dashboard-tests' } as const;
    await audit.record({ actor, action: 'token_exchange', decision: 'allow' });
    await audit.record({ actor, action: 'secret_retrieval', decision: 'allow' });
    await audit.record({ actor, action: 'token_exchange', decision: 'deny', reason: 'no_policy' });
    await audit.record({ actor: { type: 'system', id: null, label: 'worker' }, action: 'audit.chain_verified', decision: 'deny', reason: 'event 7: hash mismatch' });

    const after = (await auditor.get<Dashboard>('/api/dashboard')).body;

    expect(after.exchanges).toHaveLength(exchangeDays);
    expect(after.exchanges.at(-1)?.day).toBe(new Date().toISOString().slice(0, 10));
    expect(after.exchanges.at(-1)!.allowed - before.exchanges.at(-1)!.allowed).toBe(2);
    expect(after.exchanges.at(-1)!.denied - before.exchanges.at(-1)!.denied).toBe(1);
    expect(after.exchanges[0]).toEqual({ day: new Date(Date.parse(after.exchanges.at(-1)!.day) - (exchangeDays - 1) * dayMs).toISOString().slice(0, 10), allowed: 0, denied: 0 });
    expect(after.lastChainCheck).toMatchObject({ intact: false, reason: 'event 7: hash mismatch' });
  });

  it('should flag the development key-encryption key, which an instance without KEY_ENCRYPTION_KEY seals with, to every role', async () => {
    expect(process.env['KEY_ENCRYPTION_KEY']).toBeUndefined();
    const responder = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'incident-responder')).token);

    const response = await responder.get<Dashboard>('/api/dashboard');

    expect(response.status).toBe(200);
    expect(response.body.developmentKek).toBe(true);
  });
});
