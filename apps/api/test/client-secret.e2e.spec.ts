/** POST /api/clients/:id/secret: a new secret shown once, only its hash stored, the change audited without it. */
import { randomUUID } from 'node:crypto';

import { AdminHttp, createAdmin, unique } from '@crossgate/testing';

import { verifyPassword } from '../src/auth/index.ts';
import { ClientAuthenticator } from '../src/oauth/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let admin: AdminHttp;
let reviewer: AdminHttp;

beforeAll(async () => {
  api = await startTestApi();
  admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  reviewer = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'compliance-reviewer')).token);
});

afterAll(async () => {
  await api.close();
});

async function newClient(authMethod = 'client_secret_basic'): Promise<{ id: string; clientId: string }> {
  const clientId = unique('client');
  const response = await admin.post<{ id: string }>('/api/clients', { clientId, name: clientId, owner: 'tests@example.test', authMethod });
  expect(response.status).toBe(201);
  return { id: response.body.id, clientId };
}

interface IssuedSecret {
  clientId: string;
  clientSecret: string;
}

describe('POST /api/clients/:id/secret', () => {
  it('should return a new high-entropy secret once and store only its argon2id hash', async () => {
    const client = await newClient();

    const response = await admin.post<IssuedSecret>(`/api/clients/${client.id}/secret`);

    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({ clientId: client.clientId, clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const row = await api.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(row.secretHash).toMatch(/^\$argon2id\$/);
    expect(row.secretHash).not.toContain(response.body.clientSecret);
    expect(await verifyPassword(row.secretHash, response.body.clientSecret)).toBe(true);
  });

  it('should show hasSecret on the client record and never the secret or its hash', async () => {
    const client = await newClient();
    const before = await admin.get<Record<string, unknown>>(`/api/clients/${client.id}`);
    const { body: issued } = await admin.post<IssuedSecret>(`/api/clients/${client.id}/secret`);

    const after = await admin.get<Record<string, unknown>>(`/api/clients/${client.id}`);

    expect(before.body['hasSecret']).toBe(false);
    expect(after.body['hasSecret']).toBe(true);
    expect(after.body).not.toHaveProperty('secretHash');
    expect(JSON.stringify(after.body)).not.toContain(issued.clientSecret);
  });

  it('should replace the old secret so only the newest authenticates', async () => {
    const client = await newClient();
    const authenticator = api.app.get(ClientAuthenticator);
    const basic = (secret: string) => ({
      headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}` },
      body: {},
      tokenEndpointAudience: 'https://crossgate.test',
    });
    const { body: first } = await admin.post<IssuedSecret>(`/api/clients/${client.id}/secret`);
    // Accepted once, so it is remembered as verified: rotation must still end it.
    await expect(authenticator.authenticate(basic(first.clientSecret))).resolves.toMatchObject({ id: client.id });
    const { body: second } = await admin.post<IssuedSecret>(`/api/clients/${client.id}/secret`);

    expect(second.clientSecret).not.toBe(first.clientSecret);
    await expect(authenticator.authenticate(basic(second.clientSecret))).resolves.toMatchObject({ id: client.id });
    await expect(authenticator.authenticate(basic(first.clientSecret))).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('should audit client.secret_rotate without the secret or its hash', async () => {
    const client = await newClient();
    const { body: issued } = await admin.post<IssuedSecret>(`/api/clients/${client.id}/secret`);

    const events = await api.prisma.auditEvent.findMany({ where: { action: 'client.secret_rotate', targetId: client.id } });
    const row = await api.prisma.client.findUniqueOrThrow({ where: { id: client.id } });

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: 'api_token',
      targetType: 'clients',
      decision: 'allow',
      context: { clientId: client.clientId, authMethod: 'client_secret_basic', replacedExisting: false },
    });
    const serialized = JSON.stringify(events[0], (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    expect(serialized).not.toContain(issued.clientSecret);
    expect(serialized).not.toContain(row.secretHash!);
  });

  it('should answer 404 for an unknown or deleted client and change nothing', async () => {
    const client = await newClient();
    expect((await admin.delete(`/api/clients/${client.id}`)).status).toBe(200);

    expect((await admin.post(`/api/clients/${randomUUID()}/secret`)).status).toBe(404);
    expect((await admin.post(`/api/clients/not-a-uuid/secret`)).status).toBe(404);
    expect((await admin.post(`/api/clients/${client.id}/secret`)).status).toBe(404);
    expect((await api.prisma.client.findUniqueOrThrow({ where: { id: client.id } })).secretHash).toBeNull();
  });

  it('should refuse a compliance reviewer with 403', async () => {
    const client = await newClient();

    const response = await reviewer.post(`/api/clients/${client.id}/secret`);

    expect(response.status).toBe(403);
    expect((await api.prisma.client.findUniqueOrThrow({ where: { id: client.id } })).secretHash).toBeNull();
  });
});
