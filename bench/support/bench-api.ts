/**
 * @overview The API under test for the HTTP benches: a database and a Redis prefix of the bench's
 * own (@crossgate/testing's createScratchDatabase), and the built server started as a child process
 * (its startBuiltApi).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { type ApiProcess, buildServer as buildBuiltServer, createScratchDatabase, type EnvOverrides, type ScratchDatabase, startBuiltApi, type TestRun } from '@crossgate/testing';

/** A bench setting from the environment (BENCH_SECONDS and the like). */
export function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number`);
  }
  return value;
}

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export type BenchDatabase = ScratchDatabase;

/** `crossgate_bench_<id>`, migrated, with a Redis prefix of its own. */
export const createBenchDatabase = (): Promise<BenchDatabase> => createScratchDatabase('bench');

/** `npm run build:server`, rejecting with its output. */
export const buildServer = (): Promise<unknown> => buildBuiltServer(repositoryRoot);

/**
 * Starts the built API on the bench database (see startBuiltApi); `publicUrl` sets its issuer
 * identifiers (default: the address it listens on).
 */
export function startApi(run: TestRun, options: { adminPassword: string; publicUrl?: string }): Promise<ApiProcess> {
  return startBenchApi({ DATABASE_URL: run.databaseUrl, REDIS_URL: run.redisUrl, REDIS_PREFIX: run.redisPrefix }, options);
}

/**
 * Starts the built API on the embedded default: no DATABASE_URL and no REDIS_URL (so its own
 * PostgreSQL in `dataDir`, queues and coordination on it, the worker in the same process), and
 * waits until `/readyz` answers.
 */
export function startEmbeddedApi(dataDir: string, options: { adminPassword: string }): Promise<ApiProcess> {
  return startBenchApi({ DATABASE_URL: undefined, REDIS_URL: undefined, REDIS_PREFIX: undefined, CROSSGATE_DATA_DIR: dataDir }, { ...options, waitUntil: 'ready' });
}

function startBenchApi(database: EnvOverrides, options: { adminPassword: string; publicUrl?: string; waitUntil?: 'ready' }): Promise<ApiProcess> {
  // V8's defaults, as `npm start` runs the API (scripts/start.mjs), plus any flags for profiling
  // (BENCH_API_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeFlags = process.env['BENCH_API_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  return startBuiltApi({
    repositoryRoot,
    nodeFlags,
    ...(options.waitUntil === undefined ? {} : { waitUntil: options.waitUntil }),
    env: {
      ...database,
      NODE_ENV: 'development',
      BOOTSTRAP_ADMIN_PASSWORD: options.adminPassword,
      ...(options.publicUrl === undefined ? {} : { PUBLIC_URL: options.publicUrl }),
    },
  });
}

/** The API's fast shutdown of its embedded PostgreSQL may take up to 25 s before it escalates. */
export const embeddedStopGraceMs = 30_000;

/**
 * A fresh, empty CROSSGATE_DATA_DIR under the system's temp directory, and its removal. It is
 * world-traversable (not readable) because as root the embedded PostgreSQL runs as `postgres`.
 */
export async function temporaryDataDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const directory = await mkdtemp(path.join(tmpdir(), 'crossgate-bench-'));
  await chmod(directory, 0o711);
  return { path: directory, remove: () => rm(directory, { recursive: true, force: true }) };
}

/**
 * Answers lost when autocannon stopped may still be committing: reads `counts` every half second
 * until two reads in a row match the one before, and returns them.
 */
export async function settledCounts<T extends Record<string, number>>(counts: () => Promise<T>): Promise<T> {
  let last = '';
  let current: T;
  for (let stable = 0; ; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    current = await counts();
    const seen = JSON.stringify(current);
    stable = seen === last ? stable + 1 : 0;
    last = seen;
    if (stable >= 2) {
      return current;
    }
  }
}

/** Fields of /proc/<pid>[/task/<tid>]/stat after the command name (Linux only; null elsewhere or once gone). */
function statFields(path: string): string[] | null {
  try {
    return readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return null;
  }
}

/** The live child processes of `pid` (every thread's `children`), and theirs; empty off Linux. */
function descendantsOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = threads.flatMap((thread) => {
    try {
      return readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

/**
 * CPU seconds (user + system) a process has used so far, all its threads and those of its live
 * child processes (an API running several processes, API_PROCESSES); null off Linux.
 */
export function cpuSecondsOf(pid: number): number | null {
  const fields = statFields(`/proc/${pid}/stat`);
  if (fields === null) {
    return null;
  }
  // utime and stime, in clock ticks (100 a second on Linux's every common configuration).
  const own = (stat: string[] | null) => (stat === null ? 0 : (Number(stat[11]) + Number(stat[12])) / 100);
  return descendantsOf(pid).reduce((sum, child) => sum + own(statFields(`/proc/${child}/stat`)), own(fields));
}

/** The nice value of a process's event loop and the distinct ones of its other threads (HELPER_THREAD_NICE); null off Linux. */
export function threadNiceOf(pid: number): { eventLoop: number; helpers: number[] } | null {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const niceOf = (thread: string) => Number(statFields(`/proc/${pid}/task/${thread}/stat`)?.[16]);
  const helpers = threads.filter((thread) => thread !== String(pid)).map(niceOf);
  return { eventLoop: niceOf(String(pid)), helpers: [...new Set(helpers.filter((nice) => Number.isFinite(nice)))] };
}

/** What one bench run reports: its JSON line, and whether a target or a check was missed. */
export interface BenchOutcome {
  summary: Record<string, unknown>;
  failed: boolean;
}

/**
 * Runs a bench: `run` measures, `cleanUp` removes what it made, afterwards and on Ctrl-C or SIGTERM
 * alike. The summary is printed as the last line; the exit code is 1 when `run` threw or failed.
 */
export async function runBench(run: () => Promise<BenchOutcome>, cleanUp: () => Promise<void>): Promise<never> {
  const interrupted = () => {
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let outcome: BenchOutcome | undefined;
  try {
    outcome = await run();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    await cleanUp();
  }
  if (outcome) {
    console.log(JSON.stringify(outcome.summary));
  }
  // Stray pool and timer handles must not keep the run alive once the numbers are out.
  process.exit(outcome === undefined || outcome.failed ? 1 : 0);
}
