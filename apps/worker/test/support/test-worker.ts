/**
 * Runs the real worker in the test process, configured from the test run's environment. Each test
 * gets a Redis prefix of its own under the run's prefix, so queues and schedulers never leak between
 * tests, and removes its queues when done.
 */
import type { INestApplicationContext, LoggerService } from '@nestjs/common';

import { type Config, loadConfig } from '@crossgate/config';
import type { Clock } from '@crossgate/domain';
import { type CatalogueQueue, createQueue, queueBackendOf, QueueName } from '@crossgate/jobs';
import { AuditLogRepository, type PrismaClient } from '@crossgate/store';
import { eventually, unique } from '@crossgate/testing';

import { PRISMA } from '../../src/platform/platform.module.ts';
import { createWorker } from '../../src/worker.factory.ts';

let queuesOnPostgres = false;

/**
 * The queue schema of this test file on the PostgreSQL backend, which ignores prefixes: files running at
 * once in the run's database would otherwise share each other's queues and schedulers.
 */
const fileQueueSchema = unique('bullmq').toLowerCase().replace(/[^a-z0-9_]/g, '_');

/**
 * From now on, {@link testConfig} leaves REDIS_URL unset, so the queues are BullMQ's PostgreSQL backend
 * in the run's database. A spec file calls it before it imports the suites to run that way.
 */
export function runQueuesOnPostgres(): void {
  queuesOnPostgres = true;
}

/** Whether {@link testConfig} puts the queues in PostgreSQL (see {@link runQueuesOnPostgres}). */
export function queuesRunOnPostgres(): boolean {
  return queuesOnPostgres;
}

/**
 * The run's configuration with a fresh Redis prefix (`<run prefix>:<unique>`), so the run's teardown
 * still covers it; without REDIS_URL after {@link runQueuesOnPostgres}.
 */
export function testConfig(environment: Record<string, string> = {}): Config {
  const runPrefix = loadConfig().redis.prefix;
  const config = loadConfig({ ...process.env, REDIS_PREFIX: `${runPrefix}:${unique('worker')}`, QUEUE_SCHEMA: fileQueueSchema, ...environment });
  // Until the configuration allows REDIS_URL to be unset, its type says it is always there.
  return queuesOnPostgres ? ({ ...config, redis: { ...config.redis, url: undefined } } as unknown as Config) : config;
}

/** Keeps what the worker logs, by level, so tests can assert that a broken chain is loud. */
export class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];

  private keep(level: string, message: unknown): void {
    this.lines.push({ level, message: String(message) });
  }
  log(message: unknown) {
    this.keep('log', message);
  }
  error(message: unknown) {
    this.keep('error', message);
  }
  warn(message: unknown) {
    this.keep('warn', message);
  }
  debug(message: unknown) {
    this.keep('debug', message);
  }
  verbose(message: unknown) {
    this.keep('verbose', message);
  }
  fatal(message: unknown) {
    this.keep('fatal', message);
  }

  messages(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

export interface TestWorker {
  app: INestApplicationContext;
  prisma: PrismaClient;
  auditLog: AuditLogRepository;
  close(): Promise<void>;
}

/** Starts the worker in this process; `clock` fixes the time its processors decide by. */
export async function startTestWorker(config: Config, logger: LoggerService = new CapturingLogger(), clock?: Clock): Promise<TestWorker> {
  const app = await createWorker(config, { logger, ...(clock === undefined ? {} : { clock }) });
  return {
    app,
    prisma: app.get<PrismaClient>(PRISMA),
    auditLog: app.get(AuditLogRepository),
    close: () => app.close(),
  };
}

export { eventually };

/** Waits until job `id` on `queue` is completed or failed, and returns which. */
export function jobFinished(queue: CatalogueQueue, id: string, timeoutMs = 10_000) {
  return eventually(`job ${id} to finish`, () => queue.getJobState(id), (state) => state === 'completed' || state === 'failed', timeoutMs);
}

/** Opens every queue of the catalogue on the backend `config` chooses (the caller closes them). */
export function openQueues(config: Config): Record<QueueName, CatalogueQueue> {
  const backend = queueBackendOf(config);
  return Object.fromEntries(Object.values(QueueName).map((name) => [name, createQueue(backend, name)])) as Record<QueueName, CatalogueQueue>;
}

/** Removes every key of the given queues, active jobs included, and closes them. */
export async function obliterateQueues(queues: Record<QueueName, CatalogueQueue>): Promise<void> {
  for (const queue of Object.values(queues)) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
}
