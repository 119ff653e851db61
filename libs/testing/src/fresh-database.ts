/**
 * A migrated database of its own, for tests that need an empty admin table or must break the audit
 * chain on purpose: the run's shared database is left alone for every other test file.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createDatabase, dropDatabase, newTestRun, type TestRun, testRuns } from './test-run.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * Applies the migrations to `databaseUrl` with `npm run db:migrate`'s script and returns what it
 * printed. In a child process: the WebAssembly migration engine leaves a ten-second timer behind that
 * would keep jest from exiting.
 */
export async function migrateInChildProcess(databaseUrl: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'scripts/db-migrate.ts'],
    { cwd: repositoryRoot, env: { ...process.env, DATABASE_URL: databaseUrl } },
  );
  return stdout;
}

/** The migrated template of this jest run when it lives on `serverUrl`'s server, else undefined. */
function migratedTemplateOn(serverUrl: string): string | undefined {
  const template = testRuns()?.template;
  return template !== undefined && new URL(template.serverUrl).host === new URL(serverUrl).host ? template.databaseName : undefined;
}

/**
 * Creates `run`'s database with the migrations applied: a copy of the jest run's migrated template
 * where there is one on the same server (the same tables, a fraction of the time), else migrated here.
 */
export async function createMigratedDatabase(run: TestRun): Promise<void> {
  const template = migratedTemplateOn(run.serverUrl);
  if (template !== undefined) {
    await createDatabase(run, { template });
    return;
  }
  await createDatabase(run);
  try {
    await migrateInChildProcess(run.databaseUrl);
  } catch (error) {
    await dropDatabase(run);
    throw error;
  }
}

/** On the run's PostgreSQL, or on `serverUrl` ({@link testServerDatabaseUrl} for the PostgreSQL server). */
export async function createFreshDatabase(serverUrl?: string): Promise<FreshDatabase> {
  const run = newTestRun(serverUrl === undefined ? {} : { serverUrl });
  await createMigratedDatabase(run);
  return { url: run.databaseUrl, drop: () => dropDatabase(run) };
}
