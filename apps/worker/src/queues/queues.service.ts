/**
 * @overview Runs the catalogue: one BullMQ worker per queue, each job handed to the handler for its
 * name, and the schedulers the processors declare. Handlers and schedules come from the composition
 * root (worker.module.ts), so this service knows no processor.
 */
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import {
  type CatalogueJob,
  type CatalogueQueue,
  type CatalogueWorker,
  createQueue,
  createWorker,
  enqueue,
  type JobHandlers,
  type JobItem,
  JobName,
  type JobSchedule,
  type QueueBackend,
  queueBackendOf,
  QueueName,
  queueOf,
  runJob,
  upsertSchedule,
} from '@crossgate/jobs';
import { jobFailures, jobsCompleted, queueJobStates, queueTelemetry, reportQueueDepth, runWithLogContext } from '@crossgate/logging';
import type { PrismaClient } from '@crossgate/store';

import { InjectConfig, InjectPrisma } from '../platform/platform.module.ts';

export const JOB_HANDLERS = Symbol('JobHandlers');
export const JOB_SCHEDULES = Symbol('JobSchedules');
/** Jobs the processors want run once at start (with a deterministic id, so a restart does not double them). */
export const JOB_AT_START = Symbol('JobsAtStart');
export type StartupJobs = () => Promise<{ item: JobItem; jobId: string }[]>;

/** Serialises scheduler upserts across worker processes on the PostgreSQL queue backend (pg advisory lock key, "sche"). */
const schedulerUpsertLockKey = 0x73636865;

@Injectable()
export class QueuesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Queues');
  private readonly queues = new Map<QueueName, CatalogueQueue>();
  private readonly workers: CatalogueWorker[] = [];
  private readonly backend: QueueBackend;
  private reassert: NodeJS.Timeout | undefined;
  private stopReportingDepth: (() => void) | undefined;

  constructor(
    @InjectConfig() private readonly config: Config,
    @Inject(JOB_HANDLERS) private readonly handlers: JobHandlers,
    @Inject(JOB_SCHEDULES) private readonly schedules: JobSchedule[],
    @Inject(JOB_AT_START) private readonly atStart: StartupJobs,
    @InjectPrisma() private readonly prisma: PrismaClient,
  ) {
    this.backend = queueBackendOf(config);
  }

  /** The queue `name`, opened on first use and closed on shutdown. */
  queue(name: QueueName): CatalogueQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = createQueue(this.backend, name, queueTelemetry());
      queue.on('error', (error) => this.logger.error(`Queue ${name}: ${error.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Read when the metrics are scraped (the worker's listener, or the API's in one process).
    this.stopReportingDepth = reportQueueDepth(() =>
      Promise.all(Object.values(QueueName).map(async (name) => ({ queue: name, counts: await this.queue(name).getJobCounts(...queueJobStates) }))),
    );
    // Schedulers first: if the queue backend refuses them, the worker stops before taking any job.
    await this.upsertSchedules();
    for (const schedule of this.schedules) {
      this.logger.log(`Scheduled ${schedule.item.name} every ${describeInterval(schedule.every)}`);
    }
    for (const name of Object.values(QueueName)) {
      this.workers.push(this.startWorker(name));
    }
    for (const { item, jobId } of await this.atStart()) {
      await enqueue(this.queue(queueOf(item.name)), item, { jobId });
      this.logger.log(`Enqueued ${item.name} at start (${jobId})`);
    }
    // A Redis restarted without persistence forgets every scheduler. Re-asserting them (an upsert of an
    // unchanged schedule adds no run) brings them back; the rotation reconcile then restores the
    // per-connection ones, and PostgreSQL still holds every rotation's state.
    this.reassert = setInterval(() => void this.reassertSchedules(), this.config.rotation.reconcileEveryMs);
    this.reassert.unref();
  }

  private async reassertSchedules(): Promise<void> {
    try {
      await this.upsertSchedules();
    } catch (error) {
      this.logger.warn(`Could not re-assert the schedulers (queue backend down?): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Upserts every scheduler. On Redis each upsert is one atomic script. On PostgreSQL it is a function
   * that reads the scheduler row without locking it, so two workers starting at once could both see no
   * scheduler and each add a first run; an advisory lock held for the duration makes them take turns,
   * the second then finding the first's scheduler and keeping its pending run.
   */
  private async upsertSchedules(): Promise<void> {
    const upsertAll = async () => {
      for (const schedule of this.schedules) {
        await upsertSchedule(this.queue(queueOf(schedule.item.name)), schedule);
      }
    };
    if (this.backend.kind === 'redis') {
      return upsertAll();
    }
    // The queues' schema lives in the Crossgate database, so its lock serialises them.
    await this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${schedulerUpsertLockKey})`;
        await upsertAll();
      },
      { maxWait: 30_000, timeout: 60_000 },
    );
  }

  /** Stops taking jobs and waits for the active ones, before the database is closed. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.reassert);
    this.stopReportingDepth?.();
    await Promise.allSettled(this.workers.map((worker) => worker.close()));
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
  }

  private startWorker(name: QueueName): CatalogueWorker {
    const telemetry = queueTelemetry();
    const worker = createWorker(
      this.backend,
      name,
      // Every line logged while the job runs names it.
      (job: CatalogueJob) => runWithLogContext({ jobId: job.id ?? '', job: job.name }, () => runJob(this.handlers, job)),
      telemetry === undefined ? {} : { telemetry },
    );
    worker.on('active', (job) => this.logger.debug(`${name}: ${job.name} ${job.id} started (attempt ${job.attemptsStarted})`));
    worker.on('completed', (job) => {
      jobsCompleted.inc({ queue: name, job: jobLabel(job.name) });
      this.logger.debug(`${name}: ${job.name} ${job.id} completed`);
    });
    worker.on('failed', (job, error) => {
      jobFailures.inc({ queue: name, job: jobLabel(job?.name) });
      const attempts = job ? `attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}` : 'no job';
      this.logger.warn(`${name}: ${job?.name ?? 'a job'} ${job?.id ?? ''} failed (${attempts}): ${error.message}`);
    });
    worker.on('stalled', (jobId) =>
      this.logger.warn(`${name}: job ${jobId} stalled (its worker stopped mid-job); it goes back to waiting`),
    );
    // Without a listener, a backend error would be thrown as an unhandled 'error' event.
    worker.on('error', (error) => this.logger.error(`${name} worker: ${error.message}`));
    return worker;
  }
}

const catalogueNames = new Set<string>(Object.values(JobName));

/** A job's name as a metric label: a name outside the catalogue (a newer producer's) is `unknown`, so the label stays bounded. */
function jobLabel(name: string | undefined): string {
  return name !== undefined && catalogueNames.has(name) ? name : 'unknown';
}

function describeInterval(milliseconds: number): string {
  const minutes = milliseconds / 60_000;
  return Number.isInteger(minutes) ? `${minutes} min` : `${milliseconds} ms`;
}
