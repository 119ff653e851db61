/**
 * @overview Before a process starts serving, make sure PostgreSQL and (when REDIS_URL is set) Redis
 * answer, and when they do not, say which one, where we looked and how to start it, instead of a
 * stack trace.
 */
import { ConfigError } from '@crossgate/config';

import { checkPostgres, checkRedis, type DependencyProblem } from './dependency-checks.ts';
import { EmbeddedPostgresError } from './embedded/embedded-postgres.ts';

export * from './dependency-checks.ts';

/** The URLs to check; no `redis` when this process runs without Redis. */
export interface Dependencies {
  database: string;
  redis?: string | undefined;
}

export async function checkDependencies(urls: Dependencies): Promise<DependencyProblem[]> {
  const results = await Promise.all([checkPostgres(urls.database), urls.redis === undefined ? undefined : checkRedis(urls.redis)]);
  return results.filter((problem): problem is DependencyProblem => problem !== undefined);
}

export function describeDependencyProblems(problems: DependencyProblem[]): string {
  const lines = problems.map((problem) => `  - ${problem.dependency} at ${problem.where}: ${problem.detail}`);
  return [
    'Crossgate cannot start: a service it needs does not answer.',
    ...lines,
    '',
    'Start them with Docker:   docker compose up -d postgres redis',
    'or point Crossgate elsewhere with DATABASE_URL (postgresql://…) and REDIS_URL (redis://…),',
    'or unset DATABASE_URL for the embedded PostgreSQL.',
  ].join('\n');
}

/** For a process entry point: returns when what it needs answers, else explains and exits 1. */
export async function requireDependencies(urls: Dependencies): Promise<void> {
  const problems = await checkDependencies(urls);
  if (problems.length > 0) {
    process.stderr.write(`${describeDependencyProblems(problems)}\n`);
    process.exit(1);
  }
}

/** Why a process could not start: the message alone for a problem the operator fixes, else the stack. */
export function describeStartFailure(error: unknown): string {
  if (error instanceof ConfigError || error instanceof EmbeddedPostgresError) {
    return error.message;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
