/**
 * Without a Redis URL the API coordinates its instances through PostgreSQL: readiness names only
 * PostgreSQL, a failed sign-in is counted in `coordination_entries`, and a policy change is
 * announced over LISTEN/NOTIFY.
 */
import type { INestApplication } from '@nestjs/common';

import { databaseUrlOf, loadConfig } from '@crossgate/config';
import { Coordination, PostgresCoordination } from '@crossgate/coordination';
import type { PrismaClient } from '@crossgate/store';
import { AdminHttp, createAdmin, eventually, unique } from '@crossgate/testing';

import { createApi } from '../src/app.factory.ts';
import { digest } from '../src/auth/index.ts';
import { PRISMA } from '../src/platform/index.ts';
import { policyChannel } from '../src/policies/index.ts';

const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0' });
const quiet = { log: () => undefined, warn: () => undefined };

let app: INestApplication;
let baseUrl: string;
let prisma: PrismaClient;

beforeAll(async () => {
  app = await createApi({ ...config, redis: { ...config.redis, url: '' } }, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  prisma = app.get<PrismaClient>(PRISMA);
});

afterAll(async () => {
  await app.close();
});

describe('the API without Redis', () => {
  it('should coordinate through PostgreSQL and name only PostgreSQL in /readyz', async () => {
    const response = await AdminHttp.anonymous(baseUrl).get('/readyz');

    expect(app.get(Coordination).backend).toBe('postgres');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', backends: { database: 'postgresql', coordination: 'postgresql', queues: 'postgresql' }, checks: { postgresql: 'ok' } });
  });

  it('should count a failed sign-in in PostgreSQL, for the fifteen-minute window', async () => {
    const email = `${unique('nobody')}@example.test`;

    const response = await fetch(`${baseUrl}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'not the password' }),
    });

    expect(response.status).toBe(401);
    const rows = await prisma.$queryRaw<{ value: string; expires_at: Date }[]>`
      SELECT value, expires_at FROM coordination_entries WHERE key = ${`sign-in-failures:${digest(email)}`}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.value).toBe('1');
    expect(rows[0]!.expires_at.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
  });

  it('should announce a policy-relevant write over LISTEN/NOTIFY', async () => {
    const listener = PostgresCoordination.connect(databaseUrlOf(config), { logger: quiet });
    const messages: string[] = [];
    await listener.subscribe(policyChannel, (message) => messages.push(message));
    try {
      const admin = AdminHttp.withToken(baseUrl, (await createAdmin(prisma, 'it-admin')).token);

      const created = await admin.post('/api/clients', {
        clientId: unique('client'),
        name: unique('Agent'),
        kind: 'ai_agent',
        authMethod: 'client_secret_basic',
        owner: 'dana@example.test',
      });

      expect(created.status).toBe(201);
      await eventually('the announcement', async () => messages, (received) => received.includes('changed'), 5000);
    } finally {
      await listener.close();
    }
  });
});
