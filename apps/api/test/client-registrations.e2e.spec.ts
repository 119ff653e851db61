/**
 * What the admin API stores for the ID-JAG's `sub`, `client_id` and `email` per resource (SPEC.md
 * §2.2 "Map `client_id`" and "Map `sub`"): a resource's subject type and email release, and a client's
 * registrations at resource authorization servers.
 */
import { AdminHttp, createAdmin, listQuery, unique } from '@crossgate/testing';

import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let admin: AdminHttp;

beforeAll(async () => {
  api = await startTestApi();
  admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
});

afterAll(async () => {
  await api.close();
});

const policyVersion = async () => (await api.prisma.policyVersion.findUniqueOrThrow({ where: { id: 1 } })).version;

function newResourceBody(overrides: Record<string, unknown> = {}) {
  const slug = unique('chat');
  return {
    slug,
    name: 'Chat',
    authorizationServer: `https://${slug}.example.test/`,
    resourceIndicators: [`https://${slug}.example.test/api`],
    scopes: [{ name: 'chat.read' }],
    owner: 'it@example.test',
    ...overrides,
  };
}

async function newClient(): Promise<string> {
  const created = await admin.post<{ id: string }>('/api/clients', {
    clientId: unique('agent'),
    name: 'Agent',
    kind: 'ai_agent',
    authMethod: 'client_secret_basic',
    owner: 'dana@example.test',
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function newResource(overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await admin.post<{ id: string }>('/api/resources', newResourceBody(overrides));
  expect(created.status).toBe(201);
  return created.body.id;
}

describe('a resource: subject type and email release', () => {
  it('should default to the public subject and no email', async () => {
    const created = await admin.post<Record<string, unknown>>('/api/resources', newResourceBody());

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ subjectType: 'public', releaseEmail: false });
  });

  it('should store pairwise subjects and email release, and keep them on an update that leaves them out', async () => {
    const created = await admin.post<{ id: string }>('/api/resources', newResourceBody({ subjectType: 'pairwise', releaseEmail: true }));
    expect(created.status).toBe(201);

    const renamed = await admin.put<Record<string, unknown>>(`/api/resources/${created.body.id}`, { name: 'Renamed chat' });

    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Renamed chat', subjectType: 'pairwise', releaseEmail: true });
    const stored = await api.prisma.resource.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(stored).toMatchObject({ subjectType: 'pairwise', releaseEmail: true });
  });

  it('should filter resources by subject type', async () => {
    const pairwise = await newResource({ subjectType: 'pairwise' });
    const page = await admin.get<{ id: string; subjectType: string }[]>(
      `/api/resources${listQuery({ filter: { subjectType: 'pairwise' }, range: [0, 499] })}`,
    );

    expect(page.status).toBe(200);
    expect(page.body.map((resource) => resource.id)).toContain(pairwise);
    expect(new Set(page.body.map((resource) => resource.subjectType))).toEqual(new Set(['pairwise']));
  });

  it('should answer 422 to an unknown subject type or a non-boolean email release, and store nothing', async () => {
    const body = newResourceBody({ subjectType: 'per-client', releaseEmail: 'yes' });
    const response = await admin.post<{ errors: Record<string, string> }>('/api/resources', body);

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors).sort()).toEqual(['releaseEmail', 'subjectType']);
    expect(await api.prisma.resource.count({ where: { slug: body.slug } })).toBe(0);
  });

  it('should bump the policy version when a resource changes, since the exchange reads these fields', async () => {
    const id = await newResource();
    const before = await policyVersion();

    expect((await admin.put(`/api/resources/${id}`, { subjectType: 'pairwise' })).status).toBe(200);

    expect(await policyVersion()).toBe(before + 1n);
  });
});

