/**
 * Bootstrap only: configuration, the database (without DATABASE_URL, the embedded PostgreSQL the API
 * process owns), dependencies, the worker, and a graceful stop on SIGTERM/SIGINT.
 */
import 'reflect-metadata';

import type { Server } from 'node:http';

import { loadConfigOrExit } from '@crossgate/config';
import { describeQueueBackend, queueBackendOf, QueueName } from '@crossgate/jobs';
import { collectProcessMetrics, CrossgateLogger, serveMetrics, startTracing, stopTracing } from '@crossgate/logging';
import { describeStartFailure, openDatabase, requireDependencies } from '@crossgate/store';

import { createWorker } from './worker.factory.ts';

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  const logger = new CrossgateLogger(config.logLevel, 'crossgate-worker', config.logFormat);
  if (config.tracing.otlpEndpoint !== null) {
    // Before the first query or job, so both are instrumented.
    await startTracing({ serviceName: 'crossgate-worker', otlpEndpoint: config.tracing.otlpEndpoint });
    // The origin only: a URL's user information would be a credential.
    logger.log(`Tracing: spans go to ${new URL(config.tracing.otlpEndpoint).origin} (OTLP/HTTP)`, 'Worker');
  }

  const database = await openDatabase(config.database, { access: 'join' });
  config = { ...config, database: { ...config.database, url: database.url } };
  await requireDependencies({ database: database.url, redis: config.redis.url });

  const worker = await createWorker(config, { logger });
  const metrics = config.metrics.worker;
  let metricsServer: Server | null = null;
  if (metrics !== null) {
    collectProcessMetrics();
    metricsServer = await serveMetrics(metrics);
    logger.log(`Metrics: http://${metrics.host}:${metrics.port}/metrics`, 'Worker');
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: stopping without waiting for active jobs`, 'Worker');
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: finishing active jobs, then stopping`, 'Worker');
    metricsServer?.close();
    worker.close().then(stopTracing).then(
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
    `Crossgate worker is up: queues ${Object.values(QueueName).join(', ')} on ${describeQueueBackend(queueBackendOf(config))}; database: ${database.description}`,
    'Worker',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`The Crossgate worker failed to start: ${describeStartFailure(error)}\n`);
  process.exit(1);
});
