import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { createDatabase, newTestRun } from '../test-run.ts';

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Creates this run's database and applies the migrations to it; test files read the URL from env. */
export default async function globalSetup(): Promise<void> {
  const run = newTestRun();
  await createDatabase(run);
  // In a child process, so the migration engine's connection pool cannot keep jest from exiting.
  execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/db-migrate.ts'], {
    cwd: repositoryRoot,
    env: { ...process.env, DATABASE_URL: run.databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env['CROSSGATE_TEST_RUN'] = JSON.stringify(run);
  process.env['DATABASE_URL'] = run.databaseUrl;
  process.env['REDIS_URL'] = run.redisUrl;
  process.env['REDIS_PREFIX'] = run.redisPrefix;
  process.env['SEED_DEMO_DATA'] = 'false';
  process.env['NODE_ENV'] = 'test';
}