describe('client registrations at resource authorization servers', () => {
  it('should create, read, update and delete a registration, writing one audit event per change', async () => {
    const clientId = await newClient();
    const resourceId = await newResource();

    const created = await admin.post<Record<string, unknown> & { id: string }>('/api/client-registrations', {
      clientId,
      resourceId,
      remoteClientId: 'https://agent.example/',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ clientId, resourceId, remoteClientId: 'https://agent.example/' });
    const id = created.body.id;

    const read = await admin.get<Record<string, unknown>>(`/api/client-registrations/${id}`);
    expect(read.body).toMatchObject({ remoteClientId: 'https://agent.example/' });
    // react-admin sends the whole record back on update, read-only fields included.
    const updated = await admin.put<{ remoteClientId: string }>(`/api/client-registrations/${id}`, { ...read.body, remoteClientId: 'agent-42' });
    expect(updated.status).toBe(200);
    expect(updated.body.remoteClientId).toBe('agent-42');

    expect((await admin.delete(`/api/client-registrations/${id}`)).status).toBe(200);
    expect((await admin.get(`/api/client-registrations/${id}`)).status).toBe(404);
    expect(await api.prisma.clientRegistration.count({ where: { id } })).toBe(0);

    const events = await api.prisma.auditEvent.findMany({ where: { targetId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((event) => event.action)).toEqual([
      'client_registration.create',
      'client_registration.update',
      'client_registration.delete',
    ]);
  });

  it('should list registrations filtered by client and by resource', async () => {
    const [agent, other] = [await newClient(), await newClient()];
    const [chat, wiki] = [await newResource(), await newResource()];
    for (const [clientId, resourceId, remoteClientId] of [
      [agent, chat, 'agent-at-chat'],
      [agent, wiki, 'agent-at-wiki'],
      [other, chat, 'other-at-chat'],
    ]) {
      expect((await admin.post('/api/client-registrations', { clientId, resourceId, remoteClientId })).status).toBe(201);
    }

    const byClient = await admin.get<{ remoteClientId: string }[]>(
      `/api/client-registrations${listQuery({ filter: { clientId: agent }, sort: ['remoteClientId', 'ASC'] })}`,
    );
    const byResource = await admin.get<{ remoteClientId: string }[]>(
      `/api/client-registrations${listQuery({ filter: { resourceId: chat }, sort: ['remoteClientId', 'ASC'] })}`,
    );
    const both = await admin.get<{ remoteClientId: string }[]>(`/api/client-registrations${listQuery({ filter: { clientId: other, resourceId: chat } })}`);

    expect(byClient.body.map((row) => row.remoteClientId)).toEqual(['agent-at-chat', 'agent-at-wiki']);
    expect(byClient.headers.get('content-range')).toBe('client-registrations 0-1/2');
    expect(byResource.body.map((row) => row.remoteClientId)).toEqual(['agent-at-chat', 'other-at-chat']);
    expect(both.body.map((row) => row.remoteClientId)).toEqual(['other-at-chat']);
  });

  it('should answer 409 to a second registration of the same client at the same resource', async () => {
    const clientId = await newClient();
    const resourceId = await newResource();
    expect((await admin.post('/api/client-registrations', { clientId, resourceId, remoteClientId: 'first' })).status).toBe(201);

    const duplicate = await admin.post<{ message: string }>('/api/client-registrations', { clientId, resourceId, remoteClientId: 'second' });

    expect(duplicate.status).toBe(409);
    expect(await api.prisma.clientRegistration.findMany({ where: { clientId, resourceId }, select: { remoteClientId: true } })).toEqual([
      { remoteClientId: 'first' },
    ]);
  });

  it('should answer 422 per field to a bad registration and store nothing', async () => {
    const before = await api.prisma.clientRegistration.count();
    const response = await admin.post<{ errors: Record<string, string> }>('/api/client-registrations', {
      clientId: 'not-a-uuid',
      remoteClientId: 'has spaces',
      surprise: true,
    });

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors).sort()).toEqual(['clientId', 'remoteClientId', 'resourceId', 'surprise']);
    expect(response.body.errors['resourceId']).toBe('is required');
    expect(await api.prisma.clientRegistration.count()).toBe(before);
  });

  it('should answer 422 to a registration naming a client or resource that does not exist', async () => {
    const response = await admin.post<{ errors: Record<string, string> }>('/api/client-registrations', {
      clientId: '00000000-0000-4000-8000-000000000000',
      resourceId: await newResource(),
      remoteClientId: 'ghost',
    });

    expect(response.status).toBe(422);
    expect(response.body.errors['clientId']).toMatch(/no client/);
  });

  it('should refuse to delete a client or resource that a registration still names', async () => {
    const clientId = await newClient();
    const resourceId = await newResource();
    expect((await admin.post('/api/client-registrations', { clientId, resourceId, remoteClientId: 'kept' })).status).toBe(201);

    const client = await admin.delete<{ message: string }>(`/api/clients/${clientId}`);
    const resource = await admin.delete<{ message: string }>(`/api/resources/${resourceId}`);

    expect(client.status).toBe(409);
    expect(client.body.message).toMatch(/client registrations/);
    expect(resource.status).toBe(409);
    expect(resource.body.message).toMatch(/client registrations/);
  });

  it('should bump the policy version on every registration change', async () => {
    const clientId = await newClient();
    const resourceId = await newResource();
    const before = await policyVersion();

    const created = await admin.post<{ id: string }>('/api/client-registrations', { clientId, resourceId, remoteClientId: 'v1' });
    expect(await policyVersion()).toBe(before + 1n);
    await admin.put(`/api/client-registrations/${created.body.id}`, { remoteClientId: 'v2' });
    expect(await policyVersion()).toBe(before + 2n);
    await admin.delete(`/api/client-registrations/${created.body.id}`);
    expect(await policyVersion()).toBe(before + 3n);
  });

  it('should let other roles read registrations but not change them', async () => {
    const auditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);
    const clientId = await newClient();
    const resourceId = await newResource();

    const refused = await auditor.post('/api/client-registrations', { clientId, resourceId, remoteClientId: 'nope' });
    const list = await auditor.get('/api/client-registrations');

    expect(refused.status).toBe(403);
    expect(list.status).toBe(200);
  });
});
