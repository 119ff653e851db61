/**
 * A migrated database of its own, for tests that need an empty admin table or must break the audit
 * chain on purpose: the run's shared database is left alone for every other test file.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createDatabase, dropDatabase, newTestRun } from './test-run.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createFreshDatabase(): Promise<FreshDatabase> {
  const run = newTestRun();
  await createDatabase(run);
  try {
    // In a child process, as in the global setup: the WebAssembly migration engine leaves a timer
    // behind that would keep jest from exiting for ten seconds.
    await promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/db-migrate.ts'], {
      cwd: repositoryRoot,
      env: { ...process.env, DATABASE_URL: run.databaseUrl },
    });
  } catch (error) {
    await dropDatabase(run);
    throw error;
  }
  return { url: run.databaseUrl, drop: () => dropDatabase(run) };
}
