/**
 * The kill-switch fan-out suite again, with the queues in PostgreSQL (BullMQ's PostgreSQL backend, as
 * when REDIS_URL is unset) instead of Redis: the same cases must hold on both.
 *
 * @runsAlone its workers, each with a BullMQ pool per queue on PostgreSQL, hold about 40 connections
 */
import './support/queues-on-postgres.ts';
import './kill-switch-fan-out.e2e.spec.ts';

import { databaseUrlOf } from '@crossgate/config';
import { createPrismaClient } from '@crossgate/store';

import { testConfig } from './support/test-worker.ts';

describe('the fan-out suite on PostgreSQL', () => {
  it("should have run on BullMQ's tables in this file's queue schema of the run's database", async () => {
    const config = testConfig();
    const prisma = createPrismaClient(databaseUrlOf(config), { maxConnections: 1 });
    try {
      // The jobs themselves are obliterated after each case; the ledger shows the worker migrated the schema.
      const [row] = await prisma.$queryRawUnsafe<{ migrations: bigint }[]>(`SELECT count(*) AS migrations FROM "${config.database.queueSchema}".migration`);
      expect(Number(row?.migrations)).toBeGreaterThan(0);
    } finally {
      await prisma.$disconnect();
    }
  });
});
