/**
 * @overview A database and a Redis prefix for one run of a bench or the demo flow:
 * `crossgate_<purpose>_<id>` on the server of DATABASE_URL, migrated, and removed again by `cleanUp`
 * (also after a failure), so nothing is left behind and no run meets another's data.
 */
import { type ChildProcess } from 'node:child_process';
import { createPrismaClient, type PrismaClient } from '@crossgate/store';

import { stopChild } from './child-processes.ts';
import { createMigratedDatabase } from './fresh-database.ts';
import { clearRedis, dropDatabase, newTestRun, type TestRun } from './test-run.ts';

export interface ScratchDatabase {
  run: TestRun;
  prisma: PrismaClient;
  /** Stops the children given and removes the database and the Redis keys; safe to call twice. */
  cleanUp(children?: (ChildProcess | undefined)[]): Promise<void>;
}

export async function createScratchDatabase(purpose: string): Promise<ScratchDatabase> {
  const run = newTestRun({ purpose });
  process.stdout.write(`database ${run.databaseName}, Redis prefix ${run.redisPrefix}\n`);
  await createMigratedDatabase(run);
  const prisma = createPrismaClient(run.databaseUrl);
  let cleaned: Promise<void> | undefined;
  const cleanUp = (children: (ChildProcess | undefined)[] = []) =>
    (cleaned ??= (async () => {
      await Promise.all(children.map((child) => stopChild(child)));
      await prisma.$disconnect().catch(() => undefined);
      await dropDatabase(run).catch((error: unknown) => process.stderr.write(`Could not drop ${run.databaseName}: ${String(error)}\n`));
      await clearRedis(run).catch((error: unknown) => process.stderr.write(`Could not clear Redis keys ${run.redisPrefix}:*: ${String(error)}\n`));
      process.stdout.write(`dropped database ${run.databaseName} and Redis keys ${run.redisPrefix}:*\n`);
    })());
  return { run, prisma, cleanUp };
}
