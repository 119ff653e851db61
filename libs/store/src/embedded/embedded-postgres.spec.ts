import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { type EmbeddedPostgres, EmbeddedPostgresError, processRuns, startEmbeddedPostgres } from './embedded-postgres.ts';

const asRoot = process.getuid?.() === 0;
const directories: string[] = [];
const servers: EmbeddedPostgres[] = [];

/** A scratch directory the `postgres` OS user can enter (mkdtemp makes them 0700). */
function scratchDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'crossgate-embedded-'));
  chmodSync(directory, 0o755);
  directories.push(directory);
  return directory;
}

async function start(dataDir: string): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir });
  servers.push(server);
  return server;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

interface Owner {
  child: ChildProcess;
  pid: number;
  postmasterPid: number;
  url: string;
  exited: Promise<unknown>;
}

/** Another process owning the embedded PostgreSQL in `dataDir` (embedded-postgres.fixture.ts), once it is ready. */
async function startOwner(dataDir: string, sql?: string): Promise<Owner> {
  const fixture = new URL('embedded-postgres.fixture.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, ...(sql === undefined ? [] : [sql])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  let output = '';
  const ready = new Promise<Omit<Owner, 'child' | 'exited'>>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (line !== undefined) {
        resolve(JSON.parse(line) as Omit<Owner, 'child' | 'exited'>);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => reject(new Error(`The owner process exited:\n${output}`)));
  });
  return { child, exited, ...(await ready) };
}

function postmasterPid(server: EmbeddedPostgres): number {
  return Number(readFileSync(path.join(server.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  for (const directory of directories.splice(0)) {
    rmSync(directory, { recursive: true, force: true });
  }
});

describe('embedded PostgreSQL', () => {
  it('should initialise a cluster on first start, stop it, and reuse it with its data and port on the next', async () => {
    const dataDir = path.join(scratchDirectory(), 'data');
    const first = await start(dataDir);
    expect(first.initialised).toBe(true);
    expect(first.version).toMatch(/^18\./);
    expect(first.url).toMatch(new RegExp(`^postgresql://postgres:[^@]+@127\\.0\\.0\\.1:${first.port}/crossgate$`));
    await query(first.url, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('before the restart')");
    const pid = postmasterPid(first);
    if (asRoot) {
      // PostgreSQL refuses root: it runs as the postgres OS user.
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${uid}\\s`, 'm'));
    }

    await first.stop();
    expect(processRuns(pid)).toBe(false);
    expect(existsSync(path.join(first.clusterDir, 'postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'postgres.lock'))).toBe(false);
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow();

    const second = await start(dataDir);
    expect(second.initialised).toBe(false);
    expect(second.port).toBe(first.port);
    expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'before the restart' }]);
  });

  it('should refuse a second owner of the directory, naming it and the owner process', async () => {
    const dataDir = scratchDirectory();
    const owner = await startOwner(dataDir);
    try {
      const refused = await startEmbeddedPostgres({ dataDir }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(EmbeddedPostgresError);
      expect((refused as EmbeddedPostgresError).code).toBe('in_use');
      expect((refused as Error).message).toContain(path.join(dataDir, 'postgres'));
      expect((refused as Error).message).toContain(`process ${owner.pid}`);
      // The owner's server was left alone.
      expect(await query(owner.url, 'SELECT 1 AS up')).toEqual([{ up: 1 }]);
    } finally {
      owner.child.kill('SIGTERM');
      await owner.exited;
    }
    expect(processRuns(owner.postmasterPid)).toBe(false);
  });

  it('should keep the data when its owner is killed outright, and shut down the orphaned server on the next start', async () => {
    const dataDir = scratchDirectory();
    const owner = await startOwner(dataDir, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('before kill -9')");
    owner.child.kill('SIGKILL');
    await owner.exited;
    // The server outlives its killed owner, with its postmaster.pid and the stale lock.
    expect(processRuns(owner.postmasterPid)).toBe(true);
    expect(existsSync(path.join(dataDir, 'postgres.lock'))).toBe(true);

    const notices: string[] = [];
    const next = await startEmbeddedPostgres({ dataDir, onNotice: (message) => notices.push(message) });
    servers.push(next);
    expect(next.initialised).toBe(false);
    expect(processRuns(owner.postmasterPid)).toBe(false);
    expect(notices).toEqual([`Shutting down the PostgreSQL server (pid ${owner.postmasterPid}) left running by an earlier owner of ${next.clusterDir}`]);
    expect(postmasterPid(next)).not.toBe(owner.postmasterPid);
    expect(await query(next.url, 'SELECT value FROM kept')).toEqual([{ value: 'before kill -9' }]);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'postgres.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  (asRoot ? it : it.skip)('should, as root, refuse a data directory the postgres user cannot enter, naming the directory in the way', async () => {
    const blocked = mkdtempSync(path.join(tmpdir(), 'crossgate-private-'));
    directories.push(blocked);
    const refused = await startEmbeddedPostgres({ dataDir: path.join(blocked, 'data') }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EmbeddedPostgresError);
    expect((refused as EmbeddedPostgresError).code).toBe('not_traversable');
    expect((refused as Error).message).toContain(`cannot enter ${blocked} `);
    expect((refused as Error).message).toContain('CROSSGATE_DATA_DIR');
    expect(existsSync(path.join(blocked, 'data', 'postgres.lock'))).toBe(false);
  });
});
