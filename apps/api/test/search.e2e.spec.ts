/** The console's global search: finds users, groups, clients, resources and connections by name, a few of each, for any reader. */
import { AdminHttp, createAdmin, unique } from '@crossgate/testing';

import { searchLimitPerKind, type SearchResult } from '../src/search/index.ts';
import { createPolicyFixture, createUser } from './support/policy-fixtures.ts';
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

describe('GET /api/search', () => {
  it('should find a client, a resource and a user by part of their name, each with its kind and id', async () => {
    const fixture = await createPolicyFixture(admin);
    const [client, resource, user] = await Promise.all([
      api.prisma.client.findUniqueOrThrow({ where: { id: fixture.clientId } }),
      api.prisma.resource.findUniqueOrThrow({ where: { id: fixture.resourceId } }),
      api.prisma.user.findUniqueOrThrow({ where: { id: fixture.alice } }),
    ]);
    const responder = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'incident-responder')).token);

    const byClient = await responder.get<SearchResult>(`/api/search?q=${encodeURIComponent(client.name.slice(2))}`);
    const byResource = await responder.get<SearchResult>(`/api/search?q=${encodeURIComponent(resource.name)}`);
    const byUser = await responder.get<SearchResult>(`/api/search?q=${encodeURIComponent(user.displayName!)}`);

    expect(byClient.status).toBe(200);
    expect(byClient.body.hits).toContainEqual({ kind: 'clients', id: client.id, label: client.name, detail: client.clientId });
    expect(byResource.body.hits).toContainEqual({ kind: 'resources', id: resource.id, label: resource.name, detail: resource.slug });
    expect(byUser.body.hits).toContainEqual({ kind: 'users', id: user.id, label: user.displayName, detail: user.email });
  });

  it('should return at most a few hits of each kind, and leave out deleted records', async () => {
    const fixture = await createPolicyFixture(admin);
    const word = unique('crowd');
    const ids: string[] = [];
    for (let index = 0; index < searchLimitPerKind + 2; index += 1) {
      ids.push(await createUser(admin, fixture.idpId));
      await admin.put(`/api/users/${ids[index]}`, { idpId: fixture.idpId, subject: `${word}-${index}`, displayName: `${word} ${index}` });
    }
    const group = (await admin.post<{ id: string }>('/api/groups', { name: `${word} group` })).body.id;
    expect((await admin.delete(`/api/groups/${group}`)).status).toBe(200);

    const response = await admin.get<SearchResult>(`/api/search?q=${word}`);

    expect(response.body.hits.filter((hit) => hit.kind === 'users')).toHaveLength(searchLimitPerKind);
    expect(response.body.hits.filter((hit) => hit.kind === 'groups')).toEqual([]);
  });

  it('should refuse an empty or overlong query with 400, and anonymous callers with 401', async () => {
    expect((await admin.get('/api/search')).status).toBe(400);
    expect((await admin.get('/api/search?q=%20')).status).toBe(400);
    expect((await admin.get(`/api/search?q=${'x'.repeat(101)}`)).status).toBe(400);
    expect((await AdminHttp.anonymous(api.baseUrl).get('/api/search?q=alice')).status).toBe(401);
  });
});
