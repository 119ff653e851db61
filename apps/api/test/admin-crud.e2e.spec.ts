import { AdminHttp, createAdmin, listQuery, unique } from '@crossgate/testing';

import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let admin: AdminHttp;

beforeAll(async () => {
  api = await startTestApi();
  const itAdmin = await createAdmin(api.prisma, 'it-admin');
  admin = AdminHttp.withToken(api.baseUrl, itAdmin.token);
});

afterAll(async () => {
  await api.close();
});

function newClient(overrides: Record<string, unknown> = {}) {
  return {
    clientId: unique('client'),
    name: unique('Support agent'),
    kind: 'ai_agent',
    authMethod: 'client_secret_basic',
    owner: 'dana@example.test',
    ...overrides,
  };
}

describe('admin CRUD over HTTP', () => {
  it('should create, read, update and soft-delete a client, writing one audit event per change', async () => {
    const created = await admin.post<{ id: string; name: string }>('/api/clients', newClient());
    expect(created.status).toBe(201);
    const id = created.body.id;

    const read = await admin.get<{ name: string }>(`/api/clients/${id}`);
    expect(read.body.name).toBe(created.body.name);

    // react-admin sends the whole record back on update, read-only fields included.
    const updated = await admin.put<{ name: string }>(`/api/clients/${id}`, { ...read.body, name: 'Renamed agent' });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Renamed agent');

    expect((await admin.delete(`/api/clients/${id}`)).status).toBe(200);
    expect((await admin.get(`/api/clients/${id}`)).status).toBe(404);
    const stillStored = await api.prisma.client.findUnique({ where: { id } });
    expect(stillStored?.deletedAt).toBeInstanceOf(Date);

    const events = await api.prisma.auditEvent.findMany({ where: { targetId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((event) => event.action)).toEqual(['client.create', 'client.update', 'client.delete']);
    expect(events[1]?.before).toMatchObject({ name: created.body.name });
    expect(events[1]?.after).toMatchObject({ name: 'Renamed agent' });
  });

  it('should keep the fields an update leaves out, defaults included', async () => {
    const created = await admin.post<{ id: string }>('/api/clients', newClient({ kind: 'ai_agent', scopeCeiling: ['a.read'], status: 'disabled' }));
    const updated = await admin.put<{ kind: string; scopeCeiling: string[]; status: string; name: string }>(
      `/api/clients/${created.body.id}`,
      { name: 'Only the name changes' },
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Only the name changes', kind: 'ai_agent', scopeCeiling: ['a.read'], status: 'disabled' });
  });

  it('should treat saving a record unchanged as no change: no audit event, updatedAt kept', async () => {
    const created = await admin.post<{ id: string; updatedAt: string }>('/api/clients', newClient());
    const before = await api.prisma.auditEvent.count({ where: { targetId: created.body.id } });

    const saved = await admin.put<{ updatedAt: string }>(`/api/clients/${created.body.id}`, created.body);

    expect(saved.status).toBe(200);
    expect(saved.body.updatedAt).toBe(created.body.updatedAt);
    expect(await api.prisma.auditEvent.count({ where: { targetId: created.body.id } })).toBe(before);
  });

  it('should name audit actions after the model in snake case', async () => {
    const created = await admin.post<{ id: string }>('/api/group-mappings', {
      idpId: (await admin.post<{ id: string }>('/api/trusted-idps', {
        name: 'Snake IdP',
        issuer: `https://${unique('idp')}.example.test`,
        audiences: ['snake'],
      })).body.id,
      externalGroup: unique('okta-group'),
      adminRole: 'auditor',
    });
    expect(created.status).toBe(201);
    const event = await api.prisma.auditEvent.findFirstOrThrow({ where: { targetId: created.body.id } });
    expect(event.action).toBe('group_mapping.create');
  });

  it('should page, sort and filter in the ra-data-simple-rest dialect with Content-Range', async () => {
    const owner = `${unique('owner')}@example.test`;
    for (const name of ['Charlie', 'Alpha', 'Bravo']) {
      expect((await admin.post('/api/clients', newClient({ name, owner }))).status).toBe(201);
    }
    const page = await admin.get<{ name: string }[]>(
      `/api/clients${listQuery({ sort: ['name', 'DESC'], range: [0, 1], filter: { owner } })}`,
    );
    expect(page.status).toBe(200);
    expect(page.body.map((client) => client.name)).toEqual(['Charlie', 'Bravo']);
    expect(page.headers.get('content-range')).toBe('clients 0-1/3');

    const search = await admin.get<unknown[]>(`/api/clients${listQuery({ filter: { q: 'alph', owner } })}`);
    expect(search.body).toHaveLength(1);
  });

  it('should answer 422 with a message per field and write nothing when the body is invalid', async () => {
    const before = await api.prisma.auditEvent.count();
    const response = await admin.post<{ errors: Record<string, string> }>('/api/clients', {
      clientId: 'x',
      owner: 'not-an-email',
      surprise: true,
    });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors).sort()).toEqual(['clientId', 'name', 'owner', 'surprise']);
    expect(response.body.errors['name']).toBe('is required');
    expect(await api.prisma.auditEvent.count()).toBe(before);
  });

  it('should answer 409 naming the field when a unique value is taken', async () => {
    const body = newClient();
    expect((await admin.post('/api/clients', body)).status).toBe(201);
    const duplicate = await admin.post<{ message: string }>('/api/clients', { ...body, name: 'Another' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toContain('clientId');
  });

  it('should refuse a policy that names a client that does not exist, with 422 on that field', async () => {
    const resource = await admin.post<{ id: string }>('/api/resources', {
      slug: unique('jira'),
      name: 'Jira',
      authorizationServer: 'https://jira.example.test/',
      resourceIndicators: ['https://jira.example.test/api'],
      scopes: [{ name: 'issues.read', risk: 'low' }],
      owner: 'it@example.test',
    });
    expect(resource.status).toBe(201);
    const response = await admin.post<{ errors: Record<string, string> }>('/api/policies', {
      name: 'Ghost client',
      clientId: '00000000-0000-4000-8000-000000000000',
      resourceId: resource.body.id,
      everyone: true,
      scopes: ['issues.read', 'issues.delete'],
    });
    expect(response.status).toBe(422);
    expect(response.body.errors['clientId']).toMatch(/no client/);
  });

  it('should bump the policy version in the same transaction as every policy change', async () => {
    const version = async () => (await api.prisma.policyVersion.findUniqueOrThrow({ where: { id: 1 } })).version;
    const client = await admin.post<{ id: string }>('/api/clients', newClient());
    const resource = await admin.post<{ id: string }>('/api/resources', {
      slug: unique('crm'),
      name: 'CRM',
      authorizationServer: 'https://crm.example.test/',
      resourceIndicators: ['https://crm.example.test/api'],
      scopes: [{ name: 'accounts.read' }],
      owner: 'it@example.test',
    });
    const before = await version();
    const policy = await admin.post<{ id: string }>('/api/policies', {
      name: 'CRM readers',
      clientId: client.body.id,
      resourceId: resource.body.id,
      everyone: true,
      scopes: ['accounts.read'],
    });
    expect(policy.status).toBe(201);
    expect(await version()).toBe(before + 1n);

    const refused = await admin.put(`/api/policies/${policy.body.id}`, { scopes: ['accounts.delete'] });
    expect(refused.status).toBe(422);
    expect(await version()).toBe(before + 1n);

    expect((await admin.delete(`/api/policies/${policy.body.id}`)).status).toBe(200);
    expect(await version()).toBe(before + 2n);
  });

  it('should never return a client secret hash, only whether a secret is set', async () => {
    const created = await admin.post<Record<string, unknown>>('/api/clients', newClient());
    await api.prisma.client.update({ where: { id: String(created.body['id']) }, data: { secretHash: '$argon2id$v=19$fake' } });
    const read = await admin.get<Record<string, unknown>>(`/api/clients/${String(created.body['id'])}`);
    expect(read.body).not.toHaveProperty('secretHash');
    expect(read.body['hasSecret']).toBe(true);
  });

  it('should refuse to delete a client that active policies still use', async () => {
    const client = await admin.post<{ id: string }>('/api/clients', newClient());
    const resource = await admin.post<{ id: string }>('/api/resources', {
      slug: unique('wiki'),
      name: 'Wiki',
      authorizationServer: 'https://wiki.example.test/',
      resourceIndicators: ['https://wiki.example.test/api'],
      scopes: [{ name: 'pages.read' }],
      owner: 'it@example.test',
    });
    const policy = await admin.post('/api/policies', {
      name: 'Wiki for everyone',
      clientId: client.body.id,
      resourceId: resource.body.id,
      everyone: true,
      scopes: ['pages.read'],
    });
    expect(policy.status).toBe(201);
    const refused = await admin.delete<{ message: string }>(`/api/clients/${client.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/1 policies/);
  });
});
