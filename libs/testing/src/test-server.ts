/**
 * @overview The servers a test run has. The jest global setup looks for a PostgreSQL server and a
 * Redis where DATABASE_URL and REDIS_URL point (the local defaults when unset); without a PostgreSQL
 * server it starts an embedded PostgreSQL for the run, without Redis the run leaves REDIS_URL unset,
 * as a deployment without Redis does. A suite that needs what the machine lacks is skipped and says
 * so in `test-output/not-run.jsonl`, which `npm test` prints.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const localDatabaseUrl = 'postgresql://postgres@127.0.0.1:5432/test';
export const localRedisUrl = 'redis://127.0.0.1:6379';

/** Where skipped suites are recorded, one JSON object `{ suite, reason }` a line. */
export const notRunFile = path.join(repositoryRoot, 'test-output', 'not-run.jsonl');

/** The Redis the run found answering, or undefined on a machine without one. */
export function testRedisUrl(): string | undefined {
  return process.env['CROSSGATE_TEST_REDIS_URL'];
}

/** The PostgreSQL server the run found answering, or undefined when the run's database is embedded. */
export function testServerDatabaseUrl(): string | undefined {
  return process.env['CROSSGATE_TEST_SERVER_DATABASE_URL'];
}

/** Whether `command` is on PATH. */
export function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `describe(name, fn)` when `condition` holds; else the suite is skipped and recorded with `reason`. */
export function describeUnless(condition: boolean, reason: string, name: string, fn: () => void): void {
  if (!condition) {
    describe(name, fn);
    return;
  }
  const file = expect.getState().testPath;
  mkdirSync(path.dirname(notRunFile), { recursive: true });
  appendFileSync(notRunFile, `${JSON.stringify({ suite: name, file: file === undefined ? undefined : path.relative(repositoryRoot, file), reason })}\n`);
  describe.skip(name, fn);
}

/** A suite that needs Redis: skipped, and recorded, on a machine without one. */
export function describeWithRedis(name: string, fn: () => void): void {
  describeUnless(testRedisUrl() === undefined, `needs Redis (none answers at ${process.env['CROSSGATE_TEST_PROBED_REDIS_URL'] ?? localRedisUrl})`, name, fn);
}
