/**
 * Whatever a caller sends, the admin API answers with a 4xx that says what is wrong, writes nothing,
 * and never answers 500. Plus the probes, including a Redis that is down.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

import { databaseUrlOf } from '@crossgate/config';
import { Coordination } from '@crossgate/coordination';
import { AdminHttp, createAdmin, type HttpResult, listQuery, TcpProxy, testRedisUrl, unique } from '@crossgate/testing';

import { adminResources } from '../src/admin-resources.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

interface Problem {
  statusCode: number;
  error: string;
  message: string;
  errors?: Record<string, string>;
}

let api: TestApi;
let http: AdminHttp;

beforeAll(async () => {
  api = await startTestApi();
  http = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
});

afterAll(async () => {
  await api.close();
});

function validClient(overrides: Record<string, unknown> = {}) {
  return {
    clientId: unique('client'),
    name: unique('Agent'),
    kind: 'ai_agent',
    authMethod: 'client_secret_basic',
    owner: 'dana@example.test',
    ...overrides,
  };
}

/** Runs `call` and checks that neither a record nor an audit event was written meanwhile. */
async function withoutWrites<T>(call: () => Promise<HttpResult<T>>): Promise<HttpResult<T>> {
  const before = await Promise.all([api.prisma.auditEvent.count(), api.prisma.client.count(), api.prisma.group.count()]);
  const response = await call();
  const after = await Promise.all([api.prisma.auditEvent.count(), api.prisma.client.count(), api.prisma.group.count()]);
  expect(after).toEqual(before);
  return response;
}

const raw = (body: string, headers: Record<string, string> = {}) => () =>
  http.request<Problem>('POST', '/api/clients', body, { 'content-type': 'application/json', ...headers });

describe('request bodies', () => {
  it('should answer malformed JSON with 400 saying the body is not valid JSON', async () => {
    const response = await withoutWrites(raw('{"name": "Agent",'));

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/not valid JSON/) });
  });

  it('should answer a body over the 100kb default limit with 413', async () => {
    const response = await withoutWrites(raw(JSON.stringify(validClient({ description: 'x'.repeat(150 * 1024) }))));

    expect(response.status).toBe(413);
    expect(response.body.error).toBe('payload_too_large');
  });

  it.each([
    ['an array', '[{"name":"Agent"}]'],
    ['a string', '"Agent"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('should answer %s instead of an object with 400', async (_kind, body) => {
    const response = await withoutWrites(raw(body));

    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/JSON object/);
  });

  it('should answer a body that is not JSON at all with 400', async () => {
    const response = await withoutWrites(raw('name=Agent', { 'content-type': 'text/plain' }));

    expect(response.status).toBe(400);
  });

  it('should answer wrong types with 422 naming each field', async () => {
    const response = await withoutWrites(() =>
      http.post<Problem>('/api/clients', validClient({ name: 42, scopeCeiling: 'read', kind: ['ai_agent'] })),
    );

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors ?? {}).sort()).toEqual(['kind', 'name', 'scopeCeiling']);
  });

  it('should answer unknown fields with 422 naming them', async () => {
    const response = await withoutWrites(() => http.post<Problem>('/api/clients', validClient({ isAdmin: true })));

    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual({ isAdmin: 'unknown field' });
  });

  it('should name an unknown "__proto__" field instead of swallowing it', async () => {
    const response = await withoutWrites(raw(`{"__proto__": {"polluted": true}, ${JSON.stringify(validClient()).slice(1)}`));

    expect(response.status).toBe(422);
    expect(Object.entries(response.body.errors ?? {})).toEqual([['__proto__', 'unknown field']]);
    expect(response.body.message).toContain('__proto__: unknown field');
  });

  it('should answer 422 naming the field when a text value holds a NUL character', async () => {
    const response = await withoutWrites(() => http.post<Problem>('/api/clients', validClient({ name: 'Agent\u0000' })));

    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual({ name: expect.stringMatching(/NUL/) });
  });

  it('should answer 422 when a JSON field holds a NUL character in a key', async () => {
    const response = await withoutWrites(() =>
      http.post<Problem>('/api/clients', validClient({ jwks: { keys: [{ kty: 'EC', 'x\u0000': 'y' }] } })),
    );

    expect(response.status).toBe(422);
  });

  it('should answer 422 naming the field when text holds a lone UTF-16 surrogate', async () => {
    const response = await withoutWrites(() =>
      http.post<Problem>('/api/clients', validClient({ jwks: { keys: [{ kty: 'EC', x: 'half an emoji \ud83d' }] } })),
    );

    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual({ 'jwks.keys.0.x': expect.stringMatching(/Unicode/) });
  });

  it('should answer 422 for a URL whose characters fit the limit but whose bytes would not fit a unique index', async () => {
    const wide = Array.from({ length: 2000 }, (_, index) => String.fromCodePoint(0x4e00 + ((index * 7919) % 20000))).join('');

    const response = await withoutWrites(() =>
      http.post<Problem>('/api/trusted-idps', { name: 'Wide IdP', issuer: `https://idp.example.test/${wide}`, audiences: ['crossgate'] }),
    );

    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual({ issuer: expect.stringMatching(/bytes/) });
  });

  it('should answer 422 instead of exhausting the stack when JSON nests thousands of levels deep', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const body = JSON.stringify(validClient()).replace(/}$/, `,"jwks":{"keys":[{"x":${deep}}]}}`);

    const response = await withoutWrites(raw(body));

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors ?? {})[0]).toMatch(/^jwks\.keys\.0\.x/);
  });

  it('should answer an unsupported charset with 400', async () => {
    const response = await withoutWrites(raw('{}', { 'content-type': 'application/json; charset=koi8-r' }));

    expect(response.status).toBe(400);
  });
});

