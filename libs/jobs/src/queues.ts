/**
 * @overview How every queue is opened and every job is added: one queue backend (Redis when the
 * deployment has one, else BullMQ's PostgreSQL backend in the Crossgate database), one set of retry and
 * retention defaults, one set of worker lock settings, and typed `enqueue()`/`upsertSchedule()`.
 * Nothing outside this file constructs a BullMQ `Queue`, `Worker` or `QueueEvents`.
 * @see https://docs.bullmq.io/guide/workers/stalled-jobs
 */
import {
  createPostgresBackend,
  type IQueueBackend,
  type Job,
  type JobsOptions,
  type Processor,
  Queue,
  type Telemetry,
  QueueEvents,
  UnrecoverableError,
  withBackend,
  Worker,
  type WorkerOptions,
} from 'bullmq';

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

/** Queues in Redis, under the deployment's key prefix (REDIS_PREFIX); they live under `<prefix>:bull:`. */
export interface RedisQueueBackend {
  kind: 'redis';
  url: string;
  prefix: string;
}

/**
 * Queues in PostgreSQL (BullMQ's PostgreSQL backend): its tables and functions in a schema of their
 * own, so the Prisma migrations, which manage `public` only, never see them. BullMQ creates and
 * upgrades that schema itself when a queue first connects (under an advisory lock, so concurrent
 * starts migrate once).
 */
export interface PostgresQueueBackend {
  kind: 'postgres';
  databaseUrl: string;
  schema: string;
}

/** Where the queues are kept. */
export type QueueBackend = RedisQueueBackend | PostgresQueueBackend;

/** The parts of the configuration (`Config['redis']`, `Config['database']`) that choose the backend. */
export interface QueueSettings {
  redis: { url?: string | undefined; prefix: string };
  /** Resolved before any queue opens: DATABASE_URL, or the embedded server's URL; and the queues' schema. */
  database: { url?: string | undefined; queueSchema: string };
}

/** Redis when REDIS_URL is set; otherwise the Crossgate database, so a deployment needs no Redis. */
export function queueBackendOf(settings: QueueSettings): QueueBackend {
  const { url, prefix } = settings.redis;
  if (url === undefined || url === '') {
    const databaseUrl = settings.database.url;
    if (databaseUrl === undefined) {
      throw new Error('The queues need the database URL, which is resolved at start (DATABASE_URL or the embedded PostgreSQL)');
    }
    return { kind: 'postgres', databaseUrl, schema: settings.database.queueSchema };
  }
  return { kind: 'redis', url, prefix };
}

/** For log lines: where the queues are, without credentials. */
export function describeQueueBackend(backend: QueueBackend): string {
  switch (backend.kind) {
    case 'redis':
      return `Redis (prefix "${backend.prefix}")`;
    case 'postgres':
      return `PostgreSQL (schema "${backend.schema}")`;
    default:
      return unknownBackend(backend);
  }
}

function unknownBackend(backend: never): never {
  throw new Error(`Unknown queue backend ${JSON.stringify(backend)}`);
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
  // One stream, delivered in order: a second run would find the cursor locked and skip.
  [QueueName.AuditStream]: 1,
  // Each notification waits on an SMTP server or a webhook receiver.
  [QueueName.Notifications]: 8,
};

/** BullMQ's key prefix on Redis: the deployment's prefix plus `:bull`, apart from the other keys Crossgate keeps. */
export function bullPrefix(redis: Pick<RedisQueueBackend, 'prefix'>): string {
  return `${redis.prefix}:bull`;
}

/**
 * Connections per BullMQ pool on PostgreSQL. Each queue and each worker opens a pool of its own (and a
 * worker or QueueEvents one more connection for LISTEN), so they stay small: a producer adds a job in
 * one statement, and a worker's jobs spend their time on HTTP and on the Crossgate pool, not on BullMQ's.
 */
const postgresPoolSize = { queue: 2, worker: 4, events: 1 } as const;

function postgresConnection(backend: PostgresQueueBackend, max: number) {
  return { connectionString: backend.databaseUrl, schema: backend.schema, migrate: true, max };
}

const postgres = withBackend(createPostgresBackend);

// The classes of both backends differ only in their backend and connection type parameters, which the
// catalogue types below leave open; each factory casts its backend's class to them once.

/** A queue of the catalogue, on either backend. */
export type CatalogueQueue = Queue<JobPayload, unknown, JobName, JobPayload, unknown, JobName, IQueueBackend, unknown>;

/** A worker of the catalogue, on either backend. */
export type CatalogueWorker = Worker<JobPayload, unknown, JobName, IQueueBackend>;

/** The events of a queue of the catalogue, on either backend. */
export type CatalogueQueueEvents = QueueEvents<unknown, IQueueBackend, unknown>;

/**
 * Opens `name` on `backend`, with the catalogue's job defaults. `telemetry` (bullmq-otel, when tracing
 * is on) adds producer spans and puts the trace context in each job. The caller closes it.
 */
export function createQueue(backend: QueueBackend, name: QueueName, telemetry?: Telemetry): CatalogueQueue {
  const traced = telemetry === undefined ? {} : { telemetry };
  switch (backend.kind) {
    case 'redis':
      return new Queue<JobPayload, unknown, JobName>(name, { connection: { url: backend.url }, prefix: bullPrefix(backend), defaultJobOptions, ...traced }) as unknown as CatalogueQueue;
    case 'postgres':
      return new postgres.Queue<JobPayload, unknown, JobName>(name, { connection: postgresConnection(backend, postgresPoolSize.queue), defaultJobOptions, ...traced }) as unknown as CatalogueQueue;
    default:
      return unknownBackend(backend);
  }
}

/** What a worker of queue `name` runs with unless told otherwise: its concurrency and the lock settings. */
export function workerOptions(name: QueueName) {
  return { concurrency: queueConcurrency[name], ...workerSettings } satisfies Partial<WorkerOptions>;
}

/** Worker options a caller may override; the connection and prefix are the backend's. */
export type CatalogueWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

/**
 * Starts a worker on `name` that hands every job to `processor`, with {@link workerOptions} unless
 * `options` overrides them. (On Redis, BullMQ sets `maxRetriesPerRequest: null` on the blocking
 * connection itself.) The caller closes it.
 */
export function createWorker(
  backend: QueueBackend,
  name: QueueName,
  processor: Processor<JobPayload, unknown, JobName>,
  options: CatalogueWorkerOptions = {},
): CatalogueWorker {
  const settings = { ...workerOptions(name), ...options };
  switch (backend.kind) {
    case 'redis':
      return new Worker<JobPayload, unknown, JobName>(name, processor, { ...settings, connection: { url: backend.url }, prefix: bullPrefix(backend) }) as unknown as CatalogueWorker;
    case 'postgres':
      return new postgres.Worker<JobPayload, unknown, JobName>(name, processor, { ...settings, connection: postgresConnection(backend, postgresPoolSize.worker) }) as unknown as CatalogueWorker;
    default:
      return unknownBackend(backend);
  }
}

/** Listens to the events of queue `name` (added, completed, failed, progress…). The caller closes it. */
export function createQueueEvents(backend: QueueBackend, name: QueueName): CatalogueQueueEvents {
  switch (backend.kind) {
    case 'redis':
      return new QueueEvents(name, { connection: { url: backend.url }, prefix: bullPrefix(backend) }) as unknown as CatalogueQueueEvents;
    case 'postgres':
      return new postgres.QueueEvents(name, { connection: postgresConnection(backend, postgresPoolSize.events) }) as unknown as CatalogueQueueEvents;
    default:
      return unknownBackend(backend);
  }
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
