/**
 * The worker as an operator runs it: its own process, started from `apps/worker/src/main.ts` under tsx
 * (the providers use explicit injection tokens, so no emitted decorator metadata is needed), with its
 * output kept for assertions. Shared by the worker's own tests and the API's end-to-end tests that
 * need jobs run (rotation from the admin UI).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { type Config, loadConfig } from '@crossgate/config';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The test process's environment without REDIS_URL: a worker started with it keeps its queues in PostgreSQL. */
function withoutRedis(): NodeJS.ProcessEnv {
  const { REDIS_URL: _unset, ...environment } = process.env;
  return environment;
}

/**
 * Whether a worker process can run with its queues in PostgreSQL: the configuration lets REDIS_URL be
 * unset rather than defaulting it to a local Redis.
 */
export function workerProcessCanRunWithoutRedis(): boolean {
  return (loadConfig(withoutRedis()).redis.url as string | undefined) === undefined;
}

/** Starts the worker on the queue backend `config` names: Redis, or PostgreSQL when `config` has no Redis URL. */
export function startWorkerProcess(config: Config, environment: Record<string, string> = {}): WorkerProcess {
  const inherited = (config.redis.url as string | undefined) === undefined ? withoutRedis() : process.env;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: repositoryRoot,
    env: {
      ...inherited,
      // tsx would otherwise read the root tsconfig.json, which enables no decorators.
      TSX_TSCONFIG_PATH: 'apps/worker/tsconfig.json',
      REDIS_PREFIX: config.redis.prefix,
      QUEUE_SCHEMA: config.database.queueSchema,
      AUDIT_VERIFY_EVERY_MINUTES: String(config.audit.verifyEveryMinutes),
      LOG_LEVEL: 'debug',
      NO_COLOR: '1',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, output: () => output, exited };
}

/** Kills the process outright (SIGKILL) if it still runs, and waits for it to exit. */
export async function stopWorkerProcess(worker: WorkerProcess | undefined) {
  if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
}

