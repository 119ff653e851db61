/**
 * @overview Before a process starts serving, make sure PostgreSQL and Redis answer, and when they do
 * not, say which one, where we looked and how to start it, instead of a stack trace.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

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

export async function checkDependencies(urls: { database: string; redis: string }): Promise<DependencyProblem[]> {
  const results = await Promise.all([checkPostgres(urls.database), checkRedis(urls.redis)]);
  return results.filter((problem): problem is DependencyProblem => problem !== undefined);
}

export function describeDependencyProblems(problems: DependencyProblem[]): string {
  const lines = problems.map((problem) => `  - ${problem.dependency} at ${problem.where}: ${problem.detail}`);
  return [
    'Crossgate cannot start: a service it needs does not answer.',
    ...lines,
    '',
    'Start them with Docker:   docker compose up -d postgres redis',
    'or point Crossgate elsewhere with DATABASE_URL (postgresql://…) and REDIS_URL (redis://…).',
  ].join('\n');
}

/** For a process entry point: returns when PostgreSQL and Redis answer, else explains and exits 1. */
export async function requireDependencies(urls: { database: string; redis: string }): Promise<void> {
  const problems = await checkDependencies(urls);
  if (problems.length > 0) {
    process.stderr.write(`${describeDependencyProblems(problems)}\n`);
    process.exit(1);
  }
}
