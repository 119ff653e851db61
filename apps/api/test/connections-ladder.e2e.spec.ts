/**
 * GET /api/connections-ladder: the estate by pattern, weakest rung first, as the dashboard draws it.
 * Other tests of the run share the database, so each test compares the ladder before and after the
 * connections it creates itself.
 */
import { AdminHttp, createAdmin, unique } from '@crossgate/testing';

import { createPolicyFixture, type PolicyFixture } from './support/policy-fixtures.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

interface Ladder {
  patterns: { pattern: string; count: number; active: number }[];
  total: number;
}

let api: TestApi;
let http: AdminHttp;
let fixture: PolicyFixture;

beforeAll(async () => {
  api = await startTestApi();
  http = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  fixture = await createPolicyFixture(http);
});

afterAll(async () => {
  await api.close();
});

async function ladder(as: AdminHttp = http): Promise<Ladder> {
  const response = await as.get<Ladder>('/api/connections-ladder');
  expect(response.status).toBe(200);
  return response.body;
}

async function createClient(): Promise<string> {
  const response = await http.post<{ id: string }>('/api/clients', {
    clientId: unique('agent'),
    name: unique('Agent'),
    kind: 'ai_agent',
    authMethod: 'client_secret_basic',
    owner: 'dana@example.test',
  });
  expect(response.status).toBe(201);
  return response.body.id;
}

async function createConnection(pattern: string, body: Record<string, unknown> = {}): Promise<string> {
  const response = await http.post<{ id: string }>('/api/connections', {
    name: unique(pattern),
    clientId: fixture.clientId,
    resourceId: fixture.resourceId,
    pattern,
    owner: 'dana@example.test',
    ...body,
  });
  expect(response).toMatchObject({ status: 201 });
  return response.body.id;
}

const serviceAccount = {
  accountName: 'svc-mainframe',
  justification: 'The mainframe accepts nothing but a password until 2027.',
  sunsetAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
};

/** Per pattern, how much `after` grew over `before`. */
function growth(before: Ladder, after: Ladder): Record<string, { count: number; active: number }> {
  return Object.fromEntries(
    after.patterns.map((entry, index) => [
      entry.pattern,
      { count: entry.count - before.patterns[index]!.count, active: entry.active - before.patterns[index]!.active },
    ]),
  );
}

describe('the connections ladder', () => {
  it('should list every pattern from the weakest to XAA, even those with no connection', async () => {
    const answer = await ladder();

    expect(answer.patterns.map((entry) => entry.pattern)).toEqual(['service_account', 'vaulted_key', 'sts', 'xaa']);
    expect(answer.total).toBe(answer.patterns.reduce((sum, entry) => sum + entry.count, 0));
  });

  it('should count live connections per pattern, and the active ones apart', async () => {
    const before = await ladder();
    await createConnection('xaa');
    await createConnection('vaulted_key', { status: 'disabled' });
    await createConnection('service_account', serviceAccount);
    await createConnection('service_account', { ...serviceAccount, clientId: await createClient() });

    const after = await ladder();

    expect(growth(before, after)).toEqual({
      service_account: { count: 2, active: 2 },
      vaulted_key: { count: 1, active: 0 },
      sts: { count: 0, active: 0 },
      xaa: { count: 1, active: 1 },
    });
    expect(after.total - before.total).toBe(4);
  });

  it('should not count a deleted connection', async () => {
    const id = await createConnection('vaulted_key', { clientId: await createClient() });
    const before = await ladder();

    expect((await http.delete(`/api/connections/${id}`)).status).toBe(200);

    const after = await ladder();
    expect(growth(before, after)['vaulted_key']).toEqual({ count: -1, active: -1 });
    expect(after.total - before.total).toBe(-1);
  });

  it('should answer an auditor, who may read connections but not change them', async () => {
    const auditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);

    expect((await ladder(auditor)).total).toBe((await ladder()).total);
    expect((await auditor.post('/api/connections', {})).status).toBe(403);
  });
});

describe('the connection record the wizard writes', () => {
  it('should keep the account name and the rotation schedule, and refuse an interval and a cron at once', async () => {
    const id = await createConnection('service_account', {
      ...serviceAccount,
      clientId: await createClient(),
      accountName: 'svc-mainframe',
      rotationIntervalSeconds: 86_400,
      rotationOverlapSeconds: 600,
      rotationHookUrl: 'https://legacy.example.test/rotate',
      rotationVerifyUrl: 'https://legacy.example.test/whoami',
    });
    const stored = await http.get<Record<string, unknown>>(`/api/connections/${id}`);

    expect(stored.body).toMatchObject({
      accountName: 'svc-mainframe',
      rotationIntervalSeconds: 86_400,
      rotationCron: null,
      rotationOverlapSeconds: 600,
      rotationStatus: 'idle',
    });

    const both = await http.put<{ errors: Record<string, string> }>(`/api/connections/${id}`, { rotationCron: '0 3 * * *' });
    expect(both.status).toBe(422);
    expect(both.body.errors).toEqual({ rotationCron: 'set either rotationIntervalSeconds or rotationCron, not both' });

    // The whole record back, as the edit form sends it: read-only fields are ignored, not refused.
    const edited = await http.put<Record<string, unknown>>(`/api/connections/${id}`, { ...stored.body, rotationIntervalSeconds: null, rotationCron: '0 3 * * *' });
    expect(edited).toMatchObject({ status: 200, body: { rotationIntervalSeconds: null, rotationCron: '0 3 * * *' } });
  });
});
