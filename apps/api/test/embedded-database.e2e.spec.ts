/**
 * The built API as `npm start` runs it without DATABASE_URL: it starts the embedded PostgreSQL in
 * CROSSGATE_DATA_DIR, hosts the worker in its own process (SINGLE_PROCESS), says what it chose, and
 * on SIGTERM stops the worker, itself and the database; a second API on the same directory is refused.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { processRuns } from '@crossgate/store';
import { buildServer, freePort, unique, waitFor } from '@crossgate/testing';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
let dataDir: string;

interface ApiRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

function startApi(port: number): ApiRun {
  const child = spawn(process.execPath, ['apps/api/dist/main.js'], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      DATABASE_URL: undefined,
      CROSSGATE_DATA_DIR: dataDir,
      SINGLE_PROCESS: 'true',
      // Under the run's prefix, so the run's teardown removes the worker's queues.
      REDIS_PREFIX: `${process.env['REDIS_PREFIX'] ?? 'crossgate-test'}:${unique('embedded')}`,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SEED_DEMO_DATA: 'false',
      NODE_ENV: 'development',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

async function up(run: ApiRun): Promise<void> {
  await Promise.race([
    waitFor('the start-up banner', 120_000, async () => (run.output().includes('Crossgate is up') ? true : undefined)),
    run.exited.then(() => Promise.reject(new Error(`The API exited:\n${run.output()}`))),
  ]);
}

beforeAll(async () => {
  await buildServer(repositoryRoot);
  dataDir = mkdtempSync(path.join(tmpdir(), 'crossgate-api-embedded-'));
  // As root the server runs as the postgres user, who must be able to enter it.
  chmodSync(dataDir, 0o755);
}, 300_000);

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the API without DATABASE_URL', () => {
  it('should run on the embedded PostgreSQL with the worker beside it, stop it all on SIGTERM, and find its data again', async () => {
    const port = await freePort();
    const first = startApi(port);
    try {
      await up(first);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(first.output()).toMatch(/Database {5}embedded PostgreSQL 18\.\d+ in \S+ \(port \d+, created now\); set DATABASE_URL to use a PostgreSQL server/);
      expect(first.output()).toContain('Worker       in this process');
      expect(first.output()).toContain('generated now, shown once');
      // The worker's own start-up, in the API's process.
      await waitFor('the worker to schedule its jobs', 30_000, async () => (first.output().includes('[Queues] Scheduled') ? true : undefined));

      const postmaster = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
      const second = startApi(await freePort());
      const [code] = await second.exited;
      expect(code).toBe(1);
      expect(second.output()).toContain(`The embedded PostgreSQL in ${path.join(dataDir, 'postgres')} is in use by process ${first.child.pid}`);
      expect(processRuns(postmaster)).toBe(true);

      first.child.kill('SIGTERM');
      expect(await first.exited).toEqual([0, null]);
      expect(processRuns(postmaster)).toBe(false);
      expect(existsSync(path.join(dataDir, 'postgres.lock'))).toBe(false);
    } finally {
      first.child.kill('SIGKILL');
    }

    const again = startApi(port);
    try {
      await up(again);
      expect(again.output()).toMatch(/Database {5}embedded PostgreSQL 18\.\d+ in \S+ \(port \d+\);/);
      // The first admin was kept: no new password.
      expect(again.output()).not.toContain('generated now');
      again.child.kill('SIGINT');
      expect(await again.exited).toEqual([0, null]);
    } finally {
      again.child.kill('SIGKILL');
    }
  }, 240_000);
});
