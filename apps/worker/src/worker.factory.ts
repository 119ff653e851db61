/** Builds the worker the same way for `main.ts` and for tests: a Nest application context, no HTTP. */
import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import type { Config } from '@crossgate/config';
import type { Clock } from '@crossgate/domain';
import { CrossgateLogger } from '@crossgate/logging';

import { WorkerModule } from './worker.module.ts';

export interface WorkerOptions {
  logger?: LoggerService | LogLevel[] | false;
  /** The time the processors decide by; the system clock by default. */
  clock?: Clock;
}

/** Creates and starts the worker: schedulers are upserted and the queues are consumed on return. */
export async function createWorker(config: Config, options: WorkerOptions = {}): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(WorkerModule.forRoot(config, options.clock), {
    logger: options.logger ?? new CrossgateLogger(config.logLevel, 'crossgate-worker', config.logFormat),
    // Report a failed start to the caller instead of aborting the process mid-log.
    abortOnError: false,
  });
}
