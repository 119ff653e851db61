/**
 * @overview How every queue is opened and every job is added: one Redis prefix, one set of retry and
 * retention defaults, one set of worker lock settings, and typed `enqueue()`/`upsertSchedule()`.
 * @see https://docs.bullmq.io/guide/workers/stalled-jobs
 */
import { type Job, type JobsOptions, Queue, type Telemetry, UnrecoverableError, type WorkerOptions } from 'bullmq';

import {
  type CatalogueJob,
  type JobOf,
  type JobHandlers,
  type JobItem,
  JobName,
  type JobPayload,
  type JobSchedule,
  queueOf,
  QueueName,
} from './catalogue.ts';

/** The Redis part of the configuration (`Config['redis']`). */
export interface RedisSettings {
  url: string;
  /** The deployment's key prefix (REDIS_PREFIX); queues live under `<prefix>:bull:`. */
  prefix: string;
}

/**
 * Every job unless the caller says otherwise. Retries back off 2, 4, 8, 16 s, which rides out a
 * database failover. Finished jobs are trimmed by count; a kept job also keeps its id taken, which is
 * what makes deterministic ids idempotent (see {@link jobId}).
 */
export const defaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 10_000 },
} as const satisfies JobsOptions;

/**
 * Worker lock settings. A worker holds a 15 s lock on each active job and renews it every 7.5 s. When a
 * worker dies mid-job the lock lapses within 15 s, and a stalled-job check of any live worker moves the
 * job back to waiting. Checks are due every 5 s, but one that finds the previous check's marker not yet
 * expired is skipped, so in practice they come every 5–10 s: a job runs again 7.5–25 s after its worker
 * died (measured 17–22 s for a job killed just after it started). Shorter locks recover sooner but
 * re-run a job whose worker merely blocked its event loop for longer than the lock. A job whose worker
 * dies under it a third time is treated as poison and failed, instead of taking down workers forever.
 */
export const workerSettings = {
  lockDuration: 15_000,
  stalledInterval: 5_000,
  maxStalledCount: 2,
} as const satisfies Partial<WorkerOptions>;

/**
 * Jobs each worker process runs at once, per queue. A rotation spends its time waiting on the target's
 * HTTP answers and on PostgreSQL, so one process runs many at once; the database pool, not the CPU,
 * is the limit (see the worker's PlatformModule).
 */
export const queueConcurrency: Record<QueueName, number> = {
  [QueueName.Maintenance]: 1,
  [QueueName.Rotation]: 32,
  // Each delivery is one HTTP call to a receiver or provider; ten thousand of them must finish in seconds.
  [QueueName.KillSwitch]: 128,
};

/** BullMQ's key prefix: the deployment's prefix plus `:bull`, apart from the other keys Crossgate keeps. */
export function bullPrefix(redis: RedisSettings): string {
  return `${redis.prefix}:bull`;
}

/**
 * Queue options (producer side) for a queue of the catalogue. `telemetry` (bullmq-otel, when tracing
 * is on) adds producer spans and puts the trace context in each job.
 */
export function queueOptions(redis: RedisSettings, telemetry?: Telemetry) {
  return { connection: { url: redis.url }, prefix: bullPrefix(redis), defaultJobOptions, ...(telemetry === undefined ? {} : { telemetry }) };
}

/**
 * Worker options for `queue`. BullMQ sets `maxRetriesPerRequest: null` on the blocking connection
 * itself. `telemetry` runs each job in a span continuing the trace of whoever enqueued it.
 */
export function workerOptions(redis: RedisSettings, queue: QueueName, telemetry?: Telemetry): WorkerOptions {
  return { connection: { url: redis.url }, prefix: bullPrefix(redis), concurrency: queueConcurrency[queue], ...workerSettings, ...(telemetry === undefined ? {} : { telemetry }) };
}

/** A queue of the catalogue. */
export type CatalogueQueue = Queue<JobPayload, unknown, JobName>;

