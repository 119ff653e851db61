/**
 * @overview The API under test for the HTTP benches: a database and a Redis prefix of the bench's
 * own (created, migrated, and removed at the end, also after a failure or Ctrl-C), and the built
 * server (`npm run build:server`) started as a child process (@crossgate/testing's startBuiltApi).
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createPrismaClient, type PrismaClient } from '@crossgate/store';
import { type ApiProcess, baseDatabaseUrl, clearRedis, createDatabase, dropDatabase, migrateInChildProcess, startBuiltApi, stopChild, type TestRun } from '@crossgate/testing';

/** A bench setting from the environment (BENCH_SECONDS and the like). */
export function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number`);
  }
  return value;
}

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface BenchDatabase {
  run: TestRun;
  prisma: PrismaClient;
  /** Stops the children given and removes the database and the Redis keys; safe to call twice. */
  cleanUp(children: (ChildProcess | undefined)[]): Promise<void>;
}

/** Creates and migrates `crossgate_bench_<id>` on the server of DATABASE_URL, with a Redis prefix of its own. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = new URL(baseDatabaseUrl());
  const run: TestRun = {
    serverUrl: baseDatabaseUrl(),
    databaseName: `crossgate_bench_${id}`,
    databaseUrl: '',
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    redisPrefix: `crossgate-bench-${id}`,
  };
  databaseUrl.pathname = `/${run.databaseName}`;
  run.databaseUrl = databaseUrl.toString();
  console.log(`database ${run.databaseName}, Redis prefix ${run.redisPrefix}`);
  await createDatabase(run);
  const prisma = createPrismaClient(run.databaseUrl);
  let cleaned: Promise<void> | undefined;
  const cleanUp = (children: (ChildProcess | undefined)[]) =>
    (cleaned ??= (async () => {
      await Promise.all(children.map((child) => stopChild(child)));
      await prisma.$disconnect().catch(() => undefined);
      await dropDatabase(run).catch((error: unknown) => console.error(`Could not drop ${run.databaseName}: ${String(error)}`));
      await clearRedis(run).catch((error: unknown) => console.error(`Could not clear Redis keys ${run.redisPrefix}:*: ${String(error)}`));
      console.log(`dropped database ${run.databaseName} and Redis keys ${run.redisPrefix}:*`);
    })());
  try {
    await migrateInChildProcess(run.databaseUrl);
  } catch (error) {
    await cleanUp([]);
    throw error;
  }
  return { run, prisma, cleanUp };
}

/** `npm run build:server`, rejecting with its output. */
export function buildServer(): Promise<unknown> {
  return promisify(execFile)('npm', ['run', 'build:server'], { cwd: repositoryRoot, maxBuffer: 16 * 2 ** 20 }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`npm run build:server failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
}

/**
 * Starts the built API on the bench database (see startBuiltApi); `publicUrl` sets its issuer
 * identifiers (default: the address it listens on).
 */
export function startApi(run: TestRun, options: { adminPassword: string; publicUrl?: string }): Promise<ApiProcess> {
  // V8's defaults, as `npm start` runs the API (scripts/start.mjs), plus any flags for profiling
  // (BENCH_API_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeFlags = process.env['BENCH_API_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  return startBuiltApi({
    repositoryRoot,
    nodeFlags,
    env: {
      DATABASE_URL: run.databaseUrl,
      REDIS_URL: run.redisUrl,
      REDIS_PREFIX: run.redisPrefix,
      NODE_ENV: 'development',
      BOOTSTRAP_ADMIN_PASSWORD: options.adminPassword,
      ...(options.publicUrl === undefined ? {} : { PUBLIC_URL: options.publicUrl }),
    },
  });
}
