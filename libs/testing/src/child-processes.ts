/**
 * @overview Servers in processes of their own for benches and the demo flow: the built API
 * (`apps/api/dist/main.js`, as `npm start` runs it) on a free port, with their output relayed and
 * kept for error messages, and a clean stop.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

import { oneFileAtATime } from './test-run.ts';

/** A free loopback port. */
export function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Ends a child: SIGTERM, then SIGKILL after `graceMs` (five seconds by default). A child that stops
 * a server of its own on SIGTERM (the API's embedded PostgreSQL) needs longer, or the kill orphans it.
 */
export async function stopChild(child: ChildProcess | undefined, options: { graceMs?: number } = {}): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 5_000);
  await exited;
  clearTimeout(timer);
}

/** Forwards a child's output, prefixed (unless `quiet`), and keeps the last lines for an error message. */
export function relay(child: ChildProcess, label: string, options: { quiet?: boolean } = {}): string[] {
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((text) => text.trim() !== '')) {
        tail.push(line);
        tail.splice(0, Math.max(0, tail.length - 30));
        // Nest's route table at start-up is noise here.
        if (!options.quiet && !/RouterExplorer|RoutesResolver|InstanceLoader/.test(line)) {
          process.stdout.write(`  ${label} | ${line}\n`);
        }
      }
    });
  }
  return tail;
}

/** Retries `attempt` every 250 ms until it gives a value. */
export async function waitFor<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface ApiProcess {
  baseUrl: string;
  child: ChildProcess;
  /** Rejects when the API exits, with its last lines of output. */
  exited: Promise<never>;
}

/** A child's environment: this process's, with `overrides` applied; a key set to undefined is removed. */
export type EnvOverrides = Record<string, string | undefined>;

function childEnv(overrides: EnvOverrides): Record<string, string> {
  const merged = { ...process.env, ...overrides };
  return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Starts the built API (run `npm run build:server` first) on a free loopback port, its PUBLIC_URL the
 * address it listens on, and waits until `/healthz` answers (or `/readyz`, with `waitUntil: 'ready'`).
 * `env` keys set to undefined are removed from the API's environment (DATABASE_URL and REDIS_URL, for
 * the embedded default).
 */
export async function startBuiltApi(options: {
  repositoryRoot: string;
  env: EnvOverrides;
  nodeFlags?: string[];
  quiet?: boolean;
  waitUntil?: 'healthy' | 'ready';
}): Promise<ApiProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), 'apps/api/dist/main.js'], {
    cwd: options.repositoryRoot,
    env: childEnv({ HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: baseUrl, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'warn', ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = relay(child, 'api', { quiet: options.quiet ?? false });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`The API exited (${signal ?? code}):\n${output.join('\n')}`))));
  exited.catch(() => undefined);
  const probe = options.waitUntil === 'ready' ? '/readyz' : '/healthz';
  await Promise.race([exited, waitFor(`GET ${probe}`, 120_000, async () => ((await fetch(`${baseUrl}${probe}`)).ok ? true : undefined))]);
  return { baseUrl, child, exited };
}

/** Starts the built worker (`apps/worker/dist/main.js`, as `npm start` runs it) with `env`; its output is relayed as `worker`. */
export function startBuiltWorker(options: { repositoryRoot: string; env: EnvOverrides; quiet?: boolean; nodeFlags?: string[] }): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), 'apps/worker/dist/main.js'], {
    cwd: options.repositoryRoot,
    env: childEnv({ LOG_LEVEL: 'warn', ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, output: relay(child, 'worker', { quiet: options.quiet ?? false }) };
}

/**
 * `npm run build:server` in `repositoryRoot`, rejecting with its output. One test file at a time:
 * two building at once would write the same files while the other's API may be loading them; the
 * second finds the build up to date.
 */
export function buildServer(repositoryRoot: string): Promise<unknown> {
  return oneFileAtATime('build-server', () =>
    promisify(execFile)('npm', ['run', 'build:server'], { cwd: repositoryRoot, maxBuffer: 16 * 2 ** 20 }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`npm run build:server failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }),
  );
}

/** What a finished command line answered. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/crossgate.ts` from source against the API at `baseUrl` with an API token. */
export function runCrossgateCli(options: { repositoryRoot: string; baseUrl: string; token: string }, args: string[]): Promise<CommandResult> {
  return promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/crossgate.ts', ...args], {
    cwd: options.repositoryRoot,
    env: { ...process.env, CROSSGATE_URL: options.baseUrl, CROSSGATE_TOKEN: options.token },
    timeout: 90_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
}