/** Opens `name` under the deployment's prefix. The caller closes it. */
export function createQueue(redis: RedisSettings, name: QueueName, telemetry?: Telemetry): CatalogueQueue {
  return new Queue<JobPayload, unknown, JobName>(name, queueOptions(redis, telemetry));
}

/**
 * A deterministic job id: the job name and the keys that make the job unique, each URI-encoded and
 * joined by `/`: a per-receiver delivery of a kill switch would be `kill-switch.deliver/ks_1/rcv_2`. BullMQ ignores an add whose id is already stored, so fan-out that
 * is retried or re-run adds each job once while the first copy is kept (`removeOnComplete`,
 * `removeOnFail`). After it is trimmed the same id may run again, so handlers stay idempotent.
 */
export function jobId(name: JobName, ...keys: [string, ...string[]]): string {
  // Encoding removes `:`, which BullMQ reserves in ids, and `/`, which separates the parts.
  return [name, ...keys.map((key) => encodeURIComponent(key))].join('/');
}

function assertQueueFor(queue: CatalogueQueue, name: JobName): void {
  const expected = queueOf(name);
  if (queue.name !== expected) {
    throw new Error(`Job ${name} runs on queue "${expected}", not "${queue.name}"`);
  }
}

/** The options a caller may set when adding a job; retries and retention stay the catalogue's. */
export type EnqueueOptions = Pick<JobsOptions, 'jobId' | 'delay' | 'priority' | 'backoff'>;

/**
 * Adds a job to its queue. Pass `jobId` (from {@link jobId}) wherever the same job may be added twice.
 * @throws Error when `queue` is not the queue the catalogue assigns to the job.
 */
export async function enqueue(queue: CatalogueQueue, item: JobItem, options: EnqueueOptions = {}): Promise<Job<JobPayload, unknown, JobName>> {
  assertQueueFor(queue, item.name);
  return queue.add(item.name, item.data, options);
}

/**
 * Creates or updates the scheduler for `schedule.item.name`. Upserting the same interval again keeps
 * the pending run's time, so every worker may call this on start without adding runs.
 * @see https://docs.bullmq.io/guide/job-schedulers
 */
export async function upsertSchedule(queue: CatalogueQueue, schedule: JobSchedule): Promise<void> {
  assertQueueFor(queue, schedule.item.name);
  await queue.upsertJobScheduler(schedule.item.name, { every: schedule.every }, { name: schedule.item.name, data: schedule.item.data });
}

const knownNames = new Set<string>(Object.values(JobName));

/**
 * Runs `job` with the handler for its name. An unknown name (a newer producer, an older worker) fails
 * the job without retries rather than looping through them.
 */
export async function runJob(handlers: JobHandlers, job: CatalogueJob): Promise<unknown> {
  if (!knownNames.has(job.name)) {
    throw new UnrecoverableError(`No handler for job "${job.name}"`);
  }
  // The name was checked above; TypeScript cannot relate a handler's parameter to the union's member.
  const handler = handlers[job.name] as (job: CatalogueJob) => Promise<unknown>;
  return handler(job);
}

/** Retries of one kill-switch delivery (the `KILL_SWITCH_*` settings). */
export interface DeliveryRetries {
  deliveryAttempts: number;
  retryDelayMs: number;
}

/**
 * The `kill-switch.deliver` job of a receipt line, under the line's own id (`kill-switch.deliver/<id>`,
 * and `…/redrive-<n>` for the n-th re-drive of a dead letter), so planning it twice adds it once.
 */
export function killSwitchDeliveryJob(deliveryId: string, redrives: number, retries: DeliveryRetries) {
  return {
    name: JobName.KillSwitchDeliver,
    data: { deliveryId },
    opts: {
      jobId: redrives === 0 ? jobId(JobName.KillSwitchDeliver, deliveryId) : jobId(JobName.KillSwitchDeliver, deliveryId, `redrive-${redrives}`),
      attempts: retries.deliveryAttempts,
      backoff: { type: 'exponential', delay: retries.retryDelayMs },
    },
  } as const satisfies { name: JobName; data: JobOf<typeof JobName.KillSwitchDeliver>; opts: JobsOptions };
}
