/**
 * @overview Which PostgreSQL a process uses, decided once at start: the server of DATABASE_URL, or
 * without it the embedded one in CROSSGATE_DATA_DIR, which the API process owns and every other
 * process (a worker of its own, a command-line tool) joins.
 */
import path from 'node:path';

import type { Config } from '@crossgate/config';

import { redactUrl } from '../preflight.ts';
import { EmbeddedPostgresError, joinEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';

export interface OpenedDatabase {
  url: string;
  /** One line for the start-up banner: what was chosen and how to choose otherwise. */
  description: string;
  /** Stops the embedded server when this process owns it; nothing otherwise. */
  stop(): Promise<void>;
}

/**
 * `own`: start the embedded server (the API). `join`: use the one another process owns (a worker of
 * its own). `join-or-own`: join it when it runs, else own it for a while (a command-line tool).
 */
export type EmbeddedAccess = 'own' | 'join' | 'join-or-own';

function shown(directory: string): string {
  const relative = path.relative(process.cwd(), directory);
  return relative.startsWith('..') || path.isAbsolute(relative) ? directory : `./${relative}`;
}

export async function openDatabase(
  database: Pick<Config['database'], 'url' | 'dataDir'>,
  options: { access: EmbeddedAccess; onLog?: (line: string) => void; onNotice?: (message: string) => void },
): Promise<OpenedDatabase> {
  if (database.url !== undefined) {
    return { url: database.url, description: `PostgreSQL at ${redactUrl(database.url)} (DATABASE_URL)`, stop: async () => undefined };
  }
  if (options.access !== 'own') {
    try {
      const joined = await joinEmbeddedPostgres(database.dataDir);
      return {
        url: joined.url,
        description: `the embedded PostgreSQL in ${shown(joined.clusterDir)} (port ${joined.port}) of process ${joined.ownerPid}`,
        stop: async () => undefined,
      };
    } catch (error) {
      if (!(error instanceof EmbeddedPostgresError && error.code === 'not_running' && options.access === 'join-or-own')) {
        throw error;
      }
    }
  }
  const embedded = await startEmbeddedPostgres({ dataDir: database.dataDir, onLog: options.onLog, onNotice: options.onNotice });
  return {
    url: embedded.url,
    description:
      `embedded PostgreSQL ${embedded.version} in ${shown(embedded.clusterDir)} (port ${embedded.port}` +
      `${embedded.initialised ? ', created now' : ''}); set DATABASE_URL to use a PostgreSQL server`,
    stop: () => embedded.stop(),
  };
}

/** One line for the start-up banner about Redis. */
export function describeRedis(config: Pick<Config, 'redis' | 'singleProcess'>): string {
  if (config.redis.url === undefined) {
    return 'none: API and worker in one process; set REDIS_URL to scale out';
  }
  return `${redactUrl(config.redis.url)} (prefix "${config.redis.prefix}")${config.singleProcess ? ', API and worker in one process (SINGLE_PROCESS)' : ''}`;
}
