/**
 * @overview Each test run gets a database and a Redis key prefix of its own, named after the run, so
 * runs never collide and never depend on leftovers. Within a jest run, each jest worker has a run of
 * its own (test files running at once never share a database or a prefix), copied from one migrated
 * template. The global setup creates them and the teardown removes them.
 */
import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import pg from 'pg';

import { localDatabaseUrl, localRedisUrl, testRedisUrl } from './test-server.ts';

export interface TestRun {
  /**
   * The database the run's database is created and dropped through, fixed when the run is named:
   * the global setup points DATABASE_URL at the run's own database, which cannot drop itself.
   */
  serverUrl: string;
  databaseUrl: string;
  databaseName: string;
  /** Undefined when the run has no Redis (a jest run on a machine without one). */
  redisUrl: string | undefined;
  redisPrefix: string;
}

/** The server to create test databases on: DATABASE_URL, or the local `test` database. */
export function baseDatabaseUrl(): string {
  return process.env['DATABASE_URL'] ?? localDatabaseUrl;
}

/**
 * The Redis of a new run: inside jest the one the global setup found answering (none without Redis),
 * elsewhere (benches, the demo flow) REDIS_URL or the local default.
 */
function defaultRedisUrl(): string | undefined {
  return process.env['CROSSGATE_TEST_RUN'] === undefined ? (process.env['REDIS_URL'] ?? localRedisUrl) : testRedisUrl();
}

/**
 * Names a run's database `crossgate_<purpose>_<id>` on `serverUrl` (DATABASE_URL's server by
 * default; {@link testServerDatabaseUrl} to ask for the PostgreSQL server) and its Redis prefix.
 */
export function newTestRun(options: { purpose?: string; serverUrl?: string; redisUrl?: string | undefined } = {}): TestRun {
  const purpose = options.purpose ?? 'test';
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseName = `crossgate_${purpose}_${id}`;
  const serverUrl = options.serverUrl ?? baseDatabaseUrl();
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${databaseName}`;
  return {
    serverUrl,
    databaseName,
    databaseUrl: databaseUrl.toString(),
    redisUrl: 'redisUrl' in options ? options.redisUrl : defaultRedisUrl(),
    redisPrefix: `crossgate-${purpose}-${id}`,
  };
}

async function onServer<T>(run: TestRun, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: run.serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the run's database: empty, or a copy of `template` (a database on the same server no session is connected to). */
export async function createDatabase(run: TestRun, options: { template?: string } = {}): Promise<void> {
  const copied = options.template === undefined ? '' : ` TEMPLATE "${options.template}"`;
  await onServer(run, (client) => client.query(`CREATE DATABASE "${run.databaseName}"${copied}`));
}

export async function dropDatabase(run: TestRun): Promise<void> {
  await onServer(run, (client) => client.query(`DROP DATABASE IF EXISTS "${run.databaseName}" WITH (FORCE)`));
}

/** Deletes every Redis key of the run. */
export async function clearRedis(run: TestRun): Promise<void> {
  if (run.redisUrl === undefined) {
    return;
  }
  const redis = new Redis(run.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${run.redisPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await redis.del(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * The runs of one jest run, in CROSSGATE_TEST_RUNS: one per jest worker, and the migrated template
 * they were copied from, which no test connects to, so fresh databases can be copied from it too.
 */
export interface TestRuns {
  template: TestRun;
  workers: TestRun[];
}

/** The jest run's runs, or undefined outside jest. */
export function testRuns(): TestRuns | undefined {
  const raw = process.env['CROSSGATE_TEST_RUNS'];
  return raw === undefined ? undefined : (JSON.parse(raw) as TestRuns);
}

/**
 * Points this process at the run of its jest worker (JEST_WORKER_ID, from 1; 1 when jest runs in
 * band): CROSSGATE_TEST_RUN, DATABASE_URL and REDIS_PREFIX, which the test files and the processes
 * they start read.
 */
export function useWorkerTestRun(): void {
  const runs = testRuns();
  if (runs === undefined) {
    return;
  }
  const worker = Number(process.env['JEST_WORKER_ID'] ?? '1');
  const run = runs.workers[(worker - 1) % runs.workers.length]!;
  process.env['CROSSGATE_TEST_RUN'] = JSON.stringify(run);
  process.env['DATABASE_URL'] = run.databaseUrl;
  process.env['REDIS_PREFIX'] = run.redisPrefix;
}

/**
 * A PostgreSQL advisory lock named `name` on the jest run's server, `shared` or exclusive, held until
 * the returned function is called or the process ends (the lock ends with its connection, so it
 * never outlives a crashed worker).
 */
async function advisoryLock(runs: TestRuns, name: string, shared: boolean): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: runs.template.serverUrl });
  await client.connect();
  try {
    await client.query(`SELECT ${shared ? 'pg_advisory_lock_shared' : 'pg_advisory_lock'}(hashtext($1))`, [name]);
  } catch (error) {
    await client.end();
    throw error;
  }
  return () => client.end();
}

/**
 * Takes this test file's turn on the jest run's PostgreSQL server, held until the returned function
 * is called (or the process ends): shared with the files running beside it, or, with `alone`, the
 * server to itself, for a file whose processes between them hold most of `max_connections`. A file
 * waiting to run alone keeps new files from starting until it has had its turn.
 */
export async function takeTurnOnPostgres(options: { alone: boolean }): Promise<() => Promise<void>> {
  const runs = testRuns();
  return runs === undefined ? async () => undefined : advisoryLock(runs, runs.template.databaseName, !options.alone);
}

/** Runs `work` while no other test file of the jest run does the same `purpose` (outside jest, at once). */
export async function oneFileAtATime<T>(purpose: string, work: () => Promise<T>): Promise<T> {
  const runs = testRuns();
  if (runs === undefined) {
    return work();
  }
  const release = await advisoryLock(runs, `${runs.template.databaseName}:${purpose}`, false);
  try {
    return await work();
  } finally {
    await release();
  }
}
