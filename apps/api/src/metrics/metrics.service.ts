/**
 * @overview What the API's `GET /metrics` reads when scraped, beyond the counters the request paths
 * increment: the job counts of every queue and the latest audit-chain verification. Both are
 * bounded in time, so a queue backend or database that hangs slows a scrape by at most that much
 * and never fails it.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { type CatalogueQueue, createQueue, queueBackendOf, QueueName } from '@crossgate/jobs';
import { collectProcessMetrics, type QueueDepth, queueJobStates, renderMetrics, reportAuditChainFrom, reportQueueDepth } from '@crossgate/logging';
import { AuditLogRepository } from '@crossgate/store';

import { InjectConfig } from '../platform/index.ts';

const scrapeReadTimeoutMs = 2_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('metrics');
  private readonly queues = new Map<QueueName, CatalogueQueue>();
  private readonly stopReporting: (() => void)[] = [];
  private queuesUnreadable = false;

  constructor(
    @InjectConfig() private readonly config: Config,
    @Inject(AuditLogRepository) private readonly auditLog: AuditLogRepository,
  ) {}

  onModuleInit(): void {
    collectProcessMetrics();
    this.stopReporting.push(reportQueueDepth(() => this.queueDepths()));
    this.stopReporting.push(reportAuditChainFrom(() => within(this.auditLog.latestChainVerification(), scrapeReadTimeoutMs)));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stop of this.stopReporting.splice(0)) {
      stop();
    }
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
  }

  render(): Promise<{ contentType: string; body: string }> {
    return renderMetrics();
  }

  private async queueDepths(): Promise<QueueDepth[]> {
    try {
      const depths = await within(
        Promise.all(Object.values(QueueName).map(async (name) => ({ queue: name, counts: await this.queue(name).getJobCounts(...queueJobStates) }))),
        scrapeReadTimeoutMs,
      );
      if (this.queuesUnreadable) {
        this.queuesUnreadable = false;
        this.logger.log('Queue depths are readable again');
      }
      return depths;
    } catch (error) {
      if (!this.queuesUnreadable) {
        this.queuesUnreadable = true;
        this.logger.warn(`Queue depths could not be read, so scrapes leave them out: ${error instanceof Error ? error.message : String(error)}`);
      }
      throw error;
    }
  }

  private queue(name: QueueName): CatalogueQueue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = createQueue(queueBackendOf(this.config), name);
      // Reported by queueDepths, once per outage; without a listener an error event would be thrown.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }
}
