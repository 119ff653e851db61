/** Starts the real API on a loopback port, configured from the test run's environment. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { INestApplication } from '@nestjs/common';

import { loadConfig, type Config } from '@crossgate/config';
import { type PrismaClient } from '@crossgate/store';

import { createApi } from '../../src/app.factory.ts';
import { PRISMA } from '../../src/platform/index.ts';
import { PolicyEngineService } from '../../src/policies/index.ts';

export interface TestApi {
  app: INestApplication;
  baseUrl: string;
  config: Config;
  prisma: PrismaClient;
  /**
   * For rows a test wrote straight to the database: bumps the policy version and waits until this
   * instance has reloaded, as an admin API write does.
   */
  directoryChanged(): Promise<void>;
  close(): Promise<void>;
}

/** A free loopback port, so that Crossgate's PUBLIC_URL (its issuer, its redirect URIs) is the address it listens on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Pass `PORT` (from `freePort`) and `PUBLIC_URL` in `environment` when the API must know its own
 * address, and `withoutRedis` to run it as a deployment without REDIS_URL (coordination and queues on
 * PostgreSQL).
 */
export async function startTestApi(environment: Record<string, string> = {}, options: { withoutRedis?: boolean } = {}): Promise<TestApi> {
  const { REDIS_URL: redisUrl, ...inherited } = process.env;
  const config = loadConfig({ ...inherited, ...(options.withoutRedis === true || redisUrl === undefined ? {} : { REDIS_URL: redisUrl }), HOST: '127.0.0.1', PORT: '0', ...environment });
  const app = await createApi(config, { logger: ['error'] });
  await app.listen(Number(environment['PORT'] ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const prisma = app.get<PrismaClient>(PRISMA);
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    config,
    prisma,
    directoryChanged: async () => {
      await prisma.policyVersion.update({ where: { id: 1 }, data: { version: { increment: 1 } } });
      await app.get(PolicyEngineService).announceChange();
    },
    close: () => app.close(),
  };
}
