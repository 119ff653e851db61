import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @nx/enforce-module-boundaries -- jest loads global setup without its module mapping: the store's files by path
import { checkPostgres, checkRedis, redactUrl } from '../../../store/src/dependency-checks.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { startEmbeddedPostgres } from '../../../store/src/embedded/embedded-postgres.ts';

import { migrateInChildProcess } from '../fresh-database.ts';
import { createDatabase, newTestRun, type TestRuns, useWorkerTestRun } from '../test-run.ts';
import { localDatabaseUrl, localRedisUrl, notRunFile } from '../test-server.ts';

/** What global teardown stops; on globalThis, as setup and teardown do not share their modules. */
export interface EmbeddedForTests {
  dataDir: string;
  stop(): Promise<void>;
}

declare global {
  var crossgateTestEmbeddedPostgres: EmbeddedForTests | undefined;
}

/** The run's PostgreSQL: the server at DATABASE_URL (or the local one) when it answers, else an embedded one in a temporary directory. */
async function postgresServer(): Promise<string> {
  const probed = process.env['DATABASE_URL'] ?? localDatabaseUrl;
  const problem = await checkPostgres(probed);
  if (problem === undefined) {
    process.env['CROSSGATE_TEST_SERVER_DATABASE_URL'] = probed;
    return probed;
  }
  // 0755: as root, PostgreSQL runs as the postgres user, which must be able to enter it.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'crossgate-test-postgres-'));
  chmodSync(dataDir, 0o755);
  try {
    const embedded = await startEmbeddedPostgres({ dataDir });
    globalThis.crossgateTestEmbeddedPostgres = { dataDir, stop: () => embedded.stop() };
    process.stdout.write(`\nNo PostgreSQL server at ${redactUrl(probed)} (${problem.detail}): the tests run on an embedded PostgreSQL ${embedded.version}\n`);
    return embedded.url;
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The run's Redis, when one answers at REDIS_URL (or the local one). */
async function redisServer(): Promise<string | undefined> {
  const probed = process.env['REDIS_URL'] ?? localRedisUrl;
  process.env['CROSSGATE_TEST_PROBED_REDIS_URL'] = redactUrl(probed);
  const problem = await checkRedis(probed);
  if (problem === undefined) {
    process.env['CROSSGATE_TEST_REDIS_URL'] = probed;
    return probed;
  }
  process.stdout.write(`\nNo Redis at ${redactUrl(probed)} (${problem.detail}): the tests run without Redis, and the suites that need it are skipped\n`);
  return undefined;
}

/**
 * Creates one database per jest worker, each a copy of a template the migrations are applied to once,
 * and one Redis prefix per worker; the test environment points each test file at its worker's
 * (JEST_WORKER_ID). REDIS_URL is set only when Redis answers, so the tests meet the deployment without
 * Redis otherwise.
 */
export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  rmSync(notRunFile, { force: true });
  const [serverUrl, redisUrl] = await Promise.all([postgresServer(), redisServer()]);
  const template = newTestRun({ purpose: 'template', serverUrl, redisUrl });
  await createDatabase(template);
  await migrateInChildProcess(template.databaseUrl);
  const workers = Array.from({ length: Math.max(1, globalConfig.maxWorkers) }, () => newTestRun({ serverUrl, redisUrl }));
  for (const run of workers) {
    await createDatabase(run, { template: template.databaseName });
  }
  process.env['CROSSGATE_TEST_RUNS'] = JSON.stringify({ template, workers } satisfies TestRuns);
  if (redisUrl === undefined) {
    delete process.env['REDIS_URL'];
  } else {
    process.env['REDIS_URL'] = redisUrl;
  }
  process.env['SEED_DEMO_DATA'] = 'false';
  process.env['NODE_ENV'] = 'test';
  useWorkerTestRun();
}