describe('list parameters', () => {
  it.each([
    ['an end before the start', 'range=[5,1]'],
    ['a page over 500 rows', 'range=[0,100000]'],
    ['a range that is not JSON', 'range=first-page'],
    ['negative numbers', 'range=[-1,5]'],
    ['fractions', 'range=[0.5,2]'],
    ['a repeated range', 'range=[0,1]&range=[2,3]'],
    ['a repeated sort', 'sort=["name","ASC"]&sort=["name","DESC"]'],
    ['a sort that is not a pair', 'sort=["name"]'],
    ['a filter that is not an object', 'filter=[1,2]'],
    ['a filter that is not JSON', 'filter={name'],
  ])('should answer %s with 400', async (_case, query) => {
    const response = await http.get<Problem>(`/api/clients?${query}`);

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('bad_request');
  });

  it('should answer an unknown sort field with 400 naming the sortable fields', async () => {
    const response = await http.get<Problem>(`/api/clients${listQuery({ sort: ['secret', 'ASC'] })}`);

    expect(response.status).toBe(400);
    expect(response.body.message).toContain('sortable fields: name, clientId, kind, status, owner, createdAt, updatedAt');
  });

  it('should answer an unknown filter key with 400 naming the known filters', async () => {
    const response = await http.get<Problem>(`/api/clients${listQuery({ filter: { deletedAt: null } })}`);

    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/Unknown filter "deletedAt".*known filters: q, id, kind/);
  });

  it('should answer a filter value of the wrong shape with 400, not hand it to the database', async () => {
    const response = await http.get<Problem>(`/api/clients${listQuery({ filter: { owner: { not: 'x' } } })}`);

    expect(response.status).toBe(400);
  });

  it('should answer a NUL character in a filter with 400', async () => {
    const response = await http.get<Problem>(`/api/clients${listQuery({ filter: { q: 'agent\u0000' } })}`);

    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/filter\.q.*NUL/);
  });

  it.each([['from'], ['to']])('should answer an audit %s date outside years 1 to 9999 with 400', async (bound) => {
    const response = await http.get<Problem>(`/api/audit${listQuery({ filter: { [bound]: '-200000-01-01T00:00:00Z' } })}`);

    expect(response.status).toBe(400);
    expect(response.body.message).toContain(`filter.${bound}`);
  });

  it('should sort every resource by each field it declares sortable, and search it, without a server error', async () => {
    const paths = adminResources.flatMap((resource) => [
      ...resource.list.sortable.map((field) => `/api/${resource.object}${listQuery({ sort: [field, 'DESC'], range: [0, 4] })}`),
      `/api/${resource.object}${listQuery({ filter: { q: "it's 100% _real_" }, range: [0, 4] })}`,
    ]);

    const responses = await Promise.all(paths.map((path) => http.get(path)));

    const failures = responses.flatMap((response, index) =>
      response.status === 200 ? [] : [`${decodeURIComponent(paths[index]!)} → ${response.status}`],
    );
    expect(failures).toEqual([]);
  });

  it('should treat SQL in q and in filters as plain text, leaving the table intact', async () => {
    const owner = `${unique('owner')}@example.test`;
    const created = await http.post<{ id: string }>('/api/clients', validClient({ owner, name: "O'Reilly agent" }));
    const before = await api.prisma.client.count();
    const injections = ["' OR 1=1 --", "'; DROP TABLE clients; --", '%', '_', "\\' OR '1'='1"];

    for (const text of injections) {
      for (const filter of [{ q: text }, { owner: text }, { q: text, owner }]) {
        const response = await http.get<unknown[]>(`/api/clients${listQuery({ filter })}`);
        expect([JSON.stringify(filter), response.status]).toEqual([JSON.stringify(filter), 200]);
        expect(response.body.length).toBeLessThanOrEqual(25);
      }
    }
    const quoted = await http.get<{ id: string }[]>(`/api/clients${listQuery({ filter: { q: "O'Reilly", owner } })}`);
    const injected = await http.get<unknown[]>(`/api/clients${listQuery({ filter: { q: "' OR 1=1 --", owner } })}`);

    expect(quoted.body.map((client) => client.id)).toEqual([created.body.id]);
    expect(injected.body).toEqual([]);
    expect(await api.prisma.client.count()).toBe(before);
    expect((await http.get(`/api/clients/${created.body.id}`)).status).toBe(200);
  });
});

