import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadConfig } from '@crossgate/config';

import { EmbeddedPostgresError } from './embedded-postgres.ts';
import { describeRedis, openDatabase, type OpenedDatabase } from './open-database.ts';

let dataDir: string;
const opened: OpenedDatabase[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'crossgate-open-'));
  // As root the server runs as the postgres user, who must be able to enter it.
  chmodSync(dataDir, 0o755);
});

afterEach(async () => {
  for (const database of opened.splice(0).reverse()) {
    await database.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('should use DATABASE_URL when it is set, and name it without its password', async () => {
    const database = await openDatabase({ url: 'postgresql://crossgate:s3cret@db.internal:5432/crossgate', dataDir }, { access: 'own' });

    expect(database.url).toBe('postgresql://crossgate:s3cret@db.internal:5432/crossgate');
    expect(database.description).toBe('PostgreSQL at postgresql://crossgate:***@db.internal:5432/crossgate (DATABASE_URL)');
  });

  it('should join the embedded PostgreSQL its owner runs (for a worker of its own, a tool), and refuse to join when none runs', async () => {
    const owner = await openDatabase({ url: undefined, dataDir }, { access: 'own' });
    opened.push(owner);
    expect(owner.description).toMatch(/^embedded PostgreSQL 18\.\d+ in \S+\/postgres \(port \d+, created now\); set DATABASE_URL to use a PostgreSQL server$/);

    const joined = await openDatabase({ url: undefined, dataDir }, { access: 'join' });
    expect(joined.url).toBe(owner.url);
    expect(joined.description).toContain(`of process ${process.pid}`);
    await joined.stop();
    await owner.stop();

    const refused = await openDatabase({ url: undefined, dataDir }, { access: 'join' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EmbeddedPostgresError);
    expect((refused as EmbeddedPostgresError).code).toBe('not_running');
    const tool = await openDatabase({ url: undefined, dataDir }, { access: 'join-or-own' });
    opened.push(tool);
    expect(tool.description).toMatch(/^embedded PostgreSQL 18\.\d+ in \S+ \(port \d+\);/);
  });
});

describe('describeRedis', () => {
  it('should say one process without REDIS_URL, and name the server without its password with it', () => {
    expect(describeRedis(loadConfig({}))).toBe('none: API and worker in one process; set REDIS_URL to scale out');
    expect(describeRedis(loadConfig({ REDIS_URL: 'redis://:s3cret@cache.internal:6379', REDIS_PREFIX: 'cg' }))).toBe('redis://:***@cache.internal:6379 (prefix "cg")');
  });
});
