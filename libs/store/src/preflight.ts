/**
 * @overview Before a process starts serving, make sure PostgreSQL and (when REDIS_URL is set) Redis
 * answer, and when they do not, say which one, where we looked and how to start it, instead of a
 * stack trace.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

import { ConfigError } from '@crossgate/config';

import { EmbeddedPostgresError } from './embedded/embedded-postgres.ts';

export interface DependencyProblem {
  dependency: 'PostgreSQL' | 'Redis';
  where: string;
  detail: string;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      parsed.password = '***';
    }
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function checkPostgres(url: string): Promise<DependencyProblem | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return { dependency: 'PostgreSQL', where: redactUrl(url), detail: (error as Error).message || (error as { code?: string }).code || 'no answer' };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(url: string): Promise<DependencyProblem | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return { dependency: 'Redis', where: redactUrl(url), detail: (error as Error).message || 'no answer' };
  } finally {
    client.disconnect();
  }
}

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
