/** Builds the worker the same way for `main.ts` and for tests: a Nest application context, no HTTP. */
import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import type { Config } from '@crossgate/config';
import { CrossgateLogger } from '@crossgate/logging';

import { WorkerModule } from './worker.module.ts';

export interface WorkerOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** Creates and starts the worker: schedulers are upserted and the queues are consumed on return. */
export async function createWorker(config: Config, options: WorkerOptions = {}): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: options.logger ?? new CrossgateLogger(config.logLevel, 'crossgate-worker', config.logFormat),
    // Report a failed start to the caller instead of aborting the process mid-log.
    abortOnError: false,
  });
}
