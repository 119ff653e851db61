import { migrateInChildProcess } from '../fresh-database.ts';
import { createDatabase, newTestRun } from '../test-run.ts';

/** Creates this run's database and applies the migrations to it; test files read the URL from env. */
export default async function globalSetup(): Promise<void> {
  const run = newTestRun();
  await createDatabase(run);
  await migrateInChildProcess(run.databaseUrl);
  process.env['CROSSGATE_TEST_RUN'] = JSON.stringify(run);
  process.env['DATABASE_URL'] = run.databaseUrl;
  process.env['REDIS_URL'] = run.redisUrl;
  process.env['REDIS_PREFIX'] = run.redisPrefix;
  process.env['SEED_DEMO_DATA'] = 'false';
  process.env['NODE_ENV'] = 'test';
}
