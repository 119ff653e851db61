/**
 * @overview Whether PostgreSQL and Redis answer at a URL, with why not: the start-up preflight's
 * probes, free of Crossgate's other modules so the test run's global setup can use them too.
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

export async function checkPostgres(url: string): Promise<DependencyProblem | undefined> {
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

export async function checkRedis(url: string): Promise<DependencyProblem | undefined> {
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
