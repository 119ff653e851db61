/** Bootstrap only: configuration, dependencies, the worker, and a graceful stop on SIGTERM/SIGINT. */
import 'reflect-metadata';

import { loadConfigOrExit } from '@crossgate/config';
import { describeQueueBackend, queueBackendOf, QueueName } from '@crossgate/jobs';
import { CrossgateLogger } from '@crossgate/logging';
import { requireDependencies } from '@crossgate/store';

import { createWorker } from './worker.factory.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = new CrossgateLogger(config.logLevel, 'crossgate-worker');

  await requireDependencies({ database: config.database.url, redis: config.redis.url });

  const worker = await createWorker(config, { logger });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: stopping without waiting for active jobs`, 'Worker');
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: finishing active jobs, then stopping`, 'Worker');
    worker.close().then(
      () => {
        logger.log('Stopped', 'Worker');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Stopping failed: ${error instanceof Error ? error.stack : String(error)}`, 'Worker');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  logger.log(
    `Crossgate worker is up: queues ${Object.values(QueueName).join(', ')} on ${describeQueueBackend(queueBackendOf(config))}`,
    'Worker',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`The Crossgate worker failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
