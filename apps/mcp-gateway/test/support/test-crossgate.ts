/** Crossgate's API in process on a loopback port, as the gateway's e2e specs drive it. */
import { loadConfig } from '@crossgate/config';
import { AdminHttp, createAdmin, freePort } from '@crossgate/testing';
import type { PrismaClient } from '@crossgate/store';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the gateway's own tests drive the API in-process, as its e2e specs do
import { createApi } from '../../../api/src/app.factory.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { PRISMA } from '../../../api/src/platform/platform.module.ts';

export interface TestCrossgate {
  baseUrl: string;
  prisma: PrismaClient;
  /** A new it-admin's admin API (a second one approves policies: the two-person rule). */
  newAdmin(): Promise<AdminHttp>;
  close(): Promise<void>;
}

export async function startTestCrossgate(): Promise<TestCrossgate> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const app = await createApi(loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: baseUrl }), { logger: ['error'] });
  await app.listen(port, '127.0.0.1');
  const prisma = app.get<PrismaClient>(PRISMA);
  return { baseUrl, prisma, newAdmin: async () => AdminHttp.withToken(baseUrl, (await createAdmin(prisma, 'it-admin')).token), close: () => app.close() };
}