describe('ids in the path', () => {
  it.each([
    ['GET', 'not-a-uuid'],
    ['PUT', 'not-a-uuid'],
    ['DELETE', 'not-a-uuid'],
    ['GET', "1' OR '1'='1"],
    ['GET', '00000000-0000-0000-0000-00000000000g'],
  ])('should answer %s /api/clients/%s with 404', async (method, id) => {
    const path = `/api/clients/${encodeURIComponent(id)}`;

    const response = await withoutWrites(() => http.request<Problem>(method, path, method === 'PUT' ? {} : undefined));

    expect(response.status).toBe(404);
  });

  it.each([['abc'], ['-1'], ['99999999999999999999999']])('should answer GET /api/audit/%s with 404', async (seq) => {
    expect((await http.get(`/api/audit/${seq}`)).status).toBe(404);
  });

  it('should answer a path with a broken percent-encoding with 400', async () => {
    expect((await http.get('/api/clients/%E0%A4%A')).status).toBe(400);
  });
});

describe('health probes', () => {
  // The run's API keeps its coordination and queues in Redis where the run has one, else in PostgreSQL.
  const withRedis = testRedisUrl() !== undefined;
  const backends = withRedis ? { database: 'postgresql', coordination: 'redis', queues: 'redis' } : { database: 'postgresql', coordination: 'postgresql', queues: 'postgresql' };

  it('should answer /healthz with 200', async () => {
    const response = await AdminHttp.anonymous(api.baseUrl).get<{ status: string }>('/healthz');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('should answer /readyz with 200 naming the backends when PostgreSQL (and Redis, where there is one) answer', async () => {
    const response = await AdminHttp.anonymous(api.baseUrl).get('/readyz');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', backends, checks: withRedis ? { postgresql: 'ok', redis: 'ok' } : { postgresql: 'ok' } });
  });

  describe('with PostgreSQL down', () => {
    let proxy: TcpProxy;
    let down: TestApi;

    beforeAll(async () => {
      const database = new URL(databaseUrlOf(api.config));
      proxy = await TcpProxy.start({ host: database.hostname, port: Number(database.port || 5432) });
      database.host = `127.0.0.1:${proxy.port}`;
      down = await startTestApi({ DATABASE_URL: database.toString() });
    });

    afterAll(async () => {
      await proxy.restore();
      await down.close();
      await proxy.close();
    });

    it('should answer /readyz with 503 naming PostgreSQL, within 3 seconds', async () => {
      expect((await AdminHttp.anonymous(down.baseUrl).get('/readyz')).status).toBe(200);
      await proxy.cut();
      const started = Date.now();

      const response = await AdminHttp.anonymous(down.baseUrl).get('/readyz');

      expect(Date.now() - started).toBeLessThan(3000);
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'not ready', backends, checks: withRedis ? { postgresql: 'unreachable', redis: 'ok' } : { postgresql: 'unreachable' } });
    });
  });

  describe('with Redis down', () => {
    let down: TestApi;
    let closed = false;
    // Where Redis should be, something that hangs up on every connection: each reconnect attempt shows.
    let hangUp: Server;
    let attempts = 0;

    beforeAll(async () => {
      hangUp = createServer((socket) => {
        attempts += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
      down = await startTestApi({ REDIS_URL: `redis://127.0.0.1:${(hangUp.address() as AddressInfo).port}` });
    });

    afterAll(async () => {
      if (!closed) {
        await down.close();
      }
      await new Promise((resolve) => hangUp.close(resolve));
    });

    it('should answer /readyz with 503 naming Redis, within 3 seconds', async () => {
      const started = Date.now();

      const response = await AdminHttp.anonymous(down.baseUrl).get('/readyz');

      expect(Date.now() - started).toBeLessThan(3000);
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'not ready', backends: { database: 'postgresql', coordination: 'redis', queues: 'redis' }, checks: { postgresql: 'ok', redis: 'unreachable' } });
    });

    it('should keep serving the admin API', async () => {
      const admin = await createAdmin(down.prisma, 'auditor');

      expect((await AdminHttp.anonymous(down.baseUrl).get('/healthz')).status).toBe(200);
      expect((await AdminHttp.withToken(down.baseUrl, admin.token).get('/api/clients')).status).toBe(200);
    });

    it('should shut down at once and stop reconnecting, even with a command waiting for Redis', async () => {
      void down.app
        .get(Coordination)
        .get('anything')
        .catch(() => undefined);
      const started = Date.now();

      await down.close();
      closed = true;
      const elapsed = Date.now() - started;
      // A connection that was being opened at the close may still land; none may follow it.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const attemptsAtClose = attempts;
      await new Promise((resolve) => setTimeout(resolve, 1000));

      expect(elapsed).toBeLessThan(1000);
      expect(attempts).toBe(attemptsAtClose);
    });
  });
});
